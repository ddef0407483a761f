#pragma once
// The slots of one rank: runs tasks as child processes and reports how they
// ended, without ever blocking on a child.
//
// Each task is `SHELL -c COMMAND` (the shell GNU parallel would use: see
// shell.hpp), or the command's program itself where the shell would only have
// exec'd it (direct_exec.hpp), started with posix_spawn in its own process
// group, stdin from
// /dev/null (with --pipe: a pipe fed its block), stdout and stderr into pipes
// that are drained (poll + non-blocking reads) while it runs, so a task
// printing 10 MB never stalls (with -u: the rank's own stdout and stderr). A
// command longer than one argument may be (Linux allows 128 kB) is written to
// a temporary script run as `SHELL FILE` instead.
//
// --timeout: the task's process group gets SIGTERM, then SIGKILL after a grace
// period (or --term-seq's signals); it is recorded as GNU parallel records it (Exitval -1, the
// signal that ended it). --halt now kills the same way.
//
// Stop signals: while an Executor exists, SIGTERM, SIGINT and SIGUSR1 do not
// kill the rank; the handler only records them (stop_request()), and rank 0
// and the workers stop the job in their loops: stop() sends SIGTERM to every
// running task's group and SIGKILL after the grace period. A second stop
// signal SIGKILLs every task group from the handler itself, at once. SIGHUP
// still sends every running task's group SIGTERM and then kills the rank, so
// no task outlives the job.
//
// A task's environment is this rank's, plus --env's variables (rank 0's
// values), MPIMAP_SEQ, MPIMAP_RANK, MPIMAP_HOST, MPIMAP_ATTEMPT, MPIMAP_SLOT,
// and GNU parallel's PARALLEL_SEQ, PARALLEL_JOBSLOT and PARALLEL_PID, minus
// the variables the MPI
// launcher set for this rank (PMIX_*, OMPI_COMM_WORLD_*, OMPI_MCA_orte_*, ...):
// a task that is itself an MPI program runs as a singleton of its own.

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/direct_exec.hpp"
#include "farm/fd.hpp"
#include "farm/messages.hpp"

namespace mpimap::farm {

/// The stop signals this rank has received (SIGTERM, SIGINT, SIGUSR1).
struct StopRequest {
  int signal = 0;  // the first one; 0: none
  int count = 0;   // how many so far
  /// The first was SIGTERM or SIGINT from the Open MPI launcher that started
  /// this rank (mpirun or orted aborting the job): it sends SIGKILL
  /// launcher_kill_after() seconds later, whatever the rank is doing.
  bool from_launcher = false;
};
StopRequest stop_request();
/// Seconds from the launcher's SIGTERM to its SIGKILL: Open MPI's
/// odls_base_sigkill_timeout (OMPI_MCA_odls_base_sigkill_timeout; default 1).
double launcher_kill_after();

struct ExecOptions {
  std::string shell = "/bin/sh";
  bool ungroup = false;          // -u: the task writes to the rank's stdout/stderr
  std::vector<std::string> env;  // --env: NAME=VALUE
  int nice = 0;                  // --nice: added to the rank's niceness
  std::string workdir;           // --wd
  std::int64_t slots_total = 1;  // {0%}
  /// The slots of the ranks before this one: its slots are {%} = slots_before
  /// + 1 onwards, so that {%} is unique across ranks with unequal -j.
  int slots_before = 0;
  std::string slot_var;      // --process-slot-var: set to the slot number - 1
  std::string tmpdir;        // --tmpdir: the tasks' TMPDIR, and the long commands' scripts
  bool line_buffer = false;  // --line-buffer: whole lines go out as Outcome::Partial
  bool input_file = false;   // --cat: the input goes to a file named by $PARALLEL_TMP
  bool input_fifo = false;   // --fifo: ... to a named pipe named by $PARALLEL_TMP
  /// --term-seq: the signals a --timeout or --halt now sends, each with the
  /// milliseconds to wait before the next (then SIGKILL); empty: SIGTERM, 1 s.
  std::vector<std::pair<int, double>> term_seq;
};

class Executor {
 public:
  using Clock = std::chrono::steady_clock;

  Executor(const CommandTemplate& command, int rank, int slots, std::string host, ExecOptions opt);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  int slots() const { return static_cast<int>(slots_.size()); }
  int running() const { return running_; }
  bool has_free_slot() const { return running_ < slots(); }

  /// Starts a task in a free slot (there must be one). A task that cannot be
  /// started at all becomes a finished one at once (see collect()).
  void start(const Task& task);
  void start(Task&& task);

  /// Moves the tasks that have ended into `done` (appending), enforces
  /// timeouts and kill deadlines. Never blocks. True when something ended.
  /// With --line-buffer, the whole lines a running task has written so far
  /// come first, as Outcome::Partial results (the task's last result holds
  /// the rest).
  bool collect(std::vector<Result>& done);

  /// Waits at most `timeout` for output or the end of a task (or for `extra_fd`
  /// to be readable) and reads what output there is. True when anything woke it.
  bool wait(std::chrono::nanoseconds timeout, int extra_fd = -1);

  /// --halt now: kill every running task; they end with Outcome::Halted.
  void halt_all();

  /// A stop signal: SIGTERM to every running task's group, SIGKILL `grace`
  /// later. A task that then exits 0 ends as Outcome::Ran (it did its work);
  /// one that fails or dies ends as Outcome::Stopped.
  void stop(double grace_seconds);
  /// A second stop signal: SIGKILL to every running task's group now.
  void kill_now();

 private:
  struct Slot {
    bool busy = false;
    pid_t pid = -1;
    Fd out_fd, err_fd;  // the read ends of the task's stdout and stderr
    Fd in_fd;           // --pipe: the write end of its stdin
    std::string input;  // --pipe: what is left to write (then the file's next piece)
    std::size_t input_pos = 0;
    Fd file;  // --pipepart: the file, and what is left of its part
    std::uint64_t file_pos = 0, file_end = 0;
    std::uint64_t seq = 0;
    std::uint32_t attempt = 1;
    std::string out, err;
    double start_wall = 0;
    Clock::time_point started, deadline, kill_at;
    bool timed_out = false, halted = false, stopped = false, kill_sent = false;
    bool in_term_seq = false;  // --term-seq: at step term_step
    std::size_t term_step = 0;
    std::string script;         // temporary script file, when the command was too long
    std::string tmp_file;       // --cat, --fifo: the input's file, or fifo
    bool fifo_pending = false;  // --fifo: the task has not opened it yet
  };

  Slot& free_slot();
  int slot_number(const Slot& s) const;
  /// The command line as a script file (s.script): 0, or the errno.
  int write_script(Slot& s);
  void set_task_env(std::uint64_t seq, std::uint32_t attempt, int slot_number,
                    const std::string& tmp_file);
  int write_input_file(Slot& s, const Task& task, Fd& file);
  int make_fifo(Slot& s);
  Clock::duration duration_of(double seconds) const;
  /// posix_spawn of `program` with argv (the shell, or the program itself),
  /// stdout and stderr into the given fds, in a process group of its own: 0,
  /// or the error number.
  int spawn(const char* program, char* const argv[], int in_fd, int out_fd, int err_fd, pid_t& pid);
  void feed(Slot& s);
  void finish(Slot& s, int status, std::vector<Result>& done);
  void fail_to_start(Slot& s, std::string message, int exitval);
  void read_from(Fd& fd, std::string& into);
  void take_lines(Slot& s, std::vector<Result>& done);
  void terminate(Slot& s, Clock::time_point now, Clock::duration grace);
  void start_killing(Slot& s, Clock::time_point now);
  void send_term_step(Slot& s, Clock::time_point now);
  void release(Slot& s);

  const CommandTemplate& command_;
  int rank_;
  std::string host_;
  ExecOptions opt_;
  std::vector<Slot> slots_;
  int running_ = 0;
  std::vector<Result> immediate_;  // tasks that could not start

  // Reused per task.
  std::string cmd_;
  std::vector<char> read_buf_;
  std::vector<pollfd> pollfds_;
  std::vector<std::string> env_base_;
  std::vector<char*> envp_;
  std::vector<std::string> env_task_;  // the variables of the task starting
  std::optional<DirectExec> direct_;   // commands that need no shell
  std::vector<char*> direct_argv_;
  Fd devnull_;
};

}  // namespace mpimap::farm
