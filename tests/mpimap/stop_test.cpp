// MapOptions::stop, a graceful stop: once rank 0 sees the flag set, no more
// work goes out, the work in flight drains, every rank throws
// mpimap::Stopped with the flag's value, and the pool stays usable. What was
// delivered or printed before is a prefix of the uninterrupted run's, and
// checked against a serial loop.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mpimap/mpimap.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::Schedule;

std::int64_t square(std::int64_t x) { return x * x; }

/// A task slow enough that a map of many items is still running when the
/// stop comes (no timing is asserted: without a stop it would merely take
/// seconds).
std::int64_t slow_square(std::int64_t x) {
  std::this_thread::sleep_for(std::chrono::microseconds(20));
  return x * x;
}

std::vector<std::int64_t> iota(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

/// The pool still maps correctly after a stop.
void expect_usable(mpimap::Pool& pool) {
  const auto items = iota(50);
  const auto got = pool.map(square, items);
  if (pool.is_root()) {
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], square(items[i]));
  }
}

class StopTest : public ::testing::TestWithParam<Schedule> {};

TEST_P(StopTest, AStopSetBeforeTheMapRunsNothingAndEveryRankThrowsStopped) {
  mpimap::Pool pool;
  std::atomic<int> stop{15};
  std::atomic<int> ran{0};
  const auto items = iota(1000);
  int reason = 0;
  try {
    pool.map([&](std::int64_t x) { return ++ran, x; }, items,
             {.schedule = GetParam(), .stop = &stop});
  } catch (const mpimap::Stopped& e) {
    reason = e.reason();
  }
  EXPECT_EQ(reason, 15);
  EXPECT_EQ(ran.load(), 0);
  expect_usable(pool);
}

TEST_P(StopTest, ImapDeliversAPrefixThenEveryRankThrowsStopped) {
  mpimap::Pool pool;
  std::atomic<int> stop{0};
  const auto items = iota(10000);
  std::vector<std::int64_t> got;
  int reason = 0;
  try {
    pool.imap(slow_square, items,
              [&](std::size_t i, std::int64_t v) {
                EXPECT_EQ(i, got.size());  // in item order, no gap
                got.push_back(v);
                if (got.size() == 100) stop = 10;
              },
              {.schedule = GetParam(), .chunksize = 7, .stop = &stop});
  } catch (const mpimap::Stopped& e) {
    reason = e.reason();
  }
  EXPECT_EQ(reason, 10);
  if (pool.is_root()) {
    // What was in flight when the flag was seen is still delivered, in
    // order; nothing new was handed out, so far from all of it.
    EXPECT_GE(got.size(), 100u);
    EXPECT_LT(got.size(), items.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], square(items[i]));
  }
  expect_usable(pool);
}

TEST_P(StopTest, WhatTasksPrintedBeforeTheStopIsAPrefixInItemOrder) {
  mpimap::Pool pool;
  std::atomic<int> stop{0};
  std::ostringstream out;
  std::size_t delivered = 0;
  try {
    pool.imap(
        [](std::int64_t x) {
          std::cout << "item " << x << "\n";
          return slow_square(x);
        },
        iota(10000),
        [&](std::int64_t) {
          if (++delivered == 50) stop = 2;
        },
        {.schedule = GetParam(), .chunksize = 3, .output = &out, .stop = &stop});
  } catch (const mpimap::Stopped&) {
  }
  if (pool.is_root()) {
    std::string expected;
    for (std::size_t i = 0; i < delivered; ++i) expected += "item " + std::to_string(i) + "\n";
    EXPECT_EQ(out.str(), expected);
  }
  expect_usable(pool);
}

TEST_P(StopTest, MapReduceStopsWithoutCombiningPartialSums) {
  mpimap::Pool pool;
  std::atomic<int> stop{1};
  bool stopped = false;
  try {
    pool.map_reduce(square, iota(2000), std::int64_t{0}, std::plus<>{},
                    {.schedule = GetParam(), .stop = &stop});
  } catch (const mpimap::Stopped& e) {
    stopped = e.reason() == 1;
  }
  EXPECT_TRUE(stopped);
  expect_usable(pool);
}

INSTANTIATE_TEST_SUITE_P(Schedules, StopTest,
                         ::testing::Values(Schedule::Dynamic, Schedule::Guided),
                         [](const auto& p) { return std::string(mpimap::to_string(p.param)); });

TEST(Stop, AStaticMapRunsToItsEnd) {
  mpimap::Pool pool;
  std::atomic<int> stop{15};
  const auto items = iota(500);
  const auto got = pool.map(square, items, {.schedule = Schedule::Static, .stop = &stop});
  if (pool.is_root()) {
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], square(items[i]));
  }
}

TEST(Stop, AFailureBeforeTheStopWinsOverIt) {
  mpimap::Pool pool;
  std::atomic<int> stop{0};
  std::size_t failed_at = 0;
  bool stopped = false;
  try {
    pool.imap(
        [](std::int64_t x) {
          if (x == 20) throw std::runtime_error("bad");
          return x;
        },
        iota(1000),
        [&](std::int64_t x) {
          if (x == 19) stop = 3;
        },
        {.chunksize = 1, .stop = &stop});
  } catch (const mpimap::TaskError& e) {
    failed_at = e.index();
  } catch (const mpimap::Stopped&) {
    stopped = true;
  }
  // Item 20 may have been handed out before the stop was seen (then it
  // fails the map), or not (then the map was stopped): never both, never
  // neither, on every rank alike.
  EXPECT_NE(failed_at == 20, stopped);
  expect_usable(pool);
}

}  // namespace
