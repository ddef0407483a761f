// chunking.hpp on its own (no communication): auto_chunk_nanos, block_begin
// (the static schedule's blocks) and ChunkCursor (the chunks the dynamic and
// guided schedules hand out), checked against their stated rules.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "mpimap/detail/chunking.hpp"

namespace {

using mpimap::Schedule;
using mpimap::detail::auto_chunk_nanos;
using mpimap::detail::block_begin;
using mpimap::detail::ChunkCursor;

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

TEST(AutoChunkNanos, TwoMillisecondsOrMoreWithManyRanks) {
  EXPECT_EQ(auto_chunk_nanos(1), 2'000'000u);
  EXPECT_EQ(auto_chunk_nanos(64), 2'000'000u);
  EXPECT_EQ(auto_chunk_nanos(1000), 20'000'000u);
  EXPECT_EQ(auto_chunk_nanos(-3), 2'000'000u);
}

TEST(BlockBegin, NearEqualContiguousBlocks) {
  for (std::size_t n : {0u, 1u, 2u, 3u, 7u, 10u, 64u, 1001u})
    for (int p = 1; p <= 9; ++p) {
      SCOPED_TRACE("n=" + std::to_string(n) + " p=" + std::to_string(p));
      EXPECT_EQ(block_begin(n, p, 0), 0u);
      EXPECT_EQ(block_begin(n, p, p), n);
      for (int r = 0; r < p; ++r) {
        const auto size = block_begin(n, p, r + 1) - block_begin(n, p, r);
        // The first n % p blocks get one item more.
        const auto want = n / p + (static_cast<std::size_t>(r) < n % p ? 1 : 0);
        EXPECT_EQ(size, want) << "r=" << r;
      }
    }
}

/// Every chunk a cursor hands out.
std::vector<std::size_t> all_chunks(std::size_t n, int ranks, Schedule s, std::size_t cs) {
  ChunkCursor c(n, ranks, s, cs);
  std::vector<std::size_t> sizes;
  std::size_t next = 0;
  while (!c.done()) {
    EXPECT_EQ(c.next(), next);
    const auto size = c.take();
    EXPECT_GT(size, 0u) << "an empty chunk before the end";
    if (size == 0) break;
    sizes.push_back(size);
    next += size;
  }
  EXPECT_EQ(c.next(), n);
  EXPECT_EQ(c.take(), 0u) << "a chunk after the end";
  EXPECT_TRUE(c.done());
  return sizes;
}

TEST(ChunkCursor, DynamicChunksAreChunksizeExceptTheLast) {
  for (std::size_t n : {0u, 1u, 2u, 5u, 33u, 100u})
    for (std::size_t cs : {1u, 2u, 3u, 7u, 1000u})
      for (int p : {1, 2, 4}) {
        SCOPED_TRACE("n=" + std::to_string(n) + " cs=" + std::to_string(cs) +
                     " p=" + std::to_string(p));
        const auto sizes = all_chunks(n, p, Schedule::Dynamic, cs);
        EXPECT_EQ(sizes.size(), ceil_div(n, cs));
        for (std::size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], cs);
        if (!sizes.empty()) {
          EXPECT_EQ(sizes.back(), n - cs * (sizes.size() - 1));
        }
      }
}

TEST(ChunkCursor, DynamicChunksizeZeroAdaptsToMeasuredTaskTime) {
  // Before any measurement: one item at a time.
  ChunkCursor c(1'000'000, 2, Schedule::Dynamic, 0);
  EXPECT_TRUE(c.adaptive());
  EXPECT_EQ(c.take(), 1u);
  // Tasks of 1 ms: chunks of about 2 ms, i.e. 2 items.
  c.observe(4, 4'000'000);
  EXPECT_EQ(c.take(), 2u);
  // Mean over everything seen: (4 ms + 10 * 1 us) / 14 items -> 2 ms / ~286 us = 6 items.
  c.observe(10, 10'000);
  EXPECT_EQ(c.take(), 2'000'000u / (4'010'000u / 14u));
  // Tiny tasks: big chunks, but never more than ceil(left / (2 * ranks)).
  ChunkCursor tiny(1000, 2, Schedule::Dynamic, 0);
  tiny.observe(1000, 1000);
  EXPECT_EQ(tiny.take(), 250u);
  EXPECT_EQ(tiny.take(), 188u);  // ceil(750 / 4)
  // An explicit chunksize is not adapted.
  ChunkCursor fixed(100, 2, Schedule::Dynamic, 5);
  fixed.observe(10, 1'000'000'000);
  EXPECT_FALSE(fixed.adaptive());
  EXPECT_EQ(fixed.take(), 5u);
}

TEST(ChunkCursor, UnknownTotalEndsWhereTheSourceRanDry) {
  ChunkCursor c(ChunkCursor::kUnknown, 2, Schedule::Guided, 4);
  EXPECT_FALSE(c.done());
  EXPECT_EQ(c.take(), 4u);  // no cap without a total
  EXPECT_EQ(c.take(), 4u);
  c.end_at(6);  // the second chunk found only 2 items
  EXPECT_TRUE(c.done());
  EXPECT_EQ(c.next(), 6u);
  EXPECT_EQ(c.take(), 0u);
}

TEST(ChunkCursor, GuidedChunksShrinkToTheChunksize) {
  for (std::size_t n : {0u, 1u, 7u, 100u, 1000u, 99'999u})
    for (std::size_t cs : {0u, 1u, 3u, 50u})
      for (int p : {1, 2, 4}) {
        SCOPED_TRACE("n=" + std::to_string(n) + " cs=" + std::to_string(cs) +
                     " p=" + std::to_string(p));
        EXPECT_EQ(ChunkCursor(n, p, Schedule::Guided, cs).chunksize(), cs ? cs : 1u);
        const auto sizes = all_chunks(n, p, Schedule::Guided, cs);
        // chunk = min(left, max(chunksize, ceil(left / (2 * ranks)))).
        std::size_t left = n;
        const std::size_t smallest = cs ? cs : 1;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
          const auto want =
              std::min(left, std::max(smallest, ceil_div(left, 2 * static_cast<std::size_t>(p))));
          EXPECT_EQ(sizes[i], want) << "chunk " << i;
          if (i > 0) {
            EXPECT_LE(sizes[i], sizes[i - 1]) << "chunk " << i << " grew";
          }
          left -= sizes[i];
        }
        EXPECT_EQ(left, 0u);
      }
}

TEST(ChunkCursor, GuidedStartsBigAndUsesFewChunks) {
  const auto sizes = all_chunks(1000, 4, Schedule::Guided, 1);
  ASSERT_FALSE(sizes.empty());
  EXPECT_EQ(sizes.front(), 125u);  // ceil(1000 / 8)
  EXPECT_EQ(sizes.back(), 1u);
  EXPECT_LT(sizes.size(), 100u);
}

}  // namespace
