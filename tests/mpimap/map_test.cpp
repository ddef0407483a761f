// Pool::map, starmap and for_each against a serial oracle (std::transform /
// a plain loop), over every schedule, many chunk sizes, with and without rank
// 0 computing, on item types that take the fast path (int64_t, double, a
// trivially copyable struct) and the archive path (std::string, a struct with
// serialize()). Every rank makes the same calls; results are checked on rank 0
// and must be empty elsewhere.

#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <ostream>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "mpimap/detail/wire.hpp"
#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::Schedule;

constexpr Schedule kSchedules[] = {Schedule::Static, Schedule::Dynamic, Schedule::Guided};

// --- Item types -------------------------------------------------------------

/// Goes through Boost.Serialization (not trivially copyable).
struct Person {
  std::string name;
  std::vector<std::int32_t> scores;
  std::int64_t id = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& name& scores& id;
  }
  std::int64_t score_sum() const {
    return std::accumulate(scores.begin(), scores.end(), std::int64_t{0});
  }
  bool operator==(const Person&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const Person& p) {
    os << "Person{" << p.name << ", [";
    for (auto s : p.scores) os << s << ' ';
    return os << "], " << p.id << '}';
  }
};

/// Sent as raw bytes (trivially copyable, with padding inside).
struct Point {
  std::int32_t x = 0;
  double y = 0;
  char tag = 0;
  bool operator==(const Point&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const Point& p) {
    return os << "Point{" << p.x << ", " << p.y << ", " << int(p.tag) << '}';
  }
};

static_assert(mpimap::is_fast_v<std::int64_t>);
static_assert(mpimap::is_fast_v<double>);
static_assert(mpimap::is_fast_v<Point>);
static_assert(!mpimap::is_fast_v<std::string>);
static_assert(!mpimap::is_fast_v<Person>);

std::string random_string(std::mt19937_64& rng, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<int> byte(0, 255);  // NULs and newlines too
  std::string s(len(rng), '\0');
  for (auto& c : s) c = static_cast<char>(byte(rng));
  return s;
}

/// For each item type: a random generator and the function to map.
template <class T>
struct Case;

template <>
struct Case<std::int64_t> {
  static std::int64_t make(std::mt19937_64& rng) {
    return std::uniform_int_distribution<std::int64_t>(-1'000'000'000'000, 1'000'000'000'000)(rng);
  }
  static std::int64_t f(const std::int64_t& x) { return 3 * x - 7; }
};

template <>
struct Case<double> {
  static double make(std::mt19937_64& rng) {
    return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
  }
  static double f(const double& x) { return x * x * 0.5 - x; }
};

template <>
struct Case<std::string> {
  static std::string make(std::mt19937_64& rng) { return random_string(rng, 24); }
  static std::string f(const std::string& s) {
    return std::string(s.rbegin(), s.rend()) + "#" + std::to_string(s.size());
  }
};

template <>
struct Case<Person> {
  static Person make(std::mt19937_64& rng) {
    Person p{
        .name = random_string(rng, 12), .scores = {}, .id = static_cast<std::int64_t>(rng() >> 2)};
    p.scores.resize(rng() % 6);
    for (auto& s : p.scores) s = static_cast<std::int32_t>(rng() % 1000) - 500;
    return p;
  }
  static Person f(const Person& p) {
    Person q = p;
    q.name += "!";
    q.scores.push_back(static_cast<std::int32_t>(p.score_sum()));
    q.id = -p.id;
    return q;
  }
};

template <>
struct Case<Point> {
  static Point make(std::mt19937_64& rng) {
    return {static_cast<std::int32_t>(rng()), std::uniform_real_distribution<double>(-1, 1)(rng),
            static_cast<char>(rng())};
  }
  static Point f(const Point& p) { return {p.x / 2 + 1, p.y * 3, static_cast<char>(p.tag ^ 0x5a)}; }
};

template <class T>
std::vector<T> random_items(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<T> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(Case<T>::make(rng));
  return v;
}

template <class T, class F>
auto serial_map(const std::vector<T>& items, F f) {
  std::vector<std::invoke_result_t<F&, const T&>> out(items.size());
  std::transform(items.begin(), items.end(), out.begin(), f);
  return out;
}

std::string describe(const MapOptions& o, std::size_t n) {
  std::ostringstream s;
  s << "n=" << n << " schedule=" << mpimap::to_string(o.schedule) << " chunksize=" << o.chunksize
    << " root_computes=" << o.root_computes;
  return s.str();
}

/// Every option set worth trying for n items: Static once (it ignores the
/// rest), Dynamic and Guided with many chunk sizes, with and without rank 0.
std::vector<MapOptions> option_sweep(std::size_t n) {
  std::vector<MapOptions> all{{.schedule = Schedule::Static}};
  for (auto s : {Schedule::Dynamic, Schedule::Guided})
    for (std::size_t cs :
         {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, n + 5})
      for (bool rc : {true, false})
        all.push_back({.schedule = s, .chunksize = cs, .root_computes = rc});
  return all;
}

using mpimap_test::sum_over_ranks;

/// pool.map that never lets an exception leave the test on one rank only
/// (which would leave the others waiting in the next collective).
template <class F, class T>
auto map_or_fail(mpimap::Pool& pool, F&& f, const std::vector<T>& items, const MapOptions& o = {}) {
  using R = std::invoke_result_t<F&, const T&>;
  try {
    return pool.map(std::forward<F>(f), items, o);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "map threw on rank " << pool.rank() << ": " << e.what();
    return std::vector<R>{};
  }
}

/// Results on rank 0 equal the oracle; elsewhere they are empty.
template <class R>
void expect_results(const mpimap::Pool& pool, const std::vector<R>& got,
                    const std::vector<R>& want) {
  if (pool.is_root()) {
    EXPECT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want) << "results differ from the serial oracle";
    for (std::size_t i = 0, shown = 0; i < std::min(got.size(), want.size()) && shown < 3; ++i)
      if (!(got[i] == want[i])) {
        EXPECT_EQ(got[i], want[i]) << "at index " << i;
        ++shown;
      }
  } else {
    EXPECT_TRUE(got.empty()) << "rank " << pool.rank() << " got " << got.size() << " results";
  }
}

// --- The sweep --------------------------------------------------------------

template <class T>
class MapSweep : public testing::Test {};
using ItemTypes = testing::Types<std::int64_t, double, std::string, Person, Point>;
TYPED_TEST_SUITE(MapSweep, ItemTypes);

TYPED_TEST(MapSweep, MatchesSerialTransformForEveryScheduleAndChunksize) {
  using T = TypeParam;
  mpimap::Pool pool;
  std::uint64_t seed = 1234;
  for (std::size_t n : {0, 1, 2, 3, 5, 33, 100}) {
    const auto items = random_items<T>(n, seed++);
    const auto want = serial_map(items, Case<T>::f);
    for (const auto& o : option_sweep(n)) {
      SCOPED_TRACE(describe(o, n));
      std::int64_t calls = 0;
      const auto got = map_or_fail(
          pool, [&calls](const T& x) { return ++calls, Case<T>::f(x); }, items, o);
      expect_results(pool, got, want);
      // Every item ran exactly once, somewhere.
      EXPECT_EQ(sum_over_ranks(calls), static_cast<std::int64_t>(n));
    }
  }
}

// --- Edge cases ------------------------------------------------------------

TEST(Map, MoreRanksThanItems) {
  mpimap::Pool pool;
  for (std::size_t n : {1, 2}) {
    const auto items = random_items<std::int64_t>(n, 7);
    const auto strings = random_items<std::string>(n, 8);
    for (const auto& o : option_sweep(n)) {
      SCOPED_TRACE(describe(o, n));
      expect_results(pool, map_or_fail(pool, Case<std::int64_t>::f, items, o),
                     serial_map(items, Case<std::int64_t>::f));
      expect_results(pool, map_or_fail(pool, Case<std::string>::f, strings, o),
                     serial_map(strings, Case<std::string>::f));
    }
  }
}

TEST(Map, EmptyInputGivesEmptyResultsEverywhere) {
  mpimap::Pool pool;
  for (const auto& o : option_sweep(0)) {
    SCOPED_TRACE(describe(o, 0));
    std::int64_t calls = 0;
    const auto a = map_or_fail(
        pool, [&](const std::int64_t& x) { return ++calls, x; }, std::vector<std::int64_t>{}, o);
    const auto b = map_or_fail(
        pool, [&](const Person& p) { return ++calls, p; }, std::vector<Person>{}, o);
    EXPECT_TRUE(a.empty());
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(calls, 0);
  }
}

TEST(Map, InputOnNonRootRanksIsIgnored) {
  // Inputs matter on rank 0 only: other ranks pass a different vector.
  mpimap::Pool pool;
  const auto items = random_items<std::int64_t>(41, 99);
  const auto strings = random_items<std::string>(41, 98);
  const std::vector<std::int64_t> junk = pool.is_root() ? items : std::vector<std::int64_t>(3, -1);
  const std::vector<std::string> junk_s =
      pool.is_root() ? strings : std::vector<std::string>(pool.rank(), "junk");
  for (auto s : kSchedules) {
    SCOPED_TRACE(std::string(mpimap::to_string(s)));
    const MapOptions o{.schedule = s, .chunksize = 4};
    expect_results(pool, map_or_fail(pool, Case<std::int64_t>::f, junk, o),
                   serial_map(items, Case<std::int64_t>::f));
    expect_results(pool, map_or_fail(pool, Case<std::string>::f, junk_s, o),
                   serial_map(strings, Case<std::string>::f));
  }
}

TEST(Map, ResultTypeDiffersFromItemType) {
  mpimap::Pool pool;
  const auto ints = random_items<std::int64_t>(57, 11);
  const auto strings = random_items<std::string>(57, 12);
  const auto people = random_items<Person>(57, 13);
  const auto points = random_items<Point>(57, 14);
  auto to_string = [](const std::int64_t& x) { return std::to_string(x); };
  auto length = [](const std::string& s) { return s.size(); };
  auto person_to_point = [](const Person& p) {
    return Point{static_cast<std::int32_t>(p.scores.size()), static_cast<double>(p.score_sum()),
                 p.name.empty() ? '\0' : p.name[0]};
  };
  auto point_to_person = [](const Point& p) {
    return Person{.name = std::string(1, p.tag),
                  .scores = {p.x, p.x + 1},
                  .id = static_cast<std::int64_t>(p.y * 1000)};
  };
  for (auto s : kSchedules)
    for (std::size_t cs : {0, 1, 5}) {
      const MapOptions o{.schedule = s, .chunksize = cs};
      SCOPED_TRACE(describe(o, 57));
      expect_results(pool, map_or_fail(pool, to_string, ints, o), serial_map(ints, to_string));
      expect_results(pool, map_or_fail(pool, length, strings, o), serial_map(strings, length));
      expect_results(pool, map_or_fail(pool, person_to_point, people, o),
                     serial_map(people, person_to_point));
      expect_results(pool, map_or_fail(pool, point_to_person, points, o),
                     serial_map(points, point_to_person));
    }
}

TEST(Map, ResultsLandInItemOrderWhenTasksTakeUnevenTime) {
  // Early items are the slow ones, so later chunks finish first.
  mpimap::Pool pool;
  std::vector<std::int64_t> items(24);
  std::iota(items.begin(), items.end(), 0);
  auto slow_early = [](const std::int64_t& i) {
    volatile std::int64_t acc = 0;
    for (std::int64_t k = 0; k < (24 - i) * 20'000; ++k) acc = acc + k % 7;
    return i * 10 + acc % 1;
  };
  for (auto s : kSchedules)
    for (bool rc : {true, false}) {
      const MapOptions o{.schedule = s, .chunksize = 1, .root_computes = rc};
      SCOPED_TRACE(describe(o, items.size()));
      expect_results(pool, map_or_fail(pool, slow_early, items, o), serial_map(items, slow_early));
    }
}

// --- Other entry points -----------------------------------------------------

std::string repeat(int n, const std::string& s) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Starmap, UnpacksTuplesLikeStdApply) {
  mpimap::Pool pool;
  std::mt19937_64 rng(21);
  std::vector<std::tuple<int, std::string>> items;
  for (int i = 0; i < 45; ++i)
    items.emplace_back(static_cast<int>(rng() % 5), random_string(rng, 6));
  std::vector<std::string> want;
  for (const auto& t : items) want.push_back(std::apply(repeat, t));

  std::vector<std::tuple<std::int64_t, double, std::string>> triples;
  for (int i = 0; i < 30; ++i)
    triples.emplace_back(static_cast<std::int64_t>(rng() % 100), 0.25 * i, std::to_string(i));
  auto combine = [](std::int64_t a, double b, const std::string& c) {
    return static_cast<double>(a) + b + c.size();
  };
  std::vector<double> want3;
  for (const auto& t : triples) want3.push_back(std::apply(combine, t));

  for (auto s : kSchedules)
    for (std::size_t cs : {0, 1, 4}) {
      const MapOptions o{.schedule = s, .chunksize = cs};
      SCOPED_TRACE(describe(o, items.size()));
      std::vector<std::string> got;
      std::vector<double> got3;
      try {
        got = pool.starmap(repeat, items, o);
        got3 = pool.starmap(combine, triples, o);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      expect_results(pool, got, want);
      expect_results(pool, got3, want3);
    }
}

TEST(ForEach, RunsAVoidFunctionOnceForEveryItem) {
  mpimap::Pool pool;
  const auto items = random_items<std::int64_t>(77, 31);
  std::int64_t want_sum = 0;
  for (auto x : items) want_sum += x % 1000;
  for (const auto& o : option_sweep(items.size())) {
    SCOPED_TRACE(describe(o, items.size()));
    std::int64_t calls = 0, sum = 0;
    try {
      pool.for_each([&](const std::int64_t& x) { ++calls, sum += x % 1000; }, items, o);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    EXPECT_EQ(sum_over_ranks(calls), static_cast<std::int64_t>(items.size()));
    EXPECT_EQ(sum_over_ranks(sum), want_sum);
  }
}

std::int64_t negate(std::int64_t x) { return -x; }

TEST(Map, AcceptsAnyCallable) {
  mpimap::Pool pool;
  const auto items = random_items<std::int64_t>(20, 41);
  const auto people = random_items<Person>(20, 42);
  const auto want = serial_map(items, negate);
  for (auto s : kSchedules) {
    SCOPED_TRACE(std::string(mpimap::to_string(s)));
    const MapOptions o{.schedule = s, .chunksize = 3};
    expect_results(pool, map_or_fail(pool, negate, items, o), want);
    expect_results(pool, map_or_fail(pool, &negate, items, o), want);
    expect_results(
        pool, map_or_fail(pool, std::function<std::int64_t(std::int64_t)>(negate), items, o), want);
    expect_results(pool, map_or_fail(pool, &Person::score_sum, people, o),
                   serial_map(people, std::mem_fn(&Person::score_sum)));
    // A span over part of a vector, and a braced list.
    std::vector<std::int64_t> got;
    try {
      got = pool.map(negate, std::span<const std::int64_t>(items).subspan(5, 10), o);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    expect_results(pool, got, std::vector<std::int64_t>(want.begin() + 5, want.begin() + 15));
    std::vector<int> squares;
    try {
      squares = pool.map([](int x) { return x * x; }, {1, 2, 3, 4, 5}, o);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    expect_results(pool, squares, std::vector<int>{1, 4, 9, 16, 25});
  }
}

TEST(Map, BoolResults) {
  // std::vector<bool> has no data(): the pool must still return bools.
  mpimap::Pool pool;
  const auto items = random_items<std::int64_t>(50, 51);
  auto is_even = [](const std::int64_t& x) { return x % 2 == 0; };
  for (auto s : kSchedules) {
    const MapOptions o{.schedule = s, .chunksize = 3};
    SCOPED_TRACE(describe(o, items.size()));
    expect_results(pool, map_or_fail(pool, is_even, items, o), serial_map(items, is_even));
  }
}

TEST(Map, SeveralPoolsAndManyCallsInSequence) {
  mpimap::Pool a, b;
  const auto items = random_items<std::int64_t>(30, 61);
  const auto want = serial_map(items, Case<std::int64_t>::f);
  for (int round = 0; round < 5; ++round)
    for (auto s : kSchedules) {
      const MapOptions o{.schedule = s, .chunksize = 2};
      SCOPED_TRACE(describe(o, items.size()));
      expect_results(a, map_or_fail(a, Case<std::int64_t>::f, items, o), want);
      expect_results(b, map_or_fail(b, Case<std::int64_t>::f, items, o), want);
    }
}

// --- Size ---------------------------------------------------------------------

TEST(Map, LargeInputManyChunks) {
  mpimap::Pool pool;
  const auto items = random_items<std::int64_t>(200'000, 71);
  const auto want = serial_map(items, Case<std::int64_t>::f);
  const auto points = random_items<Point>(100'000, 72);
  const auto want_points = serial_map(points, Case<Point>::f);
  const auto strings = random_items<std::string>(20'000, 73);
  const auto want_strings = serial_map(strings, Case<std::string>::f);
  for (const MapOptions& o :
       {MapOptions{.schedule = Schedule::Static}, MapOptions{.schedule = Schedule::Dynamic},
        MapOptions{.schedule = Schedule::Dynamic, .chunksize = 97, .root_computes = false},
        MapOptions{.schedule = Schedule::Guided, .chunksize = 1},
        MapOptions{.schedule = Schedule::Guided, .chunksize = 50, .root_computes = false}}) {
    SCOPED_TRACE(describe(o, items.size()));
    expect_results(pool, map_or_fail(pool, Case<std::int64_t>::f, items, o), want);
    expect_results(pool, map_or_fail(pool, Case<Point>::f, points, o), want_points);
    expect_results(pool, map_or_fail(pool, Case<std::string>::f, strings, o), want_strings);
  }
}

TEST(Map, ResultsAreRightAtAndAroundTheValuesApartThreshold) {
  // At and around kValuesApartBytes (16 KiB: 2048 int64), chunks go inline or
  // apart from their messages; results are the same either way, for map and
  // for imap's ordered delivery.
  mpimap::Pool pool;
  const auto items = random_items<std::int64_t>(60'000, 74);
  const auto want = serial_map(items, Case<std::int64_t>::f);
  for (std::size_t cs : {2047, 2048, 2049, 30'000})
    for (const bool root : {true, false}) {
      const MapOptions o{.schedule = Schedule::Dynamic, .chunksize = cs, .root_computes = root};
      SCOPED_TRACE(describe(o, items.size()));
      expect_results(pool, map_or_fail(pool, Case<std::int64_t>::f, items, o), want);
      std::vector<std::int64_t> streamed;
      pool.imap(
          Case<std::int64_t>::f, items, [&](std::int64_t v) { streamed.push_back(v); }, o);
      expect_results(pool, streamed, want);
    }
}

TEST(Map, BigItemsMakeLargeMessages) {
  mpimap::Pool pool;
  std::mt19937_64 rng(81);
  std::vector<std::string> items;
  for (int i = 0; i < 7; ++i) {
    std::string s((1 << 20) + i, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    items.push_back(std::move(s));
  }
  auto f = [](const std::string& s) {
    std::string r(s.rbegin(), s.rend());
    r.push_back('!');
    return r;
  };
  auto checksum = [](const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
  };
  // Big results from small items, and big items with small results.
  std::vector<std::int64_t> sizes{1 << 20, 3, 2 << 20, 5, (1 << 20) + 7};
  auto make_big = [](const std::int64_t& n) { return std::vector<std::int64_t>(n / 8, n); };
  const auto want_f = serial_map(items, f);
  const auto want_checksum = serial_map(items, checksum);
  const auto want_big = serial_map(sizes, make_big);
  for (auto s : kSchedules)
    for (std::size_t cs : {0, 1, 3}) {
      const MapOptions o{.schedule = s, .chunksize = cs};
      SCOPED_TRACE(describe(o, items.size()));
      expect_results(pool, map_or_fail(pool, f, items, o), want_f);
      expect_results(pool, map_or_fail(pool, checksum, items, o), want_checksum);
      expect_results(pool, map_or_fail(pool, make_big, sizes, o), want_big);
    }
}

}  // namespace

namespace {

TEST(MapInto, WritesIntoTheCallersBufferForEverySchedule) {
  mpimap::Pool pool;
  for (auto schedule :
       {mpimap::Schedule::Static, mpimap::Schedule::Dynamic, mpimap::Schedule::Guided})
    for (std::size_t n : {0u, 1u, 3u, 1000u})
      for (std::size_t limit : {std::size_t{1} << 30, std::size_t{24}}) {  // 24 bytes: many pieces
        std::vector<std::int64_t> items(n);
        for (std::size_t i = 0; i < n; ++i) items[i] = static_cast<std::int64_t>(i) * 7 - 300;
        std::vector<std::int64_t> out(pool.is_root() ? n : 0, -1);
        pool.map_into([](std::int64_t x) { return x * x; }, std::span<const std::int64_t>(items),
                      std::span<std::int64_t>(out), {.schedule = schedule, .message_limit = limit});
        if (pool.is_root()) {
          for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(out[i], items[i] * items[i]) << i;
        }
      }
}

TEST(MapInto, WrongSizeThrowsOnEveryRankAndNothingHangs) {
  mpimap::Pool pool;
  std::vector<std::int64_t> items{1, 2, 3};
  std::vector<std::int64_t> out(2);
  EXPECT_THROW(pool.map_into([](std::int64_t x) { return x; }, std::span<const std::int64_t>(items),
                             std::span<std::int64_t>(out)),
               std::invalid_argument);
}

TEST(MessageLimit, StaticMapSplitsBlocksIntoPiecesForEveryType) {
  mpimap::Pool pool;
  std::vector<std::string> words;
  for (int i = 0; i < 300; ++i)
    words.push_back(std::string(static_cast<std::size_t>(i % 17), 'a' + i % 26));
  for (std::size_t limit : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 30}) {
    const auto lengths =
        pool.map([](const std::string& w) { return std::to_string(w.size()); }, words,
                 {.schedule = mpimap::Schedule::Static, .message_limit = limit});
    if (pool.is_root()) {
      ASSERT_EQ(lengths.size(), words.size());
      for (std::size_t i = 0; i < words.size(); ++i)
        EXPECT_EQ(lengths[i], std::to_string(words[i].size()));
    }
  }
}

}  // namespace
