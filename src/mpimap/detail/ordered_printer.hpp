#pragma once
// Rank 0 prints each task's captured output as one block, in item order, as
// soon as every earlier item is done (InOrder over text, to a stream).

#include <cstdint>
#include <ostream>
#include <string>

#include "mpimap/detail/in_order.hpp"

namespace mpimap::detail {

class OrderedPrinter {
 public:
  explicit OrderedPrinter(std::ostream& os)
      : blocks_([&os](std::string& text) { os << text; }, [&os] { os.flush(); }) {}

  void add(std::uint64_t index, std::string text) { blocks_.add(index, std::move(text)); }
  /// Items [begin, end) are finished; prints what became printable.
  void complete(std::uint64_t begin, std::uint64_t end) { blocks_.complete(begin, end); }
  /// Prints every stored block with index < limit, done or not (used after a
  /// failure, when the items before the failing one are all done).
  void flush_below(std::uint64_t limit) { blocks_.release_below(limit); }
  /// Never print a block at index >= end (after a failure, nothing past the
  /// failing item is printed, whatever the schedule).
  void stop_at(std::uint64_t end) { blocks_.stop_at(end); }

 private:
  InOrder<std::string> blocks_;
};

}  // namespace mpimap::detail
