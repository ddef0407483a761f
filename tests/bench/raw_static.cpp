// The raw-MPI baseline of the static_map case, written by hand for the
// comparison with the MPI C API only (no mpimap): rank 0 holds the items,
// MPI_Scatterv gives each rank a near-equal contiguous block (rank 0 keeps
// its own in place), every rank squares its block, MPI_Gatherv brings the
// squares back into a fresh result array on rank 0.
//
// Like mpimap's map, which returns a new vector, each repetition allocates
// its result (and, off rank 0, its block) inside the timed region; unlike
// mpimap it does not zero them first (make_unique_for_overwrite): that is
// what a careful hand-written program does. With --warm 1 both buffers are
// allocated and touched once, before the first repetition, and reused by
// every one: the floor for a static map (no allocation, no first touch).
//
//   raw_static [--items N] [--reps K] [--warm 1]

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "bench_common.hpp"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  const bench::Args args(argc, argv, {"items", "reps", "warm"});
  const bool warm = args.str("warm", "0") == "1";
  const std::uint64_t n = args.u64("items", 10'000'000);
  const std::uint64_t reps = args.u64("reps", 3);
  const int rank = bench::world_rank(), p = bench::world_size();

  // The same near-equal blocks as mpimap's static schedule.
  auto block_begin = [&](int r) {
    const auto rr = static_cast<std::uint64_t>(r), pp = static_cast<std::uint64_t>(p);
    return rr * (n / pp) + std::min(rr, n % pp);
  };
  std::vector<int> counts(p), displs(p);
  for (int r = 0; r < p; ++r) {
    displs[r] = static_cast<int>(block_begin(r));
    counts[r] = static_cast<int>(block_begin(r + 1) - block_begin(r));
  }
  const int count = counts[rank];

  const std::vector<std::int64_t> items = bench::square_inputs(n, rank == 0);

  std::unique_ptr<std::int64_t[]> results, block;
  auto allocate = [&] {
    if (rank == 0)
      results = std::make_unique_for_overwrite<std::int64_t[]>(n);
    else
      block = std::make_unique_for_overwrite<std::int64_t[]>(static_cast<std::size_t>(count));
  };
  if (warm) {
    allocate();
    if (rank == 0)
      std::fill_n(results.get(), n, 0);
    else
      std::fill_n(block.get(), count, 0);
  }

  for (std::uint64_t rep = 1; rep <= reps; ++rep) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    if (!warm) allocate();
    if (rank == 0) {
      MPI_Scatterv(items.data(), counts.data(), displs.data(), MPI_INT64_T, MPI_IN_PLACE, count,
                   MPI_INT64_T, 0, MPI_COMM_WORLD);
      for (int i = 0; i < count; ++i) results[i] = bench::square(items[i]);
      MPI_Gatherv(MPI_IN_PLACE, count, MPI_INT64_T, results.get(), counts.data(), displs.data(),
                  MPI_INT64_T, 0, MPI_COMM_WORLD);
    } else {
      MPI_Scatterv(nullptr, nullptr, nullptr, MPI_INT64_T, block.get(), count, MPI_INT64_T, 0,
                   MPI_COMM_WORLD);
      for (int i = 0; i < count; ++i) block[i] = bench::square(block[i]);
      MPI_Gatherv(block.get(), count, MPI_INT64_T, nullptr, nullptr, nullptr, MPI_INT64_T, 0,
                  MPI_COMM_WORLD);
    }
    const double seconds = MPI_Wtime() - t0;
    if (rank == 0) {
      for (std::uint64_t i = 0; i < n; ++i)
        if (results[i] != bench::square(bench::square_input(i, n)))
          bench::wrong_result("square of item " + std::to_string(i));
      bench::Json().add("rep", rep).add("seconds", seconds).add("items", n).add("ranks", p).print();
    }
    if (!warm) results.reset(), block.reset();  // freed outside the timed region
  }
  if (rank == 0)
    bench::Json()
        .add("peak_rss_kb", bench::peak_rss_kb())
        .add("input_bytes", n * sizeof(std::int64_t))
        .print();
  MPI_Finalize();
  return 0;
}
