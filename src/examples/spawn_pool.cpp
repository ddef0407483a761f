// Python's `with Pool(4) as pool: pool.map(square, ...)`, without mpirun:
// started alone, the program starts N - 1 copies of itself (MPI_Comm_spawn),
// and all N run main from the start, like multiprocessing's "spawn" start
// method. Under mpirun it uses mpirun's processes and ignores N.
//   build/bin/examples/spawn_pool 4      (no argument: one process per core)

#include <boost/mpi/environment.hpp>

#include <cstdlib>
#include <iostream>
#include <vector>

#include "mpimap/mpimap.hpp"

long square(long x) { return x * x; }

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  const int n = argc > 1 ? std::atoi(argv[1]) : mpimap::available_cores();
  mpimap::Pool pool = mpimap::Pool::spawn(n);  // collective, like every call after it

  std::vector<long> numbers{1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<long> result = pool.map(square, numbers);

  if (pool.is_root()) {
    std::cout << '[';
    for (std::size_t i = 0; i < result.size(); ++i) std::cout << (i ? ", " : "") << result[i];
    std::cout << "] on " << pool.size() << " processes\n";
  }
}  // the pool, then its processes, go before MPI_Finalize
