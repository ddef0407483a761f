// The seed's Q-6 with the executor: one call of print_number per number, all
// submitted at once, then waited for. Their output comes in the order the
// calls were made, whichever rank ran them.
//   mpirun -q -n 3 build/bin/examples/executor_processes

#include <boost/mpi/environment.hpp>

#include <iostream>
#include <vector>

#include "mpimap/mpimap.hpp"

inline const auto print_number =
    mpimap::task<"print_number">(+[](int num) { std::cout << "Number: " << num << '\n'; });

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Executor ex;
  ex.run([&] {
    std::vector<mpimap::Future<void>> calls;
    for (int num : {1, 2, 3, 4}) calls.push_back(ex.submit(print_number, num));  // start()
    for (auto& c : calls) c.get();                                               // join()
  });
}
