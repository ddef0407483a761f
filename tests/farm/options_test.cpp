// farm::finish_options: splitting COMMAND ::: ARGS :::: FILES into input
// sources, the derived settings (GNU parallel 20221122's meanings), and the
// usage errors it throws (with their exact one-line messages).

#include <gtest/gtest.h>

#include <csignal>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "farm/error.hpp"
#include "farm/options.hpp"

namespace {

using mpimap::farm::finish_options;
using mpimap::farm::HaltMode;
using mpimap::farm::HaltOn;
using mpimap::farm::JobsSpec;
using mpimap::farm::RunOptions;
using mpimap::farm::UsageError;
using Words = std::vector<std::string>;

RunOptions with_words(Words words) {
  RunOptions opt;
  opt.words = std::move(words);
  return opt;
}

/// The message finish_options throws for `opt`, or "no error".
std::string error_of(RunOptions opt) {
  try {
    finish_options(opt);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

// --- Input sources ----------------------------------------------------------------

TEST(FinishOptions, SplitsTheCommandFromTheArguments) {
  auto opt = with_words({"gzip", "-9", ":::", "a.txt", "b c.txt", ""});
  finish_options(opt);
  EXPECT_EQ(opt.command, (Words{"gzip", "-9"}));
  ASSERT_EQ(opt.sources.size(), 1u);
  EXPECT_FALSE(opt.sources[0].is_file);
  EXPECT_EQ(opt.sources[0].args, (Words{"a.txt", "b c.txt", ""}));
}

TEST(FinishOptions, OnlyWholeSeparatorWordsSplit) {
  auto opt = with_words({"echo", "a:::b", "::", "::::x"});
  finish_options(opt);
  EXPECT_EQ(opt.command, (Words{"echo", "a:::b", "::", "::::x"}));
  EXPECT_TRUE(opt.sources.empty());  // standard input
}

TEST(FinishOptions, SeveralSourcesInGnuParallelsOrder) {
  // -a files first, then the groups as given; :::: takes file names.
  auto opt = with_words({"echo", ":::", "a", "b", "::::", "f1", "f2", ":::+", "x", "::::+", "g"});
  opt.arg_files = {"first"};
  finish_options(opt);
  ASSERT_EQ(opt.sources.size(), 6u);
  EXPECT_EQ(opt.sources[0].path, "first");
  EXPECT_EQ(opt.sources[1].args, (Words{"a", "b"}));
  EXPECT_EQ(opt.sources[2].path, "f1");
  EXPECT_EQ(opt.sources[3].path, "f2");
  EXPECT_FALSE(opt.sources[3].linked);
  EXPECT_EQ(opt.sources[4].args, Words{"x"});
  EXPECT_TRUE(opt.sources[4].linked);
  EXPECT_EQ(opt.sources[5].path, "g");
  EXPECT_TRUE(opt.sources[5].linked);
}

TEST(FinishOptions, OtherSeparators) {
  auto opt = with_words({"echo", ",,", "a", ";;", "f"});
  opt.arg_sep = ",,";
  opt.arg_file_sep = ";;";
  finish_options(opt);
  ASSERT_EQ(opt.sources.size(), 2u);
  EXPECT_EQ(opt.sources[0].args, Words{"a"});
  EXPECT_EQ(opt.sources[1].path, "f");
}

TEST(FinishOptions, NoCommandMeansTheArgumentsAreCommands) {
  auto opt = with_words({":::", "echo a"});
  EXPECT_EQ(error_of(opt), "no error");
}

TEST(FinishOptions, DelimitersAndReading) {
  auto opt = with_words({"echo"});
  opt.delimiter = "\\t";
  opt.eof = "END";
  opt.skip_blank = true;
  finish_options(opt);
  EXPECT_EQ(opt.read.delimiter, "\t");
  EXPECT_EQ(opt.read.eof, "END");
  EXPECT_TRUE(opt.read.skip_blank);
  opt = with_words({"echo"});
  opt.null = true;
  finish_options(opt);
  EXPECT_EQ(opt.read.delimiter, std::string(1, '\0'));
}

TEST(FinishOptions, ColsepTrimsUnlessToldAndHeaderSplitsAtTabs) {
  auto opt = with_words({"echo"});
  opt.colsep = ",";
  finish_options(opt);
  EXPECT_EQ(opt.templ.trim, 'b');
  opt.trim = "n";
  finish_options(opt);
  EXPECT_EQ(opt.templ.trim, 'n');
  opt = with_words({"echo"});
  opt.header = ":";
  finish_options(opt);
  EXPECT_TRUE(opt.read.header);
  EXPECT_EQ(opt.read.colsep, "\t");
  EXPECT_EQ(opt.templ.trim, 'n');
}

// --- Batching ----------------------------------------------------------------------

TEST(FinishOptions, Batching) {
  auto opt = with_words({"echo"});
  finish_options(opt);
  EXPECT_FALSE(opt.batch.max_args);
  EXPECT_FALSE(opt.batch.fill);
  opt.max_replace_args = "3";
  finish_options(opt);
  EXPECT_EQ(opt.batch.max_args, 3u);
  EXPECT_TRUE(opt.templ.context_replace);  // -N is context replace (GNU parallel)
  opt = with_words({"echo"});
  opt.max_args = "2";
  finish_options(opt);
  EXPECT_EQ(opt.batch.max_args, 2u);
  EXPECT_FALSE(opt.templ.context_replace);
  opt = with_words({"echo"});
  opt.context = true;
  opt.max_chars = "100";
  finish_options(opt);
  EXPECT_TRUE(opt.batch.fill && opt.batch.spread && opt.templ.context_replace);
  EXPECT_EQ(opt.batch.max_length, 100u);
  opt = with_words({"echo"});
  opt.xargs = true;
  finish_options(opt);
  EXPECT_TRUE(opt.batch.fill);
  EXPECT_FALSE(opt.batch.spread);
  opt = with_words({"echo"});
  opt.max_lines_L = "2";
  finish_options(opt);
  EXPECT_EQ(opt.batch.max_args, 2u);
  EXPECT_TRUE(opt.read.continue_lines);
  EXPECT_TRUE(opt.templ.context_replace);
}

// --- Settings -----------------------------------------------------------------------

TEST(FinishOptions, RetriesAreAttemptsInAllAsInGnuParallel) {
  const std::pair<int, unsigned> cases[] = {{0, 1}, {1, 1}, {2, 2}, {5, 5}};
  for (const auto& [retries, attempts] : cases) {
    auto opt = with_words({"true"});
    opt.retries = retries;
    finish_options(opt);
    EXPECT_EQ(opt.max_attempts, attempts) << "--retries " << retries;
  }
}

TEST(FinishOptions, ParsesHalt) {
  struct Case {
    std::string given;
    HaltMode mode;
    HaltOn on;
    std::uint64_t count;
    double percent;
  };
  const Case cases[] = {
      {"never", HaltMode::Never, HaltOn::Fail, 0, 0},
      {"0", HaltMode::Never, HaltOn::Fail, 0, 0},
      {"now,fail=1", HaltMode::Now, HaltOn::Fail, 1, 0},
      {"soon,fail=25", HaltMode::Soon, HaltOn::Fail, 25, 0},
      {"1", HaltMode::Soon, HaltOn::Fail, 1, 0},
      {"2", HaltMode::Now, HaltOn::Fail, 1, 0},
      {"-1", HaltMode::Soon, HaltOn::Success, 1, 0},
      {"-2", HaltMode::Now, HaltOn::Success, 1, 0},
      {"now,success=3", HaltMode::Now, HaltOn::Success, 3, 0},
      {"soon,done=50%", HaltMode::Soon, HaltOn::Done, 0, 0.5},
      {"20%", HaltMode::Soon, HaltOn::Fail, 0, 0.2},
  };
  for (const auto& c : cases) {
    auto opt = with_words({"true"});
    opt.halt = c.given;
    finish_options(opt);
    EXPECT_EQ(opt.halt_mode, c.mode) << c.given;
    if (c.mode == HaltMode::Never) continue;
    EXPECT_EQ(opt.halt_on, c.on) << c.given;
    EXPECT_EQ(opt.halt_count, c.count) << c.given;
    EXPECT_DOUBLE_EQ(opt.halt_percent, c.percent) << c.given;
  }
}

TEST(FinishOptions, ParsesJobs) {
  const std::pair<std::string, JobsSpec> cases[] = {
      {"4", {JobsSpec::Count, 4}},      {"0", {JobsSpec::Count, 0}},
      {"50%", {JobsSpec::Percent, 50}}, {"12.5%", {JobsSpec::Percent, 12.5}},
      {"+2", {JobsSpec::Plus, 2}},      {"-1", {JobsSpec::Minus, 1}}};
  for (const auto& [given, spec] : cases) {
    auto opt = with_words({"true"});
    opt.jobs = given;
    finish_options(opt);
    EXPECT_EQ(opt.jobs_spec.kind, spec.kind) << given;
    EXPECT_DOUBLE_EQ(opt.jobs_spec.value, spec.value) << given;
  }
}

TEST(SlotsFor, CountsTheRanksCores) {
  using mpimap::farm::slots_for;
  EXPECT_EQ(slots_for({JobsSpec::Count, 3}, 8, 100), 3);
  EXPECT_EQ(slots_for({JobsSpec::Count, 0}, 8, 100), 100);  // as many as it can
  EXPECT_EQ(slots_for({JobsSpec::Percent, 50}, 8, 100), 4);
  EXPECT_EQ(slots_for({JobsSpec::Percent, 10}, 8, 100), 1);  // rounded up
  EXPECT_EQ(slots_for({JobsSpec::Plus, 2}, 8, 100), 10);
  EXPECT_EQ(slots_for({JobsSpec::Minus, 2}, 8, 100), 6);
  EXPECT_EQ(slots_for({JobsSpec::Minus, 20}, 8, 100), 1);     // at least one
  EXPECT_EQ(slots_for({JobsSpec::Count, 500}, 8, 100), 100);  // at most what fits
}

TEST(FinishOptions, ParsesTimeouts) {
  const std::pair<std::string, double> seconds[] = {
      {"1.5", 1.5}, {"1m", 60}, {"1m30s", 90}, {"2h", 7200}, {"1d2h3m4.5s", 93784.5}, {"0", 0}};
  for (const auto& [given, s] : seconds) {
    auto opt = with_words({"true"});
    opt.timeout = given;
    finish_options(opt);
    EXPECT_DOUBLE_EQ(opt.timeout_seconds, s) << given;
    EXPECT_EQ(opt.timeout_percent, 0) << given;
  }
  auto opt = with_words({"true"});
  opt.timeout = "200%";
  finish_options(opt);
  EXPECT_EQ(opt.timeout_seconds, 0);
  EXPECT_DOUBLE_EQ(opt.timeout_percent, 2.0);
}

TEST(FinishOptions, JoblogPlusAppends) {
  auto opt = with_words({"true"});
  opt.joblog = "+jobs.log";
  finish_options(opt);
  EXPECT_TRUE(opt.joblog_append);
  EXPECT_EQ(opt.joblog_path, "jobs.log");
  opt.joblog = "jobs.log";
  finish_options(opt);
  EXPECT_FALSE(opt.joblog_append);
}

TEST(ParseSize, UnitsAsGnuParallel) {
  using mpimap::farm::parse_size;
  EXPECT_EQ(parse_size("100", "-s"), 100u);
  EXPECT_EQ(parse_size("1k", "-s"), 1000u);
  EXPECT_EQ(parse_size("1K", "-s"), 1024u);
  EXPECT_EQ(parse_size("2M", "-s"), 2u << 20);
  EXPECT_EQ(parse_size("1m", "-s"), 1000000u);
  EXPECT_EQ(parse_size("1Gi", "-s"), 1u << 30);
  EXPECT_THROW(parse_size("x", "-s"), UsageError);
  EXPECT_THROW(parse_size("-1", "-s"), UsageError);
}

TEST(UnescapeDelimiter, AsGnuParallelsUnquotePrintf) {
  using mpimap::farm::unescape_delimiter;
  EXPECT_EQ(unescape_delimiter("\\t"), "\t");
  EXPECT_EQ(unescape_delimiter("a\\nb"), "a\nb");
  EXPECT_EQ(unescape_delimiter("\\0"), std::string(1, '\0'));
  EXPECT_EQ(unescape_delimiter("\\101"), "A");
  EXPECT_EQ(unescape_delimiter(","), ",");
}

// --- Usage errors ------------------------------------------------------------------

TEST(FinishOptions, RefusesUnsupportedOptionsByName) {
  auto opt = with_words({"echo"});
  opt.unsupported = {"-S"};
  EXPECT_EQ(error_of(opt),
            "run: -S is not supported: MPI ranks are mpimap's remote execution (run mpimap under "
            "mpirun or srun across the hosts; see the README)");
  opt.unsupported = {"--tmux"};
  EXPECT_EQ(error_of(opt),
            "run: --tmux is not supported (see the README's table of GNU parallel's options)");
}

TEST(FinishOptions, RefusesBadJobs) {
  for (const std::string jobs : {"-", "x", "1.5", "1025", "%", "+", "+1.5", "1e3"}) {
    auto opt = with_words({"true"});
    opt.jobs = jobs;
    EXPECT_EQ(error_of(opt),
              "--jobs " + jobs +
                  ": expected N (1 to 1024; 0: as many as the rank can run), N% of the rank's "
                  "cores, +N or -N")
        << jobs;
  }
}

TEST(FinishOptions, RefusesNegativeRetries) {
  auto opt = with_words({"true"});
  opt.retries = -1;
  EXPECT_EQ(error_of(opt), "--retries -1: expected N >= 0");
}

TEST(FinishOptions, RefusesABadTimeout) {
  for (const std::string timeout : {"-1", "x", "1x", "m", "1.5.5", "nan", "inf", "-5%", "%"}) {
    auto opt = with_words({"true"});
    opt.timeout = timeout;
    EXPECT_NE(error_of(opt), "no error") << timeout;
  }
  for (double grace : {-1.0, -0.001, std::nan(""), std::numeric_limits<double>::infinity()}) {
    auto opt = with_words({"true"});
    opt.grace = grace;
    EXPECT_EQ(error_of(opt), "--grace: expected a number of seconds >= 0") << grace;
  }
}

TEST(FinishOptions, RefusesResumeWithoutAJoblog) {
  for (const bool failed_only : {false, true}) {
    auto opt = with_words({"true"});
    (failed_only ? opt.resume_failed : opt.resume) = true;
    EXPECT_EQ(error_of(opt), "--resume and --resume-failed need --joblog FILE or --results");
  }
  auto opt = with_words({"true"});
  opt.resume = true;
  opt.results_dir = "out";
  EXPECT_EQ(error_of(opt), "no error");
}

TEST(FinishOptions, RefusesABadHalt) {
  for (const std::string halt :
       {"", "now", "soon", "Never", "now,fail=0", "now,fail=", "now,fail=x", "now,fail=1x",
        "now,fail=-1", "now,fail= 1", "later,fail=1", "fail=1", "now,fail=101%",
        "now,fail=99999999999999999999", "3"}) {
    auto opt = with_words({"true"});
    opt.halt = halt;
    EXPECT_EQ(error_of(opt),
              "--halt " + halt +
                  ": expected never, or now|soon,fail|success|done=N (N >= 1) or =N% (GNU "
                  "parallel's forms 0, 1, 2, -1, -2 and N% too)")
        << halt;
  }
}

TEST(FinishOptions, RefusesStandardInputTwice) {
  auto opt = with_words({"echo", "::::", "-"});
  opt.arg_files = {"-"};
  EXPECT_EQ(error_of(opt), "run: standard input ('-') can be only one input source");
}

TEST(FinishOptions, RefusesBadTrimAndSizes) {
  auto opt = with_words({"true"});
  opt.trim = "x";
  EXPECT_EQ(error_of(opt), "--trim x: expected n, l, r, lr or rl");
  opt = with_words({"true"});
  opt.max_args = "two";
  EXPECT_EQ(error_of(opt), "-n two: expected a size such as 100, 10k, 1M or 2G");
}

TEST(FinishOptions, DealsStandardInputWithPipeOnly) {
  auto opt = with_words({"wc", "-l"});
  opt.pipe = true;
  opt.roundrobin = true;
  finish_options(opt);
  ASSERT_TRUE(opt.deal);
  EXPECT_EQ(opt.deal->mode, mpimap::farm::DealOptions::RoundRobin);
  opt = with_words({"cat"});
  opt.pipe = true;
  opt.bin = "2";
  opt.colsep = "\t";
  finish_options(opt);
  ASSERT_TRUE(opt.deal);
  EXPECT_EQ(opt.deal->mode, mpimap::farm::DealOptions::Bin);
  EXPECT_EQ(opt.deal->column, 2u);
  EXPECT_EQ(opt.deal->colsep, "\t");
  opt = with_words({"cat"});
  opt.pipe = true;
  opt.shard = "1";
  finish_options(opt);
  EXPECT_EQ(opt.deal->colsep, ",");  // GNU parallel's default for --shard and --bin

  opt = with_words({"cat"});
  opt.bin = "1";
  EXPECT_EQ(error_of(opt), "run: --bin needs --pipe");
  opt.pipe = true;
  opt.bin = "x";
  EXPECT_EQ(error_of(opt).rfind("--bin x: expected a column number", 0), 0u);
  opt.bin = "1";
  opt.header = ".*";
  EXPECT_EQ(error_of(opt), "run: --bin with --header is not supported");
  opt = with_words({"cat"});
  opt.pipe = opt.roundrobin = opt.tee = true;
  EXPECT_EQ(error_of(opt), "run: --roundrobin and --tee do not go together");
}

TEST(FinishOptions, TeeNeedsArgumentsNotFromStandardInput) {
  auto opt = with_words({"cat", ":::", "a", "b"});
  opt.pipe = opt.tee = true;
  finish_options(opt);
  EXPECT_EQ(opt.sources.size(), 1u);
  opt = with_words({"cat"});
  opt.pipe = opt.tee = true;
  EXPECT_EQ(error_of(opt), "run: --tee needs arguments (:::, ::::, -a): one job for each");
  opt = with_words({"cat", "::::", "-"});
  opt.pipe = opt.tee = true;
  EXPECT_EQ(error_of(opt), "run: --tee reads standard input: its arguments cannot come from it");
  opt = with_words({"cat", ":::", "a"});
  opt.tee = true;
  EXPECT_EQ(error_of(opt), "run: --tee needs --pipe");
}

TEST(FinishOptions, TotalJobsSlotVarAndSkipFirstLine) {
  auto opt = with_words({"echo"});
  opt.total_jobs = "12";
  opt.process_slot_var = "SLOT_1";
  finish_options(opt);
  EXPECT_EQ(opt.total_jobs_value, 12u);
  opt.total_jobs = "x";
  EXPECT_EQ(error_of(opt), "--total-jobs x: expected a number of jobs");
  opt.total_jobs.reset();
  opt.process_slot_var = "1X";
  EXPECT_EQ(error_of(opt), "--process-slot-var 1X: expected a variable name");
  opt.process_slot_var.clear();
  opt.skip_first_line = true;
  EXPECT_EQ(error_of(opt), "run: --skip-first-line is supported with --pipe only");
  opt.pipe = true;
  EXPECT_EQ(error_of(opt), "no error");
  opt.files = opt.ungroup = true;
  EXPECT_EQ(error_of(opt), "run: --files and -u: with -u the output is not captured");
}

TEST(ParseTermSeq, SignalsAndWaitsAsGnuParallel) {
  using mpimap::farm::parse_term_seq;
  using Steps = std::vector<std::pair<int, double>>;
  EXPECT_EQ(parse_term_seq("TERM,200,TERM,100,TERM,50,KILL,25"),
            (Steps{{SIGTERM, 200}, {SIGTERM, 100}, {SIGTERM, 50}, {SIGKILL, 25}}));
  EXPECT_EQ(parse_term_seq("SIGUSR1,1.5,9"), (Steps{{SIGUSR1, 1.5}, {SIGKILL, 0}}));
  for (const char* bad : {"", "BOGUS", "TERM,x", "TERM,-1", "0", "TERM,,KILL"}) {
    try {
      parse_term_seq(bad);
      ADD_FAILURE() << bad;
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(std::string("--term-seq ") + bad + ":", 0), 0u);
    }
  }
}

}  // namespace
