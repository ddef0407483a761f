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
// its default course, so the job still ends as it would have. An executor's
// task is named by its registered name, with the numbers its TaskError
// would have:
//
//   mpimap: rank 2@node7 died running item 41 (0-based) of a map of task "square": SIGSEGV (signal
//   11) mpimap: rank 1@node7 died running task "square", call 7 (0-based) on the executor: SIGABRT
//   (signal 6)

#include <csignal>
#include <cstdint>
#include <string>

namespace mpimap::detail {

/// Installs the handlers, once per process; later calls only update the
/// rank and host written in the line. Called by every Pool.
void install_crash_report(int rank, const std::string& host);

/// What this rank is running, for the handlers: a map's item, or a Process.
enum class TaskKind : std::uint8_t { None, Item, Process };

/// What the handlers read: plain words, written around each task.
inline volatile std::sig_atomic_t g_running_kind = static_cast<int>(TaskKind::None);
inline volatile std::uint64_t g_running_index = 0;

/// Marks a task as running for its lifetime. Two plain stores.
class RunningTask {
 public:
  RunningTask(TaskKind kind, std::uint64_t index) noexcept {
    g_running_index = index;
    g_running_kind = static_cast<int>(kind);
  }
  ~RunningTask() { g_running_kind = static_cast<int>(TaskKind::None); }
  RunningTask(const RunningTask&) = delete;
  RunningTask& operator=(const RunningTask&) = delete;
};

/// Marks a run of a map's items as running for its lifetime; at(i) says which
/// one is running now: one plain store per item, cheap enough for the
/// tiniest tasks (a static map of squares runs at memory speed).
class RunningItems {
 public:
  explicit RunningItems(std::uint64_t first) noexcept {
    g_running_index = first;
    g_running_kind = static_cast<int>(TaskKind::Item);
  }
  ~RunningItems() { g_running_kind = static_cast<int>(TaskKind::None); }
  void at(std::uint64_t index) noexcept { g_running_index = index; }
  RunningItems(const RunningItems&) = delete;
  RunningItems& operator=(const RunningItems&) = delete;
};

/// The executor's task around RunningItems: its registered name (a string
/// that lives as long as the program), whether the items are calls
/// (submit), and what to subtract from g_running_index to get the number the
/// user knows (an item's place in its map; a call's number on the executor).
inline const char* volatile g_running_name = nullptr;
inline volatile std::uint64_t g_running_base = 0;
inline volatile std::sig_atomic_t g_running_call = 0;

class RunningTaskName {
 public:
  RunningTaskName(const char* name, std::uint64_t base, bool call) noexcept {
    g_running_base = base;
    g_running_call = call;
    g_running_name = name;
  }
  ~RunningTaskName() { g_running_name = nullptr; }
  RunningTaskName(const RunningTaskName&) = delete;
  RunningTaskName& operator=(const RunningTaskName&) = delete;
};

}  // namespace mpimap::detail
