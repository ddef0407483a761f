// Must not compile: std::string_view items would reach the workers as
// pointers into rank 0's memory (issue 8, defect 2).
#include <string_view>
#include <vector>

#include "mpimap/mpimap.hpp"

std::size_t length(std::string_view w) { return w.size(); }

void map_views(mpimap::Pool& pool) {
  const std::vector<std::string_view> words{"a", "bb"};
  pool.map(length, words);
}
