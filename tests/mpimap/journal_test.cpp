// MapOptions::journal and resume: a journaled map returns what a plain one
// returns; killed (here: failed or stopped) and resumed, it runs exactly the
// items the journal lacks and returns the serial loop's results; a torn last
// record is run again; another map's journal is an error on every rank.
// Tasks are counted over all ranks to check what ran.

#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpimap/mpimap.hpp"
#include "option_sweep.hpp"

namespace {

using mpimap::MapOptions;

std::vector<std::int64_t> iota(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

using mpimap_test::sum_over_ranks;

bool is_root() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank == 0;
}

/// The same path on every rank (they share mpirun as their parent), removed
/// at the end.
class JournalTest : public ::testing::Test {
 protected:
  void TearDown() override {
    MPI_Barrier(MPI_COMM_WORLD);
    if (is_root()) std::filesystem::remove(path);
  }
  const std::string path = ::testing::TempDir() + "mpimap_journal_test_" +
                           std::to_string(::getppid()) + "_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name();
};

std::int64_t cube(std::int64_t x) { return x * x * x; }

void expect_cubes(const mpimap::Pool& pool, const std::vector<std::int64_t>& got,
                  const std::vector<std::int64_t>& items) {
  if (!pool.is_root()) return;
  ASSERT_EQ(got.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(got[i], cube(items[i]));
}

TEST_F(JournalTest, AJournaledMapReturnsWhatAPlainOneReturns) {
  mpimap::Pool pool;
  const auto items = iota(500);
  expect_cubes(pool, pool.map(cube, items, {.chunksize = 7, .journal = path}), items);
  // Resumed when complete: nothing runs again.
  std::int64_t calls = 0;
  const auto again = pool.map([&](std::int64_t x) { return ++calls, cube(x); }, items,
                              {.journal = path, .resume = true});
  expect_cubes(pool, again, items);
  EXPECT_EQ(sum_over_ranks(calls), 0);
}

TEST_F(JournalTest, AFailedMapResumedRunsExactlyWhatTheJournalLacks) {
  mpimap::Pool pool;
  const auto items = iota(400);
  std::int64_t ok_calls = 0;
  EXPECT_THROW(pool.map(
                   [&](std::int64_t x) {
                     if (x == 250) throw std::runtime_error("not now");
                     return ++ok_calls, cube(x);
                   },
                   items, {.chunksize = 3, .journal = path}),
               mpimap::TaskError);
  const std::int64_t journaled = sum_over_ranks(ok_calls);
  EXPECT_GE(journaled, 1);
  std::int64_t calls = 0;
  const auto got = pool.map([&](std::int64_t x) { return ++calls, cube(x); }, items,
                            {.chunksize = 3, .journal = path, .resume = true});
  expect_cubes(pool, got, items);
  EXPECT_EQ(sum_over_ranks(calls), 400 - journaled);
}

TEST_F(JournalTest, AStoppedMapResumedCompletesIt) {
  mpimap::Pool pool;
  const auto items = iota(300);
  std::atomic<int> stop{0};
  std::int64_t seen = 0;
  EXPECT_THROW(pool.map(
                   [&](std::int64_t x) {
                     if (++seen == 20) stop = 10;  // rank 0's flag is the one read
                     return cube(x);
                   },
                   items, {.chunksize = 1, .journal = path, .stop = &stop}),
               mpimap::Stopped);
  const auto got = pool.map(cube, items, {.journal = path, .resume = true});
  expect_cubes(pool, got, items);
}

TEST_F(JournalTest, ATornLastRecordIsRunAgain) {
  mpimap::Pool pool;
  const auto items = iota(50);
  pool.map(cube, items, {.journal = path});
  if (pool.is_root()) std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  std::int64_t calls = 0;
  const auto got = pool.map([&](std::int64_t x) { return ++calls, cube(x); }, items,
                            {.journal = path, .resume = true});
  expect_cubes(pool, got, items);
  EXPECT_EQ(sum_over_ranks(calls), 1);
}

TEST_F(JournalTest, AnotherMapsJournalIsAnErrorOnEveryRank) {
  mpimap::Pool pool;
  pool.map(cube, iota(20), {.journal = path});
  std::string other_items, not_a_journal;
  try {
    pool.map(cube, iota(21), {.journal = path, .resume = true});
  } catch (const std::runtime_error& e) {
    other_items = e.what();
  }
  if (pool.is_root()) std::ofstream(path) << "hello\n";
  try {
    pool.map(cube, iota(20), {.journal = path, .resume = true});
  } catch (const std::runtime_error& e) {
    not_a_journal = e.what();
  }
  EXPECT_EQ(other_items, "mpimap: journal " + path +
                             ": written for another map (other items, types or count); resume "
                             "only the map that wrote it");
  EXPECT_EQ(not_a_journal, "mpimap: journal " + path + ": not an mpimap journal");
  // The pool goes on.
  const auto items = iota(10);
  expect_cubes(pool, pool.map(cube, items), items);
}

TEST_F(JournalTest, ValuesThatAreSerializedReadBackExactly) {
  mpimap::Pool pool;
  const auto items = iota(100);
  auto text = [](std::int64_t x) {
    return std::string(static_cast<std::size_t>(x % 13), 'a') + "|";
  };
  const auto first = pool.map(text, items, {.journal = path});
  std::int64_t calls = 0;
  const auto again = pool.map([&](std::int64_t x) { return ++calls, text(x); }, items,
                              {.journal = path, .resume = true});
  EXPECT_EQ(sum_over_ranks(calls), 0);
  if (pool.is_root()) {
    ASSERT_EQ(again.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(again[i], text(items[i]));
  }
}

TEST_F(JournalTest, ImapAndMapIntoRefuseAJournal) {
  mpimap::Pool pool;
  const auto items = iota(5);
  EXPECT_THROW(pool.imap(cube, items, [](std::int64_t) {}, {.journal = path}),
               std::invalid_argument);
  std::vector<std::int64_t> out(pool.is_root() ? items.size() : 0);
  EXPECT_THROW(
      pool.map_into(cube, std::span<const std::int64_t>(items), std::span(out), {.journal = path}),
      std::invalid_argument);
}

}  // namespace
