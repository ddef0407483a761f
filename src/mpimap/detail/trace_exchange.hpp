#pragma once
// MapOptions::trace across ranks. A worker notes each chunk it runs (only when
// rank 0 asked, in the chunk's header); after the map, rank 0 takes every
// worker's notes in turn, with the offset of the worker's clock from its own.
//
// Clocks: steady_clock differs from host to host (and MPI_Wtime is not
// global either). The offset is measured NTP-style: rank 0 sends at t0, the
// worker answers with its time tw, rank 0 receives at t1; then
// offset = tw - (t0 + t1) / 2, within half the round trip. Of kPings tries the
// shortest round trip is kept. Ranks on rank 0's host share its clock
// (steady_clock is the system's monotonic clock): their offset is 0 exactly.

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap::detail {

inline std::int64_t clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// One chunk a rank ran, on its own clock.
struct ChunkNote {
  std::uint64_t begin = 0, items = 0;
  std::int64_t start_ns = 0, end_ns = 0;
  bool failed = false;
};

/// A worker's notes; it notes a chunk just after running it (start is its end
/// less the chunk's measured time).
class ChunkNotes {
 public:
  void add(std::uint64_t begin, std::uint64_t items, std::uint64_t nanos, bool failed) {
    const std::int64_t end = clock_ns();
    notes_.push_back({begin, items, end - static_cast<std::int64_t>(nanos), end, failed});
  }
  const std::vector<ChunkNote>& notes() const { return notes_; }

 private:
  std::vector<ChunkNote> notes_;
};

inline constexpr int kPings = 8;

/// Worker: answers rank 0's pings, then sends its notes. Blocking: rank 0
/// serves the workers one at a time, and has taken every result already.
inline void send_notes(const Context& ctx, const std::vector<ChunkNote>& notes) {
  for (int k = 0; k < kPings; ++k) {
    check(MPI_Recv(nullptr, 0, MPI_BYTE, 0, kTraceTag, ctx.comm, MPI_STATUS_IGNORE), "MPI_Recv");
    const std::int64_t now = clock_ns();
    check(MPI_Send(&now, 1, MPI_INT64_T, 0, kTraceTag, ctx.comm), "MPI_Send");
  }
  std::vector<char> buf;
  Writer w(buf);
  w.put<std::uint64_t>(notes.size());
  for (const auto& n : notes) {
    w.put(n.begin);
    w.put(n.items);
    w.put(n.start_ns);
    w.put(n.end_ns);
    w.put<std::uint8_t>(n.failed);
  }
  check(MPI_Send(buf.data(), mpi_count(buf.size(), "a trace"), MPI_BYTE, 0, kTraceTag, ctx.comm),
        "MPI_Send");
}

/// Rank 0: worker w's notes, their times moved onto rank 0's clock.
inline std::vector<ChunkNote> receive_notes(const Context& ctx, int w) {
  const bool same_clock = ctx.hosts[static_cast<std::size_t>(w)] == ctx.host;
  std::int64_t offset = 0, best = std::numeric_limits<std::int64_t>::max();
  for (int k = 0; k < kPings; ++k) {
    const std::int64_t t0 = clock_ns();
    check(MPI_Send(nullptr, 0, MPI_BYTE, w, kTraceTag, ctx.comm), "MPI_Send");
    std::int64_t theirs = 0;
    check(MPI_Recv(&theirs, 1, MPI_INT64_T, w, kTraceTag, ctx.comm, MPI_STATUS_IGNORE), "MPI_Recv");
    const std::int64_t t1 = clock_ns();
    if (t1 - t0 < best) {
      best = t1 - t0;
      offset = theirs - (t0 + (t1 - t0) / 2);
    }
  }
  if (same_clock) offset = 0;
  std::vector<char> buf;
  receive_any(ctx.comm, w, kTraceTag, buf, true);
  Reader r(buf);
  std::vector<ChunkNote> notes(r.get<std::uint64_t>());
  for (auto& n : notes) {
    n.begin = r.get<std::uint64_t>();
    n.items = r.get<std::uint64_t>();
    n.start_ns = r.get<std::int64_t>() - offset;
    n.end_ns = r.get<std::int64_t>() - offset;
    n.failed = r.get<std::uint8_t>() != 0;
  }
  return notes;
}

}  // namespace mpimap::detail
