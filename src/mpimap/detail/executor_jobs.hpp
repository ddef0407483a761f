#pragma once
// What rank 0 keeps of the executor's work: a Job is one submit (one call)
// or one map (many items), with the state its Future reads. The engine
// (executor_engine.hpp) sees every job alike, through this interface: it
// takes runs of items from a job, sends them as a segment of a chunk (or runs
// them on rank 0), and hands the segment's outcome back to the job.

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/executor_registry.hpp"
#include "mpimap/detail/task_runner.hpp"
#include "mpimap/detail/wire.hpp"
#include "mpimap/task_error.hpp"

namespace mpimap::detail {

/// How a job's tasks run (from MapOptions).
struct JobOptions {
  std::uint64_t chunksize = 0;  // 0: automatic
  bool capture_output = true;
  bool tag_output = false;
  bool collect = false;  // OnError::Collect
  bool root_computes = true;
  std::ostream* output = nullptr;  // nullptr: std::cout
  bool track_items = false;        // imap: which items are in, and in what order
  unsigned retries = 0;            // MapOptions::retries (CallOptions::retries)
  /// The flags a worker needs, in a segment's header.
  std::uint8_t flags() const {
    return static_cast<std::uint8_t>(capture_output | tag_output << 1 | collect << 2);
  }
};

class Job {
 public:
  Job(const TaskEntry& entry, std::uint64_t size, JobOptions options)
      : entry_(entry), size_(size), options_(options) {}
  virtual ~Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const TaskEntry& entry() const { return entry_; }
  const JobOptions& options() const { return options_; }
  std::uint64_t size() const { return size_; }
  /// The first item's number among all the executor's calls (output order).
  std::uint64_t seq() const { return seq_; }
  void set_seq(std::uint64_t seq) { seq_ = seq; }

  std::uint64_t undispatched() const { return size_ - next_; }
  /// Takes up to n items to dispatch; returns the first (n is updated).
  std::uint64_t take(std::uint64_t& n) {
    n = std::min(n, undispatched());
    const auto first = next_;
    next_ += n;
    return first;
  }
  /// Drops the items not dispatched yet; returns the first dropped and how
  /// many (through n).
  std::uint64_t drop_rest(std::uint64_t& n) {
    const auto first = next_;
    n = undispatched();
    next_ = size_;
    dropped_ += n;
    settled_ += n;
    return first;
  }
  /// Every item has run, failed, or been dropped.
  bool done() const { return settled_ == size_; }

  /// Items [first, first + count) to run again (retries), on another rank
  /// than `failed_on` where there is one.
  struct Rerun {
    std::uint64_t first = 0, count = 0;
    int failed_on = 0;
  };
  /// The reruns that the last outcome read (read_outcome, run_local) asked
  /// for; valid until the next one.
  std::span<const Rerun> new_reruns() const {
    return retry_ ? std::span<const Rerun>(retry_->reruns) : std::span<const Rerun>();
  }
  /// n items queued to run again are dropped instead (the job stopped, or
  /// was cancelled).
  void drop_rerun(std::uint64_t n) {
    dropped_ += n;
    settled_ += n;
  }
  /// A task failed and the job stops (OnError::Stop): the rest is dropped.
  bool stopping() const { return failure_.has_value() && !options_.collect; }
  /// Items were dropped, and no task failed: the job was cancelled.
  bool cancelled() const { return done() && dropped_ > 0 && !failure_; }
  const std::optional<TaskError>& failure() const { return failure_; }
  /// OnError::Collect: the failures, in item order once done.
  const std::vector<TaskError>& failures() const { return failures_; }

  virtual std::size_t item_bytes() const = 0;
  /// Whether items [first, first + n) travel in a message of their own
  /// (travels_apart), and where their bytes are.
  virtual bool items_apart(std::uint64_t n) const = 0;
  virtual const void* items_at(std::uint64_t first) const = 0;
  /// Appends the arguments of items [first, first + n) to a chunk.
  virtual void write_items(Writer& w, std::uint64_t first, std::uint64_t n) const = 0;
  /// The outcome of items [first, first + n), run on `rank`, from a chunk's
  /// answer (their values from a message of their own on `comm` when they
  /// came apart); outputs are appended (numbered by seq).
  virtual ChunkStatus read_outcome(Reader& r, std::uint64_t first, std::uint64_t n, int rank,
                                   const std::string& host, Outputs& outputs, MPI_Comm comm) = 0;
  /// Runs items [first, first + n) here, on rank 0.
  virtual ChunkStatus run_local(std::uint64_t first, std::uint64_t n, TaskRunner& runner,
                                Outputs& outputs, const std::string& host) = 0;
  /// Items [first, first + n) could not run on `rank` at all: the first of
  /// them fails with `message`.
  void fail_segment(std::uint64_t first, std::uint64_t n, int rank, const std::string& host,
                    const std::string& message) {
    ChunkStatus st{.begin = seq_ + first, .attempted = 1, .failed = true, .error = message};
    settle(st, first, n, rank, host);
  }
  /// Called once, by the engine, when the job is done: makes the value and
  /// runs the callbacks (which may throw, out of the executor call at hand),
  /// unless `quiet` (the body is being left by an exception: what the
  /// callbacks refer to may be gone).
  virtual void finish(bool quiet) = 0;

  /// The index a TaskError names for item i: its place in the map (a call's
  /// is its number among the executor's calls, see CallState).
  virtual std::uint64_t reported_index(std::uint64_t i) const { return i; }
  /// A submit (one call), not a map.
  virtual bool is_call() const { return false; }

 protected:
  /// With retries: takes the failures of a segment's outcome that have
  /// attempts left out of it (with what they printed) and notes them as
  /// reruns: the rest of the segment from a failed item on (OnError::Stop,
  /// where the segment ended there) or the item alone (Collect). Returns how
  /// many items are to run again: they are not settled.
  std::uint64_t requeue(ChunkStatus& st, std::uint64_t first, std::uint64_t n, int rank,
                        Outputs& outputs) {
    if (options_.retries == 0) return 0;
    if (!retry_) retry_ = std::make_unique<RetryState>();
    retry_->reruns.clear();
    std::uint64_t again = 0;
    auto rerun = [&](std::uint64_t i, std::uint64_t count) {  // i: the job's own numbering
      if (retry_->failed_attempts[i]++ >= options_.retries) return false;
      retry_->reruns.push_back({i, count, rank});
      const std::uint64_t from = seq_ + i, to = from + count;
      std::erase_if(outputs, [&](const auto& o) { return o.first >= from && o.first < to; });
      again += count;
      return true;
    };
    if (st.failed) {
      const std::uint64_t i = first + st.attempted - 1;
      if (rerun(i, first + n - i)) {
        st.failed = false;
        st.attempted -= 1;
        st.error.clear();
      }
    }
    std::erase_if(st.errors, [&](const auto& e) { return rerun(e.first - seq_, 1); });
    return again;
  }

  /// Records a segment's outcome: n items settled, failures noted.
  virtual void settle(const ChunkStatus& st, std::uint64_t first, std::uint64_t n, int rank,
                      const std::string& host, const ExceptionTypes& types = {}) {
    settled_ += n;
    auto type_of = [&types](std::uint64_t seq) {
      for (const auto& [index, type] : types)
        if (index == seq) return type;
      return std::string();
    };
    for (const auto& [index, message] : st.errors)
      failures_.emplace_back(reported_index(index - seq_), rank, host, message, type_of(index));
    if (st.failed) {
      const auto i = first + st.attempted - 1;
      if (!failure_ || reported_index(i) < failure_->index())
        failure_.emplace(reported_index(i), rank, host, st.error, type_of(seq_ + i));
    }
  }

 private:
  const TaskEntry& entry_;
  std::uint64_t size_;
  JobOptions options_;
  std::uint64_t seq_ = 0;
  std::uint64_t next_ = 0, settled_ = 0, dropped_ = 0;
  std::optional<TaskError> failure_;
  std::vector<TaskError> failures_;
  // With retries only (a job stays small: a submit is one, and thousands
  // may be pending).
  struct RetryState {
    std::vector<Rerun> reruns;                                    // the last outcome's
    std::unordered_map<std::uint64_t, unsigned> failed_attempts;  // by item
  };
  std::unique_ptr<RetryState> retry_;
};

/// A job with the value its Future gets: V is a call's stored result, or a
/// map's vector (Nothing for a task returning void). Callbacks run once it
/// is done.
template <class V>
class CallState : public Job {
 public:
  using Job::Job;
  const std::optional<V>& value() const { return value_; }
  std::optional<V>& value() { return value_; }
  /// cb() once the job is done (now, if it is).
  void on_done(std::function<void()> cb) {
    if (finished_)
      cb();
    else
      callbacks_.push_back(std::move(cb));
  }
  /// The value is made and the callbacks have run (or are running).
  bool finished() const { return finished_; }
  void finish(bool quiet) final {
    if (finished_) return;
    finished_ = true;
    if (!failure().has_value() || options().collect)
      if (!cancelled()) make_value();
    auto callbacks = std::move(callbacks_);
    if (!quiet)
      for (auto& cb : callbacks) cb();
  }

 protected:
  virtual void make_value() = 0;
  std::optional<V> value_;

 private:
  bool finished_ = false;
  std::vector<std::function<void()>> callbacks_;
};

/// The one job class: items of wire type W (a map's, or one call's
/// arguments), results stored as S, the Future's value V.
template <class W, class S, class V>
class ItemsJob final : public CallState<V> {
 public:
  /// Items read in place from `items`, which must outlive the job (map,
  /// which waits for it), or owned (`owned`, moved in).
  ItemsJob(const TypedEntry<S, W>& entry, std::span<const W> items, std::vector<W> owned,
           JobOptions options, bool is_call)
      : CallState<V>(entry, owned.empty() ? items.size() : owned.size(), options),
        typed_(entry),
        owned_(std::move(owned)),
        items_(owned_.empty() ? items : std::span<const W>(owned_)),
        is_call_(is_call) {
    results_.resize(items_.size());
    if (options.track_items) ready_.resize(items_.size());
  }

  std::size_t item_bytes() const override { return sizeof(W); }
  bool items_apart(std::uint64_t n) const override { return travels_apart<W>(n); }
  const void* items_at(std::uint64_t first) const override { return items_.data() + first; }

  void write_items(Writer& w, std::uint64_t first, std::uint64_t n) const override {
    w.put_values(items_.data() + first, n);
  }

  ChunkStatus read_outcome(Reader& r, std::uint64_t first, std::uint64_t n, int rank,
                           const std::string& host, Outputs& outputs, MPI_Comm comm) override {
    const auto base = this->seq();
    ChunkStatus st = detail::read_outcome<S>(
        r, [&](std::uint64_t begin, std::uint64_t) { return results_.data() + (begin - base); },
        outputs);
    if constexpr (travels_apart<S>(~std::uint64_t{0})) {
      if (st.values_apart)
        check(MPI_Recv(results_.data() + (st.begin - base),
                       mpi_count(st.succeeded() * sizeof(S), "a message"), MPI_BYTE, rank,
                       kExecResultValuesTag, comm, MPI_STATUS_IGNORE),
              "MPI_Recv");
    }
    const ExceptionTypes types = read_types(r);
    const std::uint64_t again = this->requeue(st, first, n, rank, outputs);
    settle(st, first, n - again, rank, host, types);
    return st;
  }

  ChunkStatus run_local(std::uint64_t first, std::uint64_t n, TaskRunner& runner, Outputs& outputs,
                        const std::string& host) override {
    ExceptionTypes types;
    auto invoke = [this](const W& w) { return typed_.invoke(w); };
    auto call = [&](const W& w) { return call_noting_type(invoke, w, types); };
    const RunningTaskName named(typed_.name().c_str(), this->seq() + first - reported_index(first),
                                is_call_);
    ChunkStatus st = run_chunk(call, items_.data() + first, this->seq() + first, n,
                               results_.data() + first, runner, outputs);
    const std::uint64_t again = this->requeue(st, first, n, 0, outputs);
    settle(st, first, n - again, 0, host, types);
    return st;
  }

  /// imap: whether item i is in (ran, or failed), and the order they came.
  bool ready(std::uint64_t i) const { return ready_[i] != 0; }
  const std::vector<std::uint64_t>& arrivals() const { return arrivals_; }
  S& result(std::uint64_t i) { return results_[i]; }
  std::vector<S>& results() { return results_; }

  std::uint64_t reported_index(std::uint64_t i) const override {
    return is_call_ ? this->seq() : i;
  }
  bool is_call() const override { return is_call_; }

 private:
  void settle(const ChunkStatus& st, std::uint64_t first, std::uint64_t n, int rank,
              const std::string& host, const ExceptionTypes& types) override {
    Job::settle(st, first, n, rank, host, types);
    if (!this->options().track_items) return;
    for (std::uint64_t i = first; i < first + st.attempted; ++i) {
      ready_[i] = 1;
      if (!(st.failed && i == first + st.attempted - 1)) arrivals_.push_back(i);
    }
  }

  void make_value() override {
    if constexpr (std::is_same_v<V, S>) {
      this->value_ = std::move(results_.front());
    } else if constexpr (std::is_same_v<V, Nothing>) {
      this->value_ = Nothing{};
    } else if constexpr (std::is_same_v<V, std::vector<S>>) {
      this->value_ = std::move(results_);
    } else {  // std::vector<bool> from Bool
      this->value_.emplace(results_.begin(), results_.end());
    }
  }

  const TypedEntry<S, W>& typed_;
  std::vector<W> owned_;
  std::span<const W> items_;
  bool is_call_;
  std::vector<S> results_;
  std::vector<std::uint8_t> ready_;
  std::vector<std::uint64_t> arrivals_;
};

}  // namespace mpimap::detail
