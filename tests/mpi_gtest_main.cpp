// The main of every MPI test binary. MPI lives for the whole of main; only
// rank 0 prints gtest's report; every rank reports its own failures (tagged
// with its rank) on stderr; after each test the ranks agree whether it failed
// anywhere, and the exit code is the same on every rank.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

/// On ranks other than 0: print failed assertions, tagged with the rank.
class RankFailurePrinter : public testing::EmptyTestEventListener {
  void OnTestPartResult(const testing::TestPartResult& r) override {
    if (!r.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", world_rank(),
                 r.file_name() ? r.file_name() : "?", r.line_number(), r.summary());
  }
};

/// On every rank: after each test, agree whether it failed on any rank.
class AgreeOnFailures : public testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const testing::TestInfo& info) override {
    int mine = info.result()->Failed() ? 1 : 0, any = 0;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any && !mine)
      failed_elsewhere_.push_back(std::string(info.test_suite_name()) + "." + info.name());
  }
  void OnTestProgramEnd(const testing::UnitTest&) override {
    if (world_rank() != 0) return;
    for (const auto& name : failed_elsewhere_)
      std::fprintf(stderr, "[  FAILED  ] %s failed on another rank (see [rank N] lines)\n",
                   name.c_str());
  }
  bool any_failed_elsewhere() const { return !failed_elsewhere_.empty(); }

 private:
  std::vector<std::string> failed_elsewhere_;
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  testing::InitGoogleTest(&argc, argv);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  if (world_rank() != 0) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter);
  }
  auto* agree = new AgreeOnFailures;
  listeners.Append(agree);

  int failed = RUN_ALL_TESTS() != 0 || agree->any_failed_elsewhere() ? 1 : 0;
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any;
}
