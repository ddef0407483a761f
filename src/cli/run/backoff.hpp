#pragma once
// How long a rank of `mpimap run` may sleep when it has nothing to do: not at
// all for 50 us after anything happened (hand-offs stay fast), then pauses
// that double from 5 us to 250 us, growing to 1 ms after 20 ms of quiet and
// 5 ms after a second. The pause is spent in ppoll() on the children's pipes,
// so a task that ends or prints wakes the rank at once; only MPI messages wait
// for the pause to run out. Same idea as mpimap/wait.hpp: never busy-poll a
// core forever.

#include <algorithm>
#include <chrono>

namespace mpimap::cli::run {

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;

  /// Something happened: spin again.
  void reset() {
    last_ = Clock::now();
    pause_ = std::chrono::microseconds(5);
  }

  /// The next pause (zero while spinning).
  std::chrono::nanoseconds next() {
    using namespace std::chrono_literals;
    const auto idle = Clock::now() - last_;
    if (idle < 50us) return 0ns;
    const auto cap = idle > 1s ? 5000us : idle > 20ms ? 1000us : 250us;
    const auto p = pause_;
    pause_ = std::min<std::chrono::microseconds>(pause_ * 2, cap);
    return p;
  }

 private:
  Clock::time_point last_ = Clock::now();
  std::chrono::microseconds pause_{5};
};

}  // namespace mpimap::cli::run
