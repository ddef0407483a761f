#pragma once
// A graceful stop for `mpimap map`: while a StopSignals lives, SIGTERM,
// SIGINT and SIGUSR1 set flag() to the signal's number instead of killing
// the rank; a second one kills as it would have. mpirun hands SIGUSR1 to
// every rank, and its own SIGTERM too (then SIGKILL a few seconds later), so
// every rank has them caught; the map reads the flag on rank 0
// (MapOptions::stop).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

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

/// Sets StopSignals' flag to `value` at a time (--walltime-margin), unless a
/// signal came first: at once when the time is past, else from a thread
/// that only waits (it makes no MPI call). Its destructor ends the wait.
class StopAt {
 public:
  StopAt(std::optional<std::chrono::steady_clock::time_point> when, int value);
  ~StopAt();
  StopAt(const StopAt&) = delete;
  StopAt& operator=(const StopAt&) = delete;
  /// Whether the stop came from here.
  bool fired() const { return fired_.load(); }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool over_ = false;
  std::atomic<bool> fired_{false};
  std::thread waiter_;
};

}  // namespace mpimap::cli
