// The seed's Q-6 over MPI: one Process per number, each printing it.
//   mpirun -q -n 3 build/bin/examples/processes

#include <boost/mpi/environment.hpp>

#include <iostream>
#include <vector>

#include "mpimap/mpimap.hpp"

void print_number(int num) { std::cout << "Number: " << num << '\n'; }

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Pool pool;

  std::vector<mpimap::Process> processes;
  for (int num : {1, 2, 3, 4}) processes.push_back(pool.process(print_number, num));
  for (auto& p : processes) p.start();  // each rank runs its own processes
  for (auto& p : processes) p.join();   // rank 0 prints them in join order
}
