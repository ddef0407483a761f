#pragma once
// A subcommand of the mpimap program: what CLI11 parses into, and what runs.

#include <CLI/CLI.hpp>
#include <boost/mpi/communicator.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mpimap::cli {

struct Command {
  CLI::App* app = nullptr;
  /// Runs the parsed subcommand on every rank; returns the exit code (which
  /// must be the same on every rank). Throws UsageError for bad input.
  std::function<int(const boost::mpi::communicator&)> run;
  /// When set, the words after the first -- of this subcommand's command line
  /// go here untouched: CLI11 never sees them (it would take a -h or
  /// --version among them for the program's own).
  std::function<void(std::vector<std::string>)> take_words_after_dashdash;
};

/// For an option whose value names a file or folder: "" would silently mean
/// "not given" (-a '' read standard input, --joblog '' wrote no joblog).
inline const CLI::Validator kNonEmpty(
    [](const std::string& s) { return s.empty() ? std::string("expected a name, got ''") : ""; },
    "");

// One per subcommand, each in its own file.
Command add_map_command(CLI::App& app);
Command add_process_command(CLI::App& app);
Command add_demo_command(CLI::App& app);
Command add_functions_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_doctor_command(CLI::App& app);

}  // namespace mpimap::cli
