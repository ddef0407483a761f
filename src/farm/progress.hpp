#pragma once
// --progress: done/total, running, failed, rate and ETA on rank 0's stderr.
// On a terminal the line is redrawn in place (\r) five times a second; else a
// plain line is printed every 5 seconds. Under mpirun a rank's stderr is a
// pipe, so "a terminal" means: rank 0's stderr, or mpirun's (its parent's),
// is one. The total is "?" until the input has been read to its end.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace mpimap::farm {

struct ProgressCounts {
  std::uint64_t done = 0;    // finished (after retries), this run
  std::uint64_t failed = 0;  // of which failed
  std::uint64_t running = 0;
  std::optional<std::uint64_t> total;  // to run this time, once known
};

class Progress {
 public:
  explicit Progress(bool enabled);
  /// Redraws when it is time; `counts` is called only then (cheap to call often).
  template <class Counts>
  void update(Counts&& counts) {
    if (enabled_ && Clock::now() >= next_) draw(counts(), false);
  }
  /// The last line, always (when enabled).
  void finish(const ProgressCounts& c) {
    if (enabled_) draw(c, true);
  }
  /// Before printing something else on stderr: clear a line drawn in place.
  void clear_line();

 private:
  using Clock = std::chrono::steady_clock;
  void draw(const ProgressCounts& c, bool last);

  bool enabled_;
  bool terminal_ = false;
  bool drawn_ = false;
  Clock::time_point started_ = Clock::now();
  Clock::time_point next_;
  std::string line_;
};

/// "1:02:03", "4:05", "?".
std::string format_duration(double seconds);

}  // namespace mpimap::farm
