#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "mpimap/mpimap.hpp"

TEST(Map, SquaresLikeTheSeed) {
  mpimap::Pool pool;
  for (auto schedule : {mpimap::Schedule::Static, mpimap::Schedule::Dynamic, mpimap::Schedule::Guided}) {
    std::vector<std::int64_t> items{1, 2, 3, 4, 5};
    auto r = pool.map([](std::int64_t x) { return x * x; }, items, {.schedule = schedule});
    if (pool.is_root()) EXPECT_EQ(r, (std::vector<std::int64_t>{1, 4, 9, 16, 25}));
    else EXPECT_TRUE(r.empty());
  }
}
