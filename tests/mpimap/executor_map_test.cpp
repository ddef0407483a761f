// mpimap::Executor's blocking calls: map, apply, starmap, against serial
// loops; a throwing task, a throwing body, OnError::Collect, output, and a
// task registered too late.

#include <gtest/gtest.h>

#include <numeric>
#include <ranges>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "executor_tasks.hpp"

namespace {

using namespace executor_test;

std::vector<long> numbers(long n) {
  std::vector<long> xs(static_cast<std::size_t>(n));
  std::iota(xs.begin(), xs.end(), -n / 3);
  return xs;
}

TEST(ExecutorMap, MatchesSerialLoop) {
  mpimap::Executor ex;
  ex.run([&] {
    for (long n : {0L, 1L, 5L, 3001L, 40001L}) {  // 40001: chunks large enough to travel apart
      const auto xs = numbers(n);
      std::vector<long> want;
      for (long x : xs) want.push_back(x * x);
      EXPECT_EQ(ex.map(square, xs), want) << n << " items";
      EXPECT_EQ(ex.map(square, xs, {.chunksize = 7}), want) << n << " items, chunksize 7";
      EXPECT_EQ(ex.map(square, xs, {.root_computes = false}), want) << n << " items";
    }
    // A lazy range of another type, converted item by item.
    std::vector<long> want;
    for (int i = 0; i < 100; ++i) want.push_back(static_cast<long>(i) * 2 * i * 2);
    EXPECT_EQ(ex.map(square,
                     std::views::iota(0, 100) | std::views::transform([](int i) { return i * 2; })),
              want);
    EXPECT_EQ(ex.map(square, {1L, 2L, 3L, 4L, 5L}), (std::vector<long>{1, 4, 9, 16, 25}));
  });
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorMap, TypesThatTravelDifferently) {
  mpimap::Executor ex;
  ex.run([&] {
    EXPECT_EQ(ex.map(is_even, std::vector<long>{1, 2, 3, 4}),
              (std::vector<bool>{false, true, false, true}));
    std::vector<std::string> words{"", "a", "mpimap", std::string(1000, 'x')};
    EXPECT_EQ(ex.map(length, words), (std::vector<long>{0, 1, 6, 1000}));
  });
}

TEST(ExecutorMap, ApplyReturnsTheValue) {
  mpimap::Executor ex;
  ex.run([&] {
    EXPECT_EQ(ex.apply(square, 12L), 144);
    EXPECT_EQ(ex.apply(add, 40L, 2L), 42);
    EXPECT_EQ(ex.apply(answer), 42);
    EXPECT_EQ(ex.apply(length, std::string("four")), 4);
    EXPECT_TRUE(ex.apply(is_even, 10L));
    EXPECT_EQ(square(9), 81);  // a handle also runs here, like the function
  });
}

TEST(ExecutorMap, StarmapOverPairsTuplesAndZip) {
  mpimap::Executor ex;
  ex.run([&] {
    std::vector<std::pair<long, long>> pairs;
    std::vector<std::tuple<long, long>> tuples;
    std::vector<long> a, b, want;
    for (long i = 0; i < 500; ++i) {
      pairs.emplace_back(i, 3 * i);
      tuples.emplace_back(i, -i);
      a.push_back(i);
      b.push_back(i * i);
      want.push_back(4 * i);
    }
    EXPECT_EQ(ex.starmap(add, pairs), want);
    EXPECT_EQ(ex.starmap(add, tuples), std::vector<long>(500, 0));
#ifdef __cpp_lib_ranges_zip  // C++23
    std::vector<long> zipped;
    for (long i = 0; i < 500; ++i) zipped.push_back(i + i * i);
    EXPECT_EQ(ex.starmap(add, std::views::zip(a, b)), zipped);
#endif
    EXPECT_EQ(ex.starmap_async(add, pairs).get(), want);
  });
}

TEST(ExecutorMap, FailingTaskNamesItsItemAndTheExecutorGoesOn) {
  mpimap::Executor ex;
  ex.run([&] {
    const auto xs = numbers(300);  // -100 .. 199: the first multiple of 7 is -98, item 2
    for (std::size_t chunksize : {0, 1, 50}) {
      try {
        ex.map(fails_on_sevens, xs, {.chunksize = chunksize});
        ADD_FAILURE() << "no TaskError";
      } catch (const mpimap::TaskError& e) {
        EXPECT_EQ(e.index(), 2u);
        EXPECT_EQ(e.message(), "bad item -98 on rank " + std::to_string(e.rank()));
        EXPECT_EQ(e.exception_type(), "std::runtime_error");
        EXPECT_NE(std::string(e.what()).find(": std::runtime_error: bad item -98"),
                  std::string::npos)
            << e.what();
        EXPECT_GE(e.rank(), 0);
        EXPECT_LT(e.rank(), ex.size());
        EXPECT_FALSE(e.host().empty());
      }
    }
    try {
      ex.apply(fails_on_sevens, 14L);
      ADD_FAILURE() << "no TaskError";
    } catch (const mpimap::TaskError& e) {
      EXPECT_EQ(e.message(), "bad item 14 on rank " + std::to_string(e.rank()));
      EXPECT_EQ(e.exception_type(), "std::runtime_error");
    }
    EXPECT_EQ(ex.map(square, xs).size(), xs.size());  // still usable
  });
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorMap, CollectListsEveryFailure) {
  mpimap::Executor ex;
  ex.run([&] {
    const auto xs = numbers(100);  // -33 .. 66
    const auto got = ex.map(fails_on_sevens, xs, {.on_error = mpimap::OnError::Collect});
    std::vector<std::size_t> failed;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const bool bad = xs[i] != 0 && xs[i] % 7 == 0;
      if (bad) failed.push_back(i);
      EXPECT_EQ(got[i], bad ? 0 : xs[i] * xs[i]) << i;
    }
    std::vector<std::size_t> reported;
    for (const auto& e : ex.failures()) {
      reported.push_back(e.index());
      EXPECT_EQ(e.exception_type(), "std::runtime_error");
    }
    EXPECT_EQ(reported, failed);
  });
}

TEST(ExecutorMap, ThrowingBodyReleasesTheWorkers) {
  mpimap::Executor ex;
  bool thrown = false;
  try {
    ex.run([&] {
      auto pending = ex.map_async(square, numbers(10000));  // still in flight
      throw std::runtime_error("the body gives up");
    });
  } catch (const std::runtime_error& e) {
    thrown = true;
    EXPECT_STREQ(e.what(), "the body gives up");
  }
  EXPECT_EQ(thrown, ex.is_root());
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorMap, ThrowOutOfAnIsRootBlockReleasesTheWorkers) {
  try {
    mpimap::Executor ex;
    if (ex.is_root()) {
      auto f = ex.submit(square, 3L);
      throw std::runtime_error("out");
    }
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorMap, OutputComesInCallOrder) {
  mpimap::Executor ex;
  ex.run([&] {
    std::ostringstream out;
    ex.map(print_number, {1, 2, 3, 4}, {.output = &out});
    EXPECT_EQ(out.str(), "Number: 1\nNumber: 2\nNumber: 3\nNumber: 4\n");
  });
}

/// A result whose serialize throws for negative values: travelling back from
/// a worker fails (the map then fails at that item); on rank 0 it does not
/// travel.
struct Fragile {
  long v = 0;
  std::string note;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    if constexpr (Archive::is_saving::value)
      if (v < 0) throw std::runtime_error("cannot save");
    ar& v& note;
  }
};
inline const auto fragile = mpimap::task<"test.fragile">(+[](long x) { return Fragile{x, "x"}; });

TEST(ExecutorMap, ResultThatCannotTravelFailsItsItem) {
  mpimap::Executor ex;
  ex.run([&] {
    const std::vector<long> xs{1, -1, 2};
    if (ex.size() == 1) {
      EXPECT_EQ(ex.map(fragile, xs)[1].v, -1);  // nothing travels
      return;
    }
    try {
      ex.map(fragile, xs, {.chunksize = 1, .root_computes = false});
      ADD_FAILURE() << "no TaskError";
    } catch (const mpimap::TaskError& e) {
      EXPECT_EQ(e.index(), 1u);
      EXPECT_EQ(e.message(), "mpimap: sending the results threw: cannot save");
    }
    EXPECT_EQ(ex.apply(square, 4L), 16);  // the worker goes on serving
  });
  EXPECT_EQ(ranks_here(), world_size());
}

/// Registered on first use: inside the body, on rank 0 only.
const mpimap::Task<long(long)>& registered_late() {
  static const auto t = mpimap::task<"test.registered_late">(+[](long x) { return x + 1; });
  return t;
}

TEST(ExecutorMap, TaskRegisteredAfterTheStartIsRefused) {
  mpimap::Executor ex;
  ex.run([&] {
    try {
      ex.apply(registered_late(), 1L);
      ADD_FAILURE() << "no error";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("\"test.registered_late\" was registered after"),
                std::string::npos)
          << e.what();
    }
    EXPECT_THROW(ex.map(registered_late(), numbers(3)), std::invalid_argument);
  });
}

TEST(ExecutorMap, CallsOffRankZeroAreRefused) {
  mpimap::Executor ex;
  if (!ex.is_root()) {
    EXPECT_THROW(ex.apply(square, 1L), std::logic_error);
  }
}

}  // namespace
