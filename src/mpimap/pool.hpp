#pragma once
// mpimap::Pool: Python's multiprocessing.Pool over MPI ranks.
//
// Every call is collective (SPMD): all ranks of the communicator make the same
// calls in the same order. Inputs matter on rank 0 only; results land on rank
// 0 (other ranks get an empty vector). Functions are not sent anywhere: each
// rank runs its own copy of the program, so any callable works, lambdas too.
//
// Every rank leaves every call the same way: when a task fails, every rank
// throws the same TaskError (after all work in flight has drained). An
// exception of rank 0's own code during a call (an imap callback, a lazy
// input range) is rethrown on rank 0, while the workers return normally:
// they have nothing to report, and the pool stays usable on every rank.
//
// Each call (and the destructor) begins with the ranks agreeing that they make
// the same call (detail/join.hpp). A call made on some ranks only, or
// different calls on different ranks, ends the job with one line naming the
// ranks and their calls, instead of hanging: at once when a rank is in
// another pool call (or destroying the pool), after the join timeout when it
// is elsewhere.

#include <boost/mpi/communicator.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/collective.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/dynamic_map.hpp"
#include "mpimap/detail/join.hpp"
#include "mpimap/detail/journal_fingerprint.hpp"
#include "mpimap/detail/static_map.hpp"
#include "mpimap/detail/task_runner.hpp"
#include "mpimap/options.hpp"
#include "mpimap/process.hpp"
#include "mpimap/spawn.hpp"
#include "mpimap/stopped.hpp"
#include "mpimap/task_error.hpp"

namespace mpimap {

class Pool {
 public:
  /// Collective over `comm`, which the pool duplicates so that its messages
  /// never meet the caller's.
  explicit Pool(const boost::mpi::communicator& comm = boost::mpi::communicator());
  /// A pool over `processes` processes of a program started without mpirun
  /// (Python's Pool(processes)): this process and processes - 1 copies of it
  /// started with MPI_Comm_spawn (spawn.hpp). The copies run main from the
  /// start, like Python's "spawn" start method, and make the same calls: the
  /// pool is collective as ever. Under mpirun (or srun) it is
  /// Pool(MPI_COMM_WORLD) and `processes` is ignored. The pool owns the
  /// group: destroy it before MPI_Finalize (the end of main does).
  static Pool spawn(int processes = available_cores());
  /// Python's Pool(processes=n): collective over `comm`, but only its first
  /// n ranks work. On the others (in_pool() false) every call returns at
  /// once with nothing, as a worker's call returns (an empty vector,
  /// map_reduce's init), and throws nothing: they take no part. n outside
  /// 1..comm.size() throws std::invalid_argument on every rank.
  Pool(const boost::mpi::communicator& comm, int processes);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  /// Collective, like every call: a rank that destroys its pool while
  /// another is still mapping is a mistake the pool reports (see join).
  ~Pool();

  /// This rank's number in the pool (on a rank outside it, in `comm`).
  int rank() const { return ctx_->rank; }
  /// The ranks in the pool.
  int size() const { return ctx_->size; }
  /// Whether this rank is one of the pool's (see Pool(comm, processes)).
  bool in_pool() const { return in_pool_; }
  bool is_root() const { return ctx_->rank == 0; }
  /// This rank's processor name.
  const std::string& host() const { return ctx_->host; }
  /// The pool's own communicator (empty on a rank outside the pool).
  const boost::mpi::communicator& communicator() const { return comm_; }

  /// How long a rank waits at the start of a call for the others to join it
  /// before it ends the job with a line saying which ranks are missing (zero:
  /// for ever). The default is 60 s, or $MPIMAP_JOIN_TIMEOUT seconds. Raise
  /// it when rank 0 works longer than that between two calls while the
  /// workers wait (reading a large input, say).
  void set_join_timeout(std::chrono::milliseconds timeout) { join_timeout_ = timeout; }

  /// On rank 0 after a call with OnError::Collect: every task that failed,
  /// in item order, each as the TaskError it would have thrown. Empty on the
  /// other ranks, and after a call where nothing failed.
  const std::vector<TaskError>& failures() const { return failures_; }

  /// f applied to every item, in item order, on rank 0. Throws TaskError on
  /// every rank when a task threw (after all work in flight has drained).
  /// `items` may be any input range: a vector or span is used in place; other
  /// ranges are read lazily on rank 0 (Static reads them into a vector first).
  template <class F, std::ranges::input_range Items>
  auto map(F&& f, Items&& items, const MapOptions& options = {}) {
    using T = std::ranges::range_value_t<Items>;
    static_assert(!std::is_void_v<std::invoke_result_t<F&, const T&>>,
                  "mpimap::Pool::map: the function returns void; use for_each");
    if (!join<T, detail::task_result_t<F, T>>(detail::CallKind::Map))
      return decltype(run(f, items, options)){};
    return run(f, items, options);
  }
  template <class F, class T>
  auto map(F&& f, std::initializer_list<T> items, const MapOptions& options = {}) {
    return map(std::forward<F>(f), std::span<const T>(items.begin(), items.size()), options);
  }

  /// Like map, but writes the results into `out` on rank 0 (out.size() must be
  /// items.size() there; other ranks pass an empty span). With Static and fast
  /// types this is zero-copy on rank 0: MPI_Scatterv reads your items and
  /// MPI_Gatherv writes straight into your buffer, which mpimap never fills
  /// first (map must value-initialise the vector it returns).
  template <class F, class T, class R>
  void map_into(F&& f, std::span<const T> items, std::span<R> out, const MapOptions& options = {}) {
    static_assert(std::is_same_v<R, detail::task_result_t<F, T>> && !std::is_same_v<R, bool>,
                  "mpimap::Pool::map_into: out must hold f's exact result type (not bool)");
    detail::require_sendable<T>();
    detail::require_sendable<R>();
    require_no_journal(options, "map_into");
    if (!join<T, R>(detail::CallKind::MapInto)) return;
    // Checked on rank 0 and agreed on, so that no rank is left waiting.
    int bad = is_root() && out.size() != items.size();
    if (size() > 1) detail::check(MPI_Bcast(&bad, 1, MPI_INT, 0, ctx_->comm), "MPI_Bcast");
    if (bad)
      throw std::invalid_argument("mpimap::Pool::map_into: out.size() != items.size() on rank 0");
    if (runs_static(options)) {
      detail::TaskRunner runner = runner_for(options, options.retries);
      detail::Collected collected;
      auto watch = watch_for(options, items.size());
      const auto failure = detail::static_map(
          *ctx_, room_, f, items, [&] { return out.data(); }, runner, output_of(options),
          options.message_limit, collected, watch ? &*watch : nullptr);
      keep_failures(collected);
      if (watch && watch->thrown()) std::rethrow_exception(watch->thrown());
      raise(failure);
    } else {
      detail::SpanSink<R> sink(out.data());
      stream(f, items, sink, options);
    }
  }

  /// f applied to every item for its effect (and its printing); no results.
  template <class F, std::ranges::input_range Items>
  void for_each(F&& f, Items&& items, const MapOptions& options = {}) {
    if (!join<std::ranges::range_value_t<Items>>(detail::CallKind::ForEach)) return;
    run(f, items, options);
  }

  /// Like map, but hands each result to callback(value) (or callback(index,
  /// value)) on rank 0, in item order, as soon as it and every earlier one are
  /// in. Rank 0 holds only the results that wait for an earlier one: memory is
  /// bounded by the chunks in flight, not by the input. Always schedules
  /// dynamically (Static counts as Dynamic). Results before a failing item are
  /// delivered, then TaskError is thrown.
  template <class F, std::ranges::input_range Items, class Callback>
  void imap(F&& f, Items&& items, Callback&& callback, const MapOptions& options = {}) {
    using T = std::ranges::range_value_t<Items>;
    using R = detail::stored_result_t<detail::task_result_t<F, T>>;
    detail::OrderedSink<R, std::remove_reference_t<Callback>> sink(callback);
    require_stop(options, "imap");
    if (!join<T, R>(detail::CallKind::Imap)) return;
    stream(f, items, sink, options);
  }

  /// Like imap, but in the order results arrive.
  template <class F, std::ranges::input_range Items, class Callback>
  void imap_unordered(F&& f, Items&& items, Callback&& callback, const MapOptions& options = {}) {
    using T = std::ranges::range_value_t<Items>;
    using R = detail::stored_result_t<detail::task_result_t<F, T>>;
    detail::UnorderedSink<R, std::remove_reference_t<Callback>> sink(callback);
    require_stop(options, "imap_unordered");
    if (!join<T, R>(detail::CallKind::ImapUnordered)) return;
    stream(f, items, sink, options);
  }

  /// op(...op(op(init, f(x1)), f(x2))...) over all items: every rank folds the
  /// results of the tasks it ran, starting from `init`, and rank 0 folds in
  /// the workers' accumulators. So `init` must be an identity of `op`, and
  /// `op` associative and commutative (which rank runs which item varies).
  /// The accumulator has the common type of `init` and f's result, as in
  /// Python's sum(): map_reduce(half, items, 0, std::plus<>{}) with half
  /// returning double adds doubles and returns a double, never truncating.
  /// The result is meaningful on rank 0; other ranks get their own part.
  template <class F, std::ranges::input_range Items, class Init, class Op>
  auto map_reduce(F&& f, Items&& items, Init init, Op op, MapOptions options = {}) {
    using T = std::ranges::range_value_t<Items>;
    using Acc = detail::accumulator_t<Init, detail::task_result_t<F, T>>;
    Acc acc = std::move(init);
    auto fold = [&op](Acc a, Acc b) -> Acc { return op(std::move(a), std::move(b)); };
    auto g = [&f](const T& x) -> Acc { return f(x); };
    detail::FoldSink<Acc, decltype(fold)> sink(acc, fold);
    require_stop(options, "map_reduce");
    if (!join<T, Acc>(detail::CallKind::MapReduce)) return acc;
    stream(g, items, sink, options, &fold, &acc);
    return acc;
  }

  /// Like map, with each item a tuple of arguments: f(std::get<0>(t), ...).
  template <class F, class... Args>
  auto starmap(F&& f, const std::vector<std::tuple<Args...>>& items,
               const MapOptions& options = {}) {
    auto apply = [&f](const std::tuple<Args...>& t) { return std::apply(f, t); };
    using R = detail::task_result_t<decltype(apply), std::tuple<Args...>>;
    static_assert(!std::is_void_v<R>, "mpimap::Pool::starmap: the function returns void");
    if (!join<std::tuple<Args...>, R>(detail::CallKind::Starmap))
      return decltype(run(apply, items, options)){};
    return run(apply, items, options);
  }

  /// A Process that will run f(args...) on one rank: rank 0 when it is alone,
  /// else ranks 1, 2, ... in turn, so that rank 0 stays free to print.
  template <class F, class... Args>
  Process process(F f, Args... args) {
    const int id = next_process_++;
    const int target = size() == 1 ? 0 : 1 + id % (size() - 1);
    return Process(
        *ctx_, target, id, [f = std::move(f), ... args = std::move(args)]() mutable { f(args...); },
        tag_processes_);
  }
  /// Prefix what processes print with "[rank R@host] ".
  void tag_process_output(bool on) { tag_processes_ = on; }

 private:
  /// The constructors' common part, on the pool's ranks (collective).
  void start();

  /// Begins a call: every rank must be making the same one (join.hpp).
  /// False on a rank outside the pool, which leaves the call at once.
  template <class... Types>
  bool join(detail::CallKind kind) {
    failures_.clear();
    if (!in_pool_) return false;
    detail::join_call(*ctx_, {kind, ++calls_, detail::types_fingerprint<Types...>()},
                      join_timeout_);
    return true;
  }

  template <class F, class Items>
  auto run(F& f, Items& items, const MapOptions& options) {
    using T = std::ranges::range_value_t<Items>;
    using R = detail::task_result_t<F, T>;
    static_assert(std::is_default_constructible_v<R>,
                  "mpimap: a task's result type must be default-constructible");
    detail::require_sendable<T>();
    detail::require_sendable<R>();
    using Stored = detail::stored_result_t<R>;
    std::vector<Stored> results;
    constexpr bool in_place =
        std::ranges::contiguous_range<Items> && std::ranges::sized_range<Items>;
    if (!options.journal.empty()) {
      results = journaled(f, items, options);
    } else if constexpr (in_place) {
      const std::span<const T> span(std::ranges::data(items), std::ranges::size(items));
      if (runs_static(options)) {
        // Allocated (and zeroed: a std::vector's elements are initialised)
        // while the items move, where it costs nothing.
        auto results_at = [&] {
          results.resize(span.size());
          return results.data();
        };
        detail::TaskRunner runner = runner_for(options, options.retries);
        detail::Collected collected;
        auto watch = watch_for(options, span.size());
        const auto failure =
            detail::static_map(*ctx_, room_, f, span, results_at, runner, output_of(options),
                               options.message_limit, collected, watch ? &*watch : nullptr);
        keep_failures(collected);
        if (watch && watch->thrown()) std::rethrow_exception(watch->thrown());
        raise(failure);
      } else {
        if (is_root()) results.resize(span.size());  // no regrowth as chunks come in
        detail::VectorSink<Stored> sink(results);
        stream(f, span, sink, options);
      }
    } else if (options.schedule == Schedule::Static) {
      std::vector<T> all;
      std::exception_ptr stopped;  // the input range threw: map nothing, then rethrow
      if (is_root()) {
        try {
          for (auto&& x : items) all.push_back(x);
        } catch (...) {
          stopped = std::current_exception();
          all.clear();
        }
      }
      auto mapped = run(f, all, options);  // the workers are waiting for it
      if (stopped) std::rethrow_exception(stopped);
      return mapped;
    } else {
      detail::VectorSink<Stored> sink(results);
      stream(f, items, sink, options);
    }
    if constexpr (std::is_same_v<R, bool>)
      return std::vector<bool>(results.begin(), results.end());
    else
      return results;
  }

  /// run() with MapOptions::journal: rank 0 opens the journal and takes the
  /// results it holds; the other items go through imap_unordered, each
  /// result appended as it comes.
  template <class F, class Items, class T = std::ranges::range_value_t<Items>,
            class Stored = detail::stored_result_t<detail::task_result_t<F, T>>>
  std::vector<Stored> journaled(F& f, Items& items, const MapOptions& options) {
    if (options.on_error != OnError::Stop)
      throw std::invalid_argument("mpimap::Pool: MapOptions::journal goes with OnError::Stop only");
    std::vector<T> copy;  // rank 0's items, when they are not in one piece
    std::span<const T> all;
    if constexpr (std::ranges::contiguous_range<Items> && std::ranges::sized_range<Items>) {
      all = std::span<const T>(std::ranges::data(items), std::ranges::size(items));
    } else if (is_root()) {
      for (auto&& x : items) copy.push_back(x);
      all = copy;
    }
    std::vector<Stored> results;
    std::vector<T> todo;               // the items still to run
    std::vector<std::uint64_t> where;  // their indices
    std::optional<detail::JournalFile> file;
    detail::root_checked<std::runtime_error>(comm_, [&] {
      file.emplace(options.journal, options.resume, all.size(),
                   detail::journal_fingerprint<T, Stored>(all));
      results.resize(all.size());
      std::vector<bool> done(all.size());
      for (auto& [index, bytes] : file->done()) {
        detail::Reader(bytes).get_values(1, &results[index]);
        done[index] = true;
      }
      file->done() = {};
      for (std::size_t i = 0; i < all.size(); ++i)
        if (!done[i]) todo.push_back(all[i]), where.push_back(i);
    });
    MapOptions rest = options;
    rest.journal.clear();
    std::vector<char> bytes;
    imap_unordered(
        f, todo,
        [&](std::size_t k, Stored value) {
          bytes.clear();
          detail::Writer(bytes).put_values(&value, 1);
          file->append(where[k], std::string_view(bytes.data(), bytes.size()));
          results[where[k]] = std::move(value);
        },
        rest);
    return results;
  }

  /// The dynamic engine with a sink on rank 0 (and a fold for map_reduce).
  template <class F, class Items, class Sink, class Fold = detail::NoFold,
            class Acc = detail::stored_result_t<
                detail::task_result_t<F, std::ranges::range_value_t<Items>>>>
  void stream(F& f, Items& items, Sink& sink, const MapOptions& options, Fold* fold = nullptr,
              Acc* acc = nullptr) {
    using T = std::ranges::range_value_t<Items>;
    using R = detail::stored_result_t<detail::task_result_t<F, T>>;
    detail::require_sendable<T>();
    detail::require_sendable<R>();
    detail::TaskRunner runner = runner_for(options);
    if (is_root()) {
      auto run_master = [&](auto& source) {
        detail::DynamicMaster<F, std::remove_reference_t<decltype(source)>, R, Sink> master(
            *ctx_, f, source, sink, runner, output_of(options), options);
        const auto failure = master.run();
        keep_failures(master.collected());
        std::exception_ptr stopped = master.stopped_by();
        if constexpr (!std::is_same_v<Fold, detail::NoFold>)
          detail::collect_folds(*ctx_, *acc, *fold,
                                /*combine=*/!stopped && !failure && !failure.stopped());
        if (stopped) std::rethrow_exception(stopped);
        raise(failure);
      };
      if constexpr (std::ranges::contiguous_range<Items> && std::ranges::sized_range<Items>) {
        detail::SpanSource<T> source(
            std::span<const T>(std::ranges::data(items), std::ranges::size(items)));
        run_master(source);
      } else {
        detail::RangeSource<Items> source(items);
        run_master(source);
      }
    } else {
      raise(detail::dynamic_worker<F, T, R, Fold>(*ctx_, f, runner, fold, acc));
    }
  }

  /// Static, or alone, where the static path is the cheapest, unless a stop
  /// may come (a static map runs to its end).
  bool runs_static(const MapOptions& options) const {
    return options.schedule == Schedule::Static || (size() == 1 && !options.stop);
  }

  /// `retries_here`: the static schedule reruns failing tasks on the spot.
  detail::TaskRunner runner_for(const MapOptions& options, unsigned retries_here = 0) const {
    return detail::TaskRunner(options.capture_output, options.tag_output ? ctx_->tag : "",
                              options.on_error == OnError::Collect, retries_here);
  }

  /// Rank 0's eye on a static map, when progress, stats or a trace is asked for.
  std::optional<detail::Watch> watch_for(const MapOptions& options, std::size_t n) const {
    std::optional<detail::Watch> watch;
    if (is_root() && detail::Watch::wanted(options)) watch.emplace(*ctx_, options, n);
    return watch;
  }

  /// On rank 0: a call's collected failures, in item order, as failures().
  void keep_failures(detail::Collected& collected) {
    std::sort(collected.begin(), collected.end(),
              [](const auto& a, const auto& b) { return a.index < b.index; });
    for (auto& c : collected)
      failures_.emplace_back(c.index, c.rank, ctx_->hosts[static_cast<std::size_t>(c.rank)],
                             std::move(c.message));
  }

  /// OnError::Collect is for calls whose results are one per item.
  static void require_stop(const MapOptions& options, const char* call) {
    if (options.on_error != OnError::Stop)
      throw std::invalid_argument(std::string("mpimap::Pool::") + call +
                                  ": OnError::Collect is for map, map_into, for_each and starmap");
    require_no_journal(options, call);
  }
  static void require_no_journal(const MapOptions& options, const char* call) {
    if (!options.journal.empty())
      throw std::invalid_argument(std::string("mpimap::Pool::") + call +
                                  ": MapOptions::journal is for map, for_each and starmap");
  }

  static std::ostream& output_of(const MapOptions& options) {
    return options.output ? *options.output : std::cout;
  }

  /// The failing task as a TaskError, or the stop as Stopped, on every rank
  /// (they all know it).
  static void raise(const detail::FirstFailure& failure) {
    if (failure)
      throw TaskError(failure.index(), failure.rank(), failure.host(), failure.message());
    if (failure.stopped()) throw Stopped(failure.stopped());
  }

  explicit Pool(std::shared_ptr<const Spawned> group);

  std::shared_ptr<const Spawned> spawned_;  // first, so that it goes last: Pool::spawn's group
  boost::mpi::communicator comm_;
  std::unique_ptr<detail::Context> ctx_;  // Processes keep a pointer to it
  detail::BlockRoom room_;                // a static map's blocks on a worker
  int next_process_ = 0;
  bool tag_processes_ = false;
  std::uint32_t calls_ = 0;          // calls made on this pool, for join()
  bool in_pool_ = true;              // false past Pool(comm, processes)'s first ranks
  std::vector<TaskError> failures_;  // rank 0's, after a call with OnError::Collect
  std::chrono::milliseconds join_timeout_ = detail::default_join_timeout();
};

}  // namespace mpimap
