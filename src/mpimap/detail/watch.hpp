#pragma once
// Rank 0's eye on a map, for MapOptions::progress, stats and trace. A
// scheduler keeps one only when one of them is asked for (std::optional), so
// with all three off it costs one predictable branch per chunk: no clock
// read, no allocation.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/trace_exchange.hpp"
#include "mpimap/options.hpp"
#include "mpimap/progress.hpp"
#include "mpimap/stats.hpp"
#include "mpimap/trace.hpp"

namespace mpimap::detail {

class Watch {
 public:
  static bool wanted(const MapOptions& o) { return o.progress || o.stats || o.trace; }

  Watch(const Context& ctx, const MapOptions& o, std::optional<std::uint64_t> total)
      : ctx_(ctx),
        options_(o),
        total_(total),
        started_(clock_ns()),
        next_progress_(started_ + every()),
        ranks_(static_cast<std::size_t>(ctx.size)),
        busy_ns_(static_cast<std::size_t>(ctx.size)) {}

  bool tracing() const { return options_.trace != nullptr; }
  void set_total(std::uint64_t n) { total_ = n; }

  /// A chunk of `items` handed to `rank` (rank 0: taken for itself), with the
  /// bytes its message took.
  void handed(int rank, std::uint64_t items, std::size_t bytes = 0) {
    if (items == 0) return;
    handed_ += items;
    bytes_sent_ += bytes;
    ++ranks_[static_cast<std::size_t>(rank)].chunks;
    ++chunks_;
    min_chunk_ = std::min(min_chunk_, items);
    max_chunk_ = std::max(max_chunk_, items);
  }
  void received(std::size_t bytes) { bytes_received_ += bytes; }

  /// A chunk's outcome, from `rank`; rank 0's own are timed here for the trace.
  void done(int rank, const ChunkStatus& st) {
    RankStats& r = ranks_[static_cast<std::size_t>(rank)];
    r.tasks += st.attempted;
    busy_ns_[static_cast<std::size_t>(rank)] += st.nanos;
    done_ += st.attempted;
    failed_ += st.errors.size() + (st.failed ? 1 : 0);
    if (rank == 0 && tracing()) mine_.add(st);
    if (options_.progress) {
      const std::int64_t now = clock_ns();
      if (now >= next_progress_) {
        next_progress_ = now + every();
        call_progress(progress(now, false));
      }
    }
  }

  /// Rank 0 was blocked waiting for a result since `since` (clock_ns()).
  void waited(std::int64_t since) {
    const std::int64_t now = clock_ns();
    wait_ns_ += now - since;
    if (tracing()) waits_.push_back({since, now});
  }

  /// A worker's chunks for the trace, on rank 0's clock (trace_exchange.hpp).
  void notes(int rank, std::vector<ChunkNote>&& n) { notes_.emplace_back(rank, std::move(n)); }

  /// The map's work is over (what follows, the trace's exchange, is not the
  /// map's time).
  void stop_clock() { ended_ = clock_ns(); }

  /// The map is over: the trace gets its slices, the stats are filled, the
  /// progress callback gets its last call.
  void finish() {
    const std::int64_t end = ended_ ? ended_ : clock_ns();
    if (options_.trace) record_trace(end);
    if (options_.stats) fill_stats(*options_.stats, end);
    if (options_.progress) call_progress(progress(end, true));
  }

  /// The first exception the progress callback threw (it is not called again):
  /// the map goes on to its end, so that every rank leaves it, and the caller
  /// rethrows this on rank 0.
  std::exception_ptr thrown() const { return thrown_; }

 private:
  std::int64_t every() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(options_.progress_every).count();
  }

  void call_progress(const MapProgress& p) {
    if (thrown_) return;
    try {
      options_.progress(p);
    } catch (...) {
      thrown_ = std::current_exception();
    }
  }

  MapProgress progress(std::int64_t now, bool finished) const {
    return {.done = done_,
            .failed = failed_,
            .running = handed_ - std::min(handed_, done_),
            .total = total_,
            .seconds = static_cast<double>(now - started_) * 1e-9,
            .finished = finished};
  }

  void record_trace(std::int64_t end) {
    Trace& t = *options_.trace;
    t.add_track_names(ctx_.hosts);
    // A worker's clock offset is measured within half a round trip: its
    // first chunk (its earliest) may seem to start before the map did.
    std::int64_t origin = started_;
    for (const auto& [rank, notes] : notes_)
      if (!notes.empty()) origin = std::min(origin, notes.front().start_ns);
    t.begin_map(origin);
    for (auto& [rank, notes] : notes_) t.add_notes(rank, std::move(notes));
    t.reserve(2 * (mine_.notes().size() + waits_.size()) + 1);
    // Rank 0: its chunks and waits, and dispatching in the gaps between them.
    std::vector<Trace::Slice> mine;
    mine.reserve(mine_.notes().size() + waits_.size());
    for (const auto& n : mine_.notes())
      mine.push_back({.rank = 0,
                      .kind = Trace::Kind::Chunk,
                      .start_ns = n.start_ns,
                      .end_ns = n.end_ns,
                      .begin = n.begin,
                      .items = n.items,
                      .failed = n.failed != 0});
    for (const auto& [from, to] : waits_)
      mine.push_back({.rank = 0, .kind = Trace::Kind::Wait, .start_ns = from, .end_ns = to});
    std::sort(mine.begin(), mine.end(),
              [](const auto& a, const auto& b) { return a.start_ns < b.start_ns; });
    std::int64_t at = started_;
    for (const auto& s : mine) {
      if (s.start_ns > at)
        t.add({.rank = 0, .kind = Trace::Kind::Dispatch, .start_ns = at, .end_ns = s.start_ns});
      at = std::max(at, s.end_ns);
      t.add(s);
    }
    if (end > at) t.add({.rank = 0, .kind = Trace::Kind::Dispatch, .start_ns = at, .end_ns = end});
  }

  void fill_stats(MapStats& s, std::int64_t end) const {
    s = MapStats{};
    s.schedule = options_.schedule;
    s.items = done_;
    s.seconds = static_cast<double>(end - started_) * 1e-9;
    s.ranks = ranks_;
    for (std::size_t r = 0; r < s.ranks.size(); ++r) {
      RankStats& rs = s.ranks[r];
      rs.host = r < ctx_.hosts.size() ? ctx_.hosts[r] : std::string();
      rs.busy_seconds = static_cast<double>(busy_ns_[r]) * 1e-9;
    }
    const bool root_idle = s.ranks.size() > 1 && s.ranks[0].tasks == 0;  // it only dispatched
    s.imbalance = detail::fill_busy(s.ranks, s.seconds, root_idle);
    s.items_per_second = s.seconds > 0 ? static_cast<double>(done_) / s.seconds : 0;
    s.chunks = chunks_;
    s.min_chunk = chunks_ ? min_chunk_ : 0;
    s.max_chunk = max_chunk_;
    s.mean_chunk = chunks_ ? static_cast<double>(handed_) / static_cast<double>(chunks_) : 0;
    s.bytes_sent = bytes_sent_;
    s.bytes_received = bytes_received_;
    s.compute_seconds = s.ranks.empty() ? 0 : s.ranks[0].busy_seconds;
    s.wait_seconds = static_cast<double>(wait_ns_) * 1e-9;
    s.dispatch_seconds = std::max(0.0, s.seconds - s.compute_seconds - s.wait_seconds);
  }

 private:
  const Context& ctx_;
  const MapOptions& options_;
  std::optional<std::uint64_t> total_;
  std::int64_t started_;
  std::int64_t next_progress_;
  std::vector<RankStats> ranks_;
  std::vector<std::uint64_t> busy_ns_;  // by rank
  std::uint64_t handed_ = 0, done_ = 0, failed_ = 0, chunks_ = 0;
  std::uint64_t min_chunk_ = std::numeric_limits<std::uint64_t>::max(), max_chunk_ = 0;
  std::uint64_t bytes_sent_ = 0, bytes_received_ = 0;
  std::int64_t wait_ns_ = 0;
  std::exception_ptr thrown_;                                  // by the progress callback
  std::int64_t ended_ = 0;                                     // stop_clock(), or 0
  ChunkNotes mine_;                                            // rank 0's chunks (trace)
  std::vector<std::pair<std::int64_t, std::int64_t>> waits_;   // rank 0's waits (trace)
  std::vector<std::pair<int, std::vector<ChunkNote>>> notes_;  // the workers' (trace)
};

}  // namespace mpimap::detail
