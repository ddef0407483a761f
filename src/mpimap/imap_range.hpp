#pragma once
// The range Executor::imap and imap_unordered return: results as they come
// (in item order, or in the order they finish), one per step of a range-for.
// Breaking out of the loop (or destroying the range) cancels the items not
// handed out yet; those in flight finish in the background and are dropped,
// and the executor stays usable. A failed task throws its TaskError from
// the loop, at its place in item order (imap) or when it arrives
// (imap_unordered).

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "mpimap/detail/executor_engine.hpp"
#include "mpimap/detail/executor_jobs.hpp"
#include "mpimap/future.hpp"

namespace mpimap {

template <class R, class W, class S>
class ImapRange {
 public:
  using Job = detail::ItemsJob<W, S, detail::Nothing>;

  ImapRange(std::shared_ptr<Job> job, detail::Engine* engine, bool ordered)
      : job_(std::move(job)), engine_(engine), ordered_(ordered) {}
  ImapRange(ImapRange&& other) noexcept = default;
  ImapRange& operator=(ImapRange&&) = delete;
  ImapRange(const ImapRange&) = delete;
  ~ImapRange() {
    if (job_ && !job_->done()) engine_->cancel(job_);
  }

  class iterator {
   public:
    using value_type = R;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(ImapRange* r) : r_(r) {}
    const R& operator*() const { return r_->current(); }
    iterator& operator++() {
      r_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return r_->at_end(); }

   private:
    ImapRange* r_ = nullptr;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

  /// How many items the map has.
  std::size_t size() const { return static_cast<std::size_t>(job_->size()); }

 private:
  bool at_end() const { return pos_ == job_->size(); }
  void advance() {
    current_.reset();
    ++pos_;
  }

  const R& current() {
    if (current_) return *current_;
    const auto& failure = job_->failure();
    auto in = [&] {
      if (failure && (!ordered_ || failure->index() <= pos_)) return true;
      return ordered_ ? job_->ready(pos_) : job_->arrivals().size() > pos_;
    };
    if (!in()) engine_->wait_until([&] { return in() || job_->done(); });
    if (ordered_ ? (failure && failure->index() <= pos_)
                 : (job_->arrivals().size() <= pos_ && failure))
      throw *failure;
    const bool there = ordered_ ? job_->ready(pos_) : job_->arrivals().size() > pos_;
    if (!there) throw CancelledError("mpimap::Executor::imap: the map was cancelled");
    const auto i = ordered_ ? pos_ : job_->arrivals()[pos_];
    current_.emplace(std::move(job_->result(i)));
    return *current_;
  }

  std::shared_ptr<Job> job_;
  detail::Engine* engine_;
  bool ordered_;
  std::uint64_t pos_ = 0;
  std::optional<R> current_;
};

}  // namespace mpimap
