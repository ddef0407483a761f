#include "cli/collective.hpp"

#include <boost/mpi/collectives/broadcast.hpp>

#include <string>

#include "cli/usage_error.hpp"

namespace mpimap::cli {

void root_checked(const boost::mpi::communicator& comm, const std::function<void()>& on_root) {
  std::string error;
  int failed = 0;
  if (comm.rank() == 0) {
    try {
      on_root();
    } catch (const UsageError& e) {
      error = e.what();
      failed = 1;
    }
  }
  boost::mpi::broadcast(comm, failed, 0);
  if (failed) throw UsageError(error);
}

int from_root(const boost::mpi::communicator& comm, int code) {
  boost::mpi::broadcast(comm, code, 0);
  return code;
}

}  // namespace mpimap::cli
