#pragma once
// Waiting without eating a core, for the pool and the task farm alike. A rank
// blocked in MPI_Recv or MPI_Wait busy-polls forever, which steals the CPU
// from ranks (and task processes) that share the core. So a waiting rank polls
// flat out for a moment after anything happened (hand-offs stay fast), may
// then yield the core between polls for a while, and only then sleeps between
// polls, with pauses that grow the longer nothing happens. (Sleeping early
// makes two ranks that wait on each other keep missing each other: tens of
// microseconds per hand-off instead of one.)

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "mpimap/detail/check.hpp"

namespace mpimap::detail {

/// How a waiting rank paces its polls; see Backoff.
struct BackoffPolicy {
  std::chrono::microseconds spin;   // poll flat out this long after progress
  std::chrono::microseconds yield;  // then poll and yield the core until this
  std::chrono::microseconds first_pause;
  std::chrono::microseconds pause_cap;  // pauses double from first_pause up to this,
  std::chrono::milliseconds quiet;      // to quiet_pause after `quiet` without progress,
  std::chrono::microseconds quiet_pause;
  std::chrono::milliseconds long_quiet;  // and to long_quiet_pause after `long_quiet`
  std::chrono::microseconds long_quiet_pause;
};

/// A pool's waits: mostly short (a chunk, a message), latency matters.
inline constexpr BackoffPolicy kPoolBackoff{
    .spin = std::chrono::microseconds(50),
    .yield = std::chrono::milliseconds(5),
    .first_pause = std::chrono::microseconds(5),
    .pause_cap = std::chrono::microseconds(250),
    .quiet = std::chrono::milliseconds(0),
    .quiet_pause = std::chrono::microseconds(250),
    .long_quiet = std::chrono::milliseconds(0),
    .long_quiet_pause = std::chrono::microseconds(250)};  // the pauses never grow past 250 us

/// The task farm's: its pauses are spent in ppoll() on the children's pipes, so
/// a task that ends wakes it at once; only MPI messages wait for a pause to end.
inline constexpr BackoffPolicy kFarmBackoff{.spin = std::chrono::microseconds(50),
                                            .yield = std::chrono::microseconds(0),
                                            .first_pause = std::chrono::microseconds(5),
                                            .pause_cap = std::chrono::microseconds(250),
                                            .quiet = std::chrono::milliseconds(20),
                                            .quiet_pause = std::chrono::microseconds(1000),
                                            .long_quiet = std::chrono::milliseconds(1000),
                                            .long_quiet_pause = std::chrono::microseconds(5000)};

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;
  struct Pause {
    bool yield = false;  // zero length: yield the core (or just poll again)
    std::chrono::nanoseconds length{0};
  };

  explicit Backoff(const BackoffPolicy& policy) : policy_(policy) {}

  /// Something happened: poll flat out again.
  void reset() {
    last_ = Clock::now();
    pause_ = policy_.first_pause;
  }

  /// What to do before the next poll.
  Pause next() {
    const auto idle = Clock::now() - last_;
    if (idle < policy_.spin) return {};
    if (idle < policy_.yield) return {.yield = true};
    const auto cap = idle > policy_.long_quiet ? policy_.long_quiet_pause
                     : idle > policy_.quiet    ? policy_.quiet_pause
                                               : policy_.pause_cap;
    const auto p = std::min(pause_, cap);
    pause_ = std::min<std::chrono::microseconds>(pause_ * 2, cap);
    return {.length = p};
  }

 private:
  const BackoffPolicy& policy_;
  Clock::time_point last_ = Clock::now();
  std::chrono::microseconds pause_ = policy_.first_pause;
};

/// Polls until `poll()` is true, pacing the polls as kPoolBackoff says.
template <class Poll>
void wait_until(Poll&& poll) {
  Backoff backoff(kPoolBackoff);
  while (!poll()) {
    const auto p = backoff.next();
    if (p.length.count() > 0)
      std::this_thread::sleep_for(p.length);
    else if (p.yield)
      std::this_thread::yield();
  }
}

inline void wait(MPI_Request& request) {
  wait_until([&] {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    return done != 0;
  });
}

}  // namespace mpimap::detail
