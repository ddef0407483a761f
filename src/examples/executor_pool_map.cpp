// The seed's Q-5 with the executor: map(square, [1, 2, 3, 4, 5]), called on
// rank 0 only (the executor's other ranks serve).
//   mpirun -q -n 4 build/bin/examples/executor_pool_map

#include <boost/mpi/environment.hpp>

#include <iostream>
#include <vector>

#include "mpimap/mpimap.hpp"

inline const auto square = mpimap::task<"square">(+[](long x) { return x * x; });

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Executor ex;
  if (ex.is_root()) {
    std::vector<long> result = ex.map(square, {1L, 2L, 3L, 4L, 5L});
    std::cout << '[';
    for (std::size_t i = 0; i < result.size(); ++i) std::cout << (i ? ", " : "") << result[i];
    std::cout << "]\n";
  }  // ~Executor releases the other ranks
}
