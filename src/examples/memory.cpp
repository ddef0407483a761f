// The README's lesson, first step: every rank is a process with memory of its
// own. Each rank has its own `calls`; a task that counts itself in it counts
// on its own rank only, and rank 0 learns what the others did only from the
// results they send back.
//   mpirun -q -n 3 build/bin/examples/memory

#include <boost/mpi/environment.hpp>

#include <iostream>
#include <vector>

#include "mpimap/mpimap.hpp"

long calls = 0;  // a global: one copy per process, so one per rank

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Pool pool;

  const int rank = pool.rank();  // each rank's own, like `calls`
  auto count_call = [rank](long item) {
    ++calls;
    std::cout << "rank " << rank << " ran item " << item << ": calls = " << calls << '\n';
    return calls;
  };
  // Static: on 3 ranks, rank r runs items 2r and 2r + 1.
  const std::vector<long> items{0, 1, 2, 3, 4, 5};
  const std::vector<long> counts =
      pool.map(count_call, items, {.schedule = mpimap::Schedule::Static});

  if (pool.is_root()) {
    std::cout << "results: [";
    for (std::size_t i = 0; i < counts.size(); ++i) std::cout << (i ? ", " : "") << counts[i];
    std::cout << "]\nrank 0's calls = " << calls << " (of " << counts.size() << " tasks)\n";
  }
}
