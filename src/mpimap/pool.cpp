#include "mpimap/pool.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "mpimap/detail/check.hpp"

#include "mpimap/detail/crash_report.hpp"
#include "mpimap/detail/hosts.hpp"

namespace mpimap {

namespace {

/// The first `processes` ranks of comm, as a communicator of their own
/// (an empty one, MPI_COMM_NULL, on the other ranks).
boost::mpi::communicator first_ranks(const boost::mpi::communicator& comm, int processes) {
  if (processes < 1 || processes > comm.size())
    throw std::invalid_argument(
        fmt::format("mpimap::Pool: processes = {}: expected 1 to {} (the communicator's size)",
                    processes, comm.size()));
  MPI_Comm part = MPI_COMM_NULL;
  detail::check(
      MPI_Comm_split(comm, comm.rank() < processes ? 0 : MPI_UNDEFINED, comm.rank(), &part),
      "MPI_Comm_split");
  // (The error handler is comm's, MPI_ERRORS_RETURN as Boost.MPI sets it.)
  return boost::mpi::communicator(part, boost::mpi::comm_take_ownership);
}

}  // namespace

Pool::Pool(const boost::mpi::communicator& comm)
    : comm_(comm, boost::mpi::comm_duplicate), ctx_(std::make_unique<detail::Context>()) {
  start();
}

Pool::Pool(const boost::mpi::communicator& comm, int processes)
    : comm_(first_ranks(comm, processes)), ctx_(std::make_unique<detail::Context>()) {
  if (comm.rank() >= processes) {
    in_pool_ = false;
    ctx_->rank = comm.rank();
    ctx_->size = processes;
    return;
  }
  start();
}

void Pool::start() {
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
  if (finalized || !in_pool_) return;
  try {
    detail::join_call(*ctx_, {detail::CallKind::Close, ++calls_, 0}, join_timeout_);
  } catch (...) {  // an MPI error cannot leave a destructor; the pool goes all the same
  }
}

}  // namespace mpimap
