#pragma once
// Where rank 0 takes items from during a dynamic map: a span of the caller's
// items (never copied), or any input range read lazily, a chunk at a time, so
// that a generator or the lines of a huge file never sit in memory at once.

#include <cstddef>
#include <iterator>
#include <optional>
#include <ranges>
#include <span>
#include <vector>

#include "mpimap/detail/chunking.hpp"

namespace mpimap::detail {

template <class T>
class SpanSource {
 public:
  using value_type = T;
  /// Spans returned by take() stay valid for the whole map.
  static constexpr bool stable = true;

  explicit SpanSource(std::span<const T> items) : items_(items) {}
  std::size_t size() const { return items_.size(); }
  /// Up to n next items (fewer at the end).
  std::span<const T> take(std::size_t n) {
    const auto got = items_.subspan(pos_, std::min(n, items_.size() - pos_));
    pos_ += got.size();
    return got;
  }

 private:
  std::span<const T> items_;
  std::size_t pos_ = 0;
};

template <std::ranges::input_range Range>
class RangeSource {
 public:
  using value_type = std::ranges::range_value_t<Range>;
  /// take() reuses one buffer: its span is valid until the next take().
  static constexpr bool stable = false;

  explicit RangeSource(Range& range)
      : range_(range),
        size_(std::ranges::sized_range<Range>
                  ? static_cast<std::size_t>(std::ranges::distance(range))
                  : ChunkCursor::kUnknown) {}
  std::size_t size() const { return size_; }
  std::span<const value_type> take(std::size_t n) {
    // begin() only now, inside the master's guard: a view's begin() runs the
    // caller's code too (views::filter looks for the first match), and what
    // it throws must stop the map like any other throw from the input.
    if (!it_) it_.emplace(std::ranges::begin(range_));
    buffer_.clear();
    for (; buffer_.size() < n && *it_ != std::ranges::end(range_); ++*it_) buffer_.push_back(**it_);
    return buffer_;
  }

 private:
  Range& range_;
  std::size_t size_;
  std::optional<std::ranges::iterator_t<Range>> it_;
  std::vector<value_type> buffer_;
};

}  // namespace mpimap::detail
