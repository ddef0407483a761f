// The seed's Q-5 over MPI: Pool.map(square, [1, 2, 3, 4, 5]).
//   mpirun -q -n 4 build/bin/examples/pool_map

#include <boost/mpi/environment.hpp>

#include <iostream>
#include <vector>

#include "mpimap/mpimap.hpp"

long square(long x) { return x * x; }

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Pool pool;

  std::vector<long> numbers{1, 2, 3, 4, 5};  // only rank 0's items are used
  std::vector<long> result = pool.map(square, numbers);

  if (pool.is_root()) {
    std::cout << '[';
    for (std::size_t i = 0; i < result.size(); ++i) std::cout << (i ? ", " : "") << result[i];
    std::cout << "]\n";
  }
}
