#include "mpimap/detail/ordered_printer.hpp"

#include <utility>

namespace mpimap::detail {

void OrderedPrinter::add(std::uint64_t index, std::string text) {
  pending_.emplace(index, std::move(text));
}

void OrderedPrinter::complete(std::uint64_t begin, std::uint64_t end) {
  if (begin == end) return;
  const auto before = frontier_;
  if (begin == frontier_) {
    frontier_ = end;  // the common case, in order: no map traffic
  } else {
    done_.emplace(begin, end);
  }
  for (auto it = done_.begin(); it != done_.end() && it->first == frontier_;
       it = done_.erase(it))
    frontier_ = it->second;
  if (frontier_ != before && !pending_.empty()) flush_below(frontier_ < stop_ ? frontier_ : stop_);
}

void OrderedPrinter::flush_below(std::uint64_t limit) {
  auto it = pending_.begin();
  for (; it != pending_.end() && it->first < limit; ++it) os_ << it->second;
  if (it != pending_.begin()) {
    pending_.erase(pending_.begin(), it);
    os_.flush();
  }
}

}  // namespace mpimap::detail
