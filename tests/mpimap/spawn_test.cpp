// mpimap::Spawned and Pool::spawn under mpirun: a launcher started the program, so nothing
// is spawned and the world is used as it is, whatever number is asked for.
// (Spawning itself is tested without mpirun: tests/examples/spawn_case.sh and
// tests/cli/spawn.sh.)

#include <gtest/gtest.h>
#include <sched.h>

#include <boost/mpi/communicator.hpp>

#include <stdexcept>

#include "mpimap/executor.hpp"
#include "mpimap/pool.hpp"
#include "mpimap/spawn.hpp"

namespace {

TEST(Spawned, UnderMpirunIsTheWorld) {
  const boost::mpi::communicator world;
  EXPECT_TRUE(mpimap::started_by_launcher());
  for (const int asked : {1, 2, 7}) {
    mpimap::Spawned group(asked);
    EXPECT_EQ(group.role(), mpimap::Spawned::Role::World);
    EXPECT_FALSE(group.is_child());
    EXPECT_EQ(group.communicator().size(), world.size());
    EXPECT_EQ(group.communicator().rank(), world.rank());
  }
}

TEST(Spawned, PoolSpawnUnderMpirunIsPoolOfTheWorld) {
  const boost::mpi::communicator world;
  mpimap::Pool pool = mpimap::Pool::spawn(5);
  EXPECT_EQ(pool.size(), world.size());
  const std::vector<long> items{1, 2, 3, 4, 5, 6};
  const auto squares = pool.map([](long x) { return x * x; }, items);
  if (pool.is_root()) {
    EXPECT_EQ(squares, (std::vector<long>{1, 4, 9, 16, 25, 36}));
  }
}

TEST(Spawned, RefusesFewerThanOneProcess) {
  EXPECT_THROW(mpimap::Spawned(0), std::invalid_argument);
  EXPECT_THROW(mpimap::Spawned(-3), std::invalid_argument);
}

TEST(Spawned, AvailableCoresIsTheAffinityMask) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  EXPECT_EQ(mpimap::available_cores(), CPU_COUNT(&set));
  EXPECT_GE(mpimap::available_cores(), 1);
}

}  // namespace
