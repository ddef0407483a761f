// The executor's side of the "executor" benchmark case: trivial tasks
// (squares) through mpimap::Executor, and the collective Pool.map of the same
// items for comparison, in one program on the same machine.
//
//   bench_executor --case submit|map|pool_map [--items N] [--reps K]
//
//   submit    N submits of square, then get() of every future (per task:
//             what a Python user's submit loop costs end to end)
//   map       Executor::map of the N items (default options)
//   pool_map  collective Pool::map of the N items (default options)
//
// Each repetition is timed on rank 0 with MPI_Wtime, from before the first
// call to when every result is in hand; the executor's (or pool's) start-up
// is outside. Results are checked against a serial loop after every rep.

#include <mpi.h>

#include <boost/mpi/environment.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "mpimap/mpimap.hpp"

namespace {

inline const auto square_task = mpimap::task<"bench.square">(&bench::square);

void report(const char* system, std::uint64_t rep, double seconds, std::uint64_t n, int ranks) {
  bench::Json()
      .add("rep", rep)
      .add("seconds", seconds)
      .add("items", n)
      .add("ranks", ranks)
      .add("system", system)
      .print();
}

void check(const std::vector<std::int64_t>& xs, const std::vector<std::int64_t>& got) {
  if (got.size() != xs.size()) bench::wrong_result("result count");
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (got[i] != xs[i] * xs[i]) bench::wrong_result("item " + std::to_string(i));
}

void executor_case(const std::string& which, std::uint64_t n, std::uint64_t reps) {
  mpimap::Executor ex;
  ex.run([&] {
    const auto xs = bench::square_inputs(n, true);
    for (std::uint64_t rep = 1; rep <= reps; ++rep) {
      std::vector<std::int64_t> got;
      const double t0 = MPI_Wtime();
      if (which == "submit") {
        std::vector<mpimap::Future<std::int64_t>> futures;
        futures.reserve(xs.size());
        for (auto x : xs) futures.push_back(ex.submit(square_task, x));
        got.reserve(xs.size());
        for (auto& f : futures) got.push_back(f.get());
      } else {
        got = ex.map(square_task, xs);
      }
      const double seconds = MPI_Wtime() - t0;
      check(xs, got);
      report(which == "submit" ? "mpimap-executor-submit" : "mpimap-executor-map", rep, seconds, n,
             ex.size());
    }
  });
}

void pool_case(std::uint64_t n, std::uint64_t reps) {
  mpimap::Pool pool;
  const auto xs = bench::square_inputs(n, pool.is_root());
  for (std::uint64_t rep = 1; rep <= reps; ++rep) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    const auto got = pool.map(bench::square, xs);
    const double seconds = MPI_Wtime() - t0;
    if (!pool.is_root()) continue;
    check(xs, got);
    report("mpimap-pool-map", rep, seconds, n, pool.size());
  }
}

}  // namespace

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  const bench::Args args(argc, argv, {"case", "items", "reps"});
  const std::string which = args.str("case", "");
  const std::uint64_t n = args.u64("items", 100'000), reps = args.u64("reps", 3);
  if (which == "submit" || which == "map") {
    executor_case(which, n, reps);
  } else if (which == "pool_map") {
    pool_case(n, reps);
  } else {
    if (bench::world_rank() == 0)
      std::fprintf(stderr, "bench_executor: unknown --case '%s'\n", which.c_str());
    return 2;
  }
  return 0;
}
