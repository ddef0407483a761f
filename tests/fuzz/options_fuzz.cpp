// Fuzz target: the options of `mpimap run` (-j, --timeout, --halt, -N, -d,
// --colsep, --pipe, ...) and the words after them (COMMAND ::: ARGS :::: FILES),
// through CLI11 -- declared by cli/run_options.cpp, as the program declares
// them -- into farm::RunOptions and farm::finish_options. The input is the
// command line's words, separated by NUL bytes. CLI11's ParseError and
// farm::UsageError are the documented ways to refuse; what is accepted must
// be in range, and the words must split into the command and the sources.

#include <CLI/CLI.hpp>

#include <csignal>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/run_options.hpp"
#include "farm/error.hpp"
#include "farm/options.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mpimap::farm;
  auto args = mpimap::fuzz::split(mpimap::fuzz::bytes(data, size), '\0');

  auto opt = std::make_shared<RunOptions>();
  CLI::App app("fuzz");
  mpimap::cli::add_run_options(app, opt);
  std::reverse(args.begin(), args.end());  // CLI11's vector form takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError&) {
    return 0;
  }
  opt->words = app.remaining();
  try {
    finish_options(*opt);
  } catch (const UsageError&) {
    return 0;
  }
  const RunOptions& o = *opt;
  MPIMAP_FUZZ_CHECK(o.unsupported.empty());
  MPIMAP_FUZZ_CHECK(o.jobs_spec.value >= 0 && std::isfinite(o.jobs_spec.value));
  MPIMAP_FUZZ_CHECK(o.jobs_spec.kind != JobsSpec::Count || o.jobs_spec.value <= 1024);
  MPIMAP_FUZZ_CHECK(slots_for(o.jobs_spec, 8, 1024) >= 1 &&
                    slots_for(o.jobs_spec, 8, 1024) <= 1024);
  MPIMAP_FUZZ_CHECK(std::isfinite(o.timeout_seconds) && o.timeout_seconds >= 0);
  MPIMAP_FUZZ_CHECK(std::isfinite(o.timeout_percent) && o.timeout_percent >= 0);
  MPIMAP_FUZZ_CHECK(o.retries >= 0 && o.max_attempts >= 1);
  MPIMAP_FUZZ_CHECK(o.halt_mode == HaltMode::Never ||
                    (o.halt_count >= 1) != (o.halt_percent > 0 && o.halt_percent <= 1));
  MPIMAP_FUZZ_CHECK(!o.read.delimiter.empty());
  MPIMAP_FUZZ_CHECK(o.batch.max_length >= 1);
  MPIMAP_FUZZ_CHECK(o.blocks.block >= 1);
  MPIMAP_FUZZ_CHECK(!o.joblog_append || !o.joblog_path.empty());
  MPIMAP_FUZZ_CHECK(!o.deal || (o.pipe && o.deal->column >= 1));
  MPIMAP_FUZZ_CHECK(!o.group_by || (o.pipe && o.group_by_column >= 1));
  for (const auto& [sig, wait] : o.term_steps)
    MPIMAP_FUZZ_CHECK(sig >= 1 && sig < NSIG && wait >= 0 && std::isfinite(wait));
  // The command is what comes before the first separator word.
  MPIMAP_FUZZ_CHECK(o.command.size() <= o.words.size());
  MPIMAP_FUZZ_CHECK(std::equal(o.command.begin(), o.command.end(), o.words.begin()));
  for (const auto& s : o.sources) MPIMAP_FUZZ_CHECK(!s.is_file || !s.path.empty());
  return 0;
}
