// A task that throws: rank 0's map throws mpimap::TaskError naming the lowest
// failing item, the rank and host it ran on, and the task's own message; the
// other ranks return normally; nothing hangs; the pool works afterwards.
// Tasks put where they ran into their message ("boom 7 on 2@host"), so the
// reported rank and host are checked against the truth.

#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/mpi/collectives/broadcast.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "mpimap/detail/chunking.hpp"
#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::Schedule;

using mpimap_test::describe;
using mpimap_test::kSchedules;

std::vector<MapOptions> option_sweep() { return mpimap_test::option_sweep({0, 1, 3, 7, 100}); }

std::string where(const mpimap::Pool& pool) {
  return std::to_string(pool.rank()) + "@" + pool.host();
}

std::string boom(std::int64_t i, const mpimap::Pool& pool) {
  return "boom " + std::to_string(i) + " on " + where(pool);
}

int count_ranks_that_got_here() {
  int one = 1, all = 0;
  MPI_Allreduce(&one, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return all;
}

int world_size() {
  int n = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

/// What one rank saw of a map call.
struct Seen {
  bool task_error = false;
  bool other_exception = false;
  std::size_t index = 0;
  int rank = -1;
  std::string host, message, what;
  std::size_t results = 0;
};

template <class Call>
Seen observe(Call&& call) {
  Seen s;
  try {
    s.results = call();
  } catch (const mpimap::TaskError& e) {
    s.task_error = true;
    s.index = e.index();
    s.rank = e.rank();
    s.host = e.host();
    s.message = e.message();
    s.what = e.what();
  } catch (...) {
    s.other_exception = true;
  }
  return s;
}

/// Checks a failed map: the same TaskError on every rank, with `index` and
/// a message made by `message_for(index, rank, host)`.
template <class Message>
void expect_failure(const mpimap::Pool& pool, const Seen& s, std::size_t index,
                    Message message_for) {
  EXPECT_FALSE(s.other_exception);
  EXPECT_TRUE(s.task_error) << "rank " << pool.rank() << " did not throw TaskError";
  if (!s.task_error) return;
  EXPECT_EQ(s.index, index);
  EXPECT_GE(s.rank, 0);
  EXPECT_LT(s.rank, pool.size());
  EXPECT_FALSE(s.host.empty());
  EXPECT_EQ(s.message, message_for(s.index, s.rank, s.host));
  EXPECT_EQ(s.what, "task " + std::to_string(s.index) + " failed on rank " +
                        std::to_string(s.rank) + "@" + s.host + ": " + s.message);
  // Every rank names the same rank, host and message as rank 0.
  const std::string mine = std::to_string(s.rank) + "@" + s.host + ": " + s.message;
  std::string root = mine;
  boost::mpi::broadcast(pool.communicator(), root, 0);
  EXPECT_EQ(mine, root);
}

std::string boom_message(std::size_t i, int rank, const std::string& host) {
  return "boom " + std::to_string(i) + " on " + std::to_string(rank) + "@" + host;
}

/// After a failure the same pool still maps correctly.
void expect_pool_still_works(mpimap::Pool& pool, const MapOptions& o) {
  std::vector<std::int64_t> items(29);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<std::int64_t>(i * i);
  std::vector<std::int64_t> got;
  try {
    got = pool.map([](std::int64_t x) { return x + 1; }, items, o);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "map after a failure threw: " << e.what();
  }
  if (pool.is_root()) {
    EXPECT_EQ(got.size(), items.size());
    for (std::size_t i = 0; i < std::min(got.size(), items.size()); ++i)
      EXPECT_EQ(got[i], items[i] + 1);
  } else {
    EXPECT_TRUE(got.empty());
  }
}

TEST(TaskError, ReportsTheFailingItemRankHostAndMessage) {
  mpimap::Pool pool;
  const std::size_t n = 40;
  std::vector<std::int64_t> items(n);
  for (std::size_t i = 0; i < n; ++i) items[i] = static_cast<std::int64_t>(i);
  for (const auto& o : option_sweep())
    for (std::size_t bad : {std::size_t{0}, std::size_t{7}, std::size_t{20}, n - 1}) {
      SCOPED_TRACE(describe(o) + " failing item " + std::to_string(bad));
      const Seen s = observe([&] {
        return pool
            .map(
                [&](std::int64_t i) {
                  if (static_cast<std::size_t>(i) == bad) throw std::runtime_error(boom(i, pool));
                  return i * 2;
                },
                items, o)
            .size();
      });
      expect_failure(pool, s, bad, boom_message);
      if (pool.is_root() && s.task_error) {
        if (o.schedule == Schedule::Static) {
          // The static schedule runs item `bad` on the owner of its block.
          const int p = pool.size();
          int owner = 0;
          while (mpimap::detail::block_begin(n, p, owner + 1) <= bad) ++owner;
          EXPECT_EQ(s.rank, owner);
        } else if (!o.root_computes && pool.size() > 1) {
          EXPECT_NE(s.rank, 0) << "rank 0 ran a task with root_computes=false";
        }
      }
      EXPECT_EQ(count_ranks_that_got_here(), world_size());
      expect_pool_still_works(pool, o);
    }
}

TEST(TaskError, TheLowestFailingIndexIsReported) {
  mpimap::Pool pool;
  const std::size_t n = 60;
  std::vector<std::string> items(n);  // the archive path
  for (std::size_t i = 0; i < n; ++i) items[i] = std::to_string(i);
  const std::vector<std::set<std::size_t>> failing_sets{
      {5, 17, 30}, {59, 3}, {1, 2, 3, 4}, {14, 15, 44, 45, 58}};
  for (const auto& o : option_sweep())
    for (const auto& bad : failing_sets) {
      SCOPED_TRACE(describe(o) + " lowest failing item " + std::to_string(*bad.begin()));
      const Seen s = observe([&] {
        return pool
            .map(
                [&](const std::string& item) {
                  const auto i = std::stoll(item);
                  if (bad.count(static_cast<std::size_t>(i)))
                    throw std::runtime_error(boom(i, pool));
                  return item + "!";
                },
                items, o)
            .size();
      });
      expect_failure(pool, s, *bad.begin(), boom_message);
      EXPECT_EQ(count_ranks_that_got_here(), world_size());
    }
  expect_pool_still_works(pool, {});
}

TEST(TaskError, EveryItemFailing) {
  mpimap::Pool pool;
  std::vector<std::int64_t> items(50);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<std::int64_t>(i);
  for (const auto& o : option_sweep()) {
    SCOPED_TRACE(describe(o));
    const Seen s = observe([&] {
      return pool
          .map([&](std::int64_t i) -> std::int64_t { throw std::runtime_error(boom(i, pool)); },
               items, o)
          .size();
    });
    expect_failure(pool, s, 0, boom_message);
    expect_pool_still_works(pool, o);
  }
}

struct NotAStdException {
  int code;
};

class CustomError : public std::exception {
 public:
  const char* what() const noexcept override { return "custom what()"; }
};

TEST(TaskError, MessagesOfOtherExceptionTypes) {
  mpimap::Pool pool;
  std::vector<std::int64_t> items(12);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<std::int64_t>(i);
  auto fixed = [](const char* text) {
    return [text](std::size_t, int, const std::string&) { return std::string(text); };
  };
  for (auto sched : kSchedules) {
    const MapOptions o{.schedule = sched, .chunksize = 2};
    SCOPED_TRACE(describe(o));
    expect_failure(
        pool, observe([&] {
          return pool.map([](std::int64_t i) { return i == 9 ? throw 42 : i; }, items, o).size();
        }),
        9, fixed("unknown exception"));
    expect_failure(pool, observe([&] {
                     return pool
                         .map(
                             [](std::int64_t i) {
                               return i == 4 ? throw NotAStdException{static_cast<int>(i)} : i;
                             },
                             items, o)
                         .size();
                   }),
                   4, fixed("unknown exception"));
    expect_failure(
        pool, observe([&] {
          return pool.map([](std::int64_t i) { return i == 6 ? throw CustomError() : i; }, items, o)
              .size();
        }),
        6, fixed("custom what()"));
    expect_failure(
        pool, observe([&] {
          return pool
              .map([](std::int64_t i) { return i == 11 ? throw std::out_of_range("") : i; }, items,
                   o)
              .size();
        }),
        11, fixed(""));
    expect_failure(pool, observe([&] {
                     return pool
                         .map(
                             [](std::int64_t i) {
                               return i == 3 ? throw std::logic_error("line one\nline two\n") : i;
                             },
                             items, o)
                         .size();
                   }),
                   3, fixed("line one\nline two\n"));
    EXPECT_EQ(count_ranks_that_got_here(), world_size());
    expect_pool_still_works(pool, o);
  }
}

TEST(TaskError, ForEachAndStarmapReportFailuresToo) {
  mpimap::Pool pool;
  std::vector<std::int64_t> items(25);
  std::vector<std::tuple<int, std::string>> pairs;
  for (int i = 0; i < 25; ++i) items[i] = i, pairs.emplace_back(i, std::to_string(i));
  for (auto sched : kSchedules) {
    const MapOptions o{.schedule = sched, .chunksize = 3};
    SCOPED_TRACE(describe(o));
    expect_failure(pool, observe([&] {
                     pool.for_each(
                         [&](std::int64_t i) {
                           if (i == 13) throw std::runtime_error(boom(i, pool));
                         },
                         items, o);
                     return std::size_t{0};
                   }),
                   13, boom_message);
    expect_failure(pool, observe([&] {
                     return pool
                         .starmap(
                             [&](int i, const std::string& s) {
                               if (i >= 8) throw std::runtime_error(boom(i, pool));
                               return s + s;
                             },
                             pairs, o)
                         .size();
                   }),
                   8, boom_message);
    expect_pool_still_works(pool, o);
  }
}

TEST(TaskError, LargeMessagesInFlightWhenATaskFails) {
  // Workers are busy sending megabyte results when the failure is noticed.
  mpimap::Pool pool;
  std::vector<std::int64_t> items(16);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<std::int64_t>(i);
  for (const auto& o : option_sweep()) {
    if (o.chunksize > 3) continue;
    SCOPED_TRACE(describe(o));
    const Seen s = observe([&] {
      return pool
          .map(
              [&](std::int64_t i) {
                if (i == 5) throw std::runtime_error(boom(i, pool));
                return std::string(1 << 20, static_cast<char>('a' + i));
              },
              items, o)
          .size();
    });
    expect_failure(pool, s, 5, boom_message);
    EXPECT_EQ(count_ranks_that_got_here(), world_size());
  }
  expect_pool_still_works(pool, {.schedule = Schedule::Guided});
}

TEST(TaskError, FailureInsideALargeChunkOfPlainValues) {
  // Chunks of 4096 int64 (32 KiB) move apart from their messages, straight
  // between the buffers (kValuesApartBytes); a failure part-way through one
  // sends back only the values before it, and the pool goes on.
  mpimap::Pool pool;
  std::vector<std::int64_t> items(40'000);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<std::int64_t>(i);
  for (const bool root : {true, false}) {
    const MapOptions o{.schedule = Schedule::Dynamic, .chunksize = 4096, .root_computes = root};
    SCOPED_TRACE(describe(o));
    const Seen s = observe([&] {
      return pool
          .map(
              [&](std::int64_t i) {
                if (i == 30'001) throw std::runtime_error(boom(i, pool));
                return i * 3;
              },
              items, o)
          .size();
    });
    expect_failure(pool, s, 30'001, boom_message);
    expect_pool_still_works(pool, o);
  }
}

/// In a static map of 40 items at 2 to 4 ranks, item 37 is a worker's.
constexpr std::int64_t kTouchy = 37;

/// A value whose serialize throws on the worker ranks, on one value (37)
/// and in one direction: what a user type's bad serialize looks like.
template <bool OnSave>
struct Touchy {
  std::int64_t v = 0;
  std::string note;  // not trivially copyable: sent through an archive
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& v& note;  // saved before the check, loaded after it: both see the value
    if (Archive::is_saving::value == OnSave && v == kTouchy && !on_root())
      throw std::runtime_error(OnSave ? "cannot save 37" : "cannot load 37");
  }
  static bool on_root() {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank == 0;
  }
};

/// An exception from mpimap's own work on a worker (here a type's serialize)
/// once left the other ranks waiting. It fails the map at the chunk's first
/// item instead, with the same TaskError on every rank, naming the step.
/// Whether a worker handles item 37 depends on the schedule, so the map may
/// also succeed; either way every rank leaves, agreeing, and the pool works.
template <class T, class R, class Make, class Get>
void expect_agreement_when_serialize_throws(const std::string& step, Make make, Get get) {
  mpimap::Pool pool;
  std::vector<T> items(40);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = make(static_cast<std::int64_t>(i));
  for (const auto& o : option_sweep()) {
    SCOPED_TRACE(describe(o));
    std::vector<R> got;
    const Seen s = observe([&] {
      got = pool.map([&](const T& x) { return R{get(x), "r"}; }, items, o);
      return got.size();
    });
    EXPECT_FALSE(s.other_exception);
    const int failed_ranks = mpimap_test::sum_over_ranks(s.task_error ? 1 : 0);
    EXPECT_TRUE(failed_ranks == 0 || failed_ranks == pool.size())
        << failed_ranks << " of " << pool.size() << " ranks threw";
    if (s.task_error) {
      EXPECT_LE(s.index, 37u);
      EXPECT_NE(s.rank, 0);
      EXPECT_EQ(s.message.rfind("mpimap: " + step + " threw: ", 0), 0u) << s.message;
      EXPECT_NE(s.message.find(" 37"), std::string::npos) << s.message;
    } else if (pool.is_root()) {
      ASSERT_EQ(got.size(), items.size());
      for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i].v, static_cast<std::int64_t>(i));
    }
    if (o.schedule == Schedule::Static && pool.size() > 1) {
      EXPECT_TRUE(s.task_error) << "item 37 is a worker's in a static map";
    }
    expect_pool_still_works(pool, o);
  }
}

TEST(TaskError, AResultWhoseSerializeThrowsOnAWorkerFailsTheMapOnEveryRank) {
  expect_agreement_when_serialize_throws<std::int64_t, Touchy<true>>(
      "sending the results", [](std::int64_t v) { return v; }, [](std::int64_t x) { return x; });
}

TEST(TaskError, AnItemWhoseSerializeThrowsOnAWorkerFailsTheMapOnEveryRank) {
  expect_agreement_when_serialize_throws<Touchy<false>, Touchy<false>>(
      "receiving the items",
      [](std::int64_t v) {
        return Touchy<false>{v, "i"};
      },
      [](const Touchy<false>& x) { return x.v; });
}

TEST(OnErrorCollect, EveryItemRunsAndTheFailuresAreListedInItemOrder) {
  mpimap::Pool pool;
  const std::size_t n = 50;
  std::vector<std::int64_t> items(n);
  for (std::size_t i = 0; i < n; ++i) items[i] = static_cast<std::int64_t>(i);
  auto fails = [](std::int64_t i) { return i % 7 == 3 || i == 49; };
  for (auto o : option_sweep()) {
    SCOPED_TRACE(describe(o));
    o.on_error = mpimap::OnError::Collect;
    std::ostringstream printed;
    o.output = &printed;
    std::vector<std::int64_t> got;
    const Seen s = observe([&] {
      got = pool.map(
          [&](std::int64_t i) {
            std::cout << "task " << i << '\n';
            if (fails(i)) throw std::runtime_error(boom(i, pool));
            return i * 2;
          },
          items, o);
      return got.size();
    });
    EXPECT_FALSE(s.task_error || s.other_exception) << "a collecting map does not throw";
    if (!pool.is_root()) {
      EXPECT_TRUE(pool.failures().empty());
      continue;
    }
    // Every item ran and printed, in item order; failed ones are R{}.
    std::string want_printed;
    std::vector<std::size_t> want_failed;
    ASSERT_EQ(got.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      want_printed += "task " + std::to_string(i) + "\n";
      const auto x = static_cast<std::int64_t>(i);
      EXPECT_EQ(got[i], fails(x) ? 0 : x * 2) << i;
      if (fails(x)) want_failed.push_back(i);
    }
    EXPECT_EQ(printed.str(), want_printed);
    std::vector<std::size_t> failed;
    for (const auto& e : pool.failures()) {
      failed.push_back(e.index());
      EXPECT_GE(e.rank(), 0);
      EXPECT_LT(e.rank(), pool.size());
      EXPECT_EQ(e.message(), boom_message(e.index(), e.rank(), e.host()));
    }
    EXPECT_EQ(failed, want_failed);
  }
  // The next call starts with no failures, and stopping is the default again.
  pool.map([](std::int64_t x) { return x; }, items);
  EXPECT_TRUE(pool.failures().empty());
  expect_pool_still_works(pool, {});
}

TEST(OnErrorCollect, ForEachMapIntoAndStarmapCollectToo) {
  mpimap::Pool pool;
  const MapOptions collect{.on_error = mpimap::OnError::Collect};
  std::vector<std::int64_t> items{0, 1, 2, 3, 4, 5, 6};
  auto bad = [](std::int64_t x) {
    if (x % 3 == 1) throw std::runtime_error("bad " + std::to_string(x));
    return x;
  };
  auto indices = [&] {
    std::vector<std::size_t> v;
    for (const auto& e : pool.failures()) v.push_back(e.index());
    return v;
  };
  const std::vector<std::size_t> want =
      pool.is_root() ? std::vector<std::size_t>{1, 4} : std::vector<std::size_t>{};
  pool.for_each([&](std::int64_t x) { bad(x); }, items, collect);
  EXPECT_EQ(indices(), want);
  std::vector<std::int64_t> out(pool.is_root() ? items.size() : 0, -1);
  pool.map_into(bad, std::span<const std::int64_t>(items), std::span<std::int64_t>(out), collect);
  EXPECT_EQ(indices(), want);
  if (pool.is_root()) {
    EXPECT_EQ(out, (std::vector<std::int64_t>{0, 0, 2, 3, 0, 5, 6}));
  }
  std::vector<std::tuple<std::int64_t, std::int64_t>> pairs;
  for (auto x : items) pairs.emplace_back(x, 1);
  const auto sums =
      pool.starmap([&](std::int64_t a, std::int64_t b) { return bad(a) + b; }, pairs, collect);
  EXPECT_EQ(indices(), want);
  if (pool.is_root()) {
    EXPECT_EQ(sums, (std::vector<std::int64_t>{1, 0, 3, 4, 0, 6, 7}));
    ASSERT_FALSE(pool.failures().empty());
    EXPECT_EQ(pool.failures()[0].message(), "bad 1");
  }
}

TEST(OnErrorCollect, CallsWithoutOneResultPerItemRefuseItOnEveryRank) {
  mpimap::Pool pool;
  const MapOptions collect{.on_error = mpimap::OnError::Collect};
  std::vector<std::int64_t> items{1, 2, 3};
  auto id = [](std::int64_t x) { return x; };
  EXPECT_THROW(pool.imap(
                   id, items, [](std::int64_t) {}, collect),
               std::invalid_argument);
  EXPECT_THROW(pool.imap_unordered(
                   id, items, [](std::int64_t) {}, collect),
               std::invalid_argument);
  EXPECT_THROW(pool.map_reduce(id, items, std::int64_t{0}, std::plus<>{}, collect),
               std::invalid_argument);
  expect_pool_still_works(pool, {});
}

TEST(TaskError, IsARuntimeError) {
  const mpimap::TaskError e(3, 1, "node7", "bad input");
  const std::runtime_error& base = e;
  EXPECT_STREQ(base.what(), "task 3 failed on rank 1@node7: bad input");
  EXPECT_EQ(e.index(), 3u);
  EXPECT_EQ(e.rank(), 1);
  EXPECT_EQ(e.host(), "node7");
  EXPECT_EQ(e.message(), "bad input");
}

}  // namespace
