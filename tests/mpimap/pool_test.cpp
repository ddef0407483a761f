// The Pool itself: rank/size/host of the communicator it is built on, its
// private duplicate (the caller's pending messages never meet the pool's), and
// pools over sub-communicators, each with its own rank 0.

#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/mpi/communicator.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "mpimap/mpimap.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::Schedule;

constexpr Schedule kSchedules[] = {Schedule::Static, Schedule::Dynamic, Schedule::Guided};

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

TEST(Pool, RankSizeAndHostOfItsCommunicator) {
  mpimap::Pool pool;
  int rank = -1, size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT_EQ(pool.rank(), rank);
  EXPECT_EQ(pool.size(), size);
  EXPECT_EQ(pool.is_root(), rank == 0);
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  MPI_Get_processor_name(name, &len);
  EXPECT_EQ(pool.host(), std::string(name, static_cast<std::size_t>(len)));
  EXPECT_FALSE(pool.host().empty());
  // Its own communicator: congruent with the world, not the world itself.
  int cmp = MPI_IDENT;
  MPI_Comm_compare(pool.communicator(), MPI_COMM_WORLD, &cmp);
  EXPECT_EQ(cmp, MPI_CONGRUENT);
}

TEST(Pool, CallersPendingMessagesNeverMeetThePools) {
  // Rank 0 leaves messages with the pool's own tag numbers (task = 1,
  // result = 2, stop = 3) waiting on the world communicator while maps run.
  mpimap::Pool pool;
  const int world = pool.size();
  std::vector<MPI_Request> sends;
  std::vector<std::int64_t> payload(static_cast<std::size_t>(3 * world));
  if (pool.is_root()) {
    for (int r = 1; r < world; ++r)
      for (int tag = 1; tag <= 3; ++tag) {
        auto& v = payload[static_cast<std::size_t>(3 * r + tag - 1)];
        v = 1000 * r + tag;
        sends.emplace_back();
        MPI_Isend(&v, 1, MPI_INT64_T, r, tag, MPI_COMM_WORLD, &sends.back());
      }
  } else {
    payload[0] = 100 * pool.rank();
    sends.emplace_back();
    MPI_Isend(&payload[0], 1, MPI_INT64_T, 0, 2, MPI_COMM_WORLD, &sends.back());
  }
  const auto items = iota(40);
  for (auto s : kSchedules) {
    std::vector<std::int64_t> got;
    try {
      got = pool.map([](std::int64_t x) { return x * 5; }, items, {.schedule = s, .chunksize = 1});
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    if (pool.is_root()) {
      EXPECT_EQ(got.size(), items.size());
      for (std::size_t i = 0; i < std::min(got.size(), items.size()); ++i)
        EXPECT_EQ(got[i], items[i] * 5);
    } else {
      EXPECT_TRUE(got.empty());
    }
  }
  // The caller's messages are all still there, untouched.
  if (pool.is_root()) {
    for (int r = 1; r < world; ++r) {
      std::int64_t v = 0;
      MPI_Recv(&v, 1, MPI_INT64_T, r, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      EXPECT_EQ(v, 100 * r);
    }
  } else {
    for (int tag = 1; tag <= 3; ++tag) {
      std::int64_t v = 0;
      MPI_Recv(&v, 1, MPI_INT64_T, 0, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      EXPECT_EQ(v, 1000 * pool.rank() + tag);
    }
  }
  MPI_Waitall(static_cast<int>(sends.size()), sends.data(), MPI_STATUSES_IGNORE);
}

TEST(Pool, PoolsOverSubCommunicatorsHaveTheirOwnRoot) {
  boost::mpi::communicator world;
  // Even and odd world ranks form two pools that map different inputs at once.
  const int color = world.rank() % 2;
  boost::mpi::communicator half = world.split(color);
  mpimap::Pool pool(half);
  EXPECT_EQ(pool.size(), half.size());
  EXPECT_EQ(pool.rank(), world.rank() / 2);
  const auto items = iota(color == 0 ? 33 : 17);
  for (auto s : kSchedules) {
    std::vector<std::int64_t> got;
    try {
      got = pool.map([color](std::int64_t x) { return color == 0 ? x * x : -x; }, items,
                     {.schedule = s, .chunksize = 2});
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    if (pool.is_root()) {
      EXPECT_EQ(got.size(), items.size());
      for (std::size_t i = 0; i < std::min(got.size(), items.size()); ++i)
        EXPECT_EQ(got[i], color == 0 ? items[i] * items[i] : -items[i]);
    } else {
      EXPECT_TRUE(got.empty());
    }
  }
  // A failure inside one half is reported on every rank of that half.
  bool threw = false;
  try {
    pool.map([](std::int64_t x) { return x == 3 ? throw std::runtime_error("three") : x; }, items,
             {.schedule = Schedule::Guided});
  } catch (const mpimap::TaskError& e) {
    threw = true;
    EXPECT_EQ(e.index(), 3u);
    EXPECT_LT(e.rank(), pool.size());
    EXPECT_EQ(e.message(), "three");
  } catch (...) {
    ADD_FAILURE() << "not a TaskError";
  }
  EXPECT_TRUE(threw);
}

TEST(Pool, ASingleRankPoolOnEveryRank) {
  // MPI_COMM_SELF: every rank is its own rank 0 and runs everything itself.
  mpimap::Pool pool(boost::mpi::communicator(MPI_COMM_SELF, boost::mpi::comm_attach));
  EXPECT_EQ(pool.size(), 1);
  EXPECT_TRUE(pool.is_root());
  for (auto s : kSchedules) {
    const auto got = pool.map([](std::int64_t x) { return x + 100; }, iota(10), {.schedule = s});
    ASSERT_EQ(got.size(), 10u);
    for (std::int64_t i = 0; i < 10; ++i) EXPECT_EQ(got[i], i + 100);
  }
}

}  // namespace

namespace {

TEST(PoolProcesses, OnlyTheFirstNRanksWorkTheOthersReturnAtOnce) {
  // Python's Pool(processes=n): every call is still made on every rank.
  boost::mpi::communicator world;
  const auto items = iota(101);
  std::int64_t want_sum = 0;
  for (auto x : items) want_sum += 2 * x;
  for (int n = 1; n <= world.size(); ++n) {
    mpimap::Pool pool(world, n);
    const bool in = world.rank() < n;
    EXPECT_EQ(pool.in_pool(), in);
    EXPECT_EQ(pool.size(), n);
    EXPECT_EQ(pool.rank(), world.rank());
    EXPECT_EQ(pool.is_root(), world.rank() == 0);
    EXPECT_EQ(static_cast<bool>(pool.communicator()), in);
    std::int64_t ran_here = 0;  // tasks this rank ran
    auto twice = [&ran_here](std::int64_t x) { return ++ran_here, 2 * x; };
    for (auto s : kSchedules) {
      const auto got = pool.map(twice, items, {.schedule = s, .chunksize = 3});
      if (pool.is_root()) {
        ASSERT_EQ(got.size(), items.size());
        for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], 2 * items[i]);
      } else {
        EXPECT_TRUE(got.empty());
      }
    }
    std::vector<std::int64_t> streamed;
    pool.imap(twice, items, [&](std::int64_t v) { streamed.push_back(v); });
    EXPECT_EQ(streamed.size(), pool.is_root() ? items.size() : 0u);
    const auto sum = pool.map_reduce(twice, items, std::int64_t{0}, std::plus<>{});
    if (pool.is_root()) {
      EXPECT_EQ(sum, want_sum);
    }
    if (!in) {
      EXPECT_EQ(sum, 0);
    }
    const auto pairs = pool.starmap([](std::int64_t a, std::int64_t b) { return a - b; },
                                    std::vector<std::tuple<std::int64_t, std::int64_t>>{{5, 2}});
    EXPECT_EQ(pairs.size(), pool.is_root() ? 1u : 0u);
    if (!in) {
      EXPECT_EQ(ran_here, 0);
    }
    // Every rank left every call: the whole world meets here.
    std::int64_t all = 0;
    MPI_Allreduce(&ran_here, &all, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    EXPECT_EQ(all, 5 * static_cast<std::int64_t>(items.size()));  // 3 maps, imap, map_reduce
    // A failure is every pool rank's; the others took no part.
    bool threw = false;
    try {
      pool.map([](std::int64_t x) { return x == 4 ? throw std::runtime_error("four") : x; }, items);
    } catch (const mpimap::TaskError& e) {
      threw = true;
      EXPECT_EQ(e.index(), 4u);
    }
    EXPECT_EQ(threw, in);
  }
}

TEST(PoolProcesses, ACountOutsideOneToSizeIsRefusedOnEveryRank) {
  boost::mpi::communicator world;
  for (int n : {0, -1, world.size() + 1}) {
    try {
      mpimap::Pool pool(world, n);
      ADD_FAILURE() << "Pool(world, " << n << ") was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "mpimap::Pool: processes = " + std::to_string(n) +
                                           ": expected 1 to " + std::to_string(world.size()) +
                                           " (the communicator's size)");
    }
  }
  mpimap::Pool pool(world, world.size());  // still usable afterwards
  EXPECT_EQ(pool.map([](std::int64_t x) { return x; }, iota(5)).size(), pool.is_root() ? 5u : 0u);
}

}  // namespace
