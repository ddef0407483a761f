#include "mpimap/executor.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "mpimap/detail/crash_report.hpp"
#include "mpimap/detail/hosts.hpp"

namespace mpimap {

Executor::Executor(const boost::mpi::communicator& comm)
    : comm_(comm, boost::mpi::comm_duplicate),
      ctx_(std::make_unique<detail::Context>()),
      registered_(detail::registered_tasks()),
      uncaught_(std::uncaught_exceptions()) {
  auto& c = *ctx_;
  c.comm = comm_;
  c.rank = comm_.rank();
  c.size = comm_.size();
  c.host = detail::processor_name();
  c.tag = fmt::format("[rank {}@{}] ", c.rank, c.host);
  c.hosts = detail::gather_hosts(comm_, c.host);
  detail::install_crash_report(c.rank, c.host);
  if (c.is_root())
    engine_ = std::make_unique<detail::Engine>(c);
  else
    detail::serve(c);
}

Executor::Executor(std::shared_ptr<const Spawned> group) : Executor(group->communicator()) {
  spawned_ = std::move(group);
}

Executor Executor::spawn(int processes) {
  auto group = std::make_shared<const Spawned>(processes);
  if (group->communicator().rank() != 0) {
    { Executor serve(group->communicator()); }  // returns when rank 0 shuts down
    group.reset();
    MPI_Finalize();
    std::exit(0);
  }
  return Executor(std::move(group));
}

Executor::~Executor() {
  if (!engine_ || engine_->closed()) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  // The workers must be released whatever happens: a throwing callback is
  // dropped here and closing goes on.
  const bool unwinding = std::uncaught_exceptions() > uncaught_;
  for (int tries = 0; tries < 1000 && !engine_->closed(); ++tries) {
    try {
      if (unwinding) engine_->cancel_all();
      engine_->close(/*quiet=*/unwinding);
    } catch (...) {
    }
  }
}

void Executor::shutdown(bool wait, bool cancel_futures) {
  close(wait, cancel_futures, /*quiet=*/false);
}

void Executor::close(bool wait, bool cancel_futures, bool quiet) {
  if (!engine_ || engine_->closed()) return;
  if (cancel_futures || !wait) engine_->cancel_all();
  engine_->close(quiet);
}

void Executor::check_call(const detail::TaskEntry& entry) const {
  if (!is_root())
    throw std::logic_error(
        "mpimap::Executor: calls are made on rank 0 only (inside if (ex.is_root()) or ex.run)");
  if (engine_->closed()) throw std::logic_error("mpimap::Executor: the executor is shut down");
  if (entry.serial() >= registered_)
    throw std::invalid_argument(fmt::format(
        "mpimap::Executor: task \"{}\" was registered after the executor started, so the other "
        "ranks may not have it; register tasks at namespace scope: inline const auto t = "
        "mpimap::task<\"{}\">(fn);",
        entry.name(), entry.name()));
}

}  // namespace mpimap
