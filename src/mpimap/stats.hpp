#pragma once
// What a map did, measured on rank 0: MapOptions::stats points at one.
//
// A rank's busy time is the time it spent running tasks (measured around
// each chunk, as the automatic chunk size already does, so it costs nothing
// extra). Rank 0's own time is split three ways: computing (its own tasks),
// waiting (blocked for a result) and dispatching (the rest: handing out
// chunks, taking results in, printing).

#include <cstdint>
#include <string>
#include <vector>

#include "mpimap/options.hpp"

namespace mpimap {

struct RankStats {
  std::string host;
  std::uint64_t tasks = 0;   // items it ran
  std::uint64_t chunks = 0;  // chunks it ran (Static: its block, if not empty)
  double busy_seconds = 0;
  double busy_percent = 0;  // of the map's wall time, in [0, 100]
};

struct MapStats {
  Schedule schedule = Schedule::Dynamic;
  std::uint64_t items = 0;  // items finished (all of them, unless the map stopped)
  double seconds = 0;       // the map's wall time on rank 0
  std::vector<RankStats> ranks;
  /// The busiest rank's busy time over the mean of the ranks that compute
  /// (rank 0 too, unless it only dispatched): 1 is perfectly even.
  double imbalance = 0;
  double items_per_second = 0;
  std::uint64_t chunks = 0;  // chunk sizes chosen: how many, the smallest, mean, largest
  std::uint64_t min_chunk = 0, max_chunk = 0;
  double mean_chunk = 0;
  std::uint64_t bytes_sent = 0;      // rank 0 to the workers (items, control)
  std::uint64_t bytes_received = 0;  // the workers to rank 0 (results, outputs)
  double dispatch_seconds = 0, compute_seconds = 0, wait_seconds = 0;  // rank 0's
};

/// The readable block `mpimap map --stats` prints (several lines, each
/// ending in a newline).
std::string format_stats(const MapStats& stats);
/// The same as one JSON object (`--stats-json`).
std::string stats_json(const MapStats& stats);

}  // namespace mpimap
