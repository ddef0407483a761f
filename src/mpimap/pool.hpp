#pragma once
// mpimap::Pool: Python's multiprocessing.Pool over MPI ranks.
//
// Every call is collective (SPMD): all ranks of the communicator make the same
// calls in the same order. Inputs matter on rank 0 only; results land on rank
// 0 (other ranks get an empty vector). Functions are not sent anywhere: each
// rank runs its own copy of the program, so any callable works, lambdas too.

#include <boost/mpi/communicator.hpp>

#include <cstddef>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimap/context.hpp"
#include "mpimap/dynamic_map.hpp"
#include "mpimap/options.hpp"
#include "mpimap/process.hpp"
#include "mpimap/static_map.hpp"
#include "mpimap/task_error.hpp"
#include "mpimap/task_runner.hpp"

namespace mpimap {

class Pool {
 public:
  /// Collective over `comm`, which the pool duplicates so that its messages
  /// never meet the caller's.
  explicit Pool(const boost::mpi::communicator& comm = boost::mpi::communicator());
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool();

  int rank() const { return ctx_->rank; }
  int size() const { return ctx_->size; }
  bool is_root() const { return ctx_->rank == 0; }
  /// This rank's processor name.
  const std::string& host() const { return ctx_->host; }
  const boost::mpi::communicator& communicator() const { return comm_; }

  /// f applied to every item, in item order, on rank 0. Throws TaskError on
  /// rank 0 when a task threw (after all work in flight has drained).
  template <class F, class T>
  auto map(F&& f, std::span<const T> items, const MapOptions& options = {}) {
    static_assert(!std::is_void_v<std::invoke_result_t<F&, const T&>>,
                  "mpimap::Pool::map: the function returns void; use for_each");
    return run(f, items, options);
  }
  template <class F, class T>
  auto map(F&& f, const std::vector<T>& items, const MapOptions& options = {}) {
    return map(std::forward<F>(f), std::span<const T>(items), options);
  }
  template <class F, class T>
  auto map(F&& f, std::initializer_list<T> items, const MapOptions& options = {}) {
    return map(std::forward<F>(f), std::span<const T>(items.begin(), items.size()), options);
  }

  /// f applied to every item for its effect (and its printing); no results.
  template <class F, class T>
  void for_each(F&& f, std::span<const T> items, const MapOptions& options = {}) {
    run(f, items, options);
  }
  template <class F, class T>
  void for_each(F&& f, const std::vector<T>& items, const MapOptions& options = {}) {
    for_each(std::forward<F>(f), std::span<const T>(items), options);
  }

  /// Like map, with each item a tuple of arguments: f(std::get<0>(t), ...).
  template <class F, class... Args>
  auto starmap(F&& f, const std::vector<std::tuple<Args...>>& items,
               const MapOptions& options = {}) {
    auto apply = [&f](const std::tuple<Args...>& t) { return std::apply(f, t); };
    return map(apply, items, options);
  }

  /// A Process that will run f(args...) on one rank: rank 0 when it is alone,
  /// else ranks 1, 2, ... in turn, so that rank 0 stays free to print.
  template <class F, class... Args>
  Process process(F f, Args... args) {
    const int id = next_process_++;
    const int target = size() == 1 ? 0 : 1 + id % (size() - 1);
    return Process(*ctx_, target, id,
                   [f = std::move(f), ... args = std::move(args)]() mutable { f(args...); },
                   tag_processes_);
  }
  /// Prefix what processes print with "[rank R@host] ".
  void tag_process_output(bool on) { tag_processes_ = on; }

 private:
  template <class F, class T>
  auto run(F& f, std::span<const T> items, const MapOptions& options) {
    using R = detail::task_result_t<F, T>;
    static_assert(std::is_default_constructible_v<R>,
                  "mpimap: a task's result type must be default-constructible");
    using Stored = detail::stored_result_t<R>;
    std::vector<Stored> results(is_root() ? items.size() : 0);
    detail::TaskRunner runner(options.capture_output, options.tag_output ? ctx_->tag : "");
    std::ostream& os = options.output ? *options.output : std::cout;
    detail::FirstFailure failure;
    if (options.schedule == Schedule::Static || size() == 1) {
      failure = detail::static_map(*ctx_, f, items, results, runner, os);
    } else if (is_root()) {
      failure = detail::DynamicMaster<F, T, Stored>(*ctx_, f, items, results, runner, os,
                                                    options.schedule, options.chunksize,
                                                    options.root_computes)
                    .run();
    } else {
      detail::dynamic_worker<F, T, Stored>(*ctx_, f, runner);
    }
    if (is_root() && failure)
      throw TaskError(failure.index(), failure.rank(), ctx_->hosts[failure.rank()],
                      failure.message());
    if constexpr (std::is_same_v<R, bool>)
      return std::vector<bool>(results.begin(), results.end());
    else
      return results;
  }

  boost::mpi::communicator comm_;
  std::unique_ptr<detail::Context> ctx_;  // Processes keep a pointer to it
  int next_process_ = 0;
  bool tag_processes_ = false;
};

}  // namespace mpimap
