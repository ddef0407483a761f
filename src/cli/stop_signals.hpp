#pragma once
// A graceful stop for `mpimap map`: while a StopSignals lives, SIGTERM,
// SIGINT and SIGUSR1 set flag() to the signal's number instead of killing
// the rank; a second one kills as it would have. mpirun hands SIGUSR1 to
// every rank, and its own SIGTERM too (then SIGKILL a few seconds later), so
// every rank has them caught; the map reads the flag on rank 0
// (MapOptions::stop).

#include <atomic>

namespace mpimap::cli {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// The first stop signal's number, 0 while none came.
  static const std::atomic<int>& flag();
};

}  // namespace mpimap::cli
