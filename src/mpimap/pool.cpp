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

Pool::Pool(std::shared_ptr<const Spawned> group) : Pool(group->communicator()) {
  spawned_ = std::move(group);
}

Pool Pool::spawn(int processes) { return Pool(std::make_shared<const Spawned>(processes)); }

Pool::~Pool() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  try {
    detail::join_call(*ctx_, {detail::CallKind::Close, ++calls_, 0}, join_timeout_);
  } catch (...) {  // an MPI error cannot leave a destructor; the pool goes all the same
  }
}

}  // namespace mpimap
