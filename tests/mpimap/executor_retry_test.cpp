// MapOptions::retries and OnError::Collect in the executor mean what they
// mean for the Pool (retry_test.cpp): a failing task runs again, on another
// rank than the one where it failed where there is one, up to `retries` more
// times; only the last attempt's value and printing count. Attempts are
// counted over all ranks; results are checked against serial loops.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "executor_tasks.hpp"
#include "option_sweep.hpp"

namespace {

using namespace executor_test;

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

/// Every fifth item fails on one rank of its own ((x / 5) % ranks) and
/// succeeds on any other: with one retry elsewhere, every item succeeds.
const auto fails_on_its_rank = mpimap::task<"retry.fails_on_its_rank">(+[](long x) {
  std::cout << "item " << x << '\n';
  if (x % 5 == 0 && (x / 5) % world_size() == world_rank())
    throw std::runtime_error("bad rank for " + std::to_string(x));
  return 3 * x;
});

long g_calls_of_13 = 0;  // this rank's attempts at item 13
const auto fails_at_13 = mpimap::task<"retry.fails_at_13">(+[](long x) {
  if (x == 13) ++g_calls_of_13, throw std::runtime_error("never");
  return x;
});

long g_calls_of_sevens = 0;
const auto fails_on_sevens_counted = mpimap::task<"retry.fails_on_sevens">(+[](long x) {
  if (x % 7 == 0) ++g_calls_of_sevens, throw std::runtime_error("seven " + std::to_string(x));
  return x + 1;
});

using mpimap_test::sum_over_ranks;

std::vector<long> iota(long n) {
  std::vector<long> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0L);
  return v;
}

TEST(ExecutorRetry, ATaskThatFailsOnOneRankSucceedsOnAnother) {
  if (world_size() == 1) GTEST_SKIP() << "needs another rank to rerun on";
  mpimap::Executor ex;
  ex.run([&] {
    const auto items = iota(200);
    for (const bool root_computes : {true, false}) {
      // Without rank 0 computing, two ranks leave one worker: reruns go back there.
      if (!root_computes && world_size() == 2) continue;
      std::ostringstream out;
      const auto got =
          ex.map(fails_on_its_rank, items,
                 {.chunksize = 3, .output = &out, .root_computes = root_computes, .retries = 1});
      ASSERT_EQ(got.size(), items.size());
      for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], 3 * items[i]) << i;
      // One block per item, in item order, from its successful attempt only.
      std::string want;
      for (long x : items) want += "item " + std::to_string(x) + '\n';
      EXPECT_EQ(out.str(), want) << "root_computes " << root_computes;
    }
    // The same through imap, and through many submits in flight.
    std::vector<long> got;
    std::ostringstream sink;
    for (long v : ex.imap(fails_on_its_rank, items, {.output = &sink, .retries = 1}))
      got.push_back(v);
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], 3 * items[i]) << i;
    std::vector<mpimap::Future<long>> futures;
    for (long x : items) futures.push_back(ex.submit({.retries = 1}, fails_on_its_rank, x));
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(futures[i].get(), 3 * items[i]);
  });
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorRetry, AnItemThatAlwaysFailsRunsOnePlusRetriesTimes) {
  g_calls_of_13 = 0;
  long map_calls = 0, submit_calls = 0, plain_calls = 0;
  {
    mpimap::Executor ex;
    ex.run([&] {
      try {
        ex.map(fails_at_13, iota(100), {.chunksize = 2, .retries = 3});
        ADD_FAILURE() << "the map did not fail";
      } catch (const mpimap::TaskError& e) {
        EXPECT_EQ(e.index(), 13u);
        EXPECT_EQ(e.message(), "never");
      }
      ex.shutdown();  // every attempt is in: the workers' counts are final
    });
    map_calls = sum_over_ranks(g_calls_of_13);
  }
  {
    g_calls_of_13 = 0;
    mpimap::Executor ex;
    ex.run([&] {
      auto f = ex.submit({.retries = 2}, fails_at_13, 13L);
      EXPECT_THROW(f.get(), mpimap::TaskError);
      EXPECT_EQ(ex.apply(mpimap::CallOptions{.retries = 5}, fails_at_13, 12L), 12);
    });
    submit_calls = sum_over_ranks(g_calls_of_13);
  }
  {
    g_calls_of_13 = 0;
    mpimap::Executor ex;
    ex.run([&] { EXPECT_THROW(ex.apply(fails_at_13, 13L), mpimap::TaskError); });
    plain_calls = sum_over_ranks(g_calls_of_13);
  }
  EXPECT_EQ(map_calls, 4);
  EXPECT_EQ(submit_calls, 3);
  EXPECT_EQ(plain_calls, 1);
}

TEST(ExecutorRetry, CollectListsWhatStillFailsAfterItsRetries) {
  g_calls_of_sevens = 0;
  const auto items = iota(120);
  {
    mpimap::Executor ex;
    ex.run([&] {
      const auto got = ex.map(fails_on_sevens_counted, items,
                              {.chunksize = 5, .on_error = mpimap::OnError::Collect, .retries = 2});
      ASSERT_EQ(got.size(), items.size());
      for (std::size_t i = 0; i < items.size(); ++i)
        EXPECT_EQ(got[i], i % 7 ? items[i] + 1 : 0) << i;
      ASSERT_EQ(ex.failures().size(), 18u);
      for (std::size_t k = 0; k < 18; ++k) {
        EXPECT_EQ(ex.failures()[k].index(), 7 * k);
        EXPECT_EQ(ex.failures()[k].message(), "seven " + std::to_string(7 * k));
      }
    });
  }
  EXPECT_EQ(sum_over_ranks(g_calls_of_sevens), 18 * 3);  // 0, 7, ..., 119: three attempts each
}

TEST(ExecutorRetry, MapAsyncWithCollectKeepsItsFailuresOnTheFuture) {
  mpimap::Executor ex;
  ex.run([&] {
    const auto items = iota(50);
    auto f = ex.map_async(fails_on_sevens_counted, items,
                          {.on_error = mpimap::OnError::Collect, .retries = 1});
    const auto got = f.get();
    ASSERT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], i % 7 ? items[i] + 1 : 0) << i;
    const auto failures = f.failures();
    ASSERT_EQ(failures.size(), 8u);  // 0, 7, ..., 49
    for (std::size_t k = 0; k < failures.size(); ++k) EXPECT_EQ(failures[k].index(), 7 * k);
  });
}

}  // namespace
