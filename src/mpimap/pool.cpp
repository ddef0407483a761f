#include "mpimap/pool.hpp"

#include <fmt/format.h>

#include <boost/mpi/collectives/gather.hpp>
#include <boost/serialization/string.hpp>

namespace mpimap {

Pool::Pool(const boost::mpi::communicator& comm)
    : comm_(comm, boost::mpi::comm_duplicate), ctx_(std::make_unique<detail::Context>()) {
  auto& c = *ctx_;
  c.comm = comm_;
  c.rank = comm_.rank();
  c.size = comm_.size();
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  MPI_Get_processor_name(name, &len);
  c.host.assign(name, static_cast<std::size_t>(len));
  c.tag = fmt::format("[rank {}@{}] ", c.rank, c.host);
  boost::mpi::gather(comm_, c.host, c.hosts, 0);
}

Pool::~Pool() = default;

}  // namespace mpimap
