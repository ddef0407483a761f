#include "cli/stop_signals.hpp"

#include <signal.h>

#include <array>
#include <cstddef>

namespace mpimap::cli {

namespace {

constexpr std::array<int, 3> kStopSignals{SIGTERM, SIGINT, SIGUSR1};
// What a signal handler may touch: lock-free atomics and the old actions.
std::atomic<int> g_stop{0};
std::array<struct sigaction, kStopSignals.size()> g_old{};

extern "C" void record_stop(int sig) {
  if (g_stop.load() == 0) {
    g_stop.store(sig);
    return;
  }
  // A second signal: what it would have done without us (by default, die).
  for (std::size_t i = 0; i < kStopSignals.size(); ++i)
    if (kStopSignals[i] == sig) ::sigaction(sig, &g_old[i], nullptr);
  ::raise(sig);
}

}  // namespace

StopSignals::StopSignals() {
  g_stop.store(0);
  for (std::size_t i = 0; i < kStopSignals.size(); ++i) {
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = record_stop;
    sa.sa_flags = SA_RESTART;  // MPI's own waits go on; the map polls the flag
    ::sigaction(kStopSignals[i], &sa, &g_old[i]);
  }
}

StopSignals::~StopSignals() {
  for (std::size_t i = 0; i < kStopSignals.size(); ++i)
    ::sigaction(kStopSignals[i], &g_old[i], nullptr);
}

const std::atomic<int>& StopSignals::flag() { return g_stop; }

StopAt::StopAt(std::optional<std::chrono::steady_clock::time_point> when, int value) {
  if (!when) return;
  auto fire = [this, value] {
    int none = 0;
    if (g_stop.compare_exchange_strong(none, value)) fired_.store(true);
  };
  if (std::chrono::steady_clock::now() >= *when) {
    fire();
    return;
  }
  waiter_ = std::thread([this, when, fire] {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_until(lock, *when, [this] { return over_; })) fire();
  });
}

StopAt::~StopAt() {
  if (!waiter_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    over_ = true;
  }
  cv_.notify_one();
  waiter_.join();
}

}  // namespace mpimap::cli
