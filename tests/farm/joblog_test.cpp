// farm::Joblog and farm::DoneSet: --joblog in GNU parallel's format, and
// reading it back for --resume / --resume-failed (a log written by GNU
// parallel 20221122 included), with a torn last line cut off.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "farm/error.hpp"
#include "farm/joblog.hpp"
#include "test_files.hpp"

namespace {

using mpimap::farm::DoneSet;
using mpimap::farm::Joblog;
using mpimap::farm::JoblogRecord;
using mpimap::farm::UsageError;
using mpimap::test::read_file;
using mpimap::test::TempDir;
using mpimap::test::write_file;

constexpr std::string_view kHeader =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

// `parallel --joblog jl -k 'exit {}' ::: 0 1 0 2`, as GNU parallel wrote it.
constexpr std::string_view kGnuParallelLog =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
    "1\t:\t1795736515.712\t     0.008\t0\t0\t0\t0\texit 0\n"
    "2\t:\t1795736515.719\t     0.005\t0\t0\t1\t0\texit 1\n"
    "3\t:\t1795736515.733\t     0.004\t0\t0\t0\t0\texit 0\n"
    "4\t:\t1795736515.738\t     0.005\t0\t0\t2\t0\texit 2\n";

JoblogRecord record(std::uint64_t seq, std::int32_t exitval = 0, std::int32_t signal = 0,
                    std::string_view command = "true") {
  return {.seq = seq,
          .host = "node1",
          .start = 1700000000.25,
          .runtime = 1.5,
          .received = 0,
          .exitval = exitval,
          .signal = signal,
          .command = command};
}

std::string create(const std::string& path) {
  Joblog log;
  DoneSet done;
  log.open(path, false, false, done);
  EXPECT_TRUE(log.is_open());
  return read_file(path);
}

/// Resumes from `path`: the Seq numbers 1..20 it says are done.
std::vector<std::uint64_t> resume(const std::string& path, bool only_succeeded,
                                  Joblog* keep = nullptr) {
  Joblog local;
  Joblog& log = keep ? *keep : local;
  DoneSet done;
  log.open(path, true, only_succeeded, done);
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t s = 0; s <= 20; ++s)
    if (done.contains(s)) seqs.push_back(s);
  return seqs;
}

using Seqs = std::vector<std::uint64_t>;

// --- DoneSet ------------------------------------------------------------------

TEST(DoneSet, ContainsWhatWasAdded) {
  DoneSet d;
  EXPECT_FALSE(d.contains(0));
  EXPECT_FALSE(d.contains(1));
  d.add(3);
  d.add(100);
  EXPECT_TRUE(d.contains(3));
  EXPECT_TRUE(d.contains(100));
  EXPECT_FALSE(d.contains(2));
  EXPECT_FALSE(d.contains(4));
  EXPECT_FALSE(d.contains(99));
  EXPECT_FALSE(d.contains(101));
  EXPECT_FALSE(d.contains(1u << 30));
}

TEST(DoneSet, CountsTheDoneOnesUpToN) {
  DoneSet d;
  EXPECT_EQ(d.count_upto(10), 0u);
  for (std::uint64_t s : {2, 3, 5, 8, 8, 3}) d.add(s);  // twice is once
  EXPECT_EQ(d.count_upto(0), 0u);
  EXPECT_EQ(d.count_upto(1), 0u);
  EXPECT_EQ(d.count_upto(2), 1u);
  EXPECT_EQ(d.count_upto(5), 3u);
  EXPECT_EQ(d.count_upto(7), 3u);
  EXPECT_EQ(d.count_upto(8), 4u);
  EXPECT_EQ(d.count_upto(1000), 4u);
}

TEST(DoneSet, TakesMemoryPerSeqNotUpToTheLargestSeq) {
  DoneSet d;
  const std::uint64_t huge = std::uint64_t{1} << 40;  // the largest Seq a joblog may hold
  d.add(huge);
  d.add(7);
  d.add(huge - 1);
  EXPECT_TRUE(d.contains(huge));
  EXPECT_TRUE(d.contains(huge - 1));
  EXPECT_TRUE(d.contains(7));
  EXPECT_FALSE(d.contains(huge + 1));
  EXPECT_FALSE(d.contains(huge - 2));
  EXPECT_EQ(d.count_upto(huge - 1), 2u);
  EXPECT_EQ(d.count_upto(huge * 2), 3u);
}

// --- Writing ------------------------------------------------------------------

TEST(Joblog, CreatingWritesTheHeader) {
  TempDir dir;
  EXPECT_EQ(create(dir / "log"), kHeader);
}

TEST(Joblog, CreatingTruncatesAnOldLog) {
  TempDir dir;
  write_file(dir / "log", std::string(kGnuParallelLog) + "junk\n");
  EXPECT_EQ(create(dir / "log"), kHeader);
}

TEST(Joblog, WritesRecordsInGnuParallelsFormat) {
  TempDir dir;
  Joblog log;
  DoneSet done;
  log.open(dir / "log", false, false, done);
  log.write({.seq = 1,
             .host = "node1",
             .start = 1700000000.25,
             .runtime = 0.0123,
             .received = 6,
             .exitval = 0,
             .signal = 0,
             .command = "echo 'a b'"});
  log.write({.seq = 12,
             .host = "node2",
             .start = 1700000001.0,
             .runtime = 12345.6789,
             .received = 0,
             .exitval = -1,
             .signal = 15,
             .command = "sleep 99999"});
  log.write({.seq = 3,
             .host = "n",
             .start = 0.0005,
             .runtime = 1234567.5,
             .received = 1,
             .exitval = 255,
             .signal = 0,
             .command = "x"});
  EXPECT_EQ(read_file(dir / "log"),
            std::string(kHeader) +
                "1\tnode1\t1700000000.250\t     0.012\t0\t6\t0\t0\techo 'a b'\n"
                "12\tnode2\t1700000001.000\t 12345.679\t0\t0\t-1\t15\tsleep 99999\n"
                "3\tn\t0.001\t1234567.500\t0\t1\t255\t0\tx\n");
}

TEST(Joblog, WritesNewlinesInTheCommandAsNulBytes) {
  // As GNU parallel: `printf 'a\nb' | parallel --joblog jl -0 echo {}` logs
  // "echo 'a<NUL>b'".
  TempDir dir;
  Joblog log;
  DoneSet done;
  log.open(dir / "log", false, false, done);
  log.write(record(1, 0, 0, "echo 'a\nb'\n"));
  const std::string text = read_file(dir / "log");
  const std::string expected_tail = std::string("\techo 'a") + '\0' + "b'" + '\0' + "\n";
  ASSERT_GE(text.size(), expected_tail.size());
  EXPECT_EQ(text.substr(text.size() - expected_tail.size()), expected_tail);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);  // header and one record
}

TEST(Joblog, WritingWhenNotOpenDoesNothing) {
  Joblog log;
  EXPECT_FALSE(log.is_open());
  log.write(record(1));  // no file, no crash
  EXPECT_FALSE(log.is_open());
}

TEST(Joblog, CannotCreateInAMissingFolder) {
  TempDir dir;
  Joblog log;
  DoneSet done;
  try {
    log.open(dir / "no/such/log", false, false, done);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot write joblog " + (dir / "no/such/log") + ": No such file or directory");
  }
  EXPECT_FALSE(log.is_open());
}

// --- Resuming -----------------------------------------------------------------

TEST(Joblog, ResumeReadsALogWrittenByGnuParallel) {
  TempDir dir;
  write_file(dir / "log", kGnuParallelLog);
  EXPECT_EQ(resume(dir / "log", false), (Seqs{1, 2, 3, 4}));  // --resume: all of them
}

TEST(Joblog, ResumeFailedCountsOnlyTheSucceededOnesAsDone) {
  TempDir dir;
  write_file(dir / "log", kGnuParallelLog);
  EXPECT_EQ(resume(dir / "log", true), (Seqs{1, 3}));  // 2 and 4 failed: run again
}

TEST(Joblog, ASignalOrATimeoutIsAFailure) {
  TempDir dir;
  write_file(dir / "log", std::string(kHeader) +
                              "1\th\t1.000\t     1.000\t0\t0\t0\t0\tok\n"
                              "2\th\t1.000\t     1.000\t0\t0\t0\t9\tkilled\n"
                              "3\th\t1.000\t     1.000\t0\t0\t-1\t15\ttimed out\n"
                              "4\th\t1.000\t     1.000\t0\t0\t00\t0\tzero written 00\n");
  EXPECT_EQ(resume(dir / "log", false), (Seqs{1, 2, 3, 4}));
  // Exitval and Signal must read exactly "0" to count as success (GNU
  // parallel's --resume-failed matches /\t0\t0\t/ the same way).
  EXPECT_EQ(resume(dir / "log", true), (Seqs{1}));
}

TEST(Joblog, ResumeAppendsAfterTheOldRecords) {
  TempDir dir;
  write_file(dir / "log", kGnuParallelLog);
  Joblog log;
  resume(dir / "log", false, &log);
  ASSERT_TRUE(log.is_open());
  log.write(record(5));
  EXPECT_EQ(read_file(dir / "log"), std::string(kGnuParallelLog) +
                                        "5\tnode1\t1700000000.250\t     1.500\t0\t0\t0\t0\ttrue\n");
}

TEST(Joblog, ResumeCutsOffATornLastLine) {
  TempDir dir;
  const std::string whole = std::string(kHeader) + "1\th\t1.000\t     1.000\t0\t0\t0\t0\ta\n";
  write_file(dir / "log", whole + "2\th\t1.000\t     1.0");  // killed while writing
  Joblog log;
  EXPECT_EQ(resume(dir / "log", false, &log), (Seqs{1}));
  EXPECT_EQ(read_file(dir / "log"), whole);
  log.write(record(2));
  EXPECT_EQ(read_file(dir / "log"),
            whole + "2\tnode1\t1700000000.250\t     1.500\t0\t0\t0\t0\ttrue\n");
}

TEST(Joblog, ResumeCutsOffATornLineThatWouldParse) {
  // Whole fields but no newline: still torn, so not done.
  TempDir dir;
  write_file(dir / "log", std::string(kHeader) + "1\th\t1.000\t     1.000\t0\t0\t0\t0\ta");
  EXPECT_EQ(resume(dir / "log", false), Seqs{});
  EXPECT_EQ(read_file(dir / "log"), kHeader);
}

TEST(Joblog, ResumeFromAMissingLogCreatesItWithAHeader) {
  TempDir dir;
  EXPECT_EQ(resume(dir / "log", false), Seqs{});
  EXPECT_EQ(read_file(dir / "log"), kHeader);
}

TEST(Joblog, ResumeFromAnEmptyLogWritesTheHeader) {
  TempDir dir;
  write_file(dir / "log", "");
  EXPECT_EQ(resume(dir / "log", true), Seqs{});
  EXPECT_EQ(read_file(dir / "log"), kHeader);
}

TEST(Joblog, ResumeFromATornHeaderStartsAfresh) {
  TempDir dir;
  write_file(dir / "log", "Seq\tHost\tStart");
  EXPECT_EQ(resume(dir / "log", false), Seqs{});
  EXPECT_EQ(read_file(dir / "log"), kHeader);
}

TEST(Joblog, ResumeAcceptsALogWithoutHeaderAndEmptyLines) {
  TempDir dir;
  const std::string text =
      "\n"
      "7\th\t1.000\t     1.000\t0\t0\t0\t0\ta\n"
      "\n"
      "9\th\t1.000\t1.000\t0\t0\t1\t0\tno padding\n";
  write_file(dir / "log", text);
  EXPECT_EQ(resume(dir / "log", false), (Seqs{7, 9}));
  EXPECT_EQ(read_file(dir / "log"), text);  // not torn: untouched, no second header
}

TEST(Joblog, ResumeReadsCommandsHoldingNulBytes) {
  TempDir dir;
  write_file(dir / "log", std::string(kHeader) + "1\t:\t1795736517.150\t     0.000\t0\t4\t0\t0\t" +
                              "echo 'a" + '\0' + "b'\n" + "2\t:\t1.0\t0.0\t0\t0\t0\t0\tx\n");
  EXPECT_EQ(resume(dir / "log", false), (Seqs{1, 2}));
}

TEST(Joblog, ResumeRoundTripsWhatItWrote) {
  TempDir dir;
  {
    Joblog log;
    DoneSet done;
    log.open(dir / "log", false, false, done);
    log.write(record(1, 0));
    log.write(record(3, 1));
    log.write(record(2, 0, 0, "a\nmulti-line\ncommand"));
    log.write(record(6, -1, 15));
  }
  EXPECT_EQ(resume(dir / "log", false), (Seqs{1, 2, 3, 6}));
  EXPECT_EQ(resume(dir / "log", true), (Seqs{1, 2}));
}

// Found by scripts/fuzz (joblog): one record with a large Seq made --resume
// allocate Seq / 8 bytes (9.7 GB here) for its set of done Seq numbers.
TEST(Joblog, ResumeFromALogWithALargeSeqTakesLittleMemory) {
  TempDir dir;
  write_file(dir / "log",
             "\n077777777777\t1.0\t.0\t0\t0\t0:0\t0\t0\t\n"
             "1099511627776\th\t1.0\t1.0\t0\t0\t0\t0\tlargest Seq\n"
             "3\th\t1.0\t1.0\t0\t0\t0\t0\tc\n");
  Joblog log;
  DoneSet done;
  log.open(dir / "log", true, false, done);
  EXPECT_TRUE(done.contains(77777777777));
  EXPECT_TRUE(done.contains(std::uint64_t{1} << 40));
  EXPECT_TRUE(done.contains(3));
  EXPECT_EQ(done.count_upto(100), 1u);
}

/// The message of the UsageError resuming from a log holding `text` throws.
std::string resume_error(const std::string& path, const std::string& text) {
  write_file(path, text);
  try {
    resume(path, false);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Joblog, ResumeRefusesWhatIsNotAJoblog) {
  TempDir dir;
  const std::string log = dir / "log";
  const std::string good = "1\th\t1.000\t     1.000\t0\t0\t0\t0\ta\n";
  const auto error_at = [&](int line) {
    return "joblog " + log + " line " + std::to_string(line) + " is not a joblog record";
  };
  EXPECT_EQ(resume_error(log, "hello world\n"), error_at(1));
  EXPECT_EQ(resume_error(log, std::string(kHeader) + good + "1\th\t1.0\t1.0\t0\t0\t0\t0\n"),
            error_at(3));                                                  // no Command field
  EXPECT_EQ(resume_error(log, good + std::string(kHeader)), error_at(2));  // header not first
  EXPECT_EQ(resume_error(log, "0\th\t1.0\t1.0\t0\t0\t0\t0\tseq 0\n"), error_at(1));
  EXPECT_EQ(resume_error(log, "x\th\t1.0\t1.0\t0\t0\t0\t0\tc\n"), error_at(1));
  EXPECT_EQ(resume_error(log, "1\t\t1.0\t1.0\t0\t0\t0\t0\tno host\n"), error_at(1));
  EXPECT_EQ(resume_error(log, "1\th\tnow\t1.0\t0\t0\t0\t0\tc\n"), error_at(1));
  EXPECT_EQ(resume_error(log, "1\th\t1.0\tlong\t0\t0\t0\t0\tc\n"), error_at(1));
  EXPECT_EQ(resume_error(log, "1\th\t1.0\t1.0\t0\t0\tok\t0\tc\n"), error_at(1));
  EXPECT_EQ(resume_error(log, "1\th\t1.0\t1.0\t0\t0\t0\tTERM\tc\n"), error_at(1));
  EXPECT_EQ(resume_error(log, "1099511627777\th\t1.0\t1.0\t0\t0\t0\t0\ttoo big\n"), error_at(1));
}

TEST(Joblog, CannotResumeFromAFolder) {
  TempDir dir;
  Joblog log;
  DoneSet done;
  try {
    log.open(dir / "", true, false, done);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot open joblog " + (dir / "") + ": Is a directory");
  }
  EXPECT_FALSE(log.is_open());
}

}  // namespace
