#pragma once
// Memory that a rank keeps from one map to the next. A worker of a static map
// needs room for its block of items and of results; fresh memory costs a page
// fault per 4 KiB on first touch (about half the time of a warm 10^7-item
// map of squares at 2 ranks), so the room is kept and reused. Blocks larger
// than kKeepBytes are given back after the map, so that one huge map does not
// pin its memory for the pool's lifetime.

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace mpimap::detail {

/// Types whose values may live in raw reused memory: no constructor to run,
/// copied as bytes.
template <class T>
inline constexpr bool is_scratch_v =
    std::is_trivially_default_constructible_v<T>&& std::is_trivially_copyable_v<T>;

class Scratch {
 public:
  /// Reused buffers larger than this are released by trim().
  static constexpr std::size_t kKeepBytes = std::size_t{256} << 20;

  /// Room for n values of T; what it holds is unspecified.
  template <class T>
  T* get(std::size_t n) {
    static_assert(is_scratch_v<T> && alignof(T) <= static_cast<std::size_t>(kAlign));
    const std::size_t bytes = n * sizeof(T);
    if (bytes > bytes_) {
      data_.reset();  // first, so that old and new are never both held
      bytes_ = 0;     // (and stays right should the allocation throw)
      data_.reset(static_cast<std::byte*>(::operator new(bytes, kAlign)));
      bytes_ = bytes;
    }
    return reinterpret_cast<T*>(data_.get());
  }

  /// Gives the memory back if it is larger than kKeepBytes.
  void trim() {
    if (bytes_ > kKeepBytes) data_.reset(), bytes_ = 0;
  }

 private:
  static constexpr std::align_val_t kAlign{64};
  struct Free {
    void operator()(std::byte* p) const { ::operator delete(p, kAlign); }
  };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t bytes_ = 0;
};

/// A static-map worker's room for its block of items and of results.
struct BlockRoom {
  Scratch items, results;
};

}  // namespace mpimap::detail
