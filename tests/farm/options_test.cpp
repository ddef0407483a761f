// farm::finish_options: splitting COMMAND ::: ITEMS, the derived settings, and
// every usage error it throws (with its exact one-line message).

#include <gtest/gtest.h>

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

// --- What it derives ----------------------------------------------------------------

TEST(FinishOptions, SplitsTheCommandFromTheItems) {
  auto opt = with_words({"gzip", "-9", ":::", "a.txt", "b c.txt", ""});
  finish_options(opt);
  EXPECT_EQ(opt.command, (Words{"gzip", "-9"}));
  EXPECT_TRUE(opt.items_given);
  EXPECT_EQ(opt.items, (Words{"a.txt", "b c.txt", ""}));
}

TEST(FinishOptions, WithoutColonsThereAreNoItemsGiven) {
  auto opt = with_words({"echo", "a:::b", "::", "::::x"});  // only the word ::: splits
  finish_options(opt);
  EXPECT_EQ(opt.command, (Words{"echo", "a:::b", "::", "::::x"}));
  EXPECT_FALSE(opt.items_given);
  EXPECT_TRUE(opt.items.empty());
}

TEST(FinishOptions, ColonsWithNothingAfterThemGiveNoItems) {
  auto opt = with_words({"echo", ":::"});
  finish_options(opt);
  EXPECT_TRUE(opt.items_given);  // zero items: nothing runs, stdin is not read
  EXPECT_TRUE(opt.items.empty());
}

TEST(FinishOptions, CanBeCalledAgain) {
  auto opt = with_words({"echo", ":::", "x"});
  finish_options(opt);
  finish_options(opt);
  EXPECT_EQ(opt.command, (Words{"echo"}));
  EXPECT_EQ(opt.items, (Words{"x"}));
}

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
  auto opt = with_words({"true"});
  finish_options(opt);
  EXPECT_EQ(opt.halt_mode, HaltMode::Never);

  opt.halt = "now,fail=1";
  finish_options(opt);
  EXPECT_EQ(opt.halt_mode, HaltMode::Now);
  EXPECT_EQ(opt.halt_fails, 1u);

  opt.halt = "soon,fail=25";
  finish_options(opt);
  EXPECT_EQ(opt.halt_mode, HaltMode::Soon);
  EXPECT_EQ(opt.halt_fails, 25u);

  opt.halt = "never";
  finish_options(opt);
  EXPECT_EQ(opt.halt_mode, HaltMode::Never);
}

TEST(FinishOptions, AcceptsTheLimitsOfEachSetting) {
  for (int jobs : {1, 1024}) {
    auto opt = with_words({"true"});
    opt.jobs = jobs;
    EXPECT_EQ(error_of(opt), "no error") << "--jobs " << jobs;
  }
  for (double timeout : {0.0, 0.001, 1e9}) {
    auto opt = with_words({"true"});
    opt.timeout = timeout;
    EXPECT_EQ(error_of(opt), "no error") << "--timeout " << timeout;
  }
  for (double grace : {0.0, 0.001, 10.0, 1e9}) {
    auto opt = with_words({"true"});
    opt.grace = grace;
    EXPECT_EQ(error_of(opt), "no error") << "--grace " << grace;
  }
  auto opt = with_words({"true"});
  opt.joblog = "log";
  opt.resume = opt.resume_failed = true;
  EXPECT_EQ(error_of(opt), "no error");
  opt = with_words({"true"});
  opt.arg_file = "items";
  EXPECT_EQ(error_of(opt), "no error");
}

// --- Every usage error --------------------------------------------------------------

TEST(FinishOptions, RefusesASecondItemList) {
  EXPECT_EQ(error_of(with_words({"echo", ":::", "a", ":::", "b"})),
            "only one ::: list is supported (GNU parallel's combinations are not)");
}

TEST(FinishOptions, RefusesTheOtherInputSeparators) {
  for (const std::string sep : {"::::", ":::+", "::::+"}) {
    EXPECT_EQ(error_of(with_words({"echo", sep, "x"})), sep + " is not supported; use -a FILE");
    EXPECT_EQ(error_of(with_words({"echo", ":::", "a", sep, "x"})),
              sep + " is not supported; use -a FILE");
  }
}

TEST(FinishOptions, RefusesAMissingCommand) {
  const std::string message =
      "run: missing command (usage: mpimap run [OPTIONS] -- COMMAND [ARG...] [::: ITEM...])";
  EXPECT_EQ(error_of(with_words({})), message);
  EXPECT_EQ(error_of(with_words({":::", "a", "b"})), message);
}

TEST(FinishOptions, RefusesItemsGivenTwoWays) {
  auto opt = with_words({"echo", ":::", "a"});
  opt.arg_file = "items.txt";
  EXPECT_EQ(error_of(opt), "give the items with ::: or with -a, not both");
}

TEST(FinishOptions, RefusesJobsOutOfRange) {
  for (int jobs : {0, -1, 1025, std::numeric_limits<int>::min()}) {
    auto opt = with_words({"true"});
    opt.jobs = jobs;
    EXPECT_EQ(error_of(opt), "--jobs " + std::to_string(jobs) + ": expected 1 to 1024");
  }
}

TEST(FinishOptions, RefusesNegativeRetries) {
  auto opt = with_words({"true"});
  opt.retries = -1;
  EXPECT_EQ(error_of(opt), "--retries -1: expected N >= 0");
}

TEST(FinishOptions, RefusesABadTimeout) {
  for (double timeout : {-1.0, -0.001, std::nan(""), std::numeric_limits<double>::infinity()}) {
    auto opt = with_words({"true"});
    opt.timeout = timeout;
    EXPECT_EQ(error_of(opt), "--timeout: expected a number of seconds >= 0") << timeout;
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
    EXPECT_EQ(error_of(opt), "--resume and --resume-failed need --joblog FILE");
  }
}

TEST(FinishOptions, RefusesABadHalt) {
  for (const std::string halt :
       {"", "now", "soon", "Never", "now,fail=0", "now,fail=", "now,fail=x", "now,fail=1x",
        "now,fail=-1", "now,fail= 1", "now,success=1", "later,fail=1", "fail=1",
        "now,fail=99999999999999999999"}) {
    auto opt = with_words({"true"});
    opt.halt = halt;
    EXPECT_EQ(error_of(opt),
              "--halt " + halt + ": expected never, now,fail=N or soon,fail=N (N >= 1)")
        << halt;
  }
}

TEST(FinishOptions, FindsTheWordErrorsBeforeTheSettingErrors) {
  // The words are checked first: a bad command line gets the same message on
  // every rank whatever else is wrong.
  auto opt = with_words({":::", "a", ":::"});
  opt.jobs = 0;
  EXPECT_EQ(error_of(opt), "only one ::: list is supported (GNU parallel's combinations are not)");
}

}  // namespace
