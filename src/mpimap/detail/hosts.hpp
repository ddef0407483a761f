#pragma once
// Which host each rank runs on: for error messages ("failed on rank 2@node7"),
// output tags and the task farm's joblog.

#include <boost/mpi/communicator.hpp>

#include <string>
#include <vector>

namespace mpimap::detail {

/// This rank's processor name (MPI_Get_processor_name).
std::string processor_name();

/// Every rank's `mine`, in rank order, on rank 0; empty on the other ranks.
/// Collective.
std::vector<std::string> gather_hosts(const boost::mpi::communicator& comm,
                                      const std::string& mine);

}  // namespace mpimap::detail
