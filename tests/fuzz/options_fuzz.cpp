// Fuzz target: the option values of `mpimap run` (-j, --timeout, --retries,
// --halt, ...) and the words after them (COMMAND ::: ITEMS), through CLI11 into
// farm::RunOptions and farm::finish_options. The input is the command line's
// words, separated by NUL bytes. CLI11's ParseError and farm::UsageError are
// the documented ways to refuse; what is accepted must be in range.
// The options are declared as src/cli/run_command.cpp declares them (same
// names, same RunOptions fields), without the help texts.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "farm/error.hpp"
#include "farm/options.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mpimap::farm;
  auto args = mpimap::fuzz::split(mpimap::fuzz::bytes(data, size), '\0');

  RunOptions opt;
  CLI::App app("fuzz");
  app.add_option("-a,--arg-file", opt.arg_file);
  app.add_flag("-0,--null", opt.null);
  app.add_option("-j,--jobs", opt.jobs);
  app.add_flag("-k,--keep-order", opt.keep_order);
  app.add_flag("--tag", opt.tag);
  app.add_option("--results", opt.results_dir);
  app.add_option("--joblog", opt.joblog);
  app.add_flag("--resume", opt.resume);
  app.add_flag("--resume-failed", opt.resume_failed);
  app.add_option("--retries", opt.retries);
  app.add_option("--timeout", opt.timeout);
  app.add_option("--halt", opt.halt);
  app.add_flag("--progress", opt.progress);
  app.prefix_command();
  std::reverse(args.begin(), args.end());  // CLI11's vector form takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError&) {
    return 0;
  }
  opt.words = app.remaining();
  try {
    finish_options(opt);
  } catch (const UsageError&) {
    return 0;
  }
  MPIMAP_FUZZ_CHECK(!opt.command.empty());
  MPIMAP_FUZZ_CHECK(opt.jobs >= 1 && opt.jobs <= 1024);
  MPIMAP_FUZZ_CHECK(std::isfinite(opt.timeout) && opt.timeout >= 0);
  MPIMAP_FUZZ_CHECK(opt.retries >= 0 && opt.max_attempts >= 1);
  MPIMAP_FUZZ_CHECK(!(opt.items_given && !opt.arg_file.empty()));
  MPIMAP_FUZZ_CHECK((opt.halt_mode == HaltMode::Never) == (opt.halt == "never"));
  MPIMAP_FUZZ_CHECK(opt.halt_mode == HaltMode::Never || opt.halt_fails >= 1);
  MPIMAP_FUZZ_CHECK(opt.command.size() + opt.items.size() + opt.items_given == opt.words.size());
  return 0;
}
