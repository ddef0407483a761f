#pragma once
// mpimap::Future: the result of an executor call that has not finished yet
// (Executor::submit, apply_async, map_async), like Python's
// concurrent.futures.Future and multiprocessing's AsyncResult. And
// as_completed, which yields futures as they finish.
//
// Waiting moves the executor's work along (there is no thread doing it in the
// background, see detail/executor_engine.hpp); an untimed wait may also run
// queued tasks on rank 0. A Future must not outlive its Executor's shutdown
// unless it is finished (every future is, after shutdown).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimap/detail/executor_engine.hpp"
#include "mpimap/detail/executor_jobs.hpp"
#include "mpimap/task_error.hpp"

namespace mpimap {

/// Future::get(timeout) and wait_for when the time ran out first.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Future::get on a call that was cancelled (Future::cancel, or shutdown
/// with cancel_futures) before it ran.
class CancelledError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
/// What a Future<R> keeps: R, with void and bool as they travel.
template <class R>
using future_value_t = stored_result_t<std::conditional_t<std::is_void_v<R>, Nothing, R>>;
}  // namespace detail

template <class R>
class Future {
 public:
  using State = detail::CallState<detail::future_value_t<R>>;

  Future() = default;
  Future(std::shared_ptr<State> state, detail::Engine* engine)
      : s_(std::move(state)), engine_(engine) {}

  bool valid() const { return s_ != nullptr; }

  /// Whether it has finished (value, failure or cancelled). Never blocks:
  /// it takes the results that are in and runs no task, so on a lone rank
  /// (no workers) only an untimed wait (get(), wait(), map...) runs them.
  bool ready() const {
    if (!s_->finished()) engine_->step(false);
    return s_->finished();
  }

  /// Waits until it has finished.
  void wait() const {
    if (!s_->finished()) engine_->wait_until([this] { return s_->finished(); });
  }
  /// Waits at most `timeout`; returns whether it has finished. Rank 0 runs
  /// no task of its own meanwhile, so it returns in time.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    if (s_->finished()) return true;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
    return engine_->wait_until([this] { return s_->finished(); }, deadline);
  }

  /// The value; a failed task throws its TaskError, a cancelled call
  /// CancelledError. May be called again (it copies).
  R get() const {
    wait();
    return value();
  }
  /// Like get(), but throws TimeoutError when it has not finished in time.
  template <class Rep, class Period>
  R get(std::chrono::duration<Rep, Period> timeout) const {
    if (!wait_for(timeout))
      throw TimeoutError(
          "mpimap::Future::get: not finished within " +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
          " ms");
    return value();
  }

  /// Cancels the call if it has not been handed out yet; returns whether it
  /// is cancelled.
  bool cancel() {
    if (!s_->finished()) {
      engine_->cancel(s_);
      engine_->step(false);  // runs its callbacks
    }
    return s_->cancelled();
  }
  bool cancelled() const { return s_->finished() && s_->cancelled(); }

  /// A map_async or starmap_async with OnError::Collect, once finished: its
  /// failed items, in item order (what Executor::failures() is to map).
  std::vector<TaskError> failures() const {
    std::vector<TaskError> all = s_->failures();
    std::sort(all.begin(), all.end(),
              [](const TaskError& a, const TaskError& b) { return a.index() < b.index(); });
    return all;
  }

  /// on_value(value) (on_value() for void) once the call succeeds, on rank 0,
  /// inside whichever executor call takes its result (at once if it has).
  /// An exception from it comes out of that call.
  template <class OnValue>
  Future& then(OnValue on_value) {
    return then(std::move(on_value), [](const TaskError&) {});
  }
  /// And on_error(task_error) when it fails (Python's error_callback).
  template <class OnValue, class OnError>
  Future& then(OnValue on_value, OnError on_error) {
    State* s = s_.get();
    s_->on_done([s, on_value = std::move(on_value), on_error = std::move(on_error)]() mutable {
      if (s->failure().has_value() && !s->options().collect) {
        on_error(*s->failure());
      } else if (s->value().has_value()) {
        if constexpr (std::is_void_v<R>)
          on_value();
        else
          on_value(static_cast<const R&>(*s->value()));
      }
    });
    return *this;
  }

  /// The engine and the job, for as_completed.
  const State& state() const { return *s_; }
  detail::Engine* engine() const { return engine_; }

 private:
  R value() const {
    if (s_->failure().has_value() && !s_->options().collect) throw *s_->failure();
    if (!s_->value().has_value())
      throw CancelledError("mpimap::Future::get: the call was cancelled");
    if constexpr (!std::is_void_v<R>) return R(*s_->value());
  }

  std::shared_ptr<State> s_;
  detail::Engine* engine_ = nullptr;
};

/// Yields the futures of `futures` as they finish (the first to finish
/// first; those already finished in their order), like Python's
/// concurrent.futures.as_completed. Waiting moves the work along.
template <class R>
class AsCompleted {
 public:
  explicit AsCompleted(std::span<Future<R>> futures) : futures_(futures) {
    for (std::size_t i = 0; i < futures.size(); ++i)
      if (futures[i].valid()) {
        pending_.push_back(i);
        if (!engine_) engine_ = futures[i].engine();
      }
  }

  class iterator {
   public:
    using value_type = Future<R>;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(AsCompleted* a) : a_(a) {}
    Future<R>& operator*() const { return a_->futures_[a_->ready_.front()]; }
    iterator& operator++() {
      a_->ready_.pop_front();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return !a_->next(); }

   private:
    AsCompleted* a_ = nullptr;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  /// Moves the finished ones from pending to ready, in their order.
  void sweep() {
    std::erase_if(pending_, [this](std::size_t i) {
      if (!futures_[i].state().finished()) return false;
      ready_.push_back(i);
      return true;
    });
  }
  /// Whether there is a next one (waits for it).
  bool next() {
    if (!ready_.empty()) return true;
    if (pending_.empty()) return false;
    sweep();
    if (ready_.empty()) {
      std::uint64_t seen = engine_->finished_jobs();
      engine_->wait_until([&] {
        if (engine_->finished_jobs() == seen) return false;  // nothing new: no sweep
        seen = engine_->finished_jobs();
        sweep();
        return !ready_.empty();
      });
    }
    return true;
  }

  std::span<Future<R>> futures_;
  std::vector<std::size_t> pending_;
  std::deque<std::size_t> ready_;
  detail::Engine* engine_ = nullptr;
};

template <class R>
AsCompleted<R> as_completed(std::vector<Future<R>>& futures) {
  return AsCompleted<R>(std::span<Future<R>>(futures));
}

}  // namespace mpimap
