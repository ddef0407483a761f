#pragma once
// Traces across ranks (MapOptions::trace, `mpimap run --trace`). A map's
// worker notes each chunk it runs (only when rank 0 asked, in the chunk's
// header); after the map, rank 0 takes every worker's notes in turn, with the
// offset of the worker's clock from its own. A run's workers only answer the
// clock pings: their jobs' times came back with the results.
//
// Clocks: steady_clock differs from host to host (and MPI_Wtime is not
// global either). The offset is measured NTP-style: rank 0 sends at t0, the
// worker answers with its time tw, rank 0 receives at t1; then
// offset = tw - (t0 + t1) / 2, within half the round trip. Of kPings tries the
// shortest round trip is kept. Ranks on rank 0's host share its clocks
// (steady_clock is the system's monotonic clock): their offset is 0 exactly,
// and they are not pinged at all.

#include <mpi.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/trace.hpp"

namespace mpimap::detail {

inline std::int64_t clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// CLOCK_REALTIME in nanoseconds: the clock of a run's job start times.
inline std::int64_t wall_clock_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

using ClockFn = std::int64_t (*)();

inline constexpr int kPings = 8;

/// Worker: answers rank 0's clock pings (empty messages) with `clock`'s
/// time, until rank 0 says it is done (a message of one byte).
inline void answer_clock_pings(MPI_Comm comm, ClockFn clock = clock_ns) {
  while (true) {
    char done = 0;
    MPI_Status st;
    check(MPI_Recv(&done, 1, MPI_BYTE, 0, kTraceTag, comm, &st), "MPI_Recv");
    int bytes = 0;
    check(MPI_Get_count(&st, MPI_BYTE, &bytes), "MPI_Get_count");
    if (bytes != 0) return;
    const std::int64_t now = clock();
    check(MPI_Send(&now, 1, MPI_INT64_T, 0, kTraceTag, comm), "MPI_Send");
  }
}

/// Rank 0: how far rank w's `clock` is ahead of its own, w answering with
/// answer_clock_pings. Without `measure` (w shares rank 0's host, so its
/// clocks too) 0, and w is only told that there are no pings: no round trip.
inline std::int64_t clock_offset(MPI_Comm comm, int w, bool measure, ClockFn clock = clock_ns) {
  std::int64_t offset = 0, best = std::numeric_limits<std::int64_t>::max();
  for (int k = 0; measure && k < kPings; ++k) {
    const std::int64_t t0 = clock();
    check(MPI_Send(nullptr, 0, MPI_BYTE, w, kTraceTag, comm), "MPI_Send");
    std::int64_t theirs = 0;
    check(MPI_Recv(&theirs, 1, MPI_INT64_T, w, kTraceTag, comm, MPI_STATUS_IGNORE), "MPI_Recv");
    const std::int64_t t1 = clock();
    if (t1 - t0 < best) {
      best = t1 - t0;
      offset = theirs - (t0 + (t1 - t0) / 2);
    }
  }
  const char done = 1;
  check(MPI_Send(&done, 1, MPI_BYTE, w, kTraceTag, comm), "MPI_Send");
  return offset;
}

/// One chunk a rank ran, on its own clock: the notes travel as they lie in
/// memory.
using ChunkNote = Trace::Note;

/// A rank's notes; it notes a chunk just after running it, with the times
/// run_chunk took (no clock read of its own). Room is made a block at a
/// time, so that noting is a few stores.
class ChunkNotes {
 public:
  void add(const ChunkStatus& st) {
    if (notes_.size() == notes_.capacity())
      notes_.reserve(std::max<std::size_t>(4096, 2 * notes_.size()));
    // A chunk that broke before it ran has no end time: now.
    const std::int64_t end = st.ended_ns ? st.ended_ns : clock_ns();
    notes_.push_back(
        {st.begin, st.attempted, end - static_cast<std::int64_t>(st.nanos), end, st.failed});
  }
  const std::vector<ChunkNote>& notes() const { return notes_; }
  void clear() { notes_.clear(); }

 private:
  std::vector<ChunkNote> notes_;
};

/// Worker: sends its notes, then answers rank 0's pings. Blocking: rank 0
/// serves the workers one at a time, and has taken every result already.
inline void send_notes(const Context& ctx, const std::vector<ChunkNote>& notes) {
  check(MPI_Send(notes.data(), mpi_count(notes.size() * sizeof(ChunkNote), "a trace"), MPI_BYTE, 0,
                 kTraceTag, ctx.comm),
        "MPI_Send");
  answer_clock_pings(ctx.comm);
}

/// Rank 0: worker w's notes, their times moved onto rank 0's clock.
inline std::vector<ChunkNote> receive_notes(const Context& ctx, int w) {
  MPI_Status st;
  check(MPI_Probe(w, kTraceTag, ctx.comm, &st), "MPI_Probe");
  int bytes = 0;
  check(MPI_Get_count(&st, MPI_BYTE, &bytes), "MPI_Get_count");
  std::vector<ChunkNote> notes(static_cast<std::size_t>(bytes) / sizeof(ChunkNote));
  check(MPI_Recv(notes.data(), bytes, MPI_BYTE, w, kTraceTag, ctx.comm, MPI_STATUS_IGNORE),
        "MPI_Recv");
  const bool same_clock = ctx.hosts[static_cast<std::size_t>(w)] == ctx.host;
  const std::int64_t offset = clock_offset(ctx.comm, w, !same_clock);
  if (offset != 0)
    for (auto& n : notes) {
      n.start_ns -= offset;
      n.end_ns -= offset;
    }
  return notes;
}

}  // namespace mpimap::detail
