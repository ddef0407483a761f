#pragma once
// What every scheduler needs to know about the ranks it runs on.

#include <mpi.h>

#include <string>
#include <vector>

#include "mpimap/detail/tags.hpp"

namespace mpimap::detail {

struct Context {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
  std::string host;                // this rank's processor name
  std::vector<std::string> hosts;  // every rank's, on rank 0 only
  std::string tag;                 // "[rank R@host] "
  bool is_root() const { return rank == 0; }
};

}  // namespace mpimap::detail
