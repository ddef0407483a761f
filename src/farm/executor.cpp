#include "farm/executor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include "farm/output.hpp"  // write_all

extern char** environ;

namespace mpimap::farm {

namespace {

constexpr std::size_t kReadBlock = 64 * 1024;
// Linux refuses a single argument of 128 kB or more (MAX_ARG_STRLEN); longer
// commands go through a script file.
constexpr std::size_t kMaxInlineCommand = 128 * 1024 - 1024;
constexpr auto kKillGrace = std::chrono::milliseconds(1000);

// Process groups of the running tasks, for the signal handlers.
constexpr int kMaxSlots = 1024;
std::array<std::atomic<pid_t>, kMaxSlots> g_groups{};
constexpr std::array<int, 4> kHandledSignals{SIGTERM, SIGINT, SIGUSR1, SIGHUP};
struct sigaction g_old_sigpipe;
struct sigaction g_old_actions[kHandledSignals.size()];
bool g_handlers_installed = false;

// What the stop signals' handler records (lock-free atomics: safe in a handler).
std::atomic<int> g_stop_signal{0};
std::atomic<int> g_stop_count{0};
std::atomic<bool> g_stop_from_launcher{false};
// When the parent's first SIGTERM came (CLOCK_MONOTONIC, ns; 0: none yet).
std::atomic<long long> g_parent_term_ns{0};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free &&
              std::atomic<long long>::is_always_lock_free &&
              std::atomic<pid_t>::is_always_lock_free);
pid_t g_parent = -1;    // the parent when the handlers were installed
pid_t g_launcher = -1;  // the parent, when it is Open MPI's mpirun or orted
constexpr long long kParentRepeatNs = 1'000'000'000;

void kill_groups(int sig) {
  for (auto& g : g_groups) {
    const pid_t pgid = g.load(std::memory_order_relaxed);
    if (pgid > 0) ::kill(-pgid, sig);
  }
}

extern "C" void kill_tasks_then_die(int sig) {
  kill_groups(SIGTERM);
  // Hand the signal to whoever had it before (by default: die of it).
  for (std::size_t i = 0; i < kHandledSignals.size(); ++i)
    if (kHandledSignals[i] == sig) ::sigaction(sig, &g_old_actions[i], nullptr);
  ::raise(sig);
}

extern "C" void record_stop_signal(int sig, siginfo_t* info, void*) {
  const int errno_saved = errno;
  const bool from_launcher =
      (sig == SIGTERM || sig == SIGINT) && g_launcher > 0 && info && info->si_pid == g_launcher;
  // The parent's SIGTERMs within a second of its first count once. When a
  // killed launcher (mpirun, orted, slurmstepd) dies, the kernel sends the
  // parent-death signal (SIGTERM, see farm.cpp) once per thread of it that
  // this rank is handed to as it goes: two or three within a millisecond are
  // one stop, not a second signal. (Handlers may run on several threads at
  // once: one compare-exchange decides which is first.)
  if (sig == SIGTERM && g_parent > 1 && info && info->si_pid == g_parent) {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
    const long long now = ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
    long long first = 0;
    if (!g_parent_term_ns.compare_exchange_strong(first, now) && now - first < kParentRepeatNs) {
      errno = errno_saved;
      return;
    }
  }
  if (g_stop_count.fetch_add(1) == 0) {
    g_stop_from_launcher.store(from_launcher);
    g_stop_signal.store(sig);
  } else {
    kill_groups(SIGKILL);  // a second signal: at once
  }
  errno = errno_saved;
}

void install_handlers() {
  if (g_handlers_installed) return;
  // mpirun (or orted) starts every rank with OMPI_MCA_orte_hnp_uri set, as
  // the rank's parent.
  g_parent = ::getppid();
  g_launcher = std::getenv("OMPI_MCA_orte_hnp_uri") ? g_parent : -1;
  for (std::size_t i = 0; i < kHandledSignals.size(); ++i) {
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    if (kHandledSignals[i] == SIGHUP) {
      sa.sa_handler = kill_tasks_then_die;
      sa.sa_flags = SA_RESETHAND;
    } else {
      sa.sa_sigaction = record_stop_signal;
      sa.sa_flags = SA_SIGINFO;  // no SA_RESTART: ppoll() wakes up
    }
    ::sigaction(kHandledSignals[i], &sa, &g_old_actions[i]);
  }
  // A --pipe task that stops reading its stdin must not kill the rank.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &g_old_sigpipe);
  g_handlers_installed = true;
}

void restore_handlers() {
  if (!g_handlers_installed) return;
  for (std::size_t i = 0; i < kHandledSignals.size(); ++i)
    ::sigaction(kHandledSignals[i], &g_old_actions[i], nullptr);
  ::sigaction(SIGPIPE, &g_old_sigpipe, nullptr);
  g_handlers_installed = false;
}

double wall_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bool starts_with(const char* e, std::string_view prefix) {
  return std::strncmp(e, prefix.data(), prefix.size()) == 0;
}

/// Variables a task must not inherit: ours (set per task), and what the MPI
/// launcher gave this rank to find its place in the job. A task that is itself
/// an MPI program would otherwise start as a false copy of this rank (and can
/// abort the whole job); without them it starts as an MPI singleton.
bool is_private_var(const char* e) {
  static constexpr std::string_view kPrefixes[] = {
      "MPIMAP_SEQ=", "MPIMAP_RANK=", "MPIMAP_HOST=", "MPIMAP_ATTEMPT=", "MPIMAP_SLOT=",
      "PARALLEL_SEQ=", "PARALLEL_JOBSLOT=", "PARALLEL_PID=",
      // Open MPI 4 (mpirun / orted) and PMIx
      "PMIX_", "OMPI_COMM_WORLD_", "OMPI_MCA_orte_", "OMPI_MCA_ess", "OMPI_MCA_pmix",
      "OMPI_COMMAND=", "OMPI_ARGV=", "OMPI_UNIVERSE_SIZE=", "OMPI_NUM_APP_CTX=",
      "OMPI_FIRST_RANKS=", "OMPI_APP_CTX_NUM_PROCS=", "OMPI_FILE_LOCATION=",
      "OMPI_MCA_initial_wdir=", "OMPI_MCA_shmem_RUNTIME_QUERY_hint=",
      // PMI-1/2 (MPICH's Hydra, Slurm's PMI)
      "PMI_", "HYDRA_", "MPI_LOCALRANKID=", "MPI_LOCALNRANKS="};
  for (const auto p : kPrefixes)
    if (starts_with(e, p)) return true;
  return false;
}

}  // namespace

StopRequest stop_request() {
  StopRequest r;
  r.signal = g_stop_signal.load();
  r.count = r.signal == 0 ? 0 : g_stop_count.load();
  r.from_launcher = g_stop_from_launcher.load();
  return r;
}

double launcher_kill_after() {
  const char* v = std::getenv("OMPI_MCA_odls_base_sigkill_timeout");
  if (!v || !*v) return 1;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return end && *end == '\0' && n >= 0 ? static_cast<double>(n) : 1.0;
}

namespace {

/// Drops every entry but the last of each name (NAME=VALUE), keeping the
/// order of those left.
void keep_last_of_each_name(std::vector<std::string>& env) {
  std::unordered_set<std::string_view> seen;
  std::vector<bool> keep(env.size(), false);
  for (std::size_t i = env.size(); i-- > 0;) {
    const std::string_view e = env[i];
    keep[i] = seen.insert(e.substr(0, e.find('='))).second;
  }
  std::vector<std::string> kept;
  kept.reserve(seen.size());
  for (std::size_t i = 0; i < env.size(); ++i)
    if (keep[i]) kept.push_back(std::move(env[i]));
  env = std::move(kept);
}

}  // namespace

Executor::Executor(const CommandTemplate& command, int rank, int slots, std::string host,
                   ExecOptions opt)
    : command_(command),
      rank_(rank),
      host_(std::move(host)),
      opt_(std::move(opt)),
      slots_(static_cast<std::size_t>(slots)),
      read_buf_(kReadBlock) {
  if (slots < 1 || slots > kMaxSlots) throw std::logic_error("mpimap run: bad slot count");
  devnull_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  // --env: rank 0's values win over this rank's.
  const auto overridden = [&](const char* e) {
    for (const auto& v : opt_.env) {
      const auto eq = v.find('=');
      if (std::strncmp(e, v.data(), eq + 1) == 0) return true;
    }
    return false;
  };
  // The variables set below and for every task (set_task_env) replace any of
  // the same name this rank inherited (a run inside a task of another run):
  // one entry per name, the last one as bash would keep it, so that a program
  // exec'd without the shell sees the same values.
  std::vector<std::string> own = {"MPIMAP_RANK",  "MPIMAP_HOST",      "PARALLEL_PID",
                                  "MPIMAP_SEQ",   "MPIMAP_ATTEMPT",   "MPIMAP_SLOT",
                                  "PARALLEL_SEQ", "PARALLEL_JOBSLOT", "PARALLEL_TMP"};
  if (!opt_.slot_var.empty()) own.push_back(opt_.slot_var);
  if (!opt_.tmpdir.empty()) own.emplace_back("TMPDIR");
  const auto owned = [&](const char* e) {
    for (const auto& name : own)
      if (std::strncmp(e, name.data(), name.size()) == 0 && e[name.size()] == '=') return true;
    return false;
  };
  for (char** e = environ; e && *e; ++e)
    if (!is_private_var(*e) && !overridden(*e) && !owned(*e)) env_base_.emplace_back(*e);
  for (const auto& v : opt_.env)
    if (!owned(v.c_str())) env_base_.push_back(v);
  keep_last_of_each_name(env_base_);
  if (!opt_.tmpdir.empty()) env_base_.push_back("TMPDIR=" + opt_.tmpdir);
  env_base_.push_back(fmt::format("MPIMAP_RANK={}", rank_));
  env_base_.push_back("MPIMAP_HOST=" + host_);
  env_base_.push_back(fmt::format("PARALLEL_PID={}", ::getpid()));
  for (auto& e : env_base_) envp_.push_back(e.data());
  direct_.emplace(opt_.shell, env_base_, opt_.nice == 0 && opt_.workdir.empty());
  for (auto& g : g_groups) g.store(0);
  install_handlers();
}

Executor::~Executor() {
  // Only reached with tasks running when something went wrong: leave nothing.
  for (auto& s : slots_) {
    if (!s.busy) continue;
    ::kill(-s.pid, SIGKILL);
    int status = 0;
    while (::waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
    }
    s.out_fd.reset();
    s.err_fd.reset();
    release(s);
  }
  restore_handlers();
}

void Executor::release(Slot& s) {
  g_groups[static_cast<std::size_t>(&s - slots_.data())].store(0, std::memory_order_relaxed);
  if (!s.script.empty()) {
    ::unlink(s.script.c_str());
    s.script.clear();
  }
  if (!s.tmp_file.empty()) {
    ::unlink(s.tmp_file.c_str());
    s.tmp_file.clear();
  }
  if (s.busy) --running_;
  s.busy = false;
  s.pid = -1;
}

int Executor::slot_number(const Slot& s) const {
  return opt_.slots_before + static_cast<int>(&s - slots_.data()) + 1;
}

void Executor::fail_to_start(Slot& s, std::string message, int exitval) {
  if (!s.tmp_file.empty()) {
    ::unlink(s.tmp_file.c_str());
    s.tmp_file.clear();
  }
  Result r;
  r.seq = s.seq;
  r.attempt = s.attempt;
  r.slot = slot_number(s);
  r.exitval = exitval;
  r.start = wall_now();
  r.err = std::move(message);
  r.err += '\n';
  immediate_.push_back(std::move(r));
}

Executor::Slot& Executor::free_slot() {
  for (auto& s : slots_)
    if (!s.busy) return s;
  throw std::logic_error("mpimap run: no free slot");
}

int Executor::write_script(Slot& s) {
  const char* tmp = opt_.tmpdir.empty() ? std::getenv("TMPDIR") : opt_.tmpdir.c_str();
  s.script = fmt::format("{}/mpimap-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  const Fd fd(::mkstemp(s.script.data()));
  bool written = static_cast<bool>(fd);
  for (std::size_t off = 0; written && off < cmd_.size();) {
    const ssize_t w = ::write(fd.get(), cmd_.data() + off, cmd_.size() - off);
    if (w < 0 && errno == EINTR) continue;
    written = w > 0;
    if (written) off += static_cast<std::size_t>(w);
  }
  if (written) return 0;
  const int e = errno;
  if (fd) ::unlink(s.script.c_str());
  s.script.clear();
  return e;
}

void Executor::set_task_env(std::uint64_t seq, std::uint32_t attempt, int slot_number,
                            const std::string& tmp_file) {
  env_task_.clear();
  env_task_.push_back(fmt::format("MPIMAP_SEQ={}", seq));
  env_task_.push_back(fmt::format("MPIMAP_ATTEMPT={}", attempt));
  env_task_.push_back(fmt::format("MPIMAP_SLOT={}", slot_number));
  env_task_.push_back(fmt::format("PARALLEL_SEQ={}", seq));
  env_task_.push_back(fmt::format("PARALLEL_JOBSLOT={}", slot_number));
  if (!opt_.slot_var.empty())
    env_task_.push_back(fmt::format("{}={}", opt_.slot_var, slot_number - 1));
  if (!tmp_file.empty()) env_task_.push_back("PARALLEL_TMP=" + tmp_file);
  envp_.resize(env_base_.size());
  for (auto& e : env_task_) envp_.push_back(e.data());
  envp_.push_back(nullptr);
}

/// --fifo: a named pipe of its own for the task, s.tmp_file: 0, or the errno.
int Executor::make_fifo(Slot& s) {
  const char* tmp = opt_.tmpdir.empty() ? std::getenv("TMPDIR") : opt_.tmpdir.c_str();
  // mkstemp picks a free name; the fifo takes its place.
  s.tmp_file = fmt::format("{}/parXXXXXX", tmp && *tmp ? tmp : "/tmp");
  const Fd fd(::mkstemp(s.tmp_file.data()));
  int e = fd ? 0 : errno;
  if (fd) ::unlink(s.tmp_file.c_str());
  if (e == 0 && ::mkfifo(s.tmp_file.c_str(), 0600) != 0) e = errno;
  if (e != 0) s.tmp_file.clear();
  return e;
}

/// --cat: the task's input (its block, or its part of a --pipepart file) in
/// a temporary file of its own, s.tmp_file: 0, or the errno.
int Executor::write_input_file(Slot& s, const Task& task, Fd& file) {
  const char* tmp = opt_.tmpdir.empty() ? std::getenv("TMPDIR") : opt_.tmpdir.c_str();
  s.tmp_file = fmt::format("{}/parXXXXXX", tmp && *tmp ? tmp : "/tmp");
  const Fd fd(::mkstemp(s.tmp_file.data()));
  if (!fd) {
    s.tmp_file.clear();
    return errno;
  }
  bool ok = write_all(fd.get(), task.input);
  std::string piece(std::min<std::uint64_t>(task.input_length, 1 << 20), '\0');
  for (std::uint64_t pos = task.input_offset, end = pos + task.input_length;
       ok && file && pos < end;) {
    const ssize_t n =
        ::pread(file.get(), piece.data(),
                static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), end - pos)),
                static_cast<off_t>(pos));
    if (n <= 0) break;  // the file shrank, or a read error: the task gets what there was
    ok = write_all(fd.get(), std::string_view(piece.data(), static_cast<std::size_t>(n)));
    pos += static_cast<std::uint64_t>(n);
  }
  if (ok) return 0;
  const int e = errno;
  ::unlink(s.tmp_file.c_str());
  s.tmp_file.clear();
  return e;
}

Executor::Clock::duration Executor::duration_of(double seconds) const {
  // At most about 31 years (more would overflow the clock's ticks and come out
  // as no timeout), at least one tick (--timeout 1e-12 is a timeout too).
  return std::max(Clock::duration(1), std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(std::min(seconds, 1e9))));
}

int Executor::spawn(const char* program, char* const argv[], int in_fd, int out_fd, int err_fd,
                    pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
  else
    posix_spawn_file_actions_addclose(&actions, STDIN_FILENO);
  if (out_fd != STDOUT_FILENO) posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  if (err_fd != STDERR_FILENO) posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  if (!opt_.workdir.empty()) posix_spawn_file_actions_addchdir_np(&actions, opt_.workdir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigmask(&attr, &mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM,
                  SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ, SIGURG, SIGWINCH})
    sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  int rc = 0;
  if (opt_.nice != 0) {
    // posix_spawn cannot set a niceness: nice(1) does it, then execs the shell.
    std::vector<char*> nice_argv;
    std::string n = std::to_string(opt_.nice);
    std::string prog = program;
    char nice_name[] = "nice";
    char dash_n[] = "-n";
    nice_argv = {nice_name, dash_n, n.data(), prog.data()};
    for (char* const* a = argv + 1; *a; ++a) nice_argv.push_back(*a);
    nice_argv.push_back(nullptr);
    rc = ::posix_spawnp(&pid, "nice", &actions, &attr, nice_argv.data(), envp_.data());
  } else {
    rc = ::posix_spawn(&pid, program, &actions, &attr, argv, envp_.data());
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

void Executor::start(const Task& task) { start(Task(task)); }

void Executor::start(Task&& task) {
  Slot& s = free_slot();
  const int number = slot_number(s);
  s.seq = task.seq;
  s.attempt = task.attempt;
  s.out.clear();
  s.err.clear();
  s.timed_out = s.halted = s.stopped = s.kill_sent = s.in_term_seq = false;

  JobContext ctx;
  ctx.seq = task.seq;
  ctx.slot = number;
  ctx.total_jobs = task.total;
  ctx.slots_total = opt_.slots_total;
  command_.render(task.args, ctx, cmd_);

  Pipe out, err, in;  // what is still open on a way out gets closed
  int e = 0;
  if (!opt_.ungroup) {
    e = open_pipe(out);
    if (e == 0) e = open_pipe(err);
  }
  Fd file;
  if (!task.input_file.empty()) {
    file.reset(::open(task.input_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file)
      return fail_to_start(s,
                           fmt::format("mpimap: cannot read --pipepart file {}: {}",
                                       task.input_file, std::strerror(errno)),
                           127);
  }
  if (opt_.input_file && e == 0) {
    if ((e = write_input_file(s, task, file)) != 0)
      return fail_to_start(
          s, fmt::format("mpimap: cannot write --cat's input file: {}", std::strerror(e)), 127);
    file.reset();  // the task reads $PARALLEL_TMP, its stdin is /dev/null
    task.input.clear();
  }
  s.fifo_pending = false;
  if (opt_.input_fifo && e == 0) {
    if ((e = make_fifo(s)) != 0)
      return fail_to_start(
          s, fmt::format("mpimap: cannot make --fifo's fifo: {}", std::strerror(e)), 127);
    s.fifo_pending = true;  // fed once the task opens it (see feed())
  }
  if (e == 0 && !opt_.input_fifo && (!task.input.empty() || file)) e = open_pipe(in);
  if (e != 0)
    return fail_to_start(
        s, fmt::format("mpimap: cannot start the task: pipe: {}", std::strerror(e)), 127);
  if (!opt_.ungroup) {
    ::fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
    ::fcntl(err.read.get(), F_SETFL, O_NONBLOCK);
  }
  if (in.write) ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);

  char* const shell_name = opt_.shell.data();
  char dash_c[] = "-c";
  char* argv[4] = {shell_name, dash_c, cmd_.data(), nullptr};
  if (cmd_.size() > kMaxInlineCommand) {
    if ((e = write_script(s)) != 0)
      return fail_to_start(
          s,
          fmt::format("mpimap: cannot write the script for a long command: {}", std::strerror(e)),
          127);
    argv[1] = s.script.data();
    argv[2] = nullptr;
  }
  set_task_env(task.seq, task.attempt, number, s.tmp_file);

  s.start_wall = wall_now();
  s.started = Clock::now();
  pid_t pid = -1;
  const int in_fd = in.read ? in.read.get() : devnull_ ? devnull_.get() : -1;
  const int out_fd = opt_.ungroup ? STDOUT_FILENO : out.write.get();
  const int err_fd = opt_.ungroup ? STDERR_FILENO : err.write.get();
  int rc = -1;
  if (s.script.empty())
    if (auto plan = direct_->plan(cmd_)) {
      direct_argv_.clear();
      for (auto& w : plan->words) direct_argv_.push_back(w.data());
      direct_argv_.push_back(nullptr);
      // Should it not start (a script without #!), the shell runs it, or says why.
      rc = spawn(plan->path.c_str(), direct_argv_.data(), in_fd, out_fd, err_fd, pid);
      direct_argv_.clear();
      if (rc == ENOEXEC) direct_->refuse(plan->path);
    }
  if (rc != 0) rc = spawn(opt_.shell.c_str(), argv, in_fd, out_fd, err_fd, pid);
  out.write.reset();  // the child has its own copies
  err.write.reset();
  in.read.reset();
  if (rc != 0) {
    if (!s.script.empty()) ::unlink(s.script.c_str());
    s.script.clear();
    if (!s.tmp_file.empty()) ::unlink(s.tmp_file.c_str());
    s.tmp_file.clear();
    return fail_to_start(
        s, fmt::format("mpimap: cannot start {}: {}", opt_.shell, std::strerror(rc)), 127);
  }
  s.busy = true;
  s.pid = pid;
  s.out_fd = std::move(out.read);
  s.err_fd = std::move(err.read);
  s.in_fd = std::move(in.write);
  s.input = std::move(task.input);
  s.input_pos = 0;
  s.file = std::move(file);
  s.file_pos = task.input_offset;
  s.file_end = task.input_offset + task.input_length;
  s.deadline = task.timeout > 0 ? s.started + duration_of(task.timeout) : Clock::time_point::max();
  g_groups[static_cast<std::size_t>(&s - slots_.data())].store(pid, std::memory_order_relaxed);
  ++running_;
  feed(s);
}

/// --pipe: writes what the task's stdin takes now; closes it when all is in
/// (or the task stopped reading).
void Executor::feed(Slot& s) {
  constexpr std::size_t kPiece = 256 * 1024;
  if (s.fifo_pending) {
    // --fifo: the write end opens (without blocking) only once the task has
    // opened the read end; until then, try again on every collect().
    s.in_fd.reset(::open(s.tmp_file.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (!s.in_fd && errno == ENXIO) return;
    s.fifo_pending = false;
  }
  while (s.in_fd) {
    if (s.input_pos == s.input.size()) {
      // --pipepart: the next piece of the file's part.
      if (!s.file || s.file_pos >= s.file_end) break;
      s.input.resize(
          static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, s.file_end - s.file_pos)));
      const ssize_t n =
          ::pread(s.file.get(), s.input.data(), s.input.size(), static_cast<off_t>(s.file_pos));
      if (n <= 0) break;  // the file shrank, or a read error: the task gets what there was
      s.input.resize(static_cast<std::size_t>(n));
      s.file_pos += static_cast<std::uint64_t>(n);
      s.input_pos = 0;
    }
    const ssize_t w =
        ::write(s.in_fd.get(), s.input.data() + s.input_pos, s.input.size() - s.input_pos);
    if (w > 0) {
      s.input_pos += static_cast<std::size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break;  // EPIPE: the task does not read any more
  }
  s.in_fd.reset();
  s.input = {};
  s.file.reset();
}

void Executor::read_from(Fd& fd, std::string& into) {
  for (int reads = 0; fd && reads < 1024; ++reads) {
    const ssize_t n = ::read(fd.get(), read_buf_.data(), read_buf_.size());
    if (n > 0) {
      into.append(read_buf_.data(), static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd.reset();  // end of file, or an error
  }
}

/// --line-buffer: the whole lines of a running task's output, out now.
void Executor::take_lines(Slot& s, std::vector<Result>& done) {
  const auto out_end = s.out.rfind('\n');
  const auto err_end = s.err.rfind('\n');
  if (out_end == std::string::npos && err_end == std::string::npos) return;
  Result r;
  r.seq = s.seq;
  r.attempt = s.attempt;
  r.outcome = Outcome::Partial;
  r.slot = slot_number(s);
  if (out_end != std::string::npos) {
    r.out.assign(s.out, 0, out_end + 1);
    s.out.erase(0, out_end + 1);
  }
  if (err_end != std::string::npos) {
    r.err.assign(s.err, 0, err_end + 1);
    s.err.erase(0, err_end + 1);
  }
  done.push_back(std::move(r));
}

void Executor::terminate(Slot& s, Clock::time_point now, Clock::duration grace) {
  ::kill(-s.pid, SIGTERM);
  s.kill_at = now + grace;
  s.term_step = 0;
  s.in_term_seq = false;
}

/// --timeout and --halt now: SIGTERM and SIGKILL after kKillGrace, or
/// --term-seq's signals, each followed by its wait (then SIGKILL).
void Executor::start_killing(Slot& s, Clock::time_point now) {
  if (opt_.term_seq.empty()) return terminate(s, now, kKillGrace);
  s.term_step = 0;
  s.in_term_seq = true;
  send_term_step(s, now);
}

void Executor::send_term_step(Slot& s, Clock::time_point now) {
  const auto& [sig, ms] = opt_.term_seq[s.term_step];
  ::kill(-s.pid, sig);
  if (sig == SIGKILL) s.kill_sent = true;
  s.kill_at = now + duration_of(ms / 1000);
}

void Executor::finish(Slot& s, int status, std::vector<Result>& done) {
  // What the task wrote before it ended is in the pipes; output still coming
  // from a process it left behind is not waited for.
  read_from(s.out_fd, s.out);
  read_from(s.err_fd, s.err);
  s.out_fd.reset();
  s.err_fd.reset();
  s.in_fd.reset();
  s.input = {};
  s.file.reset();
  Result r;
  r.seq = s.seq;
  r.attempt = s.attempt;
  r.outcome = s.halted ? Outcome::Halted : Outcome::Ran;
  r.slot = slot_number(s);
  if (status < 0) {  // lost (reaped by someone else): unknown
    r.exitval = -1;
  } else if (WIFEXITED(status)) {
    r.exitval = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  // A stop signal may have killed the task before the loop marked it stopped
  // (a second signal kills every task from the handler itself; Slurm signals
  // the tasks with the ranks): it is stopped all the same, not logged, and
  // --resume runs it again. So is a task that failed by itself just then.
  const bool stopped = s.stopped || g_stop_count.load() > 0;
  if (stopped && !s.halted && !s.timed_out && r.failed()) r.outcome = Outcome::Stopped;
  if (s.timed_out && r.exitval == 0) r.exitval = -1;  // as GNU parallel records a timeout
  r.start = s.start_wall;
  r.runtime = std::chrono::duration<double>(Clock::now() - s.started).count();
  r.out = std::move(s.out);
  r.err = std::move(s.err);
  s.out = {};
  s.err = {};
  release(s);
  done.push_back(std::move(r));
}

bool Executor::collect(std::vector<Result>& done) {
  bool any = !immediate_.empty();
  for (auto& r : immediate_) done.push_back(std::move(r));
  immediate_.clear();
  if (running_ == 0) return any;
  const auto now = Clock::now();
  for (auto& s : slots_) {
    if (!s.busy) continue;
    if (s.fifo_pending) feed(s);
    if (opt_.line_buffer) {
      const auto before = done.size();
      take_lines(s, done);
      any = any || done.size() > before;
    }
    int status = 0;
    if (s.timed_out || s.halted || s.stopped) {
      // Look without reaping, so the group id stays ours while we kill the
      // rest of the group (a grandchild may outlive the shell).
      siginfo_t info{};
      const int rc = ::waitid(P_PID, static_cast<id_t>(s.pid), &info, WEXITED | WNOHANG | WNOWAIT);
      if (rc == 0 && info.si_pid == s.pid) {
        ::kill(-s.pid, SIGKILL);
        while (::waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
        }
        finish(s, status, done);
        any = true;
      } else if (rc < 0 && errno == ECHILD) {
        finish(s, -1, done);
        any = true;
      } else if (!s.kill_sent && now >= s.kill_at) {
        if (s.in_term_seq && s.term_step + 1 < opt_.term_seq.size()) {
          ++s.term_step;
          send_term_step(s, now);
        } else {
          ::kill(-s.pid, SIGKILL);
          s.kill_sent = true;
        }
      }
      continue;
    }
    const pid_t r = ::waitpid(s.pid, &status, WNOHANG);
    if (r == s.pid) {
      finish(s, status, done);
      any = true;
    } else if (r < 0 && errno == ECHILD) {
      finish(s, -1, done);
      any = true;
    } else if (now >= s.deadline) {
      s.timed_out = true;
      start_killing(s, now);
    }
  }
  return any;
}

void Executor::halt_all() {
  const auto now = Clock::now();
  for (auto& s : slots_) {
    if (!s.busy || s.halted) continue;
    s.halted = true;
    if (!s.timed_out && !s.stopped) start_killing(s, now);
  }
}

void Executor::stop(double grace_seconds) {
  const auto now = Clock::now();
  const auto grace = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(std::min(grace_seconds, 1e9)));
  for (auto& s : slots_) {
    if (!s.busy || s.stopped) continue;
    s.stopped = true;
    if (s.timed_out || s.halted) {  // already being killed: keep the earlier SIGKILL time
      s.kill_at = std::min(s.kill_at, now + grace);
      s.in_term_seq = false;  // and SIGKILL it is then
    } else {
      terminate(s, now, grace);
    }
  }
}

void Executor::kill_now() {
  const auto now = Clock::now();
  for (auto& s : slots_) {
    if (!s.busy) continue;
    s.stopped = true;
    if (!s.kill_sent) {
      ::kill(-s.pid, SIGKILL);
      s.kill_sent = true;
    }
    s.kill_at = now;
  }
}

bool Executor::wait(std::chrono::nanoseconds timeout, int extra_fd) {
  pollfds_.clear();
  for (const auto& s : slots_) {
    if (!s.busy) continue;
    if (s.out_fd) pollfds_.push_back({s.out_fd.get(), POLLIN, 0});
    if (s.err_fd) pollfds_.push_back({s.err_fd.get(), POLLIN, 0});
    if (s.in_fd) pollfds_.push_back({s.in_fd.get(), POLLOUT, 0});
  }
  if (extra_fd >= 0) pollfds_.push_back({extra_fd, POLLIN, 0});
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
  const int n = ::ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr);
  if (n <= 0) return false;
  std::size_t k = 0;
  for (auto& s : slots_) {
    if (!s.busy) continue;
    if (s.out_fd && pollfds_[k++].revents) read_from(s.out_fd, s.out);
    if (s.err_fd && pollfds_[k++].revents) read_from(s.err_fd, s.err);
    if (s.in_fd && pollfds_[k++].revents) feed(s);
  }
  return true;
}

}  // namespace mpimap::farm
