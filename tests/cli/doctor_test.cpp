// mpimap doctor's conclusions from made-up facts: each problem it knows, on
// machines we do not have (several hosts, a small /dev/shm, srun without PMI).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/doctor.hpp"

namespace mpimap::cli::doctor {
namespace {

JobFacts job(int size) {
  JobFacts j;
  j.size = size;
  j.universe = size;
  j.version = j.built_version = 3;
  j.subversion = j.built_subversion = 1;
  j.built_library = "Open MPI 4.1.4";
  j.thread_level = "MPI_THREAD_SINGLE";
  j.tag_ub = 8388607;
  j.highest_tag = 100;
  return j;
}

std::vector<RankFacts> ranks(int n, const std::vector<std::string>& hosts, unsigned cores) {
  std::vector<RankFacts> rs;
  for (int r = 0; r < n; ++r) {
    RankFacts f;
    f.rank = r;
    f.host = hosts[static_cast<std::size_t>(r) % hosts.size()];
    f.cores = cores;
    f.library = "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4";
    f.shm_bytes = std::int64_t{8} << 30;
    f.env["OMPI_COMM_WORLD_SIZE"] = std::to_string(n);
    rs.push_back(f);
  }
  return rs;
}

/// The findings of `topic` at `level`.
std::vector<Finding> of(const std::vector<Finding>& all, const std::string& topic, Level level) {
  std::vector<Finding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const Finding& f) { return f.topic == topic && f.level == level; });
  return out;
}

bool nothing_wrong(const std::vector<Finding>& all) {
  return std::none_of(all.begin(), all.end(), [](const Finding& f) {
    return f.level == Level::Problem || f.level == Level::Warn;
  });
}

TEST(Doctor, AHealthyJobHasNothingWrong) {
  const auto f = diagnose(job(4), ranks(4, {"a"}, 8));
  EXPECT_TRUE(nothing_wrong(f));
  ASSERT_EQ(of(f, "hosts", Level::Ok).size(), 1u);
  EXPECT_EQ(of(f, "hosts", Level::Ok)[0].what, "ranks 0-3 on a");
  EXPECT_EQ(of(f, "launcher", Level::Ok).size(), 1u);
  EXPECT_EQ(of(f, "user", Level::Ok)[0].what, "not root");
}

TEST(Doctor, HostsAreListedWithTheirRanks) {
  const auto f = diagnose(job(5), ranks(5, {"a", "b"}, 8));
  EXPECT_EQ(of(f, "hosts", Level::Ok)[0].what, "ranks 0, 2, 4 on a; ranks 1, 3 on b");
}

TEST(Doctor, MoreRanksThanCoresIsAWarningWithItsFix) {
  const auto f = diagnose(job(3), ranks(3, {"a"}, 2));
  const auto w = of(f, "cores", Level::Warn);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].what.find("3 ranks on a, which has 2 cores"), std::string::npos) << w[0].what;
  EXPECT_NE(w[0].fix.find("mpirun -n 2"), std::string::npos) << w[0].fix;
}

TEST(Doctor, RootIsExplainedByTheTwoVariables) {
  auto rs = ranks(2, {"a"}, 4);
  for (auto& r : rs) r.root = true;
  EXPECT_TRUE(of(diagnose(job(2), rs), "user", Level::Warn).size() == 1);
  for (auto& r : rs)
    r.env["OMPI_ALLOW_RUN_AS_ROOT"] = r.env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
  const auto f = diagnose(job(2), rs);
  ASSERT_EQ(of(f, "user", Level::Note).size(), 1u);
  EXPECT_NE(of(f, "user", Level::Note)[0].what.find("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"),
            std::string::npos);
}

TEST(Doctor, ASmallDevShmIsAWarningOnlyWhereRanksShareAHost) {
  auto rs = ranks(2, {"a"}, 4);
  for (auto& r : rs) r.shm_bytes = 64 << 20;
  const auto w = of(diagnose(job(2), rs), "shared memory", Level::Warn);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].fix.find("--shm-size"), std::string::npos);
  auto apart = ranks(2, {"a", "b"}, 4);
  for (auto& r : apart) r.shm_bytes = 64 << 20;
  EXPECT_TRUE(of(diagnose(job(2), apart), "shared memory", Level::Warn).empty());
}

TEST(Doctor, ADifferentLibraryIsAProblem) {
  auto rs = ranks(2, {"a", "b"}, 4);
  rs[1].library = "Open MPI v5.0.3, package: Open MPI";
  EXPECT_EQ(of(diagnose(job(2), rs), "MPI library", Level::Problem).size(), 1u);
  auto all = ranks(1, {"a"}, 4);
  all[0].library = "MPICH Version: 4.1 Release date: ...";
  EXPECT_EQ(of(diagnose(job(1), all), "MPI library", Level::Problem).size(), 1u);
}

TEST(Doctor, SrunWithoutPmiIsAProblem) {
  auto rs = ranks(1, {"a"}, 4);
  rs[0].env = {{"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "4"}, {"SLURM_JOB_ID", "7"}};
  const auto p = of(diagnose(job(1), rs), "launcher", Level::Problem);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].fix.find("--mpi=pmix"), std::string::npos);
  rs[0].env["PMIX_RANK"] = "0";
  EXPECT_EQ(of(diagnose(job(1), rs), "launcher", Level::Ok).size(), 1u);
}

TEST(Doctor, ASingletonIsANote) {
  auto rs = ranks(1, {"a"}, 4);
  rs[0].env.clear();
  EXPECT_EQ(of(diagnose(job(1), rs), "launcher", Level::Note).size(), 1u);
}

TEST(Doctor, RanksStartedByMpimapDashNAreOk) {
  // `mpimap -n 3`: rank 0 is a singleton (no launcher variables), the job has 3.
  auto rs = ranks(3, {"a"}, 4);
  rs[0].env.clear();
  const auto ok = of(diagnose(job(3), rs), "launcher", Level::Ok);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_NE(ok[0].what.find("mpimap -n 3 started 2 more with MPI_Comm_spawn"), std::string::npos);
}

TEST(Doctor, ABtlWithoutSharedMemoryOrTcp) {
  auto one_host = ranks(2, {"a"}, 4);
  one_host[0].env["OMPI_MCA_btl"] = "^vader";
  EXPECT_EQ(of(diagnose(job(2), one_host), "transport", Level::Warn).size(), 1u);
  auto two_hosts = ranks(2, {"a", "b"}, 4);
  two_hosts[0].env["OMPI_MCA_btl"] = "self,vader";
  EXPECT_EQ(of(diagnose(job(2), two_hosts), "transport", Level::Problem).size(), 1u);
  two_hosts[0].env["OMPI_MCA_btl"] = "self,vader,tcp";
  EXPECT_TRUE(nothing_wrong(diagnose(job(2), two_hosts)));
}

TEST(Doctor, McaSettingsAreListedWithTheirMeaning) {
  auto rs = ranks(2, {"a"}, 4);
  rs[0].env["OMPI_MCA_pml"] = "ob1";
  const auto n = of(diagnose(job(2), rs), "setting", Level::Note);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_NE(n[0].what.find("OMPI_MCA_pml=ob1 (the messaging layer"), std::string::npos);
}

TEST(Doctor, ATinyTagUpperBoundIsAProblem) {
  auto j = job(1);
  j.tag_ub = 50;
  EXPECT_EQ(of(diagnose(j, ranks(1, {"a"}, 4)), "MPI_TAG_UB", Level::Problem).size(), 1u);
}

TEST(Doctor, OnlyTheVariablesThatMatterAreReported) {
  EXPECT_TRUE(reported_variable("OMPI_MCA_btl"));
  EXPECT_TRUE(reported_variable("OMPI_ALLOW_RUN_AS_ROOT"));
  EXPECT_TRUE(reported_variable("SLURM_NTASKS"));
  EXPECT_FALSE(reported_variable("HOME"));
  EXPECT_FALSE(reported_variable("OMPI_COMM_WORLD_RANK"));
  EXPECT_FALSE(reported_variable("OMPI_MCA_orte_hnp_uri"));  // mpirun's own
  EXPECT_FALSE(reported_variable("OMPI_MCA_ess_base_jobid"));
}

}  // namespace
}  // namespace mpimap::cli::doctor
