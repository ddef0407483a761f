#pragma once
// Shared by the map tests: the MapOptions they sweep over (Static once, then
// Dynamic and Guided at each chunk size, rank 0 computing or not), and a sum
// over all ranks for counting where tasks ran.

#include <cstddef>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include <mpi.h>

#include "mpimap/options.hpp"

namespace mpimap_test {

inline constexpr mpimap::Schedule kSchedules[] = {
    mpimap::Schedule::Static, mpimap::Schedule::Dynamic, mpimap::Schedule::Guided};

inline std::vector<mpimap::MapOptions> option_sweep(std::initializer_list<std::size_t> chunksizes) {
  using mpimap::Schedule;
  std::vector<mpimap::MapOptions> all{{.schedule = Schedule::Static}};
  for (auto s : {Schedule::Dynamic, Schedule::Guided})
    for (std::size_t cs : chunksizes)
      for (bool rc : {true, false})
        all.push_back({.schedule = s, .chunksize = cs, .root_computes = rc});
  return all;
}

inline std::string describe(const mpimap::MapOptions& o) {
  return std::string(mpimap::to_string(o.schedule)) + " chunksize=" + std::to_string(o.chunksize) +
         " root_computes=" + std::to_string(o.root_computes);
}

/// The sum of every rank's `mine` (any integer type), on every rank.
template <class T>
requires std::is_integral_v<T> T sum_over_ranks(T mine) {
  long long in = mine, total = 0;
  MPI_Allreduce(&in, &total, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  return static_cast<T>(total);
}

}  // namespace mpimap_test
