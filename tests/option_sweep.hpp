#pragma once
// The MapOptions the map tests sweep over, shared by the test files: Static
// once, then Dynamic and Guided at each chunk size, rank 0 computing or not.

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "mpimap/options.hpp"

namespace mpimap_test {

inline constexpr mpimap::Schedule kSchedules[] = {mpimap::Schedule::Static, mpimap::Schedule::Dynamic,
                                                  mpimap::Schedule::Guided};

inline std::vector<mpimap::MapOptions> option_sweep(std::initializer_list<std::size_t> chunksizes) {
  using mpimap::Schedule;
  std::vector<mpimap::MapOptions> all{{.schedule = Schedule::Static}};
  for (auto s : {Schedule::Dynamic, Schedule::Guided})
    for (std::size_t cs : chunksizes)
      for (bool rc : {true, false}) all.push_back({.schedule = s, .chunksize = cs, .root_computes = rc});
  return all;
}

inline std::string describe(const mpimap::MapOptions& o) {
  return std::string(mpimap::to_string(o.schedule)) + " chunksize=" + std::to_string(o.chunksize) +
         " root_computes=" + std::to_string(o.root_computes);
}

}  // namespace mpimap_test
