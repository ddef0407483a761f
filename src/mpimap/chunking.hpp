#pragma once
// How many items go in one piece of work.

#include <algorithm>
#include <cstddef>

#include "mpimap/options.hpp"

namespace mpimap {

/// The chunksize used when MapOptions::chunksize is 0: about four chunks per
/// rank, the rule of Python's Pool.map, so that a slow chunk can be balanced
/// by the others while dispatch costs stay a small share of the work.
inline std::size_t auto_chunksize(std::size_t items, int ranks) {
  const std::size_t pieces = 4 * static_cast<std::size_t>(std::max(ranks, 1));
  return std::max<std::size_t>(1, (items + pieces - 1) / pieces);
}

/// Start of rank r's block when n items are split into p near-equal
/// contiguous blocks (the first n % p blocks get one item more).
inline std::size_t block_begin(std::size_t n, int p, int r) {
  const auto pp = static_cast<std::size_t>(p), rr = static_cast<std::size_t>(r);
  return rr * (n / pp) + std::min(rr, n % pp);
}

/// Hands out consecutive chunks [begin, end) of n items by a schedule.
class ChunkCursor {
 public:
  ChunkCursor(std::size_t n, int ranks, Schedule schedule, std::size_t chunksize)
      : n_(n),
        ranks_(static_cast<std::size_t>(std::max(ranks, 1))),
        guided_(schedule == Schedule::Guided),
        chunksize_(chunksize ? chunksize
                   : guided_ ? 1
                             : auto_chunksize(n, ranks)) {}

  bool done() const { return next_ == n_; }
  std::size_t next() const { return next_; }
  std::size_t chunksize() const { return chunksize_; }

  /// The next chunk's size (0 when done), and moves past it.
  std::size_t take() {
    const std::size_t left = n_ - next_;
    std::size_t size = chunksize_;
    if (guided_) size = std::max(size, (left + 2 * ranks_ - 1) / (2 * ranks_));
    size = std::min(size, left);
    next_ += size;
    return size;
  }

 private:
  std::size_t n_;
  std::size_t ranks_;
  bool guided_;
  std::size_t chunksize_;
  std::size_t next_ = 0;
};

}  // namespace mpimap
