// MapOptions::stats: on rank 0, what each rank did. The oracle for "who ran
// what" is the ranks themselves: each counts the tasks it ran.

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <mpi.h>

#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::MapStats;

/// Every rank's count, on rank 0 (collective).
std::vector<std::uint64_t> gathered(std::uint64_t mine) {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::vector<std::uint64_t> all(static_cast<std::size_t>(size));
  MPI_Gather(&mine, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  return all;
}

void expect_consistent(const MapStats& s, std::uint64_t items, int ranks,
                       const std::vector<std::uint64_t>& ran, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(s.items, items);
  ASSERT_EQ(s.ranks.size(), static_cast<std::size_t>(ranks));
  std::uint64_t tasks = 0, chunks = 0;
  for (std::size_t r = 0; r < s.ranks.size(); ++r) {
    const auto& k = s.ranks[r];
    EXPECT_EQ(k.tasks, ran[r]) << "rank " << r;
    EXPECT_FALSE(k.host.empty());
    EXPECT_GE(k.busy_percent, 0.0);
    EXPECT_LE(k.busy_percent, 100.0);
    EXPECT_GE(k.busy_seconds, 0.0);
    EXPECT_LE(k.busy_seconds, s.seconds * 1.01 + 1e-4);
    if (k.tasks > 0) {
      EXPECT_GE(k.chunks, 1u);
    }
    tasks += k.tasks;
    chunks += k.chunks;
  }
  EXPECT_EQ(tasks, items);
  EXPECT_EQ(chunks, s.chunks);
  if (items > 0) {
    EXPECT_LE(s.min_chunk, s.mean_chunk);
    EXPECT_LE(s.mean_chunk, static_cast<double>(s.max_chunk));
    EXPECT_DOUBLE_EQ(s.mean_chunk * static_cast<double>(s.chunks), static_cast<double>(items));
    EXPECT_GE(s.imbalance, 1.0 - 1e-9);
    EXPECT_GT(s.items_per_second, 0.0);
  }
  EXPECT_NEAR(s.dispatch_seconds + s.compute_seconds + s.wait_seconds, s.seconds, 1e-6);
  EXPECT_DOUBLE_EQ(s.compute_seconds, s.ranks[0].busy_seconds);
  // Items went to a worker and results came back exactly when one ran some.
  if (std::accumulate(ran.begin() + 1, ran.end(), std::uint64_t{0}) > 0) {
    EXPECT_GT(s.bytes_sent, 0u);
    EXPECT_GT(s.bytes_received, 0u);
  }
}

TEST(Stats, CountWhatEveryRankRanUnderEverySchedule) {
  mpimap::Pool pool;
  std::vector<std::int64_t> items(500);
  std::iota(items.begin(), items.end(), 0);
  for (auto options : mpimap_test::option_sweep({0, 1, 7})) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, items.size()}) {
      std::uint64_t mine = 0;
      MapStats stats;
      options.stats = &stats;
      const auto out = pool.map(
          [&mine](std::int64_t x) {
            ++mine;
            return x * x;
          },
          std::span<const std::int64_t>(items.data(), pool.is_root() ? n : 0), options);
      const auto ran = gathered(mine);
      if (pool.is_root()) {
        ASSERT_EQ(out.size(), n);
        expect_consistent(stats, n, pool.size(), ran,
                          mpimap_test::describe(options) + " n=" + std::to_string(n));
      }
    }
  }
}

TEST(Stats, ARankThatOnlyDispatchesIsLeftOutOfTheImbalance) {
  mpimap::Pool pool;
  if (pool.size() < 2) GTEST_SKIP() << "needs workers";
  std::vector<int> items(64, 1);
  MapStats stats;
  pool.map([](int x) { return x; }, items,
           {.schedule = mpimap::Schedule::Dynamic,
            .chunksize = 1,
            .root_computes = false,
            .stats = &stats});
  if (pool.is_root()) {
    EXPECT_EQ(stats.ranks[0].tasks, 0u);
    EXPECT_EQ(stats.compute_seconds, 0.0);
    EXPECT_GE(stats.imbalance, 1.0 - 1e-9);
  }
}

TEST(Stats, FilledAlsoWhenATaskFails) {
  mpimap::Pool pool;
  std::vector<int> items(40);
  std::iota(items.begin(), items.end(), 0);
  MapStats stats;
  EXPECT_THROW(pool.map(
                   [](int x) {
                     if (x == 30) throw std::runtime_error("no");
                     return x;
                   },
                   items, {.chunksize = 1, .stats = &stats}),
               mpimap::TaskError);
  if (pool.is_root()) {
    EXPECT_GE(stats.items, 1u);
    EXPECT_LE(stats.items, items.size());
    ASSERT_EQ(stats.ranks.size(), static_cast<std::size_t>(pool.size()));
  }
}

TEST(Stats, TheBlockAndTheJsonNameEveryRank) {
  mpimap::Pool pool;
  std::vector<int> items(10, 2);
  MapStats stats;
  pool.map([](int x) { return x; }, items, {.stats = &stats});
  if (!pool.is_root()) return;
  const std::string text = mpimap::format_stats(stats);
  EXPECT_EQ(text.rfind("mpimap stats: 10 items in ", 0), 0u) << text;
  const std::string json = mpimap::stats_json(stats);
  EXPECT_EQ(json.front(), '{');
  EXPECT_NE(json.find("\"items\":10,"), std::string::npos) << json;
  for (int r = 0; r < pool.size(); ++r)
    EXPECT_NE(json.find("{\"rank\":" + std::to_string(r) + ","), std::string::npos);
}

}  // namespace
