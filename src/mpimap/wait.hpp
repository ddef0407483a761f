#pragma once
// Waiting without eating a core. A rank blocked in MPI_Recv or MPI_Wait
// busy-polls forever, which steals the CPU from ranks that share the core
// (oversubscribed runs, or rank 0 beside a worker). We poll for a short while,
// which keeps hand-offs fast; then poll and yield the core between polls, so
// that a rank sharing it runs; only after a few milliseconds of waiting do we
// sleep between polls, with growing pauses. (Sleeping early makes two ranks
// that wait on each other keep missing each other: tens of microseconds per
// hand-off instead of one.)

#include <mpi.h>

#include <chrono>
#include <thread>

namespace mpimap::detail {

template <class Poll>
void wait_until(Poll&& poll) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  do {
    if (poll()) return;
  } while (clock::now() - start < std::chrono::microseconds(50));
  do {
    std::this_thread::yield();
    if (poll()) return;
  } while (clock::now() - start < std::chrono::milliseconds(5));
  auto pause = std::chrono::microseconds(5);
  while (!poll()) {
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::microseconds(250)) pause *= 2;
  }
}

inline void wait(MPI_Request& request) {
  wait_until([&] {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    return done != 0;
  });
}

}  // namespace mpimap::detail
