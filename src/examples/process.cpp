// The seed's Q-3 over MPI: a Process that prints 1..10, started and joined.
//   mpirun -q -n 2 build/bin/examples/process

#include <boost/mpi/environment.hpp>

#include <iostream>

#include "mpimap/mpimap.hpp"

void print_numbers(int n) {
  for (int i = 1; i <= n; ++i) std::cout << i << '\n';
}

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Pool pool;  // every rank runs main; rank 0 prints

  auto p = pool.process(print_numbers, 10);  // runs on rank 1 (rank 0 if alone)
  p.start();
  p.join();  // rank 0 prints what the process printed

  if (pool.is_root()) std::cout << "Process completed\n";
}
