// MapOptions::trace: every item in exactly one chunk slice, on the track of
// the rank that ran it (the ranks themselves are the oracle); a rank's slices
// never overlap; tracks are named "rank N@host"; the JSON is what Perfetto
// reads. (The CLI's tests parse the JSON with Python.)

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <mpi.h>

#include "mpimap/detail/report_text.hpp"
#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::Trace;

/// Which rank ran each item, by item, on rank 0 (collective).
std::vector<int> who_ran(std::vector<int>& mine_by_item) {
  std::vector<int> all(mine_by_item.size());
  MPI_Reduce(mine_by_item.data(), all.data(), static_cast<int>(all.size()), MPI_INT, MPI_MAX, 0,
             MPI_COMM_WORLD);
  return all;
}

void expect_well_formed(const Trace& t, const std::vector<int>& ran_on, int ranks,
                        std::size_t first_slice, const std::string& what) {
  SCOPED_TRACE(what);
  std::vector<int> seen(ran_on.size(), 0);
  std::map<int, std::vector<const Trace::Slice*>> by_rank;
  for (std::size_t i = first_slice; i < t.slices().size(); ++i) {
    const auto& s = t.slices()[i];
    ASSERT_GE(s.rank, 0);
    ASSERT_LT(s.rank, ranks);
    EXPECT_LE(s.start_ns, s.end_ns);
    EXPECT_GE(s.start_ns, 0);
    by_rank[s.rank].push_back(&s);
    if (s.kind != Trace::Kind::Chunk) {
      EXPECT_EQ(s.rank, 0) << "only rank 0 dispatches and waits";
      continue;
    }
    EXPECT_GE(s.items, 1u);
    for (std::uint64_t k = s.begin; k < s.begin + s.items; ++k) {
      ASSERT_LT(k, seen.size());
      ++seen[k];
      EXPECT_EQ(ran_on[k], s.rank) << "item " << k;
    }
  }
  for (std::size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], 1) << "item " << k;
  for (auto& [rank, slices] : by_rank) {
    std::sort(slices.begin(), slices.end(),
              [](auto* a, auto* b) { return a->start_ns < b->start_ns; });
    for (std::size_t i = 1; i < slices.size(); ++i)
      EXPECT_LE(slices[i - 1]->end_ns, slices[i]->start_ns) << "rank " << rank << " slice " << i;
  }
  ASSERT_EQ(t.tracks().size(), static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r)
    EXPECT_EQ(t.tracks()[static_cast<std::size_t>(r)].rfind("rank " + std::to_string(r) + "@", 0),
              0u);
}

TEST(Trace, EveryItemOnceOnTheTrackOfTheRankThatRanIt) {
  mpimap::Pool pool;
  const std::size_t n = 400;
  std::vector<int> items(n);
  std::iota(items.begin(), items.end(), 0);
  Trace trace;
  for (auto options : mpimap_test::option_sweep({0, 1, 7})) {
    std::vector<int> mine(n, -1);
    options.trace = &trace;
    const std::size_t before = trace.slices().size();
    pool.map(
        [&](int x) {
          mine[static_cast<std::size_t>(x)] = pool.rank();
          return x;
        },
        items, options);
    const auto ran_on = who_ran(mine);
    if (pool.is_root()) {
      expect_well_formed(trace, ran_on, pool.size(), before, mpimap_test::describe(options));
    } else {
      EXPECT_TRUE(trace.slices().empty());
    }
  }
}

TEST(Trace, ReduceAndImapAreTracedToo) {
  mpimap::Pool pool;
  std::vector<int> items(100, 1);
  Trace trace;
  const auto sum = pool.map_reduce([](int x) { return x; }, items, 0, std::plus<>{},
                                   {.chunksize = 3, .trace = &trace});
  std::uint64_t delivered = 0;
  pool.imap([](int x) { return x; }, items, [&](int) { ++delivered; }, {.trace = &trace});
  if (!pool.is_root()) return;
  EXPECT_EQ(sum, 100);
  std::uint64_t traced = 0;
  for (const auto& s : trace.slices())
    if (s.kind == Trace::Kind::Chunk) traced += s.items;
  EXPECT_EQ(traced, 2 * items.size());
}

TEST(Trace, FailedChunksAreMarked) {
  mpimap::Pool pool;
  std::vector<int> items(20);
  std::iota(items.begin(), items.end(), 0);
  Trace trace;
  EXPECT_THROW(pool.map(
                   [](int x) {
                     if (x == 13) throw std::runtime_error("no");
                     return x;
                   },
                   items, {.chunksize = 1, .trace = &trace}),
               mpimap::TaskError);
  if (!pool.is_root()) return;
  const auto failed = std::count_if(trace.slices().begin(), trace.slices().end(),
                                    [](const auto& s) { return s.failed; });
  EXPECT_EQ(failed, 1);
}

TEST(Trace, WritesChromeTraceEvents) {
  mpimap::Pool pool;
  std::vector<int> items(10, 1);
  Trace trace;
  pool.map([](int x) { return x; }, items, {.chunksize = 5, .trace = &trace});
  if (!pool.is_root()) return;
  std::ostringstream os;
  trace.write_json(os);
  const std::string json = os.str();
  EXPECT_EQ(json.rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", 0), 0u);
  EXPECT_NE(json.find("\"name\":\"thread_name\",\"args\":{\"name\":\"rank 0@"), std::string::npos);
  EXPECT_NE(json.find("\"cat\":\"chunk\""), std::string::npos);
  EXPECT_EQ(json.substr(json.size() - 4), "\n]}\n");
}

TEST(Trace, JsonStringsAreEscapedAndValidUtf8) {
  using mpimap::detail::json_escaped;
  EXPECT_EQ(json_escaped("a\"b\\c\n"), "a\\\"b\\\\c\\u000a");
  EXPECT_EQ(json_escaped("caf\xc3\xa9 \xf0\x9f\x98\x80!"), "caf\xc3\xa9 \xf0\x9f\x98\x80!");
  // Not UTF-8 (a Latin-1 file name in a command): U+FFFD for each bad byte.
  EXPECT_EQ(json_escaped("caf\xe9.txt"), "caf\\ufffd.txt");
  EXPECT_EQ(json_escaped("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // a surrogate
  EXPECT_EQ(json_escaped("\xc0\xaf"), "\\ufffd\\ufffd");             // overlong
  EXPECT_EQ(json_escaped("x\xe2\x82"), "x\\ufffd\\ufffd");           // cut short
}

}  // namespace
