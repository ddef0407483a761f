// farm::run: checks the options, opens rank 0's files, then runs rank 0's side
// or a worker's on a communicator of the farm's own.

#include "farm/farm.hpp"

#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <csignal>

#include <fmt/format.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/item_source.hpp"
#include "farm/joblog.hpp"
#include "farm/output.hpp"
#include "farm/roles.hpp"
#include "mpimap/detail/collective.hpp"
#include "mpimap/detail/hosts.hpp"

namespace mpimap::farm {

namespace {
/// Whether the paths name one existing file: a joblog that is also the -a
/// file would be emptied before it is read, or read as it grows, forever.
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}
}  // namespace

int run(const boost::mpi::communicator& world, RunOptions opt) {
#ifdef __linux__
  // A rank whose launcher (mpirun, its daemon) died goes with it, its tasks
  // killed as for SIGTERM: left alone it would run the rest of the job with
  // nowhere to print, logging tasks whose output is lost (a fault found by
  // tests/farm/fault_driver.sh, killing mpirun).
  const pid_t launcher = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != launcher) ::raise(SIGTERM);
#endif
  finish_options(opt);  // same words everywhere: every rank finds the same mistakes
  const CommandTemplate command(opt.command);

  // Rank 0 opens everything it needs before anything runs: a bad file is a
  // usage error on every rank.
  std::unique_ptr<ItemSource> source;
  Joblog joblog;
  DoneSet done;
  ResultsDir results;
  detail::root_checked<UsageError>(world, [&] {
    if (!opt.joblog.empty() && !opt.arg_file.empty() && same_file(opt.joblog, opt.arg_file))
      throw UsageError(fmt::format(
          "--joblog {} is the -a file: the joblog would overwrite the items", opt.joblog));
    if (!opt.joblog.empty())
      joblog.open(opt.joblog, opt.resume || opt.resume_failed, opt.resume_failed, done);
    if (!opt.results_dir.empty()) results.open(opt.results_dir);
    if (opt.items_given)
      source = std::make_unique<ItemSource>(std::move(opt.items));
    else
      source = std::make_unique<ItemSource>(opt.arg_file.empty() ? "-" : opt.arg_file,
                                            opt.null ? '\0' : '\n');
  });

  const boost::mpi::communicator comm(world, boost::mpi::comm_duplicate);
  const std::string host = detail::processor_name();
  auto hosts = detail::gather_hosts(comm, host);
  int code = 0;
  if (comm.rank() == 0) {
    MasterInputs in{source.get(), &joblog, &done, &results, std::move(hosts)};
    code = run_master(comm, opt, command, in);
  } else {
    run_worker(comm, opt, command, comm.rank(), host);
  }
  return detail::from_root(comm, code);
}

}  // namespace mpimap::farm
