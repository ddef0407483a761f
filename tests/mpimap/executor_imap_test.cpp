// mpimap::Executor::imap and imap_unordered: in order / every result once,
// breaking out of the loop after k results and mapping again, and a failing
// task in the middle.

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "executor_tasks.hpp"

namespace {

using namespace executor_test;

std::vector<long> numbers(long n) {
  std::vector<long> xs(static_cast<std::size_t>(n));
  std::iota(xs.begin(), xs.end(), 1);
  return xs;
}

TEST(ExecutorImap, InOrderAndUnordered) {
  mpimap::Executor ex;
  ex.run([&] {
    const auto xs = numbers(2000);
    std::vector<long> ordered;
    for (long v : ex.imap(square, xs)) ordered.push_back(v);
    std::vector<long> want;
    for (long x : xs) want.push_back(x * x);
    EXPECT_EQ(ordered, want);
    std::multiset<long> unordered;
    for (long v : ex.imap_unordered(square, xs, {.chunksize = 3})) unordered.insert(v);
    EXPECT_EQ(unordered, std::multiset<long>(want.begin(), want.end()));
  });
}

TEST(ExecutorImap, BreakAfterKResultsThenMapAgain) {
  mpimap::Executor ex;
  ex.run([&] {
    const auto xs = numbers(20000);
    for (std::size_t k : {0, 1, 5, 1000}) {
      std::vector<long> got;
      for (long v : ex.imap(square, xs, {.chunksize = 10})) {
        if (got.size() == k) break;
        got.push_back(v);
      }
      ASSERT_EQ(got.size(), k);
      for (std::size_t i = 0; i < k; ++i) EXPECT_EQ(got[i], xs[i] * xs[i]);
      std::size_t n = 0;
      for (long v : ex.imap_unordered(square, xs)) {
        EXPECT_GT(v, 0);
        if (++n == k) break;
      }
      // The executor goes on: a whole map, against the serial loop.
      const auto small = numbers(300);
      std::vector<long> want;
      for (long x : small) want.push_back(x * x);
      EXPECT_EQ(ex.map(square, small), want);
    }
  });
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorImap, FailureComesAtItsPlace) {
  mpimap::Executor ex;
  ex.run([&] {
    const auto xs = numbers(100);  // 1..100: item 6 (the 7) fails
    std::vector<long> got;
    try {
      for (long v : ex.imap(fails_on_sevens, xs, {.chunksize = 2})) got.push_back(v);
      ADD_FAILURE() << "no TaskError";
    } catch (const mpimap::TaskError& e) {
      EXPECT_EQ(e.index(), 6u);
    }
    EXPECT_EQ(got, (std::vector<long>{1, 4, 9, 16, 25, 36}));
    EXPECT_THROW(
        {
          for (long v : ex.imap_unordered(fails_on_sevens, xs)) (void)v;
        },
        mpimap::TaskError);
    EXPECT_EQ(ex.apply(square, 3L), 9);
  });
}

}  // namespace
