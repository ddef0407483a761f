#include "mpimap/detail/hosts.hpp"
#include "mpimap/detail/check.hpp"

#include <mpi.h>

#include <boost/mpi/collectives/gather.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

namespace mpimap::detail {

std::string processor_name() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  check(MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
  return {name, static_cast<std::size_t>(len)};
}

std::vector<std::string> gather_hosts(const boost::mpi::communicator& comm,
                                      const std::string& mine) {
  std::vector<std::string> hosts;
  boost::mpi::gather(comm, mine, hosts, 0);
  return hosts;
}

}  // namespace mpimap::detail
