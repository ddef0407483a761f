#pragma once
// The one line a dying task leaves behind. A task that segfaults, aborts or
// calls exit() takes its whole rank down (and mpirun the job, quietly with
// -q), so nothing would say which item did it. While a task runs, its rank
// notes the item; a handler for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT,
// and an atexit hook, write
//
//   mpimap: rank 2@node7 died running item 41 (0-based) of a map: SIGSEGV (signal 11)
//
// on stderr with write(2) alone (async-signal-safe), then the signal takes
// its default course, so the job still ends as it would have.

#include <cstdint>
#include <string>

namespace mpimap::detail {

/// Installs the handlers, once per process; later calls only update the
/// rank and host written in the line. Called by every Pool.
void install_crash_report(int rank, const std::string& host);

/// What this rank is running, for the handlers: a map's item, or a Process.
enum class TaskKind : std::uint8_t { None, Item, Process };

/// Marks a task as running for its lifetime. Two plain stores: cheap enough
/// for the tiniest tasks.
class RunningTask {
 public:
  RunningTask(TaskKind kind, std::uint64_t index) noexcept;
  ~RunningTask();
  RunningTask(const RunningTask&) = delete;
  RunningTask& operator=(const RunningTask&) = delete;
};

}  // namespace mpimap::detail
