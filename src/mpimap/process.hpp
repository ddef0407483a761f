#pragma once
// Python's multiprocessing.Process over MPI: a function with its arguments,
// run on one rank. Every rank constructs the same Process objects in the same
// order (SPMD); start() runs the target on its rank right away, join() brings
// what it printed to rank 0, which prints it.

#include <mpi.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mpimap/detail/context.hpp"

namespace mpimap {

class Process {
 public:
  Process(Process&&) noexcept;
  Process& operator=(Process&&) noexcept;
  /// Joins the process when it was started and not joined yet (as Python
  /// does at exit). A Process must not outlive the Pool that made it.
  ~Process();

  /// The rank that runs the target.
  int rank() const;
  /// Runs the target if this is its rank (on other ranks, nothing to do).
  void start();
  /// Waits for the target; rank 0 prints its output, and its error on stderr.
  void join();
  /// On rank 0 after join(): 0 when the target returned, 1 when it threw.
  std::optional<int> exitcode() const;
  /// On rank 0 after join(): the exception message when the target threw.
  const std::string& error() const;

 private:
  friend class Pool;
  Process(const detail::Context& ctx, int rank, int id, std::function<void()> target, bool tag);

  void join_if_started() noexcept;

  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace mpimap
