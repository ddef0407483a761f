#pragma once
// `mpimap run --stats`, `--stats-json FILE`, `--trace FILE`: rank 0 notes each
// task's run as its result comes in (its rank and slot, start and runtime,
// exit status, the command as run), the time its loop slept and the bytes
// moved; after the run, the workers' clock offsets (trace_exchange.hpp) move
// their start times onto rank 0's clock, and the statistics (stats.hpp) and
// the trace (trace.hpp) are written by the map's own writers.

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "farm/messages.hpp"
#include "farm/options.hpp"
#include "mpimap/stats.hpp"
#include "mpimap/trace.hpp"

namespace mpimap::farm {

class RunWatch {
 public:
  static bool wanted(const RunOptions& o) {
    return o.stats || !o.stats_json.empty() || !o.trace.empty();
  }
  RunWatch(const RunOptions& opt, const std::vector<std::string>& hosts,
           const std::vector<int>& slots);

  bool tracing() const { return !opt_.trace.empty(); }
  void sent(std::size_t bytes) { bytes_sent_ += bytes; }
  void received(std::size_t bytes) { bytes_received_ += bytes; }
  /// Rank 0's loop slept, with nothing to do.
  void slept(std::chrono::steady_clock::duration d) { slept_ += d; }
  /// A task's run on `rank` ended (anything but never started), with the
  /// command it ran (for the trace; "" when not tracing).
  void ran(int rank, const Result& r, std::string command);

  /// Rank 0, after the run: the workers' clocks (each worker answers with
  /// answer_watch_pings), then the statistics on stderr and the files.
  /// False when a file could not be written (said on stderr).
  bool finish(MPI_Comm comm, std::uint64_t jobs);

 private:
  const RunOptions& opt_;
  std::vector<std::string> hosts_;
  std::vector<int> slots_;
  std::vector<int> slots_before_;  // rank r's {%} are slots_before_[r] + 1 onwards
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::int64_t started_wall_ns_;
  std::vector<std::uint64_t> tasks_;  // by rank
  std::vector<double> busy_;          // by rank, seconds
  std::uint64_t bytes_sent_ = 0, bytes_received_ = 0;
  std::chrono::steady_clock::duration slept_{};
  std::vector<Trace::Slice> runs_;     // tracing: times on their rank's wall clock
  std::vector<std::string> commands_;  // by run
};

/// A worker, after the run, when its kStop asked for it: answers rank 0's
/// clock pings (RunWatch::finish).
void answer_watch_pings(MPI_Comm comm);

}  // namespace mpimap::farm
