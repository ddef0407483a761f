#pragma once
// What a map did (MapOptions::stats points at one), or a run of the task farm
// (`mpimap run --stats`), measured on rank 0.
//
// A rank's busy time is the time it spent running tasks: for a map, measured
// around each chunk, as the automatic chunk size already does, so it costs
// nothing extra; for a run, the sum of its jobs' runtimes over its slots.
// Rank 0's own time is split three ways: computing (a map's tasks on rank 0),
// waiting (blocked for a result, or asleep with nothing to do) and
// dispatching (the rest: handing out work, taking results in, printing).

#include <cstdint>
#include <string>
#include <vector>

#include "mpimap/options.hpp"

namespace mpimap {

struct RankStats {
  std::string host;
  std::uint64_t tasks = 0;   // items it ran (a run: jobs, every attempt)
  std::uint64_t chunks = 0;  // chunks it ran (Static: its block, if not empty); a run: none
  int slots = 1;             // tasks it runs at once (a map: 1)
  double busy_seconds = 0;   // summed over its slots
  double busy_percent = 0;   // of its slots times the wall time, in [0, 100]
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

/// What `mpimap run` did: the same measures, by jobs and slots.
struct RunStats {
  std::uint64_t jobs = 0;  // jobs finished (succeeded or failed, not killed)
  double seconds = 0;      // the run's wall time on rank 0
  std::vector<RankStats> ranks;
  /// The busiest rank's busy time per slot over the mean of the ranks': 1 is
  /// perfectly even.
  double imbalance = 0;
  double jobs_per_second = 0;
  std::uint64_t bytes_sent = 0;      // tasks to the workers (arguments, --pipe's blocks)
  std::uint64_t bytes_received = 0;  // results back (outputs)
  double dispatch_seconds = 0, wait_seconds = 0;  // rank 0's (its tasks are processes)
};

/// The readable block `mpimap map --stats` prints (several lines, each
/// ending in a newline).
std::string format_stats(const MapStats& stats);
/// The same as one JSON object (`--stats-json`).
std::string stats_json(const MapStats& stats);
/// The same for `mpimap run --stats` and `--stats-json`.
std::string format_stats(const RunStats& stats);
std::string stats_json(const RunStats& stats);

namespace detail {
/// From each rank's busy_seconds and slots: its busy_percent of `seconds`,
/// and the imbalance (max/mean busy per slot) over the ranks that computed;
/// rank 0 counts unless `root_idle` (it only dispatched).
double fill_busy(std::vector<RankStats>& ranks, double seconds, bool root_idle);
}  // namespace detail

}  // namespace mpimap
