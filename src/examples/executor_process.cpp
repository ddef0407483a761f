// The seed's Q-3 with the executor: one call of print_numbers(10), waited for.
// Rank 0 runs main's body; the other ranks serve. What the task prints comes
// out on rank 0 before apply returns.
//   mpirun -q -n 2 build/bin/examples/executor_process

#include <boost/mpi/environment.hpp>

#include <iostream>

#include "mpimap/mpimap.hpp"

inline const auto print_numbers = mpimap::task<"print_numbers">(+[](int n) {
  for (int i = 1; i <= n; ++i) std::cout << i << '\n';
});

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Executor ex;  // ranks 1.. serve here until rank 0 is done
  ex.run([&] {
    ex.apply(print_numbers, 10);  // Process(target=..., args=(10,)); start(); join()
    std::cout << "Process completed\n";
  });
}
