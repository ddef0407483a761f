// mpimap::Process, Python's multiprocessing.Process over MPI: the seed's Q-3
// (one process printing 1..10, then join) and Q-6 (one process per number,
// printing "Number: k", output in join order); which rank runs each process;
// exitcode()/error() when the target throws; start()/join() misuse.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

/// Points a stream at a string buffer for the scope of the object.
class Capture {
 public:
  explicit Capture(std::ostream& os) : os_(os), old_(os.rdbuf(buf_.rdbuf())) {}
  ~Capture() { os_.rdbuf(old_); }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  std::string text() const { return buf_.str(); }

 private:
  std::ostream& os_;
  std::ostringstream buf_;
  std::streambuf* old_;
};

void print_numbers(std::int64_t n) {
  for (std::int64_t i = 1; i <= n; ++i) std::cout << i << '\n';
}

void print_number(std::int64_t n) { std::cout << "Number: " << n << '\n'; }

using mpimap_test::sum_over_ranks;

TEST(Process, Q3PrintNumbersThenJoin) {
  mpimap::Pool pool;
  std::string text;
  int ran_here = 0;
  {
    Capture cout_capture(std::cout);
    auto p = pool.process(
        [&ran_here](std::int64_t n) {
          ++ran_here;
          print_numbers(n);
        },
        std::int64_t{10});
    p.start();
    p.join();
    if (pool.is_root()) {
      EXPECT_EQ(p.exitcode(), 0);
      EXPECT_EQ(p.error(), "");
    }
    text = cout_capture.text();
  }
  EXPECT_EQ(text, pool.is_root() ? "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n" : "");
  EXPECT_EQ(sum_over_ranks(ran_here), 1) << "the target runs on exactly one rank";
}

// Issue 8, defect 4: a started Process that nobody joined hung the job at
// exit when its output was large (its rank waited forever to hand it over)
// and dropped small output. Now it is joined when it goes away, as Python
// joins the processes left running at exit.
TEST(Process, NeverJoinedIsJoinedWhenItGoesAway) {
  mpimap::Pool pool;
  const std::string big(3 << 20, 'x');  // well past any eager-send limit
  for (const std::string* text : {&big, static_cast<const std::string*>(nullptr)}) {
    std::string printed;
    {
      Capture cout_capture(std::cout);
      {
        std::vector<mpimap::Process> ps;
        for (std::int64_t n : {1, 2, 3}) {
          ps.push_back(pool.process(
              [text](std::int64_t k) {
                if (text) std::cout << *text;
                std::cout << "Number: " << k << '\n';
              },
              n));
          ps.back().start();
        }
        // No join: the vector goes away here, joining 1, 2, 3 in turn.
      }
      printed = cout_capture.text();
    }
    std::string want;
    for (int k = 1; k <= 3; ++k)
      want += (text ? *text : "") + "Number: " + std::to_string(k) + "\n";
    if (pool.is_root()) {
      EXPECT_EQ(printed.size(), want.size());
      EXPECT_TRUE(printed == want) << "the output of never-joined processes, whole and in order";
    } else {
      EXPECT_EQ(printed, "");
    }
  }
  // A moved-over process is joined first.
  std::string printed;
  {
    Capture cout_capture(std::cout);
    auto p = pool.process(print_number, std::int64_t{7});
    p.start();
    p = pool.process(print_number, std::int64_t{8});
    p.start();
    p.join();
    printed = cout_capture.text();
  }
  EXPECT_EQ(printed, pool.is_root() ? "Number: 7\nNumber: 8\n" : "");
}

TEST(Process, Q6OneProcessPerNumberPrintsInJoinOrder) {
  mpimap::Pool pool;
  std::string forward, backward;
  {
    Capture cout_capture(std::cout);
    std::vector<mpimap::Process> ps;
    for (std::int64_t n : {1, 2, 3, 4}) ps.push_back(pool.process(print_number, n));
    for (auto& p : ps) p.start();
    for (auto& p : ps) p.join();
    forward = cout_capture.text();
  }
  {
    Capture cout_capture(std::cout);
    std::vector<mpimap::Process> ps;
    for (std::int64_t n : {1, 2, 3, 4}) ps.push_back(pool.process(print_number, n));
    for (auto& p : ps) p.start();
    for (auto it = ps.rbegin(); it != ps.rend(); ++it) it->join();
    backward = cout_capture.text();
  }
  EXPECT_EQ(forward, pool.is_root() ? "Number: 1\nNumber: 2\nNumber: 3\nNumber: 4\n" : "");
  EXPECT_EQ(backward, pool.is_root() ? "Number: 4\nNumber: 3\nNumber: 2\nNumber: 1\n" : "");
}

TEST(Process, RunsOnRankZeroWhenAloneElseOnTheOthersInTurn) {
  mpimap::Pool pool;
  std::vector<mpimap::Process> ps;
  std::vector<int> ran_on(7, -1);
  for (int k = 0; k < 7; ++k)
    ps.push_back(pool.process([&ran_on, &pool](int id) { ran_on[id] = pool.rank(); }, k));
  for (int k = 0; k < 7; ++k) {
    const int want = pool.size() == 1 ? 0 : 1 + k % (pool.size() - 1);
    EXPECT_EQ(ps[k].rank(), want);
  }
  for (auto& p : ps) p.start();
  for (auto& p : ps) p.join();
  // Each target ran on its own rank, and only there.
  for (int k = 0; k < 7; ++k) {
    const int mine = ran_on[k] == pool.rank() ? 1 : 0;
    EXPECT_EQ(ran_on[k] == -1 || ran_on[k] == pool.rank(), true);
    EXPECT_EQ(sum_over_ranks(mine), 1) << "process " << k;
    EXPECT_EQ(ran_on[k] != -1, pool.rank() == ps[k].rank());
  }
}

TEST(Process, ArgumentsAreCopiedAtCreation) {
  mpimap::Pool pool;
  std::string s = "hello";
  std::vector<int> v{1, 2, 3};
  std::string text;
  {
    Capture cout_capture(std::cout);
    auto p = pool.process(
        [](const std::string& a, const std::vector<int>& b, double c) {
          std::cout << a << ' ' << b.size() << ' ' << b.back() << ' ' << c << '\n';
        },
        s, v, 2.5);
    s = "changed";
    v.push_back(99);
    p.start();
    p.join();
    text = cout_capture.text();
  }
  EXPECT_EQ(text, pool.is_root() ? "hello 3 3 2.5\n" : "");
}

TEST(Process, ExitcodeAndErrorWhenTheTargetThrows) {
  mpimap::Pool pool;
  std::string out, err;
  std::optional<int> code_bad, code_good, code_unknown;
  std::string error_bad, error_good, error_unknown;
  {
    Capture cout_capture(std::cout);
    Capture cerr_capture(std::cerr);
    auto bad = pool.process([] {
      std::cout << "before the throw\n";
      throw std::runtime_error("target failed");
    });
    auto good = pool.process([] { std::cout << "fine\n"; });
    auto unknown = pool.process([] { throw 42; });
    bad.start();
    good.start();
    unknown.start();
    bad.join();
    good.join();
    unknown.join();
    code_bad = bad.exitcode(), code_good = good.exitcode(), code_unknown = unknown.exitcode();
    error_bad = bad.error(), error_good = good.error(), error_unknown = unknown.error();
    out = cout_capture.text();
    err = cerr_capture.text();
  }
  if (pool.is_root()) {
    EXPECT_EQ(code_bad, 1);
    EXPECT_EQ(error_bad, "target failed");
    EXPECT_EQ(code_good, 0);
    EXPECT_EQ(error_good, "");
    EXPECT_EQ(code_unknown, 1);
    EXPECT_EQ(error_unknown, "unknown exception");
    EXPECT_EQ(out, "before the throw\nfine\n");
    EXPECT_NE(err.find("target failed"), std::string::npos) << err;
    EXPECT_NE(err.find("unknown exception"), std::string::npos) << err;
  } else {
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "");
  }
}

TEST(Process, StartTwiceAndJoinBeforeStartAreLogicErrors) {
  mpimap::Pool pool;
  int runs = 0;
  std::string text;
  {
    Capture cout_capture(std::cout);
    auto p = pool.process([&runs] {
      ++runs;
      std::cout << "once\n";
    });
    EXPECT_THROW(p.join(), std::logic_error);
    p.start();
    EXPECT_THROW(p.start(), std::logic_error);
    p.join();
    EXPECT_NO_THROW(p.join());  // a second join does nothing
    text = cout_capture.text();
  }
  EXPECT_EQ(sum_over_ranks(runs), 1);
  EXPECT_EQ(text, pool.is_root() ? "once\n" : "");
}

TEST(Process, TaggedOutputNamesTheRankThatRanIt) {
  mpimap::Pool pool;
  pool.tag_process_output(true);
  std::string text;
  int target_rank = -1;
  {
    Capture cout_capture(std::cout);
    auto p = pool.process([&pool] {
      std::cout << "from " << pool.rank() << "@" << pool.host() << "\nsecond line\n";
    });
    target_rank = p.rank();
    p.start();
    p.join();
    text = cout_capture.text();
  }
  if (pool.is_root()) {
    // Every rank of this test runs on this machine, so rank 0's host is theirs.
    const std::string where = std::to_string(target_rank) + "@" + pool.host();
    const std::string tag = "[rank " + where + "] ";
    EXPECT_EQ(text, tag + "from " + where + "\n" + tag + "second line\n");
  } else {
    EXPECT_EQ(text, "");
  }
}

TEST(Process, MapsRunBetweenStartAndJoin) {
  mpimap::Pool pool;
  std::string text;
  std::vector<int> got;
  {
    Capture cout_capture(std::cout);
    auto p = pool.process(print_numbers, std::int64_t{3});
    p.start();
    for (auto s : {mpimap::Schedule::Static, mpimap::Schedule::Dynamic, mpimap::Schedule::Guided}) {
      try {
        got = pool.map([](int x) { return x + 1; }, std::vector<int>{1, 2, 3, 4, 5, 6},
                       {.schedule = s, .chunksize = 1});
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      const std::vector<int> want =
          pool.is_root() ? std::vector<int>{2, 3, 4, 5, 6, 7} : std::vector<int>{};
      EXPECT_EQ(got, want);
    }
    p.join();
    text = cout_capture.text();
  }
  EXPECT_EQ(text, pool.is_root() ? "1\n2\n3\n" : "");
}

}  // namespace
