#pragma once
// A reorder buffer: blocks that finish in any order come out in index order,
// each as soon as every index before it is done. A pool's per-task output
// (OrderedPrinter) and the task farm's --keep-order (farm::Printer) are both
// this with a different block and a different way to print it.
//
// An index is "done" when complete() covers it, whether or not it had a block
// (most tasks print nothing); blocks are add()ed before or at completion.

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace mpimap::detail {

template <class Block>
class InOrder {
 public:
  using Sink = std::function<void(Block&)>;

  /// `sink` gets each block in turn; `after` (optional) is called once after
  /// each batch of released blocks (to flush a stream, say).
  explicit InOrder(Sink sink, std::function<void()> after = {}, std::uint64_t first = 0)
      : sink_(std::move(sink)), after_(std::move(after)), frontier_(first) {}

  void add(std::uint64_t index, Block block) { pending_.insert_or_assign(index, std::move(block)); }

  /// Indices [begin, end) are done; releases what became releasable.
  void complete(std::uint64_t begin, std::uint64_t end) {
    if (begin >= end) return;
    const auto before = frontier_;
    if (begin == frontier_) {
      frontier_ = end;  // the common case, in order: no map traffic
    } else {
      done_.emplace(begin, end);
    }
    for (auto it = done_.begin(); it != done_.end() && it->first == frontier_; it = done_.erase(it))
      frontier_ = it->second;
    if (frontier_ != before && !pending_.empty())
      release_below(frontier_ < stop_ ? frontier_ : stop_);
  }

  /// Releases every stored block with index < limit, done or not (after a
  /// failure, or at the end).
  void release_below(std::uint64_t limit) {
    auto it = pending_.begin();
    for (; it != pending_.end() && it->first < limit; ++it) sink_(it->second);
    if (it == pending_.begin()) return;
    pending_.erase(pending_.begin(), it);
    if (after_) after_();
  }

  /// Never release a block at index >= end (after a failure, nothing past the
  /// failing item is printed).
  void stop_at(std::uint64_t end) { stop_ = end < stop_ ? end : stop_; }

 private:
  Sink sink_;
  std::function<void()> after_;
  std::uint64_t frontier_;                       // every index below is done
  std::uint64_t stop_ = UINT64_MAX;              // see stop_at
  std::map<std::uint64_t, std::uint64_t> done_;  // finished ranges past the frontier
  std::map<std::uint64_t, Block> pending_;
};

}  // namespace mpimap::detail
