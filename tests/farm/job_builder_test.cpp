// farm::JobBuilder: records into jobs as GNU parallel 20221122 fills command
// lines: -N, -n, -N0, -m/-X (spread over the job slots at the end of the
// input), --xargs, -s. Expected groupings are GNU parallel's own
// (`parallel -k -jK ... echo` with the same arguments).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "farm/arg_queue.hpp"
#include "farm/command_template.hpp"
#include "farm/job_builder.hpp"

namespace {

using mpimap::farm::ArgQueue;
using mpimap::farm::BatchOptions;
using mpimap::farm::CommandTemplate;
using mpimap::farm::JobArgs;
using mpimap::farm::JobBuilder;
using mpimap::farm::SourceSpec;
using Words = std::vector<std::string>;

Words numbers(int n) {
  Words w;
  for (int i = 1; i <= n; ++i) w.push_back(std::to_string(i));
  return w;
}

/// The jobs' values, each job's joined with spaces.
Words jobs(const Words& values, BatchOptions opt, const Words& command = {"echo"}) {
  ArgQueue q({SourceSpec{.is_file = false, .args = values}}, {});
  const CommandTemplate t(command);
  JobBuilder b(q, t, opt);
  Words out;
  JobArgs job;
  while (b.next(job) == JobBuilder::Next::Job) {
    std::string s;
    for (const auto& v : job.values) s += (s.empty() ? "" : " ") + v;
    if (job.no_args) s = "(none)";
    out.push_back(s);
  }
  return out;
}

TEST(JobBuilder, OneRecordPerJobByDefault) { EXPECT_EQ(jobs({"a", "b"}, {}), (Words{"a", "b"})); }

TEST(JobBuilder, MaxArgsPerJob) {
  BatchOptions o;
  o.max_args = 2;
  EXPECT_EQ(jobs({"a", "b", "c", "d", "e"}, o), (Words{"a b", "c d", "e"}));
}

TEST(JobBuilder, NoArgsReadsOneRecordPerJob) {
  BatchOptions o;
  o.max_args = 0;
  EXPECT_EQ(jobs({"a", "b"}, o), (Words{"(none)", "(none)"}));
}

TEST(JobBuilder, MultipleSpreadsOverTheSlots) {
  // parallel -k -j4 -X echo ::: 1..9  ->  3 per job
  BatchOptions o;
  o.fill = o.spread = true;
  o.slots_total = 4;
  EXPECT_EQ(jobs(numbers(9), o), (Words{"1 2 3", "4 5 6", "7 8 9"}));
  o.slots_total = 2;
  EXPECT_EQ(jobs(numbers(10), o), (Words{"1 2 3 4 5", "6 7 8 9 10"}));
  o.slots_total = 1;
  EXPECT_EQ(jobs(numbers(3), o), (Words{"1 2 3"}));
}

TEST(JobBuilder, XargsFillsWithoutSpreading) {
  BatchOptions o;
  o.fill = true;
  o.slots_total = 4;
  EXPECT_EQ(jobs(numbers(5), o), (Words{"1 2 3 4 5"}));
}

TEST(JobBuilder, MaxCharsLimitsTheCommandLine) {
  // parallel -k -s 20 --xargs echo ::: 1..20: "echo 1 2 3 4 5 6 7" is 18 < 20
  BatchOptions o;
  o.fill = true;
  o.max_length = 20;
  EXPECT_EQ(jobs(numbers(20), o),
            (Words{"1 2 3 4 5 6 7", "8 9 10 11 12", "13 14 15 16 17", "18 19 20"}));
}

TEST(JobBuilder, AMaxCharsAtTheEndOfTheInputSpreadsTheLastJob) {
  // parallel -k -j2 -s 14 -m echo ::: 1..9
  BatchOptions o;
  o.fill = o.spread = true;
  o.max_length = 14;
  o.slots_total = 2;
  EXPECT_EQ(jobs(numbers(9), o), (Words{"1 2 3 4", "5 6 7 8", "9"}));
}

}  // namespace
