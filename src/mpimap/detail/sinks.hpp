#pragma once
// What rank 0 does with results during a dynamic map. A sink gives a place
// for the values of a chunk (slot), then hears that the chunk is done
// (complete, with how many of its items succeeded, and whether a task failed:
// a failing task ends its chunk).
//   VectorSink   map: results in a vector, in item order.
//   SpanSink     map_into: results in the caller's buffer.
//   OrderedSink  imap: a callback per result in item order, as soon as all
//                earlier results are in; holds only results that wait.
//   UnorderedSink imap_unordered: a callback per result as it arrives.
//   FoldSink     map_reduce: folds rank 0's own results; workers fold theirs.
// held() says how many results a sink keeps waiting for an earlier one (only
// OrderedSink does): rank 0 stops handing out work while that is too many.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

namespace mpimap::detail {

/// Calls cb(index, value) or cb(value), whichever it takes.
template <class Callback, class R>
void deliver(Callback& cb, std::uint64_t index, R&& value) {
  if constexpr (std::is_invocable_v<Callback&, std::size_t, R&&>)
    cb(static_cast<std::size_t>(index), std::forward<R>(value));
  else
    cb(std::forward<R>(value));
}

template <class R>
class VectorSink {
 public:
  static constexpr bool workers_send_values = true;
  static std::size_t held() { return 0; }
  explicit VectorSink(std::vector<R>& out) : out_(out) {}
  R* slot(std::uint64_t begin, std::uint64_t count) {
    if (out_.size() < begin + count) out_.resize(begin + count);
    return out_.data() + begin;
  }
  void complete(std::uint64_t, std::uint64_t, bool) {}

 private:
  std::vector<R>& out_;
};

/// map_into: results straight into the caller's buffer.
template <class R>
class SpanSink {
 public:
  static constexpr bool workers_send_values = true;
  static std::size_t held() { return 0; }
  explicit SpanSink(R* out) : out_(out) {}
  R* slot(std::uint64_t begin, std::uint64_t) { return out_ + begin; }
  void complete(std::uint64_t, std::uint64_t, bool) {}

 private:
  R* out_;
};

template <class R, class Callback>
class OrderedSink {
 public:
  static constexpr bool workers_send_values = true;
  explicit OrderedSink(Callback& cb) : cb_(cb) {}
  std::size_t held() const { return held_; }
  R* slot(std::uint64_t begin, std::uint64_t count) {
    auto& chunk = waiting_[begin];
    chunk.values.resize(count);
    return chunk.values.data();
  }
  void complete(std::uint64_t begin, std::uint64_t succeeded, bool failed) {
    auto& chunk = waiting_[begin];
    chunk.values.resize(succeeded);
    chunk.failed = failed;
    held_ += succeeded;
    // Deliver every chunk that starts where delivery stands; a failed chunk
    // stops delivery for good (nothing past a failing item is delivered).
    for (auto it = waiting_.begin(); !stopped_ && it != waiting_.end() && it->first == next_;
         it = waiting_.erase(it)) {
      held_ -= it->second.values.size();
      for (auto& v : it->second.values) deliver(cb_, next_++, std::move(v));
      stopped_ = it->second.failed;
    }
  }

 private:
  struct Chunk {
    std::vector<R> values;
    bool failed = false;
  };
  Callback& cb_;
  std::uint64_t next_ = 0;
  bool stopped_ = false;
  std::size_t held_ = 0;  // values in waiting_
  std::map<std::uint64_t, Chunk> waiting_;
};

template <class R, class Callback>
class UnorderedSink {
 public:
  static constexpr bool workers_send_values = true;
  static std::size_t held() { return 0; }
  explicit UnorderedSink(Callback& cb) : cb_(cb) {}
  R* slot(std::uint64_t begin, std::uint64_t count) {
    begin_ = begin;
    buffer_.resize(count);
    return buffer_.data();
  }
  void complete(std::uint64_t, std::uint64_t succeeded, bool) {
    for (std::uint64_t i = 0; i < succeeded; ++i) deliver(cb_, begin_ + i, std::move(buffer_[i]));
  }

 private:
  Callback& cb_;
  std::uint64_t begin_ = 0;
  std::vector<R> buffer_;
};

template <class R, class Op>
class FoldSink {
 public:
  static constexpr bool workers_send_values = false;
  static std::size_t held() { return 0; }
  FoldSink(R& acc, Op& op) : acc_(acc), op_(op) {}
  R* slot(std::uint64_t, std::uint64_t count) {
    buffer_.resize(count);
    return buffer_.data();
  }
  void complete(std::uint64_t, std::uint64_t succeeded, bool) {
    for (std::uint64_t i = 0; i < succeeded; ++i)
      acc_ = op_(std::move(acc_), std::move(buffer_[i]));
  }

 private:
  R& acc_;
  Op& op_;
  std::vector<R> buffer_;
};

}  // namespace mpimap::detail
