// mpimap run [OPTIONS] [--] [COMMAND [ARG...]] [::: ARG...] [:::: FILE...]:
// the task farm's command line, with GNU parallel 20221122's options (names,
// aliases, meanings). The farm itself (src/farm/) knows nothing of CLI11.

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/run_options.hpp"
#include "cli/usage_error.hpp"
#include "farm/farm.hpp"

namespace mpimap::cli {

namespace {

/// The command's words, exactly as given: those CLI11 left unparsed (from
/// the first word that is not an option of run's on), then those after --,
/// which main() kept from CLI11 altogether.
std::vector<std::string> command_words(const CLI::App& sub,
                                       const std::optional<std::vector<std::string>>& after) {
  auto words = sub.remaining();
  if (!words.empty() && words.front().size() > 1 && words.front().front() == '-')
    throw UsageError(fmt::format(
        "run: unknown option {} (a command that starts with - goes after --)", words.front()));
  if (after) {
    if (!words.empty()) words.push_back("--");  // the command had begun: its own --
    words.insert(words.end(), after->begin(), after->end());
  }
  return words;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto opt = std::make_shared<farm::RunOptions>();
  auto after = std::make_shared<std::optional<std::vector<std::string>>>();
  auto* sub = app.add_subcommand(
      "run",
      "Run a shell command once per argument on every rank's slots (a task farm that speaks\n"
      "GNU parallel):\n"
      "  mpirun -n N mpimap run [OPTIONS] [--] COMMAND [ARG...] [::: ARG...] [:::: FILE...]\n"
      "Arguments come from ::: ARG... and :::: FILE... (several: every combination; :::+ and\n"
      "--link pair them up), -a FILE or standard input. Replacement strings, as GNU parallel's:\n"
      "{} argument, {.} without extension, {/} basename, {//} dirname, {/.} basename without\n"
      "extension, {#} job number, {%} slot (1-based, unique in the job), {1} {2} ... argument n\n"
      "(with the same suffixes); without any, {} is appended. Arguments are shell-quoted. The\n"
      "shell is $PARALLEL_SHELL, else the one that started mpirun, else $SHELL. Exit status:\n"
      "the number of failed jobs (at most 101; --halt changes it), 2 for bad usage, 128+N when\n"
      "stopped by signal N (SIGTERM, SIGINT or SIGUSR1: see --grace; under mpirun, send\n"
      "mpirun SIGUSR1). Do not give mpirun a bare ':' word: mpirun splits its command line\n"
      "there (put such arguments in a file: -a FILE).");
  add_run_options(*sub, opt);
  return {.app = sub,
          .run =
              [opt, sub, after](const boost::mpi::communicator& world) {
                opt->words = command_words(*sub, *after);
                try {
                  return farm::run(world, *opt);
                } catch (const farm::UsageError& e) {
                  throw UsageError(e.what());
                }
              },
          .take_words_after_dashdash =
              [after](std::vector<std::string> words) { *after = std::move(words); }};
}

}  // namespace mpimap::cli
