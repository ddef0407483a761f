// Must not compile: a std::span result would reach rank 0 as a pointer into a
// worker's memory (issue 8, defect 2).
#include <cstdint>
#include <span>
#include <vector>

#include "mpimap/mpimap.hpp"

void map_to_spans(mpimap::Pool& pool, const std::vector<std::int64_t>& table) {
  const std::vector<std::int64_t> items{0, 1};
  pool.map([&table](std::int64_t i) { return std::span<const std::int64_t>(table).subspan(i); },
           items);
}
