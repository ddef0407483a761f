// Seeing a map: a progress callback, the statistics and a trace
// (MapOptions::progress, stats, trace).
//   mpirun -q -n 3 build/bin/examples/watch [TRACE.json]
// Prints the result on stdout, the progress and the statistics on stderr, and
// writes the trace when given a file name (open it in ui.perfetto.dev, or
// draw it: scripts/timeline TRACE.json -o timeline.png).

#include <boost/mpi/environment.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <numeric>
#include <vector>

#include "mpimap/mpimap.hpp"

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Pool pool;
  std::vector<std::int64_t> items(200);
  std::iota(items.begin(), items.end(), 0);
  // Uneven tasks: item x spins (x % 7) * 100 microseconds.
  auto slow_square = [](std::int64_t x) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(x % 7 * 100);
    while (std::chrono::steady_clock::now() < until) {
    }
    return x * x;
  };
  mpimap::MapStats stats;
  mpimap::Trace trace;
  const auto squares = pool.map(slow_square, items,
                                {.chunksize = 4,
                                 .progress =
                                     [](const mpimap::MapProgress& p) {
                                       if (p.finished)
                                         std::cerr << "done: " << p.done << " of " << *p.total
                                                   << '\n';
                                     },
                                 .stats = &stats,
                                 .trace = &trace});
  if (pool.is_root()) {
    std::cout << squares.size() << " squares, sum "
              << std::accumulate(squares.begin(), squares.end(), std::int64_t{0}) << '\n';
    std::cerr << mpimap::format_stats(stats);
    if (argc > 1) trace.save(argv[1]);
  }
}
