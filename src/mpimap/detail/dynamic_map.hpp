#pragma once
// Dynamic and guided schedules: rank 0 hands out chunks on demand.
//
// Every worker may keep several chunks in flight (window_for), so when it
// finishes one the next is already in its mailbox: a worker's result doubles as
// its request for more, and it never waits on a round trip. Two rules keep the
// end of a map balanced and rank 0 responsive:
//  - No worker holds more queued items than its fair share of what is left,
//    ceil(left / ranks) (at least one): near the end, items wait at rank 0,
//    where any rank that frees up can get them, not in one worker's mailbox.
//  - Rank 0 runs tasks too, one at a time, looking at its mailbox every few
//    microseconds, but only while it has nothing to hand out: no result is
//    waiting and every worker has at least two items in flight (one running,
//    one queued). When dispatching is the bottleneck (many ranks, tiny tasks)
//    rank 0 therefore only dispatches, and at the end of a map it stays free
//    to hand the last items to whoever asks first.
// All sends are non-blocking on both sides: a worker sending a large result and
// rank 0 sending it a chunk can never deadlock.
//
// With MapOptions::retries, a failing task does not fail its chunk on rank 0:
// the rest of the chunk from that item on (OnError::Stop: the chunk ended
// there) or the item alone (Collect) is queued again, for any rank but the one
// where it failed (where another one computes), and goes out before new work.
//
// The master takes items from a Source (sources.hpp) and hands results to a
// Sink (sinks.hpp); map, imap, imap_unordered and map_reduce differ only
// there. With map_reduce the workers fold their own results and send their
// accumulator once, when told to stop.

#include <mpi.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/chunking.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/failure.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/detail/ordered_printer.hpp"
#include "mpimap/detail/scratch.hpp"
#include "mpimap/detail/sinks.hpp"
#include "mpimap/detail/sources.hpp"
#include "mpimap/detail/wait.hpp"
#include "mpimap/detail/watch.hpp"

namespace mpimap::detail {

/// Chunks in flight per worker, at most. A worker's buffer is window - 1
/// chunks, and it must outlast rank 0's own tasks, during which rank 0 hands
/// out nothing: with uneven tasks a long one of rank 0's is many times the
/// mean (log-normal with sigma 1: 1 in 200 tasks is over 8 times the mean), so
/// dynamic chunks get a deep window. The fair-share rule (may_send) keeps the
/// depth from hurting the end of a map. Guided chunks start huge, so there a
/// deeper window would hand a worker too much of the input at once.
inline int window_for(Schedule s) { return s == Schedule::Guided ? 2 : 16; }
/// Rank 0 runs a task of its own only while every worker has at least this
/// many items in flight (one running, one queued), and queued work that
/// outlasts most tasks (see TaskTimes).
inline constexpr std::uint64_t kBusyItems = 2;

/// The task times seen so far (per item, from every chunk's time), in
/// power-of-two buckets: their mean, and a time that 95% of the tasks stay
/// under. Rank 0 cannot look at its mailbox while one of its own tasks runs,
/// so it starts one only when every worker has that much work queued: a task
/// of rank 0's then rarely leaves a worker idle, however uneven the tasks.
class TaskTimes {
 public:
  void add(std::uint64_t items, std::uint64_t nanos) {
    if (items == 0) return;
    items_ += items;
    nanos_ += nanos;
    counts_[static_cast<std::size_t>(std::bit_width(nanos / items))] += items;
  }
  /// 0 while nothing is measured.
  std::uint64_t mean() const { return items_ ? nanos_ / items_ : 0; }
  /// The lower edge of the bucket that holds the 95th percentile (at least
  /// the mean's bucket edge); 0 while nothing is measured.
  std::uint64_t long_task() const {
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
      seen += counts_[b];
      if (seen * 20 >= items_ * 19) return b == 0 ? 0 : std::uint64_t{1} << (b - 1);
    }
    return 0;
  }

 private:
  std::array<std::uint64_t, 65> counts_{};
  std::uint64_t items_ = 0, nanos_ = 0;
};
/// Worker side: results whose sends may be pending before it waits for them
/// (a result is one message, or two when its values travel apart).
inline constexpr int kMaxPendingSends = 2;
/// How often rank 0 looks at its mailbox while it runs tasks itself.
inline constexpr std::chrono::microseconds kPollEvery{5};
/// Rank 0 takes items for itself about this much work at a time (by the mean
/// task time so far; one item until there is one), and finishes them before it
/// stops computing: so when it turns to dispatching, at most this much work
/// waits on rank 0 that another rank could have run.
inline constexpr std::chrono::microseconds kLocalChunk{50};

/// Rank 0's side of a dynamic map.
template <class F, class Source, class R, class Sink>
class DynamicMaster {
  using T = typename Source::value_type;
  using clock = std::chrono::steady_clock;

 public:
  DynamicMaster(const Context& ctx, F& f, Source& source, Sink& sink, TaskRunner& runner,
                std::ostream& os, const MapOptions& options)
      : ctx_(ctx),
        f_(f),
        source_(source),
        sink_(sink),
        runner_(runner),
        printer_(os),
        cursor_(source.size(), ctx.size, options.schedule, options.chunksize,
                max_chunk_items(sizeof(T), ctx.size - 1, window_for(options.schedule))),
        held_cap_(std::max<std::size_t>(1, kInFlightBytes / sizeof(R))),
        root_computes_(options.root_computes || ctx.size == 1),
        stop_(options.stop),
        retries_(options.retries),
        computing_ranks_(ctx.size - 1 + (root_computes_ ? 1 : 0)),
        window_(window_for(options.schedule)),
        workers_(static_cast<std::size_t>(ctx.size)),
        sends_(ctx.comm) {
    if (Watch::wanted(options)) {
      const std::size_t n = source.size();
      watch_.emplace(ctx, options,
                     n == ChunkCursor::kUnknown ? std::nullopt : std::optional<std::uint64_t>(n));
      tracing_ = watch_->tracing();
    }
  }

  /// Runs the map to its end and stops the workers, telling them how it
  /// ended; returns the failure (host included). An exception of rank 0's
  /// own (the caller's code, or mpimap's: memory, a type's serialize) stops
  /// dispatching and is kept for stopped_by(); the chunks in flight are
  /// drained all the same, so every rank leaves the map.
  FirstFailure run() {
    try {
      dispatch();
    } catch (...) {
      if (!stopped_by_) stopped_by_ = std::current_exception();
    }
    while (in_flight_ > 0) {
      try {
        handle_result(true);
      } catch (...) {
        if (!stopped_by_) stopped_by_ = std::current_exception();
      }
    }
    failure_.name_host(ctx_);
    // A stop that came too late to leave anything undone is no stop.
    if (stopped_ && (!cursor_.done() || local_pos_ < local_.size())) failure_.stop(stopped_);
    if (watch_) watch_->stop_clock();
    for (int w = 1; w < ctx_.size; ++w) {
      Writer wr(sends_.buffer());
      failure_.write(wr, ctx_);
      wr.put<std::uint8_t>(tracing_);  // send your chunk notes (trace_exchange.hpp)
      sends_.send(w, kStopTag);
    }
    sends_.drain();
    if (tracing_)
      for (int w = 1; w < ctx_.size; ++w) watch_->notes(w, receive_notes(ctx_, w));
    if (watch_) {
      watch_->finish();
      if (!stopped_by_) stopped_by_ = watch_->thrown();
    }
    if (failure_) printer_.flush_below(failure_.index() + 1);
    return failure_;
  }

  /// OnError::Collect: the failures, in arrival order.
  Collected& collected() { return collected_; }

  /// The first exception that the caller's own code threw on rank 0 during
  /// run(): an imap callback (throwing is how a C++ caller stops early), a
  /// fold's op, a lazy input range. From then on nothing more is dispatched or
  /// delivered, the chunks in flight are drained and the workers stopped as
  /// after a failed task, so every rank leaves the map and the pool stays
  /// usable; the caller rethrows it.
  std::exception_ptr stopped_by() const { return stopped_by_; }

 private:
  void dispatch() {
    // Round-robin, so that with few items every worker gets some.
    for (int k = 0; k < window_; ++k)
      for (int w = 1; w < ctx_.size; ++w)
        if (may_send(w)) send_chunk(w);
    while (true) {
      while (handle_result(false)) {
      }
      if (may_compute()) {
        // Tasks of its own until it is time to look at the mailbox again.
        const auto poll_at = clock::now() + kPollEvery;
        while (run_local_slice() && (ctx_.size == 1 || clock::now() < poll_at)) {
        }
        continue;
      }
      // Workers left without work while the sink held too much (see
      // may_hand_out), or with items to run again, get theirs before rank 0
      // waits.
      for (int w = 1; w < ctx_.size; ++w)
        while (may_send(w)) send_chunk(w);
      if (in_flight_ == 0) break;
      handle_result(true);
    }
  }

  bool may_dispatch() const {
    return !failure_ && !stopped_by_ && (!cursor_.done() || !requeued_.empty()) &&
           !stop_requested();
  }

  /// MapOptions::stop, latched: once seen, the map stops handing out work.
  bool stop_requested() const {
    if (stop_ && !stopped_) stopped_ = stop_->load(std::memory_order_relaxed);
    return stopped_ != 0;
  }

  /// may_dispatch(), unless the sink holds too many results waiting for an
  /// earlier one (imap behind a slow chunk): then nothing more goes out until
  /// the chunks in flight (the late one among them) are back, so that rank 0's
  /// memory stays bounded.
  bool may_hand_out() const {
    return may_dispatch() && (in_flight_ == 0 || sink_.held() <= held_cap_);
  }

  /// What rank 0 knows of one worker's chunks in flight.
  struct Worker {
    std::deque<std::uint64_t> chunks;  // items of each, in the order sent
    std::uint64_t items = 0;           // their sum
  };

  /// Whether worker w may get another chunk: within its window, and below its
  /// fair share of the items left (at least one item).
  bool may_send(int w) const {
    if (!may_hand_out() || (cursor_.done() && !has_retry_for(w))) return false;
    const Worker& k = workers_[static_cast<std::size_t>(w)];
    if (k.chunks.size() >= static_cast<std::size_t>(window_)) return false;
    if (k.items == 0) return true;
    const std::size_t left = cursor_.left();
    if (left == ChunkCursor::kUnknown) return true;
    const std::size_t ranks = static_cast<std::size_t>(ctx_.size);
    return k.items < (left + ranks - 1) / ranks;
  }

  /// Whether rank 0 should run a task of its own now (see the top of this
  /// file): it still holds items of its own, or it may take more and no
  /// worker is short of work (or none needs what is left).
  bool may_compute() const {
    if (!root_computes_ || stopped_by_ || stop_requested()) return false;
    if (local_pos_ < local_.size()) return true;
    if (!may_hand_out() || (cursor_.done() && !has_retry_for(0))) return false;
    // What rank 0 would take is all that is left: no one else needs it.
    if (cursor_.left() <= items_for(kLocalChunk)) return true;
    // Every worker has one item queued, and as many more as make a long task.
    const std::uint64_t mean = times_.mean();
    const std::uint64_t queued =
        std::max<std::uint64_t>(kBusyItems - 1, mean ? times_.long_task() / mean : 0);
    for (int w = 1; w < ctx_.size; ++w)
      if (workers_[static_cast<std::size_t>(w)].items < queued + 1) return false;
    return true;
  }

  /// How many items `span` of task time holds, by the mean so far (1 while
  /// nothing is measured).
  std::uint64_t items_for(std::chrono::nanoseconds span) const {
    const std::uint64_t mean = times_.mean();
    if (mean == 0) return 1;
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(span.count()) / mean);
  }

  void observe(const ChunkStatus& status) {
    cursor_.observe(status.attempted, status.nanos);
    times_.add(status.attempted, status.nanos);
  }

  /// Runs the caller's code (sink, source) unless it threw before.
  template <class G>
  void guarded(G&& g) {
    if (stopped_by_) return;
    try {
      g();
    } catch (...) {
      stopped_by_ = std::current_exception();
    }
  }

  /// Takes the next chunk's items from the source (empty when it ran dry);
  /// with `local`, that many items for rank 0 itself (see take_local).
  std::span<const T> next_chunk(std::uint64_t& begin, std::size_t local = 0) {
    begin = cursor_.next();
    const std::size_t want = local ? cursor_.take_local(local) : cursor_.take();
    std::span<const T> items;
    guarded([&] { items = source_.take(want); });
    if (items.size() < want) {
      cursor_.end_at(begin + items.size());
      if (watch_) watch_->set_total(begin + items.size());
    }
    return items;
  }

  void send_chunk(int w) {
    if (!may_dispatch()) return;
    std::uint64_t begin = 0;
    std::span<const T> items;
    bool stable = Source::stable;
    if (auto again = take_retry(w)) {
      begin = again->begin;
      items = keep(begin, std::move(again->items));
      stable = false;
    } else {
      items = next_chunk(begin);
      if (items.empty()) return;
      if (retries_) items = keep(begin, std::vector<T>(items.begin(), items.end()));
    }
    // Large chunks of a stable source go straight from the caller's items.
    bool apart = false;
    if constexpr (is_fast_v<T>) apart = stable && items.size_bytes() >= kValuesApartBytes;
    auto& buf = sends_.buffer();
    Writer wr(buf);
    wr.put(begin);
    wr.put<std::uint64_t>(items.size());
    wr.put<std::uint8_t>(apart | (tracing_ << 1));  // bit 1: note this chunk for the trace
    if (!apart) wr.put_values(items.data(), items.size());
    if (watch_) watch_->handed(w, items.size(), buf.size() + (apart ? items.size_bytes() : 0));
    sends_.send(w, kTaskTag);
    if (apart) sends_.send_view(items.data(), items.size_bytes(), w, kTaskValuesTag);
    ++in_flight_;
    Worker& k = workers_[static_cast<std::size_t>(w)];
    k.chunks.push_back(items.size());
    k.items += items.size();
  }

  /// Takes one result if there is one (or waits for one when `block`).
  bool handle_result(bool block) {
    const std::int64_t since = watch_ && block ? clock_ns() : 0;
    const MPI_Status st = receive_any(ctx_.comm, MPI_ANY_SOURCE, kResultTag, recv_buf_, block);
    if (st.MPI_SOURCE == MPI_PROC_NULL) return false;
    if (watch_) {
      if (block) watch_->waited(since);
      watch_->received(recv_buf_.size());
    }
    const int w = st.MPI_SOURCE;
    --in_flight_;
    Worker& k = workers_[static_cast<std::size_t>(w)];
    const std::uint64_t sent = k.chunks.front();  // a worker answers its chunks in order
    k.items -= sent;
    k.chunks.pop_front();
    Reader reader(recv_buf_);
    outputs_.clear();
    ChunkStatus status;
    try {
      status = read_outcome<R>(
          reader,
          [this](std::uint64_t begin, std::uint64_t count) -> R* {
            if constexpr (!Sink::workers_send_values)
              return nullptr;  // the values were not sent
            else
              return place_for(begin, count);
          },
          outputs_);
    } catch (...) {  // a result's deserialize threw: the chunk fails at its first item
      status = broken_chunk(reader_begin(recv_buf_), "receiving the results");
    }
    if (status.values_apart) receive_values(w, status);
    if (retries_)
      if (auto node = kept_.extract(status.begin))
        retry_failures(status, std::span<const T>(node.mapped()).first(sent), w, outputs_);
    if (watch_ && status.values_apart) watch_->received(status.succeeded() * sizeof(R));
    if constexpr (Sink::workers_send_values)
      guarded([&] { sink_.complete(status.begin, status.succeeded(), status.failed); });
    observe(status);
    for (auto& [index, text] : outputs_) printer_.add(index, std::move(text));
    note(status, w);
    while (may_send(w)) send_chunk(w);
    sends_.reap();
    return true;
  }

  /// The first item of the chunk whose outcome is in `buf`.
  static std::uint64_t reader_begin(const std::vector<char>& buf) {
    return Reader(buf).get<std::uint64_t>();
  }

  /// Where a worker's values for [begin, begin + count) go: the sink's place
  /// for them, or, when the sink cannot give one (it threw: the map stops),
  /// a buffer that discards them, since they must be received all the same.
  R* place_for(std::uint64_t begin, std::uint64_t count) {
    R* dest = nullptr;
    if constexpr (Sink::workers_send_values) guarded([&] { dest = sink_.slot(begin, count); });
    if (!dest) discard_.resize(count), dest = discard_.data();
    return dest;
  }

  /// Receives a chunk's values that came apart from its outcome straight
  /// into the sink.
  void receive_values(int w, const ChunkStatus& status) {
    R* dest = place_for(status.begin, status.succeeded());
    check(MPI_Recv(dest, mpi_count(status.succeeded() * sizeof(R), "a message"), MPI_BYTE, w,
                   kResultValuesTag, ctx_.comm, MPI_STATUS_IGNORE),
          "MPI_Recv");
  }

  void note(ChunkStatus& status, int rank) {
    if (watch_) watch_->done(rank, status);
    collect_errors(collected_, status, rank);
    failure_.note(status, rank);
    if (failure_) printer_.stop_at(failure_.index() + 1);
    // Items queued again are not done: their output comes with the rerun.
    std::uint64_t from = status.begin;
    for (const std::uint64_t index : requeued_now_)
      printer_.complete(from, index), from = index + 1;
    requeued_now_.clear();
    printer_.complete(from, status.begin + status.attempted);
  }

  /// An item or run of items to run again (see the top of this file).
  struct Requeued {
    std::uint64_t begin;
    std::vector<T> items;
    int failed_on;  // the rank where it failed last
  };

  /// With retries: keeps a chunk's items until its outcome is in, in case a
  /// task fails; returns them.
  std::span<const T> keep(std::uint64_t begin, std::vector<T> items) {
    if (!retries_) return {};
    return kept_.insert_or_assign(begin, std::move(items)).first->second;
  }

  bool may_run_on(const Requeued& r, int rank) const {
    return r.failed_on != rank || computing_ranks_ <= 1;
  }
  bool has_retry_for(int rank) const {
    return std::any_of(requeued_.begin(), requeued_.end(),
                       [&](const Requeued& r) { return may_run_on(r, rank); });
  }
  std::optional<Requeued> take_retry(int rank) {
    const auto it = std::find_if(requeued_.begin(), requeued_.end(),
                                 [&](const Requeued& r) { return may_run_on(r, rank); });
    if (it == requeued_.end()) return std::nullopt;
    Requeued r = std::move(*it);
    requeued_.erase(it);
    return r;
  }

  /// Queues the failed tasks of a chunk (run on `rank`, its items `items`)
  /// that have retries left, and takes them out of its outcome, with what
  /// they printed: the chunk then ends before them (OnError::Stop) or merely
  /// lacks them (Collect). The rest fail as usual.
  void retry_failures(ChunkStatus& st, std::span<const T> items, int rank, Outputs& outputs) {
    auto retry = [&](std::uint64_t index, std::uint64_t count) {
      if (attempts_[index]++ >= retries_) return false;
      const auto from = items.subspan(index - st.begin, count);
      requeued_.push_back({index, std::vector<T>(from.begin(), from.end()), rank});
      std::erase_if(outputs, [index](const auto& o) { return o.first == index; });
      return true;
    };
    if (st.failed) {
      const std::uint64_t index = st.begin + st.attempted - 1;
      if (retry(index, items.size() - (index - st.begin))) {
        st.failed = false;
        st.attempted -= 1;
        st.error.clear();
      }
    }
    std::erase_if(st.errors, [&](const auto& e) {
      if (!retry(e.first, 1)) return false;
      requeued_now_.push_back(e.first);
      return true;
    });
  }

  /// Runs some of rank 0's own items (about kPollEvery of work), taking a new
  /// local chunk when needed. Returns false when rank 0 has nothing to run.
  bool run_local_slice() {
    if (stopped_by_ || stop_requested()) return false;
    if (local_pos_ == local_.size()) {
      if (!may_hand_out()) return false;
      if (auto again = take_retry(0)) {
        local_begin_ = again->begin;
        local_copy_ = std::move(again->items);
        local_ = local_copy_;
      } else {
        local_ = next_chunk(local_begin_, items_for(kLocalChunk));
        if constexpr (!Source::stable) {
          local_copy_.assign(local_.begin(), local_.end());
          local_ = local_copy_;
        }
      }
      local_pos_ = 0;
      if (local_.empty()) return false;
      if (watch_) watch_->handed(0, local_.size());
    }
    const std::uint64_t count = std::min<std::uint64_t>(
        local_.size() - local_pos_, ctx_.size == 1 ? local_.size() : items_for(kPollEvery));
    const std::uint64_t begin = local_begin_ + local_pos_;
    local_outputs_.clear();
    R* slot = nullptr;
    guarded([&] { slot = sink_.slot(begin, count); });
    if (stopped_by_) return false;
    ChunkStatus status =
        run_chunk(f_, local_.data() + local_pos_, begin, count, slot, runner_, local_outputs_);
    const bool ended = status.failed;
    if (retries_) retry_failures(status, local_.subspan(local_pos_), 0, local_outputs_);
    local_pos_ += count;
    observe(status);
    guarded([&] { sink_.complete(begin, status.succeeded(), status.failed); });
    for (auto& [index, text] : local_outputs_) printer_.add(index, std::move(text));
    if (ended) local_pos_ = local_.size();  // abandon the rest (or it runs again)
    note(status, 0);
    return true;
  }

  const Context& ctx_;
  F& f_;
  Source& source_;
  Sink& sink_;
  TaskRunner& runner_;
  OrderedPrinter printer_;
  ChunkCursor cursor_;
  std::size_t held_cap_;  // results the sink may hold back (see may_hand_out)
  bool root_computes_;
  const std::atomic<int>* stop_;  // MapOptions::stop
  mutable int stopped_ = 0;       // its value once seen (stop_requested)
  unsigned retries_;              // MapOptions::retries
  int computing_ranks_;
  std::deque<Requeued> requeued_;                         // to run again, first
  std::map<std::uint64_t, std::vector<T>> kept_;          // with retries: items in flight
  std::unordered_map<std::uint64_t, unsigned> attempts_;  // failed attempts per item
  std::vector<std::uint64_t> requeued_now_;               // by the chunk at hand (Collect)
  int window_;
  std::vector<Worker> workers_;  // by rank; [0] unused
  SendQueue sends_;
  int in_flight_ = 0;
  std::span<const T> local_;
  std::vector<T> local_copy_;
  std::uint64_t local_begin_ = 0;
  std::size_t local_pos_ = 0;
  FirstFailure failure_;
  Collected collected_;
  std::exception_ptr stopped_by_;
  std::vector<char> recv_buf_;
  std::vector<R> discard_;  // values with nowhere to go (the sink threw)
  Outputs outputs_, local_outputs_;
  TaskTimes times_;             // tasks measured so far, all ranks
  std::optional<Watch> watch_;  // progress, stats, trace: only when asked for
  bool tracing_ = false;
};

/// No folding: a worker of map, imap and imap_unordered sends its values.
struct NoFold {};

/// Folds a chunk's values into acc. Should the op throw, the chunk fails at
/// the item whose value it was folding (rank 0 reports it as that item's
/// TaskError), and `failed` is set: the accumulator is then in no fit state
/// to fold into, and rank 0 will not combine it.
template <class R, class Fold>
void fold_into(R& acc, Fold& fold, R* values, ChunkStatus& status, bool& failed) {
  for (std::uint64_t i = 0; i < status.succeeded(); ++i) {
    std::string why;
    try {
      acc = fold(std::move(acc), std::move(values[i]));
      continue;
    } catch (const std::exception& e) {
      why = std::string("map_reduce's op threw: ") + e.what();
    } catch (...) {
      why = "map_reduce's op threw an unknown exception";
    }
    status.attempted = i + 1;
    status.failed = failed = true;
    status.error = std::move(why);
    return;
  }
}

/// A worker rank: runs the chunks rank 0 sends until told to stop, and
/// returns the map's failure as rank 0 told it. With a fold (map_reduce), it
/// folds its values into `acc` instead of sending them, and sends `acc` when
/// told to stop. An exception outside the tasks (a type's serialize threw,
/// memory ran out) fails the chunk at hand, so rank 0 hears of it.
template <class F, class T, class R, class Fold = NoFold>
FirstFailure dynamic_worker(const Context& ctx, F& f, TaskRunner& runner, Fold* fold = nullptr,
                            R* acc = nullptr) {
  constexpr bool folding = !std::is_same_v<Fold, NoFold>;
  // Large chunks of plain values are computed straight into the buffer that
  // carries them back (see kValuesApartBytes).
  constexpr bool may_go_apart = !folding && is_fast_v<R> && !std::is_empty_v<R> &&
                                is_scratch_v<R> && alignof(R) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  bool fold_failed = false;  // the op threw: the map fails, nothing more is folded
  SendQueue sends(ctx.comm);
  std::vector<char> in;
  std::vector<T> items;
  std::vector<R> results;
  Outputs outputs;
  FirstFailure failure;
  bool tracing = false;  // rank 0 asked for chunk notes (MapOptions::trace)
  ChunkNotes notes;
  while (true) {
    const MPI_Status st = receive_any(ctx.comm, 0, MPI_ANY_TAG, in, true);
    if (st.MPI_TAG == kStopTag) {
      Reader reader(in);
      failure.read(reader);
      if (!reader.done() && reader.get<std::uint8_t>()) send_notes(ctx, notes.notes());
      break;
    }
    Reader reader(in);
    const auto begin = reader.get<std::uint64_t>();
    const auto count = reader.get<std::uint64_t>();
    const auto flags = reader.get<std::uint8_t>();
    const bool items_apart = (flags & 1) != 0;
    tracing = (flags & 2) != 0;
    std::optional<ChunkStatus> broken;
    try {
      items.resize(count);
      if (!items_apart) reader.get_values(count, items.data());
    } catch (...) {
      broken = broken_chunk(begin, "receiving the items");
    }
    if (items_apart) {
      if constexpr (is_fast_v<T>) {
        // Received all the same (the next chunk's must not meet it), into
        // the items or, when there was no room for them, bytes of its own.
        std::vector<char> spare;
        void* dest = items.data();
        if (items.size() != count) spare.resize(count * sizeof(T)), dest = spare.data();
        check(MPI_Recv(dest, mpi_count(count * sizeof(T), "a message"), MPI_BYTE, 0, kTaskValuesTag,
                       ctx.comm, MPI_STATUS_IGNORE),
              "MPI_Recv");
      }
    }
    outputs.clear();
    std::vector<char> values;
    R* out = nullptr;
    const bool apart = !broken && may_go_apart && count * sizeof(R) >= kValuesApartBytes;
    ChunkStatus status;
    try {
      if (apart) {
        values = sends.take_buffer();
        values.resize(count * sizeof(R));
        out = reinterpret_cast<R*>(values.data());
      } else if (!broken) {
        results.resize(count);
        out = results.data();
      }
    } catch (...) {
      broken = broken_chunk(begin, "making room for the results");
    }
    status = broken ? *broken : run_chunk(f, items.data(), begin, count, out, runner, outputs);
    if (tracing) notes.add(status);
    if constexpr (folding)
      if (!fold_failed && !broken) fold_into(*acc, *fold, out, status, fold_failed);
    auto& buf = sends.buffer();
    try {
      Writer w(buf);
      write_outcome(w, status, folding || broken ? nullptr : out, outputs, apart);
    } catch (...) {  // a result's serialize threw
      buf.clear();
      Writer w(buf);
      write_outcome<R>(w, broken_chunk(begin, "sending the results"), nullptr, {});
    }
    sends.send(0, kResultTag);
    if (apart) {
      values.resize(status.succeeded() * sizeof(R));
      sends.send(std::move(values), 0, kResultValuesTag);
    }
    if (sends.pending() > 2 * kMaxPendingSends) sends.drain();
  }
  if constexpr (folding) {
    auto& buf = sends.buffer();
    try {
      Writer w(buf);
      w.put_values(acc, 1);
    } catch (...) {  // rank 0 must get a message all the same; it gets an empty one
      buf.clear();
    }
    sends.send(0, kFoldTag);
  }
  sends.drain();
  return failure;
}

/// On rank 0 after a folding map: takes every worker's accumulator and, with
/// `combine`, folds them in, in rank order (without: the map was stopped, and
/// the messages are only taken so that none is left behind).
template <class R, class Fold>
void collect_folds(const Context& ctx, R& acc, Fold& fold, bool combine = true) {
  // Every message first: should `fold` throw, none is left behind to be
  // mistaken for the next map's.
  std::vector<R> theirs(static_cast<std::size_t>(ctx.size > 1 ? ctx.size - 1 : 0));
  std::vector<char> buf;
  for (int w = 1; w < ctx.size; ++w) {
    receive_any(ctx.comm, w, kFoldTag, buf, true);
    Reader(buf).get_values(1, &theirs[static_cast<std::size_t>(w - 1)]);
  }
  if (combine)
    for (auto& a : theirs) acc = fold(std::move(acc), std::move(a));
}

}  // namespace mpimap::detail
