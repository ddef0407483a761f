// mpimap run [OPTIONS] -- COMMAND [ARG...] [::: ITEM...]: the task farm's
// command line. The farm itself (src/farm/) knows nothing of CLI11.

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/usage_error.hpp"
#include "farm/farm.hpp"

namespace mpimap::cli {

namespace {

void add_run_options(CLI::App& sub, farm::RunOptions& opt) {
  sub.add_option("-a,--arg-file", opt.arg_file,
                 "Read items from FILE, one per line ('-': standard input)")
      ->type_name("FILE")
      ->check(kNonEmpty);
  sub.add_flag("-0,--null", opt.null, "Items are separated by NUL bytes, not newlines");
  sub.add_option("-j,--jobs", opt.jobs, "Slots per rank: tasks each rank runs at once")
      ->type_name("K")
      ->default_str("1");
  sub.add_flag("-k,--keep-order", opt.keep_order,
               "Print outputs in input order (default: as tasks finish)");
  sub.add_flag("--tag", opt.tag, "Prefix each output line with the item and a tab");
  sub.add_option("--results", opt.results_dir,
                 "Also write each task's output to DIR/<seq>/stdout and DIR/<seq>/stderr")
      ->type_name("DIR")
      ->check(kNonEmpty);
  sub.add_option("--joblog", opt.joblog,
                 "Log each finished task to FILE (GNU parallel's joblog format)")
      ->type_name("FILE")
      ->check(kNonEmpty);
  sub.add_flag("--resume", opt.resume, "Skip the items whose Seq is in the joblog");
  sub.add_flag("--resume-failed", opt.resume_failed,
               "Like --resume, but run again the items that failed");
  sub.add_option("--retries", opt.retries,
                 "Run a failing task up to N times in all, on another rank each time "
                 "where there is one (GNU parallel's meaning)")
      ->type_name("N")
      ->default_str("1");
  sub.add_option("--timeout", opt.timeout,
                 "Kill a task's process group after SECONDS (fractional; SIGTERM, then "
                 "SIGKILL 1 s later)")
      ->type_name("SECONDS");
  sub.add_option("--grace", opt.grace,
                 "On SIGTERM, SIGINT or SIGUSR1: start no more tasks, SIGTERM the running "
                 "ones, SIGKILL them after SECONDS (fractional); a second signal kills at once")
      ->type_name("SECONDS")
      ->default_str("10");
  sub.add_option("--halt", opt.halt,
                 "never | now,fail=N (kill running tasks) | soon,fail=N (let them finish): "
                 "stop starting tasks after N failures")
      ->type_name("WHEN")
      ->default_str("never");
  sub.add_flag("--progress", opt.progress,
               "Show done/total, running, failed, rate and ETA on stderr");
  // Everything from the command on is the command's, word for word: CLI11
  // leaves those words unparsed (a positional option would split a word like
  // "[a,b]" into a list). Without --, they start at the first word that is
  // not an option (mpimap run -j2 grep -k ...) and stay with this subcommand;
  // after --, they go to the program's unparsed words (see main.cpp).
  sub.prefix_command();
}

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
      "Run a shell command once per item on every rank's slots (a task farm, like GNU parallel):\n"
      "  mpirun -n N mpimap run [OPTIONS] -- COMMAND [ARG...] [::: ITEM...]\n"
      "Items come from ::: ITEM..., -a FILE or standard input. Replacement strings:\n"
      "{} item, {.} without extension, {/} basename, {//} dirname, {/.} basename without\n"
      "extension, {#} sequence number, {%} slot (1-based, unique in the job); without any, the\n"
      "item is appended. Items are shell-quoted. Exit status: the number of failed tasks\n"
      "(at most 101), 2 for bad usage, 128+N when stopped by signal N (SIGTERM, SIGINT or\n"
      "SIGUSR1: see --grace; under mpirun, send mpirun SIGUSR1).");
  add_run_options(*sub, *opt);
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
