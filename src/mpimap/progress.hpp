#pragma once
// How far along a map is: what MapOptions::progress is called with.

#include <cstdint>
#include <optional>

namespace mpimap {

struct MapProgress {
  std::uint64_t done = 0;              // items finished (failed ones included)
  std::uint64_t failed = 0;            // of which failed
  std::uint64_t running = 0;           // handed out to a rank, not yet finished
  std::optional<std::uint64_t> total;  // unknown while a lazy input is being read
  double seconds = 0;                  // since the map began
  bool finished = false;               // the last call, when the map is over
};

}  // namespace mpimap
