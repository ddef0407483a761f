// MapOptions::progress: called on rank 0 as chunks come in (at most every
// progress_every) and once at the end, with counts that only grow.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <numeric>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapProgress;

void expect_sane(const std::vector<MapProgress>& calls, std::uint64_t n, std::uint64_t failed) {
  ASSERT_FALSE(calls.empty());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& p = calls[i];
    EXPECT_EQ(p.finished, i + 1 == calls.size()) << "call " << i;
    EXPECT_LE(p.done, n);
    EXPECT_LE(p.failed, p.done);
    if (i > 0) {
      EXPECT_GE(p.done, calls[i - 1].done);
      EXPECT_GE(p.seconds, calls[i - 1].seconds);
    }
  }
  EXPECT_EQ(calls.back().done, n);
  EXPECT_EQ(calls.back().failed, failed);
  EXPECT_EQ(calls.back().running, 0u);
}

TEST(Progress, CountsGrowToTheTotalAndEndWithOneFinishedCall) {
  mpimap::Pool pool;
  std::vector<int> items(300);
  std::iota(items.begin(), items.end(), 0);
  for (auto options : mpimap_test::option_sweep({0, 1})) {
    SCOPED_TRACE(mpimap_test::describe(options));
    std::vector<MapProgress> calls;
    options.progress = [&](const MapProgress& p) { calls.push_back(p); };
    options.progress_every = std::chrono::milliseconds(0);  // every chunk
    pool.map([](int x) { return x + 1; }, items, options);
    if (pool.is_root()) {
      expect_sane(calls, items.size(), 0);
      for (const auto& p : calls) EXPECT_EQ(p.total, items.size());
    } else {
      EXPECT_TRUE(calls.empty());
    }
  }
}

TEST(Progress, CollectedFailuresAreCounted) {
  mpimap::Pool pool;
  std::vector<int> items(50);
  std::iota(items.begin(), items.end(), 0);
  std::vector<MapProgress> calls;
  pool.map(
      [](int x) {
        if (x % 10 == 3) throw std::runtime_error("no");
        return x;
      },
      items, {.on_error = mpimap::OnError::Collect, .progress = [&](const MapProgress& p) {
                calls.push_back(p);
              }});
  if (pool.is_root()) {
    expect_sane(calls, items.size(), 5);
  }
}

TEST(Progress, ALazyInputsTotalIsKnownAtItsEnd) {
  mpimap::Pool pool;
  std::vector<MapProgress> calls;
  pool.map([](int x) { return x; }, std::views::iota(0, 200),
           {.chunksize = 3,
            .progress = [&](const MapProgress& p) { calls.push_back(p); },
            .progress_every = std::chrono::milliseconds(0)});
  if (!pool.is_root()) return;
  expect_sane(calls, 200, 0);
  EXPECT_EQ(calls.back().total, 200u);
}

TEST(Progress, RateLimitedToProgressEvery) {
  mpimap::Pool pool;
  std::vector<int> items(2000, 1);
  int calls = 0;
  pool.map([](int x) { return x; }, items,
           {.chunksize = 1,
            .progress = [&](const MapProgress&) { ++calls; },
            .progress_every = std::chrono::hours(1)});
  if (pool.is_root()) {
    EXPECT_EQ(calls, 1);  // the finished call only
  }
}

TEST(Progress, ACallbackThatThrowsIsRethrownOnRankZeroAfterTheMap) {
  mpimap::Pool pool;
  std::vector<int> items(100, 1);
  for (auto schedule : mpimap_test::kSchedules) {
    SCOPED_TRACE(std::string(mpimap::to_string(schedule)));
    bool threw = false;
    try {
      pool.map([](int x) { return x; }, items,
               {.schedule = schedule,
                .chunksize = 1,
                .progress = [](const MapProgress&) { throw std::runtime_error("stop"); },
                .progress_every = std::chrono::milliseconds(0)});
    } catch (const std::runtime_error& e) {
      threw = true;
      EXPECT_STREQ(e.what(), "stop");
    }
    EXPECT_EQ(threw, pool.is_root());
    // The pool is still usable on every rank.
    EXPECT_EQ(pool.map([](int x) { return x + 1; }, items).size(), pool.is_root() ? 100u : 0u);
  }
}

}  // namespace
