// options.hpp: schedule names (to_string / parse_schedule round trip) and
// the defaults of MapOptions.

#include <gtest/gtest.h>

#include "mpimap/options.hpp"

namespace {

using mpimap::MapOptions;
using mpimap::parse_schedule;
using mpimap::Schedule;

TEST(Schedule, NamesRoundTrip) {
  EXPECT_EQ(mpimap::to_string(Schedule::Static), "static");
  EXPECT_EQ(mpimap::to_string(Schedule::Dynamic), "dynamic");
  EXPECT_EQ(mpimap::to_string(Schedule::Guided), "guided");
  for (auto s : {Schedule::Static, Schedule::Dynamic, Schedule::Guided})
    EXPECT_EQ(parse_schedule(mpimap::to_string(s)), s);
}

TEST(Schedule, UnknownNamesAreRejected) {
  for (const char* name : {"", "Static", "DYNAMIC", "guide", "static ", "auto", "runtime"})
    EXPECT_EQ(parse_schedule(name), std::nullopt) << '"' << name << '"';
}

TEST(MapOptions, Defaults) {
  const MapOptions o;
  EXPECT_EQ(o.schedule, Schedule::Dynamic);
  EXPECT_EQ(o.chunksize, 0u);
  EXPECT_TRUE(o.capture_output);
  EXPECT_FALSE(o.tag_output);
  EXPECT_EQ(o.output, nullptr);
  EXPECT_TRUE(o.root_computes);
}

}  // namespace
