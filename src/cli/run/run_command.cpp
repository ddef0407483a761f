// mpimap run [OPTIONS] -- COMMAND [ARG...] [::: ITEM...]: the task farm.
// Maps a shell command over items on every rank's slots, like GNU parallel as
// one MPI job. Rank 0 reads the items, hands out tasks, prints and logs
// (master.cpp); every other rank runs what it is sent (worker.cpp).

#include <mpi.h>

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/collective.hpp"
#include "cli/command.hpp"
#include "cli/run/command_template.hpp"
#include "cli/run/farm.hpp"
#include "cli/run/item_source.hpp"
#include "cli/run/joblog.hpp"
#include "cli/run/options.hpp"
#include "cli/run/output.hpp"
#include "cli/usage_error.hpp"

namespace mpimap::cli {

namespace {

/// Every rank's processor name, on rank 0 (and this rank's own).
std::vector<std::string> gather_hosts(MPI_Comm comm, int rank, int size, std::string& mine) {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  MPI_Get_processor_name(name, &len);
  mine.assign(name, static_cast<std::size_t>(len));
  std::vector<char> all(rank == 0 ? static_cast<std::size_t>(size) * MPI_MAX_PROCESSOR_NAME : 1);
  MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
             0, comm);
  std::vector<std::string> hosts;
  if (rank == 0)
    for (int r = 0; r < size; ++r)
      hosts.emplace_back(all.data() + static_cast<std::size_t>(r) * MPI_MAX_PROCESSOR_NAME);
  return hosts;
}

int run_farm(const boost::mpi::communicator& world, run::RunOptions& opt) {
  run::finish_options(opt);  // same argv everywhere: every rank finds the same mistakes
  const run::CommandTemplate command(opt.command);

  // Rank 0 opens everything it needs before anything runs: a bad file is a
  // usage error (exit 2) on every rank.
  std::unique_ptr<run::ItemSource> source;
  run::Joblog joblog;
  run::DoneSet done;
  run::ResultsDir results;
  root_checked(world, [&] {
    if (!opt.joblog.empty())
      joblog.open(opt.joblog, opt.resume || opt.resume_failed, opt.resume_failed, done);
    if (!opt.results_dir.empty()) results.open(opt.results_dir);
    if (opt.items_given)
      source = std::make_unique<run::ItemSource>(std::move(opt.items));
    else
      source = std::make_unique<run::ItemSource>(opt.arg_file.empty() ? "-" : opt.arg_file,
                                                 opt.null ? '\0' : '\n');
  });

  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Comm_dup(world, &comm);
  const int rank = world.rank();
  std::string host;
  auto hosts = gather_hosts(comm, rank, world.size(), host);
  int code = 0;
  if (rank == 0) {
    run::MasterInputs in{source.get(), &joblog, &done, &results, std::move(hosts)};
    code = run::run_master(comm, opt, command, in);
  } else {
    run::run_worker(comm, opt, command, rank, host);
  }
  MPI_Comm_free(&comm);
  return from_root(world, code);
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto opt = std::make_shared<run::RunOptions>();
  auto* sub = app.add_subcommand(
      "run",
      "Run a shell command once per item on every rank's slots (a task farm, like GNU parallel):\n"
      "  mpirun -n N mpimap run [OPTIONS] -- COMMAND [ARG...] [::: ITEM...]\n"
      "Items come from ::: ITEM..., -a FILE or standard input. Replacement strings:\n"
      "{} item, {.} without extension, {/} basename, {//} dirname, {/.} basename without\n"
      "extension, {#} sequence number, {%} slot (1-based, unique in the job); without any, the\n"
      "item is appended. Items are shell-quoted. Exit status: the number of failed tasks\n"
      "(at most 101), 2 for bad usage.");
  run::add_run_options(*sub, *opt);
  return {sub, [opt](const boost::mpi::communicator& world) { return run_farm(world, *opt); }};
}

}  // namespace mpimap::cli
