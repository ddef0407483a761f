// detail::OrderedPrinter on its own: a task's block is printed once every
// earlier item is done, whole and in item order, whatever order results
// arrive in; flush_below prints what is stored below a limit.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "mpimap/detail/ordered_printer.hpp"

namespace {

using mpimap::detail::OrderedPrinter;

std::string block(std::uint64_t i) { return "block " + std::to_string(i) + "\n"; }

TEST(OrderedPrinter, PrintsOnlyOnceEveryEarlierItemIsDone) {
  std::ostringstream os;
  OrderedPrinter p(os);
  p.add(2, block(2));
  p.complete(2, 3);
  EXPECT_EQ(os.str(), "");  // items 0 and 1 are not done
  p.add(1, block(1));
  p.complete(1, 2);
  EXPECT_EQ(os.str(), "");
  p.add(0, block(0));
  p.complete(0, 1);
  EXPECT_EQ(os.str(), block(0) + block(1) + block(2));
  p.complete(3, 5);  // items that printed nothing
  p.add(5, block(5));
  p.complete(5, 6);
  EXPECT_EQ(os.str(), block(0) + block(1) + block(2) + block(5));
}

TEST(OrderedPrinter, ChunksCompletingInAnyOrder) {
  // Chunks of a shuffled order; every item prints; the result is the serial text.
  const std::uint64_t n = 200;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks;
  for (std::uint64_t b = 0; b < n;) {
    const std::uint64_t e = std::min(n, b + 1 + b % 7);
    chunks.emplace_back(b, e);
    b = e;
  }
  std::string want;
  for (std::uint64_t i = 0; i < n; ++i)
    if (i % 3 != 1) want += block(i);
  for (unsigned seed = 0; seed < 20; ++seed) {
    auto order = chunks;
    std::shuffle(order.begin(), order.end(), std::mt19937(seed));
    std::ostringstream os;
    OrderedPrinter p(os);
    for (auto [b, e] : order) {
      for (auto i = b; i < e; ++i)
        if (i % 3 != 1) p.add(i, block(i));
      p.complete(b, e);
      // What is printed is always a prefix of the serial text.
      EXPECT_EQ(want.compare(0, os.str().size(), os.str()), 0);
    }
    EXPECT_EQ(os.str(), want) << "seed " << seed;
  }
}

TEST(OrderedPrinter, EmptyRangesChangeNothing) {
  std::ostringstream os;
  OrderedPrinter p(os);
  p.add(0, block(0));
  p.complete(0, 0);
  EXPECT_EQ(os.str(), "");
  p.complete(0, 1);
  EXPECT_EQ(os.str(), block(0));
}

TEST(OrderedPrinter, FlushBelowPrintsStoredBlocksUnderTheLimitOnce) {
  std::ostringstream os;
  OrderedPrinter p(os);
  for (std::uint64_t i : {4u, 1u, 3u, 7u}) p.add(i, block(i));
  p.flush_below(4);
  EXPECT_EQ(os.str(), block(1) + block(3));
  p.flush_below(4);
  EXPECT_EQ(os.str(), block(1) + block(3));
  p.flush_below(100);
  EXPECT_EQ(os.str(), block(1) + block(3) + block(4) + block(7));
}

TEST(OrderedPrinter, StopAtKeepsBlocksPastTheLimitUnprinted) {
  // After a failure at item 2, later items that finish are never printed.
  std::ostringstream os;
  OrderedPrinter p(os);
  for (std::uint64_t i = 0; i < 6; ++i) p.add(i, block(i));
  p.complete(3, 6);
  p.stop_at(3);
  p.complete(0, 3);
  EXPECT_EQ(os.str(), block(0) + block(1) + block(2));
  p.stop_at(5);  // a higher limit does not lift the lower one
  p.complete(6, 7);
  EXPECT_EQ(os.str(), block(0) + block(1) + block(2));
}

}  // namespace
