#pragma once
// How many items go in one piece of work.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "mpimap/options.hpp"

namespace mpimap::detail {

/// Start of rank r's block when n items are split into p near-equal
/// contiguous blocks (the first n % p blocks get one item more).
inline std::size_t block_begin(std::size_t n, int p, int r) {
  const auto pp = static_cast<std::size_t>(p), rr = static_cast<std::size_t>(r);
  return rr * (n / pp) + std::min(rr, n % pp);
}

/// How long an automatic chunk should take: long enough that handing it out
/// (a few microseconds) is noise, short enough that the last chunks balance
/// well. Rank 0 serves every worker, so with many ranks chunks grow to keep
/// it below a small share of its time.
inline std::uint64_t auto_chunk_nanos(int ranks) {
  return std::max<std::uint64_t>(2'000'000,
                                 20'000 * static_cast<std::uint64_t>(std::max(ranks, 1)));
}

/// Hands out consecutive chunks [next, next + size) by a schedule:
/// - Dynamic with a chunksize: chunks of that size.
/// - Dynamic with chunksize 0 (automatic): chunks that take about
///   auto_chunk_nanos() by the mean task time measured so far (one item until
///   the first measurement), and never more than guided's cap below, so that
///   tiny tasks get few large chunks and long ones get chunks of a few items.
/// - Guided: max(chunksize, ceil(remaining / (2 * ranks))), chunksize 0
///   counting as 1: big chunks first, shrinking as the work runs out.
/// Automatic and guided chunks also hold at most `max_items` items (see
/// max_chunk_items), so that the chunks in flight fit in bounded memory
/// however cheap the tasks are.
/// The total may be unknown (kUnknown) when items come lazily; then the cap
/// does not apply until end_at() says where the input ended.
class ChunkCursor {
 public:
  static constexpr std::size_t kUnknown = std::numeric_limits<std::size_t>::max();

  ChunkCursor(std::size_t n, int ranks, Schedule schedule, std::size_t chunksize,
              std::size_t max_items = kUnknown)
      : n_(n),
        ranks_(static_cast<std::size_t>(std::max(ranks, 1))),
        guided_(schedule == Schedule::Guided),
        adaptive_(schedule != Schedule::Guided && chunksize == 0),
        chunksize_(chunksize ? chunksize : 1),
        max_items_(std::max<std::size_t>(max_items, 1)),
        target_nanos_(auto_chunk_nanos(ranks)) {}

  bool done() const { return next_ >= n_; }
  std::size_t next() const { return next_; }
  /// Items not handed out yet (kUnknown while a lazy input has not ended).
  std::size_t left() const { return n_ == kUnknown ? kUnknown : n_ - next_; }
  bool adaptive() const { return adaptive_; }
  /// The size the next chunk would have, before the cap for the remainder.
  std::size_t chunksize() const { return chunksize_; }

  /// The next chunk's size (0 when done), and moves past it.
  std::size_t take() {
    if (done()) return 0;
    const std::size_t left = n_ - next_;
    std::size_t size = chunksize_;
    if (n_ != kUnknown) {
      const std::size_t cap = (left + 2 * ranks_ - 1) / (2 * ranks_);
      size = guided_     ? std::max(size, cap)
             : adaptive_ ? std::min(size, std::max<std::size_t>(cap, 1))
                         : size;
    }
    if (guided_ || adaptive_) size = std::min(size, std::max(max_items_, chunksize_floor()));
    size = std::min(size, left);
    next_ += size;
    return size;
  }

  /// A run of up to n items for rank 0 itself, whatever the chunk size (the
  /// chunk size is about messages, and these are not sent), but never more
  /// than a fair share of what is left, ceil(left / ranks). Moves past it.
  std::size_t take_local(std::size_t n) {
    if (done()) return 0;
    std::size_t size = std::max<std::size_t>(n, 1);
    if (n_ != kUnknown) size = std::min(size, (n_ - next_ + ranks_ - 1) / ranks_);
    next_ += size;
    return size;
  }

  /// The input ended after n items (a lazy source ran dry).
  void end_at(std::size_t n) { n_ = next_ = n; }

  /// `items` tasks took `nanos` in all: refines the automatic chunk size.
  void observe(std::uint64_t items, std::uint64_t nanos) {
    if (!adaptive_ || items == 0) return;
    items_seen_ += items;
    nanos_seen_ += nanos;
    const std::uint64_t per_item = std::max<std::uint64_t>(1, nanos_seen_ / items_seen_);
    chunksize_ = static_cast<std::size_t>(std::max<std::uint64_t>(1, target_nanos_ / per_item));
  }

 private:
  std::size_t n_;
  std::size_t ranks_;
  bool guided_;
  bool adaptive_;
  /// Guided never goes below the caller's chunksize.
  std::size_t chunksize_floor() const { return guided_ ? chunksize_ : 1; }

  std::size_t chunksize_;
  std::size_t max_items_;
  std::uint64_t target_nanos_;
  std::uint64_t items_seen_ = 0, nanos_seen_ = 0;
  std::size_t next_ = 0;
};

/// All the chunks in flight of a dynamic map together hold at most about
/// this many bytes of items (and as many of results), so that rank 0's memory
/// stays bounded whatever the input's length and the tasks' speed.
inline constexpr std::size_t kInFlightBytes = std::size_t{12} << 20;

/// The most items an automatic or guided chunk may hold when `workers` ranks
/// each have up to `window` chunks in flight: kInFlightBytes shared out, but
/// never below 64 KiB a chunk (the message cost must stay small against it).
inline std::size_t max_chunk_items(std::size_t item_bytes, int workers, int window) {
  const std::size_t chunks = static_cast<std::size_t>(std::max(workers, 1) * std::max(window, 1));
  const std::size_t bytes = std::max<std::size_t>(kInFlightBytes / chunks, std::size_t{64} << 10);
  return std::max<std::size_t>(1, bytes / std::max<std::size_t>(item_bytes, 1));
}

}  // namespace mpimap::detail
