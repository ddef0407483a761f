// What tasks print to std::cout: captured per task, printed on rank 0 as one
// whole block per task, in item order, to MapOptions::output (or std::cout);
// tag_output prefixes every line with "[rank R@host] " of the rank that ran
// it; on a failure, everything before the failing item and the failing item's
// own partial output arrive, in order.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpimap/detail/chunking.hpp"
#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::Schedule;

using mpimap_test::describe;
using mpimap_test::kSchedules;

std::vector<MapOptions> option_sweep() { return mpimap_test::option_sweep({0, 1, 2, 7}); }

/// Points std::cout at a string buffer for the scope of the object.
class CoutCapture {
 public:
  CoutCapture() : old_(std::cout.rdbuf(buf_.rdbuf())) {}
  ~CoutCapture() { std::cout.rdbuf(old_); }
  CoutCapture(const CoutCapture&) = delete;
  CoutCapture& operator=(const CoutCapture&) = delete;
  std::string text() const { return buf_.str(); }

 private:
  std::ostringstream buf_;
  std::streambuf* old_;
};

/// What task i prints: one line, nothing, two lines, or a line written in
/// two pieces with a flush between them.
void say(std::int64_t i, std::ostream& os) {
  switch (i % 4) {
    case 0:
      os << "item " << i << '\n';
      break;
    case 1:
      break;
    case 2:
      os << "item " << i << " line 1\nitem " << i << " line 2\n";
      break;
    default:
      os << "item " << i << std::flush << " continued\n";
      break;
  }
}

std::string serial_output(std::int64_t n) {
  std::ostringstream os;
  for (std::int64_t i = 0; i < n; ++i) say(i, os);
  return os.str();
}

/// Early items take longer, so that later ones tend to finish first.
void busy(std::int64_t units) {
  volatile std::int64_t acc = 0;
  for (std::int64_t k = 0; k < units * 2000; ++k) acc = acc + k;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

using mpimap_test::sum_over_ranks;

TEST(Output, ArrivesOnRankZeroWholeAndInItemOrder) {
  mpimap::Pool pool;
  const std::int64_t n = 60;
  const auto items = iota(n);
  const std::string want = serial_output(n);
  for (const auto& base : option_sweep()) {
    SCOPED_TRACE(describe(base));
    std::ostringstream out;
    MapOptions o = base;
    o.output = &out;
    std::vector<std::int64_t> got;
    std::string leaked;
    {
      CoutCapture cout_capture;
      try {
        got = pool.map(
            [n](std::int64_t i) {
              busy(n - i);
              say(i, std::cout);
              return i;
            },
            items, o);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      leaked = cout_capture.text();
    }
    EXPECT_EQ(leaked, "") << "task output leaked to std::cout";
    if (pool.is_root()) {
      EXPECT_EQ(out.str(), want);
      EXPECT_EQ(got, items);
    } else {
      EXPECT_EQ(out.str(), "") << "only rank 0 prints";
    }
  }
}

TEST(Output, GoesToStdCoutByDefault) {
  mpimap::Pool pool;
  const std::int64_t n = 23;
  for (auto s : kSchedules) {
    SCOPED_TRACE(std::string(mpimap::to_string(s)));
    std::string text;
    {
      CoutCapture cout_capture;
      try {
        pool.for_each([](std::int64_t i) { say(i, std::cout); }, iota(n),
                      {.schedule = s, .chunksize = 2});
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      text = cout_capture.text();
    }
    EXPECT_EQ(text, pool.is_root() ? serial_output(n) : "");
  }
}

TEST(Output, PrintNumberLikeTheSeed) {
  mpimap::Pool pool;
  for (auto s : kSchedules) {
    std::ostringstream out;
    try {
      pool.for_each([](int x) { std::cout << "Number: " << x << '\n'; },
                    std::vector<int>{1, 2, 3, 4}, {.schedule = s, .output = &out});
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    EXPECT_EQ(out.str(), pool.is_root() ? "Number: 1\nNumber: 2\nNumber: 3\nNumber: 4\n" : "");
  }
}

/// A line "[rank R@H] <item> <word> on R'@H'", split up.
struct TaggedLine {
  std::string tag_where, item, word, text_where;
};

std::optional<TaggedLine> parse_tagged(const std::string& line) {
  const std::string open = "[rank ";
  const auto close = line.find("] ");
  if (line.rfind(open, 0) != 0 || close == std::string::npos) return std::nullopt;
  TaggedLine t;
  t.tag_where = line.substr(open.size(), close - open.size());
  std::istringstream rest(line.substr(close + 2));
  std::string on, extra;
  if (!(rest >> t.item >> t.word >> on >> t.text_where) || on != "on" || (rest >> extra))
    return std::nullopt;
  if (t.item.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  if (t.tag_where.find('@') == std::string::npos) return std::nullopt;
  return t;
}

TEST(Output, TagPrefixesEveryLineWithTheRankThatRanIt) {
  mpimap::Pool pool;
  const std::int64_t n = 37;
  for (const auto& base : option_sweep()) {
    SCOPED_TRACE(describe(base));
    std::ostringstream out;
    MapOptions o = base;
    o.output = &out;
    o.tag_output = true;
    const std::string me = std::to_string(pool.rank()) + "@" + pool.host();
    try {
      pool.for_each(
          [&](std::int64_t i) {
            busy(n - i);
            std::cout << i << " first on " << me << '\n';
            if (i % 3 == 0) std::cout << i << " second on " << me << '\n';
          },
          iota(n), o);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    if (!pool.is_root()) {
      EXPECT_EQ(out.str(), "");
      continue;
    }
    // Every line is tagged with the rank that printed it, in item order.
    std::istringstream lines(out.str());
    std::string line;
    std::vector<std::string> seen, want;
    for (std::int64_t i = 0; i < n; ++i) {
      want.push_back(std::to_string(i) + " first");
      if (i % 3 == 0) want.push_back(std::to_string(i) + " second");
    }
    while (std::getline(lines, line)) {
      const auto tagged = parse_tagged(line);
      if (!tagged) {
        ADD_FAILURE() << "badly tagged line: " << line;
        continue;
      }
      EXPECT_EQ(tagged->tag_where, tagged->text_where) << line;
      const int rank = std::stoi(tagged->tag_where);
      const auto item = static_cast<std::size_t>(std::stoll(tagged->item));
      EXPECT_LT(rank, pool.size());
      if (o.schedule == Schedule::Static) {
        EXPECT_LE(mpimap::detail::block_begin(n, pool.size(), rank), item) << line;
        EXPECT_LT(item, mpimap::detail::block_begin(n, pool.size(), rank + 1)) << line;
      } else if (!o.root_computes && pool.size() > 1) {
        EXPECT_NE(rank, 0) << line;
      }
      seen.push_back(tagged->item + " " + tagged->word);
    }
    EXPECT_EQ(seen, want);
    EXPECT_EQ(out.str().back(), '\n');
  }
}

TEST(Output, TagCoversEmptyAndUnterminatedLines) {
  // One item: under Static it runs on rank 0.
  mpimap::Pool pool;
  std::ostringstream out;
  try {
    pool.for_each([](int) { std::cout << "a\n\nb"; }, std::vector<int>{0},
                  {.schedule = Schedule::Static, .tag_output = true, .output = &out});
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  const std::string tag = "[rank 0@" + pool.host() + "] ";
  EXPECT_EQ(out.str(), pool.is_root() ? tag + "a\n" + tag + "\n" + tag + "b" : "");
}

TEST(Output, NotCapturedWhenCaptureIsOff) {
  // Tasks then print straight to their own rank's std::cout.
  mpimap::Pool pool;
  const std::int64_t n = 31;
  for (auto s : kSchedules) {
    SCOPED_TRACE(std::string(mpimap::to_string(s)));
    std::ostringstream out;
    std::string mine;
    {
      CoutCapture cout_capture;
      try {
        pool.for_each([](std::int64_t i) { std::cout << i << '\n'; }, iota(n),
                      {.schedule = s, .chunksize = 3, .capture_output = false, .output = &out});
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      mine = cout_capture.text();
    }
    EXPECT_EQ(out.str(), "");
    int lines = 0, sum = 0;
    std::istringstream in(mine);
    for (std::string line; std::getline(in, line); ++lines) sum += std::stoi(line);
    EXPECT_EQ(sum_over_ranks(lines), n);
    EXPECT_EQ(sum_over_ranks(sum), n * (n - 1) / 2);
  }
}

TEST(Output, BeforeAFailureArrivesInOrderWithTheFailingTasksPartialOutput) {
  mpimap::Pool pool;
  const std::int64_t n = 40;
  for (const auto& base : option_sweep())
    for (std::int64_t bad : {0, 9, 26, 39}) {
      SCOPED_TRACE(describe(base) + " failing item " + std::to_string(bad));
      std::ostringstream out;
      MapOptions o = base;
      o.output = &out;
      bool threw = false;
      try {
        pool.map(
            [&](std::int64_t i) {
              busy(n - i);
              say(i, std::cout);
              if (i == bad) {
                std::cout << "partial " << i;
                throw std::runtime_error("fails");
              }
              return i;
            },
            iota(n), o);
      } catch (const mpimap::TaskError& e) {
        threw = true;
        EXPECT_EQ(e.index(), static_cast<std::size_t>(bad));
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      EXPECT_TRUE(threw) << "every rank throws the TaskError";
      if (!pool.is_root()) {
        EXPECT_EQ(out.str(), "");
        continue;
      }
      std::ostringstream want;
      for (std::int64_t i = 0; i <= bad; ++i) say(i, want);
      want << "partial " << bad;
      EXPECT_EQ(out.str(), want.str());
    }
}

TEST(Output, LargeBlocksStayWhole) {
  mpimap::Pool pool;
  const std::int64_t n = 9;
  auto block = [](std::int64_t i) {
    std::string s;
    for (int line = 0; line < 3000; ++line)
      s += "item " + std::to_string(i) + " line " + std::to_string(line) +
           " ................................\n";
    return s;
  };
  std::string want;
  for (std::int64_t i = 0; i < n; ++i) want += block(i);
  for (auto s : kSchedules) {
    SCOPED_TRACE(std::string(mpimap::to_string(s)));
    std::ostringstream out;
    try {
      pool.for_each([&](std::int64_t i) { std::cout << block(i); }, iota(n),
                    {.schedule = s, .chunksize = 1, .output = &out});
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    if (pool.is_root()) {
      EXPECT_TRUE(out.str() == want)
          << "large output differs (" << out.str().size() << " bytes, want " << want.size() << ")";
    } else {
      EXPECT_EQ(out.str(), "");
    }
  }
}

}  // namespace
