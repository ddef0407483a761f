// The raw-MPI baseline of the dispatch case, written by hand for the
// comparison with the MPI C API only (no mpimap): the textbook master/worker.
// Rank 0 is the master and sends one task per message ({index, item}); each
// worker squares it and sends back {index, square}, which is also its request
// for the next task; the master answers with the next task or a stop message.
// With one rank there are no workers and rank 0 runs every task itself.
//
// Each repetition allocates its result array inside the timed region, as
// mpimap's map does (without zeroing it, as a careful hand-written program
// would).
//
//   raw_dispatch [--items N] [--reps K]

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "bench_common.hpp"

namespace {

constexpr int kTask = 1, kResult = 2, kStop = 3;

void master(const std::vector<std::int64_t>& items, std::int64_t* results, int p) {
  const std::uint64_t n = items.size();
  std::uint64_t next = 0;
  if (p == 1) {
    for (; next < n; ++next) results[next] = bench::square(items[next]);
    return;
  }
  int active = 0;
  for (int w = 1; w < p; ++w) {
    if (next < n) {
      const std::int64_t task[2] = {static_cast<std::int64_t>(next), items[next]};
      MPI_Send(task, 2, MPI_INT64_T, w, kTask, MPI_COMM_WORLD);
      ++next, ++active;
    } else {
      MPI_Send(nullptr, 0, MPI_INT64_T, w, kStop, MPI_COMM_WORLD);
    }
  }
  while (active > 0) {
    std::int64_t result[2];
    MPI_Status st;
    MPI_Recv(result, 2, MPI_INT64_T, MPI_ANY_SOURCE, kResult, MPI_COMM_WORLD, &st);
    results[result[0]] = result[1];
    if (next < n) {
      const std::int64_t task[2] = {static_cast<std::int64_t>(next), items[next]};
      MPI_Send(task, 2, MPI_INT64_T, st.MPI_SOURCE, kTask, MPI_COMM_WORLD);
      ++next;
    } else {
      MPI_Send(nullptr, 0, MPI_INT64_T, st.MPI_SOURCE, kStop, MPI_COMM_WORLD);
      --active;
    }
  }
}

void worker() {
  while (true) {
    std::int64_t task[2];
    MPI_Status st;
    MPI_Recv(task, 2, MPI_INT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    if (st.MPI_TAG == kStop) return;
    const std::int64_t result[2] = {task[0], bench::square(task[1])};
    MPI_Send(result, 2, MPI_INT64_T, 0, kResult, MPI_COMM_WORLD);
  }
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  const bench::Args args(argc, argv, {"items", "reps"});
  const std::uint64_t n = args.u64("items", 200'000);
  const std::uint64_t reps = args.u64("reps", 3);
  const int rank = bench::world_rank(), p = bench::world_size();

  const std::vector<std::int64_t> items = bench::square_inputs(n, rank == 0);
  for (std::uint64_t rep = 1; rep <= reps; ++rep) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    std::unique_ptr<std::int64_t[]> results;
    if (rank == 0) {
      results = std::make_unique_for_overwrite<std::int64_t[]>(n);
      master(items, results.get(), p);
    } else {
      worker();
    }
    const double seconds = MPI_Wtime() - t0;
    if (rank != 0) continue;
    for (std::uint64_t i = 0; i < n; ++i)
      if (results[i] != bench::square(items[i]))
        bench::wrong_result("square of item " + std::to_string(i));
    bench::Json().add("rep", rep).add("seconds", seconds).add("items", n).add("ranks", p).print();
  }
  MPI_Finalize();
  return 0;
}
