// Streaming and reducing maps: imap (results in item order as soon as they
// can be), imap_unordered (as they finish), map_reduce (workers fold, rank 0
// combines), and items read lazily from an input range on rank 0.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <ranges>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::Schedule;

std::vector<std::int64_t> random_items(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> dist(-1'000'000, 1'000'000);
  std::vector<std::int64_t> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::int64_t square(std::int64_t x) { return x * x; }

std::vector<MapOptions> all_options() { return mpimap_test::option_sweep({0, 1, 7}); }

TEST(Imap, DeliversEveryResultInItemOrder) {
  mpimap::Pool pool;
  for (std::size_t n : {0u, 1u, 5u, 1000u})
    for (const auto& opt : all_options()) {
      const auto items = random_items(n, 7 + n);
      std::vector<std::int64_t> got;
      std::vector<std::size_t> indices;
      pool.imap(
          square, items,
          [&](std::size_t i, std::int64_t v) {
            indices.push_back(i);
            got.push_back(v);
          },
          opt);
      if (pool.is_root()) {
        std::vector<std::int64_t> want(n);
        std::transform(items.begin(), items.end(), want.begin(), square);
        EXPECT_EQ(got, want) << "n=" << n << " cs=" << opt.chunksize;
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), 0u);
        EXPECT_EQ(indices, order);
      } else {
        EXPECT_TRUE(got.empty());
      }
    }
}

TEST(ImapUnordered, DeliversEveryResultOnce) {
  mpimap::Pool pool;
  for (const auto& opt : all_options()) {
    const auto items = random_items(777, 3);
    std::vector<std::int64_t> got(items.size(), -1);
    std::size_t calls = 0;
    pool.imap_unordered(
        square, items,
        [&](std::size_t i, std::int64_t v) {
          ++calls;
          got.at(i) = v;
        },
        opt);
    if (pool.is_root()) {
      EXPECT_EQ(calls, items.size());
      for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], square(items[i]));
    }
    // A callback that takes only the value works too.
    std::multiset<std::int64_t> values;
    pool.imap_unordered(
        square, items, [&](std::int64_t v) { values.insert(v); }, opt);
    if (pool.is_root()) {
      std::multiset<std::int64_t> want;
      for (auto x : items) want.insert(square(x));
      EXPECT_EQ(values, want);
    }
  }
}

TEST(MapReduce, SumOfSquaresMatchesASerialLoop) {
  mpimap::Pool pool;
  for (std::size_t n : {0u, 1u, 3u, 10'000u})
    for (const auto& opt : all_options()) {
      const auto items = random_items(n, 11);
      const auto sum = pool.map_reduce(square, items, std::int64_t{0}, std::plus<>{}, opt);
      if (pool.is_root()) {
        std::int64_t want = 0;
        for (auto x : items) want += square(x);
        EXPECT_EQ(sum, want) << "n=" << n;
      }
    }
}

TEST(MapReduce, StringsAndMax) {
  mpimap::Pool pool;
  const std::vector<std::string> words{"a", "bbbb", "cc", "dddddddd", "eee"};
  const auto longest =
      pool.map_reduce([](const std::string& w) { return w.size(); }, words, std::size_t{0},
                      [](std::size_t a, std::size_t b) { return std::max(a, b); });
  if (pool.is_root()) {
    EXPECT_EQ(longest, 8u);
  }
  // Results of a non-fast type fold too: concatenating sorted characters.
  const auto letters = pool.map_reduce([](const std::string& w) { return std::string(1, w[0]); },
                                       words, std::string{},
                                       [](std::string a, std::string b) {
                                         a += b;
                                         std::sort(a.begin(), a.end());
                                         return a;
                                       });
  if (pool.is_root()) {
    EXPECT_EQ(letters, "abcde");
  }
}

// Issue 8, defect 1: rank 0's own code throwing inside a streaming map (how a
// C++ caller stops early) once left the workers inside the old map, and the
// next map aborted with "truncated message" or hung. Now every rank leaves,
// rank 0 rethrows the caller's exception, and the next map is exact.
struct StopHere : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::int64_t> squares_of(const std::vector<std::int64_t>& items) {
  std::vector<std::int64_t> want(items.size());
  std::transform(items.begin(), items.end(), want.begin(), square);
  return want;
}

/// Runs `stop` (which throws StopHere on rank 0), then checks that only rank 0
/// threw and that the pool still maps correctly with the same options.
template <class Stop>
void expect_stops_cleanly(mpimap::Pool& pool, const std::vector<std::int64_t>& items,
                          const MapOptions& opt, Stop&& stop, const std::string& what) {
  bool threw = false;
  try {
    stop();
  } catch (const StopHere&) {
    threw = true;
  }
  EXPECT_EQ(threw, pool.is_root()) << what;
  const auto again = pool.map(square, items, opt);
  if (pool.is_root()) {
    EXPECT_EQ(again, squares_of(items)) << what;
  }
}

TEST(EarlyStop, ThrowingImapCallbackStopsEveryRankAndThePoolGoesOn) {
  mpimap::Pool pool;
  const auto items = random_items(2000, 3);
  for (const auto& opt : all_options())
    for (std::size_t stop_at : {0u, 1u, 500u, 1999u}) {
      std::size_t delivered = 0;
      const auto what =
          "stop_at=" + std::to_string(stop_at) + " cs=" + std::to_string(opt.chunksize);
      expect_stops_cleanly(
          pool, items, opt,
          [&] {
            pool.imap(
                square, items,
                [&](std::size_t i, std::int64_t v) {
                  if (i == stop_at) throw StopHere("enough");
                  EXPECT_EQ(v, square(items[i]));
                  ++delivered;
                },
                opt);
          },
          what);
      if (pool.is_root()) {
        EXPECT_EQ(delivered, stop_at) << what;  // in order: exactly the ones before
      }
    }
}

TEST(EarlyStop, ThrowingImapUnorderedCallback) {
  mpimap::Pool pool;
  const auto items = random_items(1500, 4);
  for (const auto& opt : all_options()) {
    std::size_t delivered = 0;
    expect_stops_cleanly(
        pool, items, opt,
        [&] {
          pool.imap_unordered(
              square, items,
              [&](std::int64_t) {
                if (++delivered == 100) throw StopHere("enough");
              },
              opt);
        },
        "cs=" + std::to_string(opt.chunksize));
  }
}

TEST(EarlyStop, ThrowingFoldOpInMapReduce) {
  mpimap::Pool pool;
  const auto items = random_items(1000, 5);
  for (const auto& opt : all_options()) {
    // Throws on rank 0 only (workers fold quietly), at its first fold: of one
    // of its own results, or of a worker's accumulator when it ran none.
    const bool root = pool.is_root();
    expect_stops_cleanly(
        pool, items, opt,
        [&] {
          pool.map_reduce(
              square, items, std::int64_t{0},
              [&](std::int64_t a, std::int64_t b) {
                if (root) throw StopHere("enough");
                return a + b;
              },
              opt);
        },
        "cs=" + std::to_string(opt.chunksize));
  }
}

TEST(EarlyStop, ThrowingLazyInputRange) {
  mpimap::Pool pool;
  const auto items = random_items(800, 6);
  for (const auto& opt : all_options()) {
    auto input =
        std::views::iota(std::size_t{0}, items.size()) | std::views::transform([&](std::size_t i) {
          if (i == 300) throw StopHere("input ran into trouble");
          return items[i];
        });
    expect_stops_cleanly(
        pool, items, opt, [&] { pool.map(square, input, opt); },
        "cs=" + std::to_string(opt.chunksize));
  }
}

TEST(EarlyStop, ThrowingFirstElementOfAFilterView) {
  // A filter view runs the predicate inside begin(), before any item is taken:
  // that throw once escaped rank 0 before the map started, leaving the
  // workers waiting in it forever.
  mpimap::Pool pool;
  const auto items = random_items(300, 8);
  for (const auto& opt : all_options()) {
    auto input = items | std::views::filter(
                             [](std::int64_t) -> bool { throw StopHere("the predicate failed"); });
    expect_stops_cleanly(
        pool, items, opt, [&] { pool.map(square, input, opt); },
        "cs=" + std::to_string(opt.chunksize));
  }
}

// Issue 8, defect 5: an int init with a double-valued f once summed in int
// (4 instead of 5 for x * 0.5 over 1..4). The accumulator is the common type.
TEST(MapReduce, AccumulatesInTheCommonTypeOfInitAndResult) {
  mpimap::Pool pool;
  const std::vector<std::int64_t> items{1, 2, 3, 4};
  const auto half = [](std::int64_t x) { return static_cast<double>(x) * 0.5; };
  for (const auto& opt : all_options()) {
    const auto sum = pool.map_reduce(half, items, 0, std::plus<>{}, opt);
    static_assert(std::is_same_v<std::remove_const_t<decltype(sum)>, double>);
    if (pool.is_root()) {
      double want = 0;  // the serial oracle, as Python's sum(x * 0.5 for x in items)
      for (auto x : items) want += half(x);
      EXPECT_EQ(sum, want);
      EXPECT_EQ(sum, 5.0);
    }
  }
}

TEST(MapReduce, FailingTaskThrowsOnEveryRank) {
  mpimap::Pool pool;
  std::vector<std::int64_t> items(100);
  std::iota(items.begin(), items.end(), 0);
  auto f = [](std::int64_t x) -> std::int64_t {
    if (x == 42) throw std::runtime_error("no 42");
    return x;
  };
  bool threw = false;
  try {
    pool.map_reduce(f, items, std::int64_t{0}, std::plus<>{}, {.chunksize = 3});
  } catch (const mpimap::TaskError& e) {
    threw = true;
    EXPECT_EQ(e.index(), 42u);
    EXPECT_EQ(e.message(), "no 42");
  }
  EXPECT_TRUE(threw);
  // Still usable.
  const auto sum =
      pool.map_reduce([](std::int64_t x) { return x; }, items, std::int64_t{0}, std::plus<>{});
  if (pool.is_root()) {
    EXPECT_EQ(sum, 4950);
  }
}

TEST(MapReduce, OpThrowingOnAWorkerFailsTheMapAndNothingHangs) {
  // Workers fold their own results: an op that throws there once took the
  // worker out of the map and left rank 0 waiting for it forever. Now the
  // chunk fails at the item being folded, every rank throws TaskError naming
  // the op's message, and the pool goes on.
  mpimap::Pool pool;
  std::vector<std::int64_t> items(200);
  std::iota(items.begin(), items.end(), 0);
  const bool worker = !pool.is_root();
  for (const auto& opt : all_options()) {
    SCOPED_TRACE("cs=" + std::to_string(opt.chunksize));
    std::string what;
    try {
      pool.map_reduce([](std::int64_t x) { return x; }, items, std::int64_t{0},
                      [worker](std::int64_t a, std::int64_t b) {
                        if (worker) throw std::runtime_error("op failed on a worker");
                        return a + b;
                      },
                      opt);
    } catch (const mpimap::TaskError& e) {
      what = e.what();
    }
    // Every worker gets a chunk at the start, so at 2 ranks or more every
    // rank throws the same TaskError; at 1 rank there is no worker to fold.
    EXPECT_EQ(what.empty(), pool.size() == 1);
    EXPECT_TRUE(what.empty() ||
                what.find("map_reduce's op threw: op failed on a worker") != std::string::npos)
        << what;
    const auto sum = pool.map_reduce([](std::int64_t x) { return x; }, items, std::int64_t{0},
                                     std::plus<>{}, opt);
    if (pool.is_root()) {
      EXPECT_EQ(sum, 199 * 200 / 2);
    }
  }
}

TEST(LazyInput, InputRangesAreReadLazilyOnRoot) {
  mpimap::Pool pool;
  for (const auto& opt : all_options()) {
    // A view that is not contiguous: computed on the fly on rank 0.
    auto items = std::views::iota(std::int64_t{0}, std::int64_t{2000}) |
                 std::views::transform([](std::int64_t x) { return 3 * x - 1000; });
    const auto got = pool.map(square, items, opt);
    if (pool.is_root()) {
      ASSERT_EQ(got.size(), 2000u);
      for (std::int64_t i = 0; i < 2000; ++i) EXPECT_EQ(got[i], square(3 * i - 1000));
    }
  }
}

TEST(LazyInput, LinesOfAStreamWithUnknownLength) {
  mpimap::Pool pool;
  std::ostringstream text;
  for (int i = 0; i < 500; ++i) text << "word" << i << '\n';
  std::istringstream in(text.str());
  // istream_view: an input range with no size, read as rank 0 needs items.
  std::vector<std::size_t> lengths;
  pool.imap([](const std::string& w) { return w.size(); }, std::views::istream<std::string>(in),
            [&](std::size_t len) { lengths.push_back(len); }, {.chunksize = 16});
  if (pool.is_root()) {
    ASSERT_EQ(lengths.size(), 500u);
    for (int i = 0; i < 500; ++i) EXPECT_EQ(lengths[i], ("word" + std::to_string(i)).size());
  }
}

TEST(LazyInput, AGeneratorTooBigToMaterialiseStreamsInBoundedMemory) {
  // 5e7 items of 1 KiB each would be 50 GB if materialised: imap_unordered
  // with map_reduce-like use must stream them. We count a prefix only, to
  // keep the test quick, via a range that ends after `n` items but is never
  // stored: each item is built on demand.
  mpimap::Pool pool;
  const std::size_t n = 20'000;
  std::size_t built = 0;
  auto items = std::views::iota(std::size_t{0}, n) | std::views::transform([&built](std::size_t i) {
                 ++built;
                 return std::string(1024, static_cast<char>('a' + i % 26));
               });
  const auto total = pool.map_reduce([](const std::string& s) { return s.size(); }, items,
                                     std::size_t{0}, std::plus<>{}, {.chunksize = 64});
  if (pool.is_root()) {
    EXPECT_EQ(total, n * 1024);
    EXPECT_EQ(built, n);  // each item built once, on demand
  }
}

TEST(Imap, StopsDeliveringAtTheFailingItem) {
  mpimap::Pool pool;
  std::vector<std::int64_t> items(300);
  std::iota(items.begin(), items.end(), 0);
  for (std::size_t cs : {1u, 4u, 0u}) {
    std::vector<std::int64_t> got;
    bool threw = false;
    try {
      pool.imap(
          [](std::int64_t x) {
            if (x == 123) throw std::runtime_error("bad");
            return x;
          },
          items, [&](std::int64_t v) { got.push_back(v); }, {.chunksize = cs});
    } catch (const mpimap::TaskError& e) {
      threw = true;
      EXPECT_EQ(e.index(), 123u);
    }
    EXPECT_TRUE(threw);
    if (pool.is_root()) {
      ASSERT_EQ(got.size(), 123u);  // everything before the failure, nothing after
      for (std::int64_t i = 0; i < 123; ++i) EXPECT_EQ(got[i], i);
    }
  }
}

}  // namespace
