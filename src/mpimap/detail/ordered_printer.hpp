#pragma once
// Rank 0 prints each task's captured output as one block, in item order, as
// soon as every earlier item is done.

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

namespace mpimap::detail {

class OrderedPrinter {
 public:
  explicit OrderedPrinter(std::ostream& os) : os_(os) {}

  void add(std::uint64_t index, std::string text);
  /// Items [begin, end) are finished; prints what became printable.
  void complete(std::uint64_t begin, std::uint64_t end);
  /// Prints every stored block with index < limit, done or not (used after a
  /// failure, when the items before the failing one are all done).
  void flush_below(std::uint64_t limit);
  /// Never print a block at index >= end (after a failure, nothing past the
  /// failing item is printed, whatever the schedule).
  void stop_at(std::uint64_t end) { stop_ = end < stop_ ? end : stop_; }

 private:
  std::ostream& os_;
  std::uint64_t frontier_ = 0;                  // all items below are done
  std::uint64_t stop_ = UINT64_MAX;             // see stop_at
  std::map<std::uint64_t, std::uint64_t> done_;  // finished ranges past the frontier
  std::map<std::uint64_t, std::string> pending_;
};

}  // namespace mpimap::detail
