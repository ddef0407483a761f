// The mpimap program: `mpirun -n N mpimap SUBCOMMAND ...`, or without a
// launcher `mpimap -n N SUBCOMMAND ...` (spawn_option.hpp).
// Every rank parses the same command line; rank 0 alone reads input, prints
// and reports errors, and every rank exits with rank 0's code (spawned
// processes with 0: only rank 0's code reaches the shell, and Open MPI would
// print a page for a spawned process's non-zero one).

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>

#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/command.hpp"
#include "cli/launcher.hpp"
#include "cli/spawn_option.hpp"
#include "cli/usage_error.hpp"
#include "farm/farm.hpp"
#include "farm/standard_input.hpp"
#include "mpimap/version.hpp"

namespace mpimap::cli {
namespace {

/// `message` on one line: a control byte (a newline in an option's value, say)
/// is written as \xNN, so that bad usage is always one line on stderr.
std::string one_line(std::string_view message) {
  std::string out;
  for (const char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += ch;
  }
  return out;
}

/// The parsed subcommand, or the exit code when there is nothing to run
/// (--help, --version, bad usage: rank 0 has printed why).
std::variant<const Command*, int> parse(CLI::App& app, const std::vector<Command>& commands,
                                        int argc, char** argv, bool root) {
  const int first = subcommand_index(argc, argv);  // after the program's own -n
  try {
    const auto known = [&](const char* name) {
      for (const auto& c : commands)
        if (c.app->get_name() == name) return true;
      return false;
    };
    const char* word = first < argc ? argv[first] : "";
    if (*word && word[0] != '-' && !known(word))
      throw CLI::ParseError(fmt::format("unknown subcommand '{}'", word), kExitUsage);
    // CLI11 would say only "A subcommand is required".
    if (word[0] == '-' && word[1] != '\0' && std::string_view(word) != "--" &&
        !app.get_option_no_throw(word))
      throw CLI::ParseError(fmt::format("unknown option '{}'", word), kExitUsage);
    int parsed_argc = argc;
    for (const auto& c : commands) {
      if (first >= argc || !c.take_words_after_dashdash || c.app->get_name() != word) continue;
      for (int k = first + 1; k < argc; ++k) {
        if (std::string_view(argv[k]) != "--") continue;
        c.take_words_after_dashdash(std::vector<std::string>(argv + k + 1, argv + argc));
        parsed_argc = k;
        break;
      }
    }
    app.parse(parsed_argc, argv);
    for (const auto& c : commands)
      if (c.app->parsed()) return &c;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help, --version
      if (root) app.exit(e);
      return int{0};
    }
    if (root) std::cerr << "mpimap: " << one_line(e.what()) << " (see 'mpimap --help')\n";
  }
  return kExitUsage;
}

}  // namespace
}  // namespace mpimap::cli

int main(int argc, char** argv) {
  using namespace mpimap::cli;
  // Before MPI_Init, which would fail in every task with Open MPI's long page.
  if (const auto advice = srun_without_pmi()) {
    if (first_slurm_task()) std::cerr << *advice << '\n';
    return kExitUsage;
  }
  const int first = subcommand_index(argc, argv);
  if (first < argc && std::string_view(argv[first]) == "run")  // before MPI_Init, which would hang
    if (const int code = mpimap::farm::refuse_split_command_line(); code >= 0) return code;
  // mpirun's pipe into rank 0 gets room now, before MPI_Init's long wait
  // (farm/standard_input.hpp: Open MPI 4.1's mpirun can crash on a full one).
  if (mpimap::started_by_launcher()) mpimap::farm::widen_standard_input();
  std::optional<StdinAside> aside;
  if (asks_for_processes(argc, argv) && !mpimap::started_by_launcher()) aside.emplace();
  boost::mpi::environment env(argc, argv, /*abort_on_exception=*/false);
  aside.reset();
  boost::mpi::communicator world;
  const bool child = spawned_by_parent();
  const bool root = world.rank() == 0 && !child;

  CLI::App app{
      "mpimap: map functions and commands over items on every MPI rank\n"
      "(Python's multiprocessing.Pool.map and Process, over MPI).\n"
      "Run it under mpirun: mpirun -q -n 4 mpimap map square 1 2 3 4 5\n"
      "or alone, starting its own processes:  mpimap -n 4 map square 1 2 3 4 5",
      "mpimap"};
  app.set_version_flag("--version", fmt::format("mpimap {}", mpimap::version));
  std::optional<std::string> processes;
  app.add_option("-n,--processes", processes,
                 "Without mpirun: run as N processes, started with MPI_Comm_spawn on this host "
                 "('auto': one per core available). Give it before the subcommand.")
      ->type_name("N|auto");
  app.require_subcommand(1);
  const std::vector<Command> commands{add_map_command(app),       add_process_command(app),
                                      add_run_command(app),       add_demo_command(app),
                                      add_functions_command(app), add_doctor_command(app)};
  const auto parsed = parse(app, commands, argc, argv, root);
  if (const int* code = std::get_if<int>(&parsed)) return child ? 0 : *code;
  std::unique_ptr<mpimap::Spawned> group;
  try {
    group = program_group(processes, world);
    const auto& comm = group ? group->communicator() : world;
    const int code = std::get<const Command*>(parsed)->run(comm);
    return child ? 0 : code;
  } catch (const UsageError& e) {
    if (root) std::cerr << "mpimap: " << one_line(e.what()) << '\n';
    return child ? 0 : kExitUsage;
  } catch (const std::exception& e) {
    // A rank that fails on its own cannot tell the others: stop the job.
    const int rank = group ? group->communicator().rank() : world.rank();
    std::cerr << fmt::format("mpimap: rank {}: internal error: {}\n", rank, e.what());
    env.abort(3);
  }
  return kExitUsage;
}
