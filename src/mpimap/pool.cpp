#include "mpimap/pool.hpp"

#include <fmt/format.h>

#include "mpimap/detail/crash_report.hpp"
#include "mpimap/detail/hosts.hpp"

namespace mpimap {

Pool::Pool(const boost::mpi::communicator& comm)
    : comm_(comm, boost::mpi::comm_duplicate), ctx_(std::make_unique<detail::Context>()) {
  auto& c = *ctx_;
  c.comm = comm_;
  c.rank = comm_.rank();
  c.size = comm_.size();
  c.host = detail::processor_name();
  c.tag = fmt::format("[rank {}@{}] ", c.rank, c.host);
  c.hosts = detail::gather_hosts(comm_, c.host);
  detail::install_crash_report(c.rank, c.host);
}

Pool::~Pool() = default;

}  // namespace mpimap
