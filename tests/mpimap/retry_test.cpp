// MapOptions::retries: a failing task runs again, up to `retries` more
// times, before it counts as failed. Dynamic and Guided rerun it on another
// rank than the one where it failed (where another one computes), Static on
// the spot. Results and printing come only from the last attempt, and are
// checked against a serial loop; attempts are counted across all ranks.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::OnError;
using mpimap::Schedule;

std::vector<std::int64_t> iota(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

using mpimap_test::sum_over_ranks;

/// Every fifth item fails on one rank of its own ((x / 5) % ranks) and
/// succeeds on any other: with one retry on another rank, all succeed.
struct FailsOnItsRank {
  const mpimap::Pool& pool;
  std::int64_t operator()(std::int64_t x) const {
    std::cout << "item " << x << " on " << pool.rank() << "\n";
    if (x % 5 == 0 && (x / 5) % pool.size() == pool.rank())
      throw std::runtime_error("bad rank for " + std::to_string(x));
    return 3 * x;
  }
};

class RetryTest : public ::testing::TestWithParam<Schedule> {
 protected:
  Schedule schedule() const { return GetParam(); }
};

TEST_P(RetryTest, ATaskThatFailsOnOneRankSucceedsOnAnother) {
  mpimap::Pool pool;
  if (pool.size() == 1) GTEST_SKIP() << "needs another rank to rerun on";
  if (schedule() == Schedule::Static) GTEST_SKIP() << "Static reruns on the spot";
  const auto items = iota(200);
  std::ostringstream out;
  const auto got = pool.map(FailsOnItsRank{pool}, items,
                            {.schedule = schedule(), .chunksize = 3, .output = &out, .retries = 1});
  if (pool.is_root()) {
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], 3 * items[i]);
    // One block per item, in item order, from its successful attempt only.
    std::istringstream lines(out.str());
    std::string line;
    std::int64_t next = 0;
    while (std::getline(lines, line)) {
      EXPECT_EQ(line.rfind("item " + std::to_string(next) + " on ", 0), 0u) << line;
      ++next;
    }
    EXPECT_EQ(next, 200);
  }
}

TEST_P(RetryTest, ImapAndMapReduceDeliverEveryResultOnceInOrder) {
  // (Both always schedule dynamically.)
  mpimap::Pool pool;
  if (pool.size() == 1) GTEST_SKIP() << "needs another rank to rerun on";
  const auto items = iota(300);
  std::vector<std::int64_t> got;
  const MapOptions options{
      .schedule = schedule(), .chunksize = 4, .capture_output = false, .retries = 1};
  std::ostringstream sink;
  std::streambuf* old = std::cout.rdbuf(sink.rdbuf());  // the task's printing
  pool.imap(
      FailsOnItsRank{pool}, items, [&](std::int64_t v) { got.push_back(v); }, options);
  const auto sum =
      pool.map_reduce(FailsOnItsRank{pool}, items, std::int64_t{0}, std::plus<>{}, options);
  std::cout.rdbuf(old);
  if (pool.is_root()) {
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], 3 * items[i]);
    EXPECT_EQ(sum, 3 * 299 * 300 / 2);
  }
}

TEST_P(RetryTest, AnItemThatAlwaysFailsRunsOnePlusRetriesTimesThenFailsTheMap) {
  mpimap::Pool pool;
  std::int64_t calls_of_13 = 0;
  std::size_t failed_at = 0;
  std::string message;
  try {
    pool.map(
        [&](std::int64_t x) {
          if (x == 13) ++calls_of_13, throw std::runtime_error("never");
          return x;
        },
        iota(100), {.schedule = schedule(), .chunksize = 2, .retries = 3});
  } catch (const mpimap::TaskError& e) {
    failed_at = e.index();
    message = e.message();
  }
  EXPECT_EQ(failed_at, 13u);
  EXPECT_EQ(message, "never");
  EXPECT_EQ(sum_over_ranks(calls_of_13), 4);
}

TEST_P(RetryTest, CollectListsWhatStillFailsAfterItsRetries) {
  mpimap::Pool pool;
  std::int64_t calls_of_bad = 0;
  const auto items = iota(120);
  const auto got = pool.map(
      [&](std::int64_t x) {
        if (x % 7 == 0) ++calls_of_bad, throw std::runtime_error("seven " + std::to_string(x));
        return x + 1;
      },
      items, {.schedule = schedule(), .chunksize = 5, .on_error = OnError::Collect, .retries = 2});
  EXPECT_EQ(sum_over_ranks(calls_of_bad), 18 * 3);  // 0, 7, ..., 119: three attempts each
  if (pool.is_root()) {
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], i % 7 ? items[i] + 1 : 0);
    ASSERT_EQ(pool.failures().size(), 18u);
    for (std::size_t k = 0; k < 18; ++k) {
      EXPECT_EQ(pool.failures()[k].index(), 7 * k);
      EXPECT_EQ(pool.failures()[k].message(), "seven " + std::to_string(7 * k));
    }
  }
}

TEST_P(RetryTest, ATaskThatFailsOnceOnEachRankSucceedsWhereReranOnTheSpot) {
  // Static reruns on the spot; alone, rank 0 is the only place to rerun.
  mpimap::Pool pool;
  if (schedule() != Schedule::Static && pool.size() > 1)
    GTEST_SKIP() << "reruns go to another rank, where it fails the first time too";
  std::set<std::int64_t> seen;  // this rank's
  const auto items = iota(64);
  const auto got = pool.map(
      [&](std::int64_t x) {
        if (seen.insert(x).second) throw std::runtime_error("first time");
        return x * x;
      },
      items, {.schedule = schedule(), .retries = 1});
  if (pool.is_root()) {
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], items[i] * items[i]);
  }
}

INSTANTIATE_TEST_SUITE_P(Schedules, RetryTest,
                         ::testing::Values(Schedule::Dynamic, Schedule::Guided, Schedule::Static),
                         [](const auto& p) { return std::string(mpimap::to_string(p.param)); });

}  // namespace
