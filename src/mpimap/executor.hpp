#pragma once
// mpimap::Executor: Python's Pool and concurrent.futures over MPI, the way
// mpi4py.futures' MPICommExecutor does it: rank 0 runs the program, the other
// ranks serve tasks until rank 0 is done.
//
//   inline const auto square = mpimap::task<"square">(+[](long x) { return x * x; });
//   ...
//   mpimap::Executor ex;               // ranks 1.. serve here until rank 0 shuts down
//   if (ex.is_root()) {                // or ex.run([&] { ... })
//     auto squares = ex.map(square, std::vector<long>{1, 2, 3});
//     auto f = ex.submit(square, 7L);  // a Future<long>
//     long v = f.get();
//   }                                  // ~Executor releases the workers
//
// Design:
//  - Functions do not travel; tasks are registered under a name
//    (mpimap::task<"name">(fn), task.hpp) at namespace scope, so every rank
//    of the binary has the same registry before main. Rank 0 sends a key
//    (hash of the name and signature). Only a Task can be passed: a plain
//    callable is a compile error. A task registered after the executor
//    started (say inside the body, on rank 0 only) is refused at the call
//    with std::invalid_argument; should a worker still lack a key (another
//    binary), the task fails with a TaskError saying so. Never a hang, never
//    a wrong function.
//  - Inside the body nothing is collective. The constructor is (it
//    duplicates the communicator and learns the hosts); then the workers
//    serve inside it and return from it when rank 0 shuts the executor down
//    (shutdown, the end of run, or the destructor, also while an exception
//    leaves the body). So code after the constructor runs on the workers
//    only after rank 0 is done.
//  - MPI is single-threaded here (the project initialises MPI without
//    threads), so rank 0 has no progress thread: every executor call (submit,
//    ready, get, wait, map, each step of an imap loop) takes the results
//    that are in and hands out more. Between calls, workers run what they
//    already hold (up to 16 chunks each).
//  - Every call is a job; the engine (detail/executor_engine.hpp) queues the
//    jobs, cuts chunks from the queue with the dynamic schedule's rules
//    (chunking.hpp, window_for, TaskTimes), so many submits in flight share
//    chunks, and rank 0 runs queued items itself while it waits.
//  - A failed task is a TaskError (index, rank, host, message) from get(), or
//    from map/apply/the imap loop. With retries (MapOptions, CallOptions) it
//    first runs again elsewhere (Job::requeue), as in the pool. Leaving an imap loop cancels the
//    items not handed out yet. get(timeout) throws TimeoutError; a timed wait never starts a task
//    on rank 0, so it returns by its deadline.
//  - What tasks print is captured and printed on rank 0 in the order the
//    calls were made (a submit's output waits for earlier calls' to finish).

#include <boost/mpi/communicator.hpp>

#include <cstddef>
#include <exception>
#include <initializer_list>
#include <memory>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimap/detail/context.hpp"
#include "mpimap/detail/executor_engine.hpp"
#include "mpimap/detail/executor_jobs.hpp"
#include "mpimap/future.hpp"
#include "mpimap/imap_range.hpp"
#include "mpimap/options.hpp"
#include "mpimap/spawn.hpp"
#include "mpimap/task.hpp"
#include "mpimap/task_error.hpp"

namespace mpimap {

/// What a caller can choose about one call (submit, apply_async, apply).
/// A call's failure is its outcome (get() throws it, the error callback gets
/// it), so there is no OnError here.
struct CallOptions {
  /// How many times the task is run again when it throws, each time on
  /// another rank than the one where it last failed, where there is one
  /// (MapOptions::retries).
  unsigned retries = 0;
};

namespace detail {
template <class T>
inline constexpr bool is_task_v = false;
template <class R, class... A>
inline constexpr bool is_task_v<Task<R(A...)>> = true;

/// A map's value: the results, in item order (nothing for a void task).
template <class R>
using map_result_t = std::conditional_t<std::is_void_v<R>, void, std::vector<R>>;

/// One call's arguments as they travel, from a tuple-like (starmap).
template <class W, class Tuple>
W wire_from_tuple(Tuple&& t) {
  if constexpr (std::is_same_v<W, Nothing>)
    return W{};
  else
    return std::apply([](auto&&... a) { return W(std::forward<decltype(a)>(a)...); },
                      std::forward<Tuple>(t));
}

template <class T>
constexpr void require_task() {
  static_assert(is_task_v<T>,
                "mpimap::Executor: functions cannot be sent to other ranks; register it at "
                "namespace scope with mpimap::task<\"name\">(fn) and pass the handle");
}
}  // namespace detail

class Executor {
 public:
  /// Collective over `comm` (duplicated). On ranks other than 0 it serves
  /// tasks and returns when rank 0 shuts the executor down.
  explicit Executor(const boost::mpi::communicator& comm = boost::mpi::communicator());
  /// An executor over `processes` processes of a program started without
  /// mpirun (mpi4py's MPIPoolExecutor(max_workers)): this process, rank 0,
  /// and processes - 1 copies of it started with MPI_Comm_spawn (spawn.hpp).
  /// The copies run main up to this call (call it early), serve in it, and
  /// when rank 0 shuts the executor down they call MPI_Finalize and exit(0)
  /// there: they never run what follows, the body. Under mpirun (or srun)
  /// it is Executor(MPI_COMM_WORLD), `processes` is ignored, and ranks 1..
  /// exit in it the same way. Rank 0 gets the executor, which owns the
  /// group: destroy it before MPI_Finalize (the end of main does).
  static Executor spawn(int processes = available_cores());
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  /// On rank 0: shutdown() (with cancel_futures while an exception is
  /// leaving a scope), which releases the workers.
  ~Executor();

  int rank() const { return ctx_->rank; }
  int size() const { return ctx_->size; }
  bool is_root() const { return ctx_->rank == 0; }
  const std::string& host() const { return ctx_->host; }

  /// Runs body() on rank 0 and shuts down after it, also when it throws (the
  /// exception then leaves run() on rank 0; the workers return normally).
  /// On the other ranks it returns at once: they served in the constructor.
  template <class Body>
  void run(Body&& body) {
    if (!is_root()) return;
    try {
      body();
    } catch (...) {
      try {
        // Quietly: the callbacks may refer to the body's locals, gone now.
        close(false, true, /*quiet=*/true);
      } catch (...) {  // the body's exception is the one to report
      }
      throw;
    }
    shutdown();
  }

  /// Stops the executor: with `cancel_futures`, calls not handed out yet are
  /// cancelled (their get() throws CancelledError); otherwise they run first.
  /// There is no thread to finish work in the background, so `wait = false`
  /// cancels them too; what is already on a worker always finishes. After
  /// it every future is finished and submit throws.
  void shutdown(bool wait = true, bool cancel_futures = false);

  /// On rank 0 after a map with OnError::Collect: its failures, in item order.
  const std::vector<TaskError>& failures() const { return failures_; }

  // ----- one call

  /// t(args...) on some rank, as a Future (Python's submit / apply_async).
  template <class T, class... Args>
  requires(!std::is_same_v<std::remove_cvref_t<T>, CallOptions>) auto submit(const T& t,
                                                                             Args&&... args) {
    return submit(CallOptions{}, t, std::forward<Args>(args)...);
  }
  /// The same with options: ex.submit({.retries = 2}, t, args...).
  template <class T, class... Args>
  auto submit(const CallOptions& options, const T& t, Args&&... args) {
    detail::require_task<T>();
    if constexpr (detail::is_task_v<T>) {
      using R = typename T::result_type;
      using W = typename T::wire_type;
      using S = typename T::stored_type;
      check_call(t.entry());
      std::vector<W> one;
      one.emplace_back(make_wire<W>(std::forward<Args>(args)...));
      auto job = std::make_shared<detail::ItemsJob<W, S, S>>(
          t.entry(), std::span<const W>{}, std::move(one),
          detail::JobOptions{.retries = options.retries}, /*is_call=*/true);
      engine_->add(job);
      return Future<R>(std::move(job), engine_.get());
    }
  }
  template <class T, class... Args>
  requires(!std::is_same_v<std::remove_cvref_t<T>, CallOptions>) auto apply_async(const T& t,
                                                                                  Args&&... args) {
    return submit(t, std::forward<Args>(args)...);
  }
  template <class T, class... Args>
  auto apply_async(const CallOptions& options, const T& t, Args&&... args) {
    return submit(options, t, std::forward<Args>(args)...);
  }
  /// t(args...) on some rank, waited for: its value (Python's apply).
  template <class T, class... Args>
  requires(!std::is_same_v<std::remove_cvref_t<T>, CallOptions>) auto apply(const T& t,
                                                                            Args&&... args) {
    return submit(t, std::forward<Args>(args)...).get();
  }
  template <class T, class... Args>
  auto apply(const CallOptions& options, const T& t, Args&&... args) {
    return submit(options, t, std::forward<Args>(args)...).get();
  }

  // ----- many calls

  /// t applied to every item, results in item order (Python's map). Items
  /// may be any input range; a vector or span of the task's argument type is
  /// read in place, anything else is copied first.
  template <class T, std::ranges::input_range Items>
  auto map(const T& t, Items&& items, const MapOptions& options = {}) {
    detail::require_task<T>();
    if constexpr (detail::is_task_v<T>) return wait_map(t, map_job(t, items, options, true));
  }
  template <class T, class U>
  auto map(const T& t, std::initializer_list<U> items, const MapOptions& options = {}) {
    return map(t, std::span<const U>(items.begin(), items.size()), options);
  }

  /// map as a Future of the whole vector (Python's map_async).
  template <class T, std::ranges::input_range Items>
  auto map_async(const T& t, Items&& items, const MapOptions& options = {}) {
    detail::require_task<T>();
    if constexpr (detail::is_task_v<T>) {
      using R = typename T::result_type;
      auto job = map_job(t, items, options, false);
      return Future<detail::map_result_t<R>>(std::move(job), engine_.get());
    }
  }

  /// Each item a tuple, pair, or a row of std::views::zip: t(get<0>, get<1>,
  /// ...) (Python's starmap).
  template <class T, std::ranges::input_range Items>
  auto starmap(const T& t, Items&& items, const MapOptions& options = {}) {
    detail::require_task<T>();
    if constexpr (detail::is_task_v<T>)
      return wait_map(t, map_job(t, items, options, false, /*star=*/true));
  }
  template <class T, std::ranges::input_range Items>
  auto starmap_async(const T& t, Items&& items, const MapOptions& options = {}) {
    detail::require_task<T>();
    if constexpr (detail::is_task_v<T>) {
      using R = typename T::result_type;
      auto job = map_job(t, items, options, false, /*star=*/true);
      return Future<detail::map_result_t<R>>(std::move(job), engine_.get());
    }
  }

  /// Results one by one, in item order, as a range to loop over; `break`
  /// cancels the rest (imap_range.hpp).
  template <class T, std::ranges::input_range Items>
  auto imap(const T& t, Items&& items, const MapOptions& options = {}) {
    return imap_range(t, items, options, true);
  }
  /// Like imap, in the order the results come.
  template <class T, std::ranges::input_range Items>
  auto imap_unordered(const T& t, Items&& items, const MapOptions& options = {}) {
    return imap_range(t, items, options, false);
  }

 private:
  template <class W, class... Args>
  static W make_wire(Args&&... args) {
    if constexpr (std::is_same_v<W, detail::Nothing>)
      return W{};
    else
      return W(std::forward<Args>(args)...);
  }

  void close(bool wait, bool cancel_futures, bool quiet);

  /// Refuses calls off rank 0, after shutdown, and of tasks the workers may
  /// not have.
  void check_call(const detail::TaskEntry& entry) const;

  static detail::JobOptions job_options(const MapOptions& o, bool track) {
    if (o.on_error == OnError::Collect && track)
      throw std::invalid_argument("mpimap::Executor: OnError::Collect is for map and starmap");
    return {.chunksize = o.chunksize,
            .capture_output = o.capture_output,
            .tag_output = o.tag_output,
            .collect = o.on_error == OnError::Collect,
            .root_computes = o.root_computes,
            .output = o.output,
            .track_items = track,
            .retries = o.retries};
  }

  /// A map's job, queued. `in_place`: read the caller's items where they are
  /// (map waits for the job, so they outlive it).
  template <class T, class Items,
            class V = detail::future_value_t<detail::map_result_t<typename T::result_type>>>
  auto map_job(const T& t, Items& items, const MapOptions& options, bool in_place,
               bool star = false, bool track = false) {
    using W = typename T::wire_type;
    using S = typename T::stored_type;
    using Item = std::ranges::range_value_t<Items>;
    check_call(t.entry());
    const auto opts = job_options(options, track);
    std::span<const W> view;
    std::vector<W> owned;
    if constexpr (std::ranges::contiguous_range<Items> && std::ranges::sized_range<Items> &&
                  std::is_same_v<std::remove_cv_t<Item>, W>) {
      if (in_place && !star)
        view = std::span<const W>(std::ranges::data(items), std::ranges::size(items));
      else
        owned.assign(std::ranges::begin(items), std::ranges::end(items));
    } else {
      if constexpr (std::ranges::sized_range<Items>) owned.reserve(std::ranges::size(items));
      for (auto&& x : items) {
        if constexpr (requires { std::tuple_size<std::remove_cvref_t<decltype(x)>>::value; })
          if (star) {
            owned.push_back(detail::wire_from_tuple<W>(std::forward<decltype(x)>(x)));
            continue;
          }
        if constexpr (std::is_constructible_v<W, decltype(x)>)
          owned.push_back(W(std::forward<decltype(x)>(x)));
        else
          throw std::invalid_argument(
              "mpimap::Executor: an item does not convert to the task's arguments");
      }
    }
    auto job = std::make_shared<detail::ItemsJob<W, S, V>>(t.entry(), view, std::move(owned), opts,
                                                           /*is_call=*/false);
    engine_->add(job);
    return job;
  }

  template <class T, class Job>
  auto wait_map(const T&, const std::shared_ptr<Job>& job) {
    using R = typename T::result_type;
    engine_->wait_until([&] { return job->finished(); });
    failures_ = job->failures();
    std::sort(failures_.begin(), failures_.end(),
              [](const TaskError& a, const TaskError& b) { return a.index() < b.index(); });
    if (job->failure() && !job->options().collect) throw *job->failure();
    if (!job->value()) throw CancelledError("mpimap::Executor::map: the map was cancelled");
    if constexpr (!std::is_void_v<R>) return std::move(*job->value());
  }

  template <class T, class Items>
  auto imap_range(const T& t, Items& items, const MapOptions& options, bool ordered) {
    detail::require_task<T>();
    if constexpr (detail::is_task_v<T>) {
      using R = typename T::result_type;
      static_assert(!std::is_void_v<R>, "mpimap::Executor::imap: the task returns void; use map");
      using W = typename T::wire_type;
      using S = typename T::stored_type;
      auto job = map_job<T, Items, detail::Nothing>(t, items, options, false, false, true);
      return ImapRange<R, W, S>(std::move(job), engine_.get(), ordered);
    }
  }

  explicit Executor(std::shared_ptr<const Spawned> group);

  std::shared_ptr<const Spawned> spawned_;  // first, so that it goes last: Executor::spawn's group
  boost::mpi::communicator comm_;
  std::unique_ptr<detail::Context> ctx_;
  std::unique_ptr<detail::Engine> engine_;  // rank 0's
  std::size_t registered_ = 0;              // tasks registered when it started
  std::vector<TaskError> failures_;
  int uncaught_ = 0;  // std::uncaught_exceptions() at construction
};

}  // namespace mpimap
