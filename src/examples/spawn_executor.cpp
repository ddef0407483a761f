// mpi4py's `with MPIPoolExecutor(max_workers=4) as ex:`, without mpirun:
// started alone, the program starts N - 1 copies of itself (MPI_Comm_spawn)
// that serve tasks inside Executor::spawn and exit there when rank 0 is done:
// only rank 0 runs what follows. Under mpirun it uses mpirun's processes
// (ranks 1.. serve and exit the same way) and ignores N.
//   build/bin/examples/spawn_executor 4      (no argument: one process per core)

#include <boost/mpi/environment.hpp>

#include <cstdlib>
#include <iostream>
#include <vector>

#include "mpimap/mpimap.hpp"

inline const auto square = mpimap::task<"square">(+[](long x) { return x * x; });

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  const int n = argc > 1 ? std::atoi(argv[1]) : mpimap::available_cores();
  mpimap::Executor ex = mpimap::Executor::spawn(n);
  // Rank 0 only, from here on.
  std::vector<long> squares = ex.map(square, {1L, 2L, 3L, 4L, 5L});
  auto future = ex.submit(square, 12L);
  std::cout << '[';
  for (std::size_t i = 0; i < squares.size(); ++i) std::cout << (i ? ", " : "") << squares[i];
  std::cout << "] and " << future.get() << " on " << ex.size() << " processes, printed once\n";
}  // ~Executor releases the copies, which exit
