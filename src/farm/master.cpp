// Rank 0 of `mpimap run`: builds jobs as slots free up, hands tasks to every
// rank's slots (its own included), takes results, retries, prints, logs, and
// decides when to stop.
//
// Each worker is kept at its slots' worth of running tasks plus, while tasks
// are short, as many queued, so a slot that frees never waits on a round trip
// to rank 0. Rank 0's own slots are served from the same loop: it never blocks
// on a child, a result or the input; when there is nothing to do it sleeps in
// ppoll() on its children's pipes (and on the input when a record is
// half-read), as Backoff says.
//
// --halt follows GNU parallel 20221122: after each finished job, the failures
// (fail=), successes (success=) or finished jobs (done=) are counted against N
// or N% of all jobs; when reached, `now` kills the running tasks (they are
// neither logged nor printed, nor is output held back by -k) and `soon` starts
// no more. The exit status is fixed then: the failing job's own status with
// fail=1 (or 128 + its signal), else the failures (at most 101), or their
// percentage with N%; 0 for success=.
//
// A stop signal (SIGTERM, SIGINT, SIGUSR1 on this rank, or a worker's word
// that it got one): no more tasks start anywhere, the running ones get
// SIGTERM and SIGKILL after --grace (a second signal: SIGKILL at once), every
// result that comes back is handled as usual, and then one line says what was
// done, killed and not started; the exit status is 128 + the signal.

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>

#include "farm/arg_queue.hpp"
#include "farm/block_source.hpp"
#include "farm/executor.hpp"
#include "farm/job_builder.hpp"
#include "farm/joblog.hpp"
#include "farm/messages.hpp"
#include "farm/output.hpp"
#include "farm/progress.hpp"
#include "farm/results_table.hpp"
#include "farm/roles.hpp"
#include "farm/walltime.hpp"
#include "farm/watch.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::farm {

namespace {

constexpr std::uint64_t kMaxExitCode = 101;  // as GNU parallel: "more than 100 failed"

class Master {
 public:
  Master(MPI_Comm comm, const RunOptions& opt, const RankSetup& setup, MasterInputs& in)
      : comm_(comm),
        opt_(opt),
        command_(*setup.command),
        in_(in),
        size_(static_cast<int>(in.hosts.size())),
        local_(command_, 0, setup.slots, in.hosts[0], setup.exec),
        sends_(comm),
        in_flight_(static_cast<std::size_t>(size_), 0),
        last_heard_(static_cast<std::size_t>(size_)),
        printer_(opt.keep_order, in.merged_output, opt.color, opt.color_failed),
        progress_(opt.progress || opt.eta || opt.bar),
        builder_(in.args ? std::make_unique<JobBuilder>(*in.args, command_, batch_options())
                         : nullptr) {
    for (const int s : in.slots) slots_total_ += s;
    if (RunWatch::wanted(opt)) watch_.emplace(opt, in.hosts, in.slots);
    // Every job is built before the first starts when its number matters
    // ({##}, --halt N%, --shuf), or when the input is one list in memory
    // already (several sources can make far more combinations than values).
    // --total-jobs says the number instead.
    const bool one_list = in.args && in.args->in_memory() && in.args->sources() == 1;
    const bool need_total = command_.needs_total() && !opt.total_jobs_value;
    if (!in.parts.empty() || in.dealt || one_list ||
        (in.args && (need_total || opt.halt_percent > 0 || opt.shuf || opt.dry_run)))
      preload();
    if (opt.total_jobs_value) total_jobs_ = *opt.total_jobs_value;
  }

  int run();

 private:
  struct Active {
    Task task;
    std::vector<int> failed_on;  // ranks where it failed
    std::string out, err;        // --line-buffer: its output so far, when kept
    std::uint64_t streamed = 0;  // --line-buffer: stdout bytes printed already
  };

  BatchOptions batch_options() const {
    BatchOptions b = opt_.batch;
    b.slots_total = 0;
    for (const int s : in_.slots) b.slots_total += static_cast<std::size_t>(s);
    return b;
  }
  void preload();
  bool next_job(Task& job);
  bool table_open() const { return in_.table && in_.table->is_open(); }
  int input_fd() const { return in_.blocks ? in_.blocks->fd() : in_.args ? in_.args->fd() : -1; }
  bool next_task(int rank, std::uint64_t& seq);
  bool eligible(const Active& a, int rank) const;
  int slots_of(int rank) const { return in_.slots[static_cast<std::size_t>(rank)]; }
  double current_timeout() const;
  void add_runtime(double runtime);
  bool may_start();
  bool dispatch();
  bool receive();
  void handle(Result&& r, int rank);
  void handle_lines(Result&& r);
  void print_command(const Task& task);
  void to_file(const Task& task, const JobContext& ctx, std::string& out);
  void should_we_halt(const Result& r);
  void start_halt();
  void check_signals();
  void check_walltime();
  void start_stop(int signal, bool now, bool from_launcher);
  bool finished() const;
  ProgressCounts counts() const;
  JobContext context(std::uint64_t seq, std::int64_t slot) const;
  void summarize();
  void summarize_stop();
  int exit_status() const;
  int dry_run();

  MPI_Comm comm_;
  const RunOptions& opt_;
  const CommandTemplate& command_;
  MasterInputs& in_;
  int size_;
  std::int64_t slots_total_ = 0;
  Executor local_;
  SendQueue sends_;
  std::unordered_map<std::uint64_t, Active> active_;
  std::deque<std::uint64_t> retry_;
  using Clock = std::chrono::steady_clock;
  std::vector<int> in_flight_;                 // per worker rank: sent, result not yet in
  std::vector<Clock::time_point> last_heard_;  // per worker rank: its last result
  int worker_in_flight_ = 0;
  // Queue a worker's slots' worth more tasks beyond its running ones, so that
  // a slot that frees never waits on a round trip: only while tasks are short
  // (a queued task behind a long one would idle other ranks at the end).
  bool prefetch_ = false;
  double mean_runtime_ = -1;
  std::uint64_t last_seq_ = 0, skipped_ = 0, started_ = 0;
  bool input_done_ = false;
  bool input_waiting_ = false;  // a record is half-read: wait on the input too
  bool halting_ = false, halted_now_ = false;
  std::optional<int> halt_status_;
  // A stop signal: the first one's number, and whether a second came.
  int stop_signal_ = 0;
  bool stop_now_ = false, stop_from_launcher_ = false;
  double stop_grace_ = 0;       // what the tasks got here
  int signals_seen_ = 0;        // stop signals rank 0 itself got
  bool walltime_stop_ = false;  // the stop came from --walltime-margin
  std::uint64_t succeeded_ = 0, failed_ = 0, killed_ = 0;
  Printer printer_;
  Progress progress_;
  std::unique_ptr<JobBuilder> builder_;  // null with --pipe, --pipepart
  bool preloaded_ = false;
  std::deque<Task> jobs_;                    // preloaded
  std::optional<std::uint64_t> total_jobs_;  // known when preloaded
  std::vector<double> runtimes_, sorted_;    // --timeout N%: the last successful ones
  std::size_t runtime_next_ = 0;
  double percent_timeout_ = 0;                         // --timeout N%: now (0: none yet)
  Clock::time_point next_start_{};                     // --delay
  std::optional<Clock::time_point> block_wait_start_;  // --block-timeout
  mpimap::detail::Backoff backoff_{mpimap::detail::kFarmBackoff};
  std::vector<char> recv_buf_;
  Result result_;
  std::vector<Result> local_done_;
  std::string cmd_buf_, tag_buf_;
  std::optional<RunWatch> watch_;  // --stats, --stats-json, --trace
  bool files_warned_ = false;
};

void Master::preload() {
  if (in_.dealt) {  // --roundrobin, --bin, --shard
    for (auto& input : *in_.dealt) {
      Task t;
      t.input = std::move(input);
      jobs_.push_back(std::move(t));
    }
    preloaded_ = true;
    total_jobs_ = jobs_.size();
    return;
  }
  if (!in_.parts.empty()) {  // --pipepart
    for (const auto& p : in_.parts) {
      Task t;
      t.input = p.header;
      t.input_file = p.file;
      t.input_offset = p.offset;
      t.input_length = p.length;
      jobs_.push_back(std::move(t));
    }
    preloaded_ = true;
    total_jobs_ = jobs_.size();
    return;
  }
  // GNU parallel shuffles the records (--shuf), then builds the jobs.
  if (opt_.shuf) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> r;
    while (true) {
      const auto got = in_.args->next(r);
      if (got == ArgQueue::Next::End) break;
      if (got == ArgQueue::Next::NotYet) {
        local_.wait(std::chrono::milliseconds(100), in_.args->fd());
        continue;
      }
      records.push_back(std::move(r));
    }
    std::shuffle(records.begin(), records.end(), std::mt19937_64(std::random_device{}()));
    for (auto it = records.rbegin(); it != records.rend(); ++it) in_.args->unget(std::move(*it));
  }
  Task job;
  while (true) {
    const auto got = builder_->next(job.args);
    if (got == JobBuilder::Next::End) break;
    if (got == JobBuilder::Next::NotYet) {
      local_.wait(std::chrono::milliseconds(100), in_.args->fd());
      continue;
    }
    jobs_.push_back(std::move(job));
    job = {};
  }
  if (const auto& e = in_.args->read_error(); !e.empty()) fmt::print(stderr, "mpimap: {}\n", e);
  preloaded_ = true;
  total_jobs_ = jobs_.size();
}

bool Master::next_job(Task& job) {
  if (preloaded_) {
    if (jobs_.empty()) {
      input_done_ = true;
      return false;
    }
    job = std::move(jobs_.front());
    jobs_.pop_front();
    return true;
  }
  const auto at_end = [&](const std::string& error) {
    input_done_ = true;
    if (!error.empty()) {
      progress_.clear_line();
      fmt::print(stderr, "mpimap: {}\n", error);
    }
    return false;
  };
  if (in_.blocks) {  // --pipe
    switch (in_.blocks->next(job.input)) {
      case BlockSource::Next::Block:
        block_wait_start_.reset();
        return true;
      case BlockSource::Next::NotYet:
        if (opt_.block_timeout_seconds > 0) {
          // --block-timeout: a block that takes this long goes out as it is.
          const auto now = Clock::now();
          if (!block_wait_start_) {
            block_wait_start_ = now;
          } else if (std::chrono::duration<double>(now - *block_wait_start_).count() >=
                     opt_.block_timeout_seconds) {
            in_.blocks->stop_waiting();
            block_wait_start_.reset();
          }
        }
        input_waiting_ = true;
        return false;
      case BlockSource::Next::End:
        return at_end(in_.blocks->read_error());
    }
  }
  switch (builder_->next(job.args)) {
    case JobBuilder::Next::Job:
      return true;
    case JobBuilder::Next::NotYet:
      input_waiting_ = true;
      return false;
    case JobBuilder::Next::End:
      return at_end(in_.args->read_error());
  }
  return false;
}

JobContext Master::context(std::uint64_t seq, std::int64_t slot) const {
  JobContext ctx;
  ctx.seq = seq;
  ctx.slot = slot;
  ctx.total_jobs = total_jobs_.value_or(0);
  ctx.slots_total = slots_total_;
  return ctx;
}

double Master::current_timeout() const {
  return opt_.timeout_seconds > 0 ? opt_.timeout_seconds : percent_timeout_;
}

/// --timeout N%: a job succeeded in `runtime`; N% of the (lower) median of the
/// last successful runtimes, as GNU parallel's remedian, for the jobs to come.
void Master::add_runtime(double runtime) {
  constexpr std::size_t kKept = 999;
  if (runtimes_.size() < kKept)
    runtimes_.push_back(runtime);
  else
    runtimes_[runtime_next_++ % kKept] = runtime;
  sorted_ = runtimes_;
  const auto mid = sorted_.begin() + static_cast<std::ptrdiff_t>((sorted_.size() - 1) / 2);
  std::nth_element(sorted_.begin(), mid, sorted_.end());
  percent_timeout_ = std::max(opt_.timeout_percent * *mid, 1e-9);
}

bool Master::eligible(const Active& a, int rank) const {
  // Retry on a rank where it has not failed yet, while there is one.
  if (a.failed_on.empty() || static_cast<int>(a.failed_on.size()) >= size_) return true;
  return std::find(a.failed_on.begin(), a.failed_on.end(), rank) == a.failed_on.end();
}

bool Master::may_start() {
  if (opt_.delay_seconds <= 0) return true;
  const auto now = Clock::now();
  if (now < next_start_) return false;
  next_start_ = now + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(opt_.delay_seconds));
  return true;
}

bool Master::next_task(int rank, std::uint64_t& seq) {
  if (halting_ || stop_signal_ != 0) return false;
  if (opt_.delay_seconds > 0 && Clock::now() < next_start_) return false;
  for (auto it = retry_.begin(); it != retry_.end(); ++it) {
    if (!eligible(active_.at(*it), rank)) continue;
    seq = *it;
    retry_.erase(it);
    may_start();
    return true;
  }
  Task job;
  while (!input_done_ && !input_waiting_ && next_job(job)) {
    ++last_seq_;
    const std::uint64_t s = last_seq_;
    bool skip = in_.done->contains(s);
    if (!skip && opt_.resume && in_.results->is_open())
      skip = in_.results->exists(job.args, context(s, 1));
    printer_.add(s, skip);
    if (skip) {
      ++skipped_;
      job = {};
      continue;
    }
    Active a;
    a.task = std::move(job);
    if (opt_.tee) a.task.input = in_.tee_input;
    if (opt_.cat || opt_.fifo) a.task.args.add_record({"$PARALLEL_TMP"});
    a.task.seq = s;
    a.task.total = total_jobs_.value_or(0);
    job = {};
    if (command_.skips(a.task.args)) {
      // {uniq}, {choose_k}: not run; logged with Exitval -2 (GNU parallel).
      active_.emplace(s, std::move(a));
      Result r;
      r.seq = s;
      r.exitval = -2;
      r.slot = 1;
      timespec ts{};
      ::clock_gettime(CLOCK_REALTIME, &ts);
      r.start = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
      handle(std::move(r), 0);
      if (halting_) return false;
      continue;
    }
    active_.emplace(s, std::move(a));
    seq = s;
    may_start();
    return true;
  }
  return false;
}

/// -t: the command line on stderr, as its task is handed out ({%} is not
/// known yet there: the rank's executor picks the slot).
void Master::print_command(const Task& task) {
  if (!opt_.print_commands) return;
  command_.render(task.args, context(task.seq, 0), cmd_buf_);
  cmd_buf_ += '\n';
  progress_.clear_line();
  write_all(STDERR_FILENO, cmd_buf_);
}

/// --files: the task's stdout goes to a file, and `out` becomes its name (the
/// --results stdout file when there is one, as GNU parallel).
void Master::to_file(const Task& task, const JobContext& ctx, std::string& out) {
  std::string name, error;
  if (in_.results->is_open() && in_.results->place(task.args, ctx).ends_with("/"))
    name = in_.results->place(task.args, ctx) + "stdout";
  else if (in_.results->is_open())
    name = in_.results->place(task.args, ctx);
  else
    name = write_temp_file(opt_.tmpdir, out, error);
  if (name.empty()) {  // printed instead: nothing is lost
    if (!files_warned_)
      fmt::print(stderr, "mpimap: --files: cannot write {} (printing the output instead)\n", error);
    files_warned_ = true;
    return;
  }
  out = name + "\n";
}

bool Master::dispatch() {
  bool any = false;
  std::uint64_t seq = 0;
  const auto send_to = [&](int w, int cap) {
    while (in_flight_[static_cast<std::size_t>(w)] < cap && next_task(w, seq)) {
      Active& a = active_.at(seq);
      a.task.timeout = current_timeout();
      print_command(a.task);
      auto& buf = sends_.buffer();
      encode_task(buf, a.task);
      if (watch_) watch_->sent(buf.size());
      sends_.send(w, kTask);
      ++in_flight_[static_cast<std::size_t>(w)];
      ++worker_in_flight_;
      ++started_;
      any = true;
    }
  };
  // First a task for every free slot anywhere, then the queued ones.
  for (int w = 1; w < size_; ++w) send_to(w, slots_of(w));
  while (local_.has_free_slot() && next_task(0, seq)) {
    Active& a = active_.at(seq);
    a.task.timeout = current_timeout();
    print_command(a.task);
    local_.start(a.task);
    ++started_;
    any = true;
  }
  if (prefetch_ && opt_.delay_seconds <= 0) {
    // Only to a worker that returned a result lately: one that has been quiet
    // is busy with long tasks, and a task queued behind them could wait while
    // other ranks idle.
    const auto now = Clock::now();
    const auto quiet = std::chrono::duration<double>(std::max(0.05, 4 * mean_runtime_));
    for (int w = 1; w < size_; ++w)
      if (now - last_heard_[static_cast<std::size_t>(w)] < quiet) send_to(w, 2 * slots_of(w));
  }
  return any;
}

bool Master::receive() {
  bool any = false;
  MPI_Status status;
  while (try_receive(comm_, MPI_ANY_SOURCE, kResult, recv_buf_, status)) {
    decode_result(recv_buf_, result_);
    if (watch_) watch_->received(recv_buf_.size());
    if (result_.outcome == Outcome::Partial) {
      handle_lines(std::move(result_));
      any = true;
      continue;
    }
    --in_flight_[static_cast<std::size_t>(status.MPI_SOURCE)];
    last_heard_[static_cast<std::size_t>(status.MPI_SOURCE)] = Clock::now();
    --worker_in_flight_;
    handle(std::move(result_), status.MPI_SOURCE);
    any = true;
  }
  while (try_receive(comm_, MPI_ANY_SOURCE, kSignal, recv_buf_, status)) {
    std::int32_t msg[2] = {0, 0};
    std::memcpy(msg, recv_buf_.data(), std::min(recv_buf_.size(), sizeof msg));
    start_stop(msg[0], msg[1] >= 2, false);
    any = true;
  }
  return any;
}

/// --line-buffer: whole lines of a running task, printed now (with -k, and
/// for --results, also kept for its end).
void Master::handle_lines(Result&& r) {
  const auto it = active_.find(r.seq);
  if (it == active_.end()) return;
  Active& a = it->second;
  if (opt_.keep_order) {
    a.out += r.out;
    a.err += r.err;
    return;
  }
  if (in_.results->is_open() || table_open()) {
    a.out += r.out;
    a.err += r.err;
    if (table_open() && in_.table->to_stdout()) return;  // -.csv: the table is all of stdout
  }
  a.streamed += r.out.size();
  progress_.clear_line();
  std::string tag;
  if (in_.tag) {
    in_.tag->render(a.task.args, context(r.seq, r.slot), tag);
    tag += '\t';
  }
  printer_.print_now(r.seq, tag, r.out, r.err);
}

void Master::handle(Result&& r, int rank) {
  if (r.outcome == Outcome::Partial) return handle_lines(std::move(r));
  const auto it = active_.find(r.seq);
  if (it == active_.end()) return;
  Active& a = it->second;
  if (watch_ && r.outcome != Outcome::Dropped && r.exitval != -2) {  // -2: not run ({uniq})
    std::string command;
    if (watch_->tracing()) command_.render(a.task.args, context(r.seq, r.slot), command);
    watch_->ran(rank, r, std::move(command));
  }
  if (r.outcome != Outcome::Ran) {  // dropped, killed by --halt or a stop: not logged,
    if (r.outcome == Outcome::Stopped) ++killed_;  // rerun by --resume
    printer_.forget(r.seq);
    active_.erase(it);
    return;
  }
  mean_runtime_ = mean_runtime_ < 0 ? r.runtime : 0.9 * mean_runtime_ + 0.1 * r.runtime;
  prefetch_ = mean_runtime_ < 0.1;
  const bool failed = r.failed();
  if (failed && r.exitval != -2 && a.task.attempt < opt_.max_attempts && !halting_ &&
      stop_signal_ == 0) {
    if (std::find(a.failed_on.begin(), a.failed_on.end(), rank) == a.failed_on.end())
      a.failed_on.push_back(rank);
    ++a.task.attempt;
    retry_.push_back(r.seq);
    a.out.clear();
    a.err.clear();
    a.streamed = 0;
    return;
  }
  if (!failed && opt_.timeout_percent > 0) add_runtime(r.runtime);
  const JobContext ctx = context(r.seq, r.slot);
  // --line-buffer: what was printed already is not printed again (but with
  // -k nothing was, and --results wants it all).
  std::string printed_out, printed_err;
  if (!a.out.empty() || !a.err.empty()) {
    r.out.insert(0, a.out);
    r.err.insert(0, a.err);
    if (!opt_.keep_order) {
      printed_out = std::move(a.out);
      printed_err = std::move(a.err);
    }
  }
  // The record goes last: a job killed before it reruns the task on --resume
  // (its output may then appear twice); a job killed after it has put out the
  // task's output already (with -k: unless the block is still held back).
  if (in_.results->is_open()) in_.results->write(a.task.args, ctx, r.out, r.err);
  const bool need_command = in_.joblog->is_open() || opt_.verbose || table_open();
  if (need_command) command_.render(a.task.args, ctx, cmd_buf_);
  const JoblogRecord record{
      .seq = r.seq,
      .host = in_.hosts[static_cast<std::size_t>(rank)],
      .start = r.start,
      .runtime = r.runtime,
      .sent = a.task.input_file.empty() ? a.task.sent() : 0,  // --pipepart: 0, as GNU
      // --line-buffer: the lines printed already, unless they were kept
      .received = r.out.size() + (in_.results->is_open() || table_open() ? 0 : a.streamed),
      .exitval = r.exitval,
      .signal = r.signal,
      .command = cmd_buf_};
  if (table_open()) in_.table->write(record, a.task.args.values, r.out, r.err);
  if (!printed_out.empty() || !printed_err.empty()) {
    r.out.erase(0, printed_out.size());
    r.err.erase(0, printed_err.size());
  }
  if (opt_.files) to_file(a.task, ctx, r.out);
  if (!r.out.empty() || !r.err.empty()) progress_.clear_line();
  std::string tag;
  if (in_.tag) {
    in_.tag->render(a.task.args, ctx, tag);
    tag += '\t';
  }
  if (table_open() && in_.table->to_stdout())  // -.csv: the table is all of stdout
    printer_.forget(r.seq);
  else
    printer_.finish(r.seq, std::move(tag), opt_.verbose ? cmd_buf_ + "\n" : std::string(),
                    std::move(r.out), std::move(r.err), failed);
  r.out.clear();
  r.err.clear();
  if (in_.joblog->is_open()) in_.joblog->write(record);
  active_.erase(it);
  if (failed)
    ++failed_;
  else
    ++succeeded_;
  should_we_halt(r);
}

/// GNU parallel's should_we_halt(), after a job has finished for good.
void Master::should_we_halt(const Result& r) {
  if (opt_.halt_mode == HaltMode::Never || halting_) return;
  const bool failed = r.failed();
  std::optional<std::uint64_t> limit;
  if (opt_.halt_on == HaltOn::Fail && failed) limit = failed_;
  if (opt_.halt_on == HaltOn::Success && !failed) limit = succeeded_;
  if (opt_.halt_on == HaltOn::Done) limit = succeeded_ + failed_;
  if (!limit) return;
  const double total = static_cast<double>(total_jobs_.value_or(0));
  const double count =
      opt_.halt_count > 0 ? static_cast<double>(opt_.halt_count) : total * opt_.halt_percent;
  if (static_cast<double>(*limit) < count) return;
  if (opt_.halt_on == HaltOn::Success) {
    halt_status_ = 0;
  } else if (count == 1) {
    // fail=1: the job's own status (a signal as the shell shows it: 128 + N).
    halt_status_ = r.exitval != 0 ? r.exitval : r.signal != 0 ? 128 + r.signal : 0;
  } else if (opt_.halt_percent > 0) {
    halt_status_ = static_cast<int>(std::ceil(static_cast<double>(failed_) / total * 100));
  } else {
    halt_status_ = static_cast<int>(std::min(failed_, kMaxExitCode));
  }
  start_halt();
}

void Master::start_halt() {
  halting_ = true;
  const bool now = opt_.halt_mode == HaltMode::Now;
  progress_.clear_line();
  fmt::print(stderr, "mpimap: --halt {}: {} failed, {} succeeded; {}\n", opt_.halt, failed_,
             succeeded_,
             now ? "killing the running tasks"
                 : "starting no more tasks, letting the running ones finish");
  for (int w = 1; w < size_; ++w) {
    sends_.buffer().push_back(now ? 1 : 0);
    sends_.send(w, kHalt);
  }
  if (now) {
    local_.halt_all();
    printer_.drop_held();
    halted_now_ = true;
  }
  for (const auto seq : retry_) {
    printer_.forget(seq);
    active_.erase(seq);
  }
  retry_.clear();
}

/// Stop signals that reached rank 0 itself.
void Master::check_signals() {
  const auto req = stop_request();
  if (req.count == signals_seen_) return;
  signals_seen_ = req.count;
  start_stop(req.signal, req.count >= 2, req.from_launcher);
}

/// --walltime-margin: past SLURM_JOB_END_TIME - margin, a stop as on SIGUSR1.
void Master::check_walltime() {
  if (stop_signal_ != 0 || !opt_.walltime_end || Clock::now() < *opt_.walltime_end) return;
  walltime_stop_ = true;
  start_stop(kWalltimeStop, false, false);
}

/// A stop signal, here or on a worker: nothing more starts; the running tasks
/// everywhere get SIGTERM, SIGKILL after --grace (`now`: at once).
void Master::start_stop(int signal, bool now, bool from_launcher) {
  if (stop_signal_ == 0) {
    stop_signal_ = signal;
    stop_from_launcher_ = from_launcher;
    // mpirun's own SIGTERM comes odls_base_sigkill_timeout seconds before its
    // SIGKILL: the tasks get half of that at most, so that they are gone and
    // logged before the ranks are killed.
    stop_grace_ = from_launcher ? std::min(opt_.grace, launcher_kill_after() / 2) : opt_.grace;
    for (int w = 1; w < size_; ++w) {
      sends_.buffer().push_back(kStopGrace);
      sends_.send(w, kHalt);
    }
    local_.stop(stop_grace_);
    for (const auto seq : retry_) {
      printer_.forget(seq);
      active_.erase(seq);
    }
    retry_.clear();
  }
  if (now && !stop_now_) {
    stop_now_ = true;
    for (int w = 1; w < size_; ++w) {
      sends_.buffer().push_back(kStopNow);
      sends_.send(w, kHalt);
    }
    local_.kill_now();
  }
}

bool Master::finished() const {
  if (worker_in_flight_ > 0 || local_.running() > 0) return false;
  return halting_ || stop_signal_ != 0 || (input_done_ && retry_.empty());
}

ProgressCounts Master::counts() const {
  ProgressCounts c;
  c.done = succeeded_ + failed_;
  c.failed = failed_;
  c.running = static_cast<std::uint64_t>(local_.running());
  for (int w = 1; w < size_; ++w)
    c.running +=
        static_cast<std::uint64_t>(std::min(in_flight_[static_cast<std::size_t>(w)], slots_of(w)));
  if (total_jobs_) {
    c.total = *total_jobs_ - in_.done->count_upto(*total_jobs_);
  } else if (input_done_) {
    c.total = last_seq_ - skipped_;
  }
  return c;
}

void Master::summarize() {
  if (failed_ == 0) return;
  std::string line = fmt::format("mpimap: {} succeeded, {} failed", succeeded_, failed_);
  if (halting_) line += fmt::format(", stopped by --halt {}", opt_.halt);
  if (in_.joblog->is_open()) line += " (see joblog)";
  line += '\n';
  write_all(STDERR_FILENO, line);
}

/// One line: how the stop went, and what --resume will do.
void Master::summarize_stop() {
  const char* name = sigabbrev_np(stop_signal_);
  const std::string by = walltime_stop_ ? fmt::format("--walltime-margin {}", opt_.walltime_margin)
                         : name         ? fmt::format("SIG{}", name)
                                        : fmt::format("signal {}", stop_signal_);
  std::string line = fmt::format("mpimap: stopped by {}: {} tasks done", by, succeeded_ + failed_);
  if (failed_ > 0) line += fmt::format(" ({} failed)", failed_);
  line += fmt::format(", {} killed", killed_);
  const std::uint64_t done = succeeded_ + failed_ + killed_;
  std::optional<std::uint64_t> total;
  if (total_jobs_)
    total = *total_jobs_ - in_.done->count_upto(*total_jobs_);
  else if (input_done_)
    total = last_seq_ - skipped_;
  const std::uint64_t not_started = total ? *total - std::min(*total, done) : 0;
  if (total)
    line += fmt::format(", {} not started", not_started);
  else
    line += ", the rest of the input not started";
  if (in_.joblog->is_open()) {
    if (total)
      line +=
          fmt::format("; --resume with this joblog runs the {} not done", killed_ + not_started);
    else
      line += "; --resume with this joblog runs the killed ones and the rest";
  } else {
    line += fmt::format("; nothing is logged (--joblog {} keeps what finished, for --resume)",
                        suggested_file("joblog"));
  }
  if (stop_from_launcher_ && stop_grace_ < opt_.grace)
    line += fmt::format(
        "; mpirun SIGKILLs the ranks {:g} s after its SIGTERM, so the tasks had {:g} s, not "
        "--grace {:g} (send mpirun SIGUSR1 instead)",
        launcher_kill_after(), stop_grace_, opt_.grace);
  line += '\n';
  write_all(STDERR_FILENO, line);
}

int Master::exit_status() const {
  if (opt_.halt_mode != HaltMode::Never) {
    if (halt_status_) return *halt_status_;
    if (opt_.halt_percent > 0)
      return static_cast<int>(std::ceil(static_cast<double>(failed_) /
                                        static_cast<double>(std::max<std::uint64_t>(started_, 1)) *
                                        100));
  }
  return static_cast<int>(std::min(failed_, kMaxExitCode));
}

/// --dry-run: the command lines, nothing run.
int Master::dry_run() {
  std::string line;
  for (std::uint64_t seq = 1; !jobs_.empty(); ++seq) {
    const JobArgs job = std::move(jobs_.front().args);
    jobs_.pop_front();
    if (in_.done->contains(seq)) continue;
    const auto ctx = context(
        seq, static_cast<std::int64_t>((seq - 1) % static_cast<std::uint64_t>(slots_total_)) + 1);
    command_.render(job, ctx, line);
    line += '\n';
    if (opt_.print_commands) write_all(STDERR_FILENO, line);
    if (in_.tag) {
      in_.tag->render(job, ctx, tag_buf_);
      line.insert(0, tag_buf_ + "\t");
    }
    write_all(STDOUT_FILENO, line);
  }
  return 0;
}

int Master::run() {
  if (opt_.dry_run) {
    const int code = dry_run();
    for (int w = 1; w < size_; ++w) {
      sends_.buffer();
      sends_.send(w, kStop);
    }
    sends_.drain();
    return code;
  }
  while (true) {
    check_signals();
    check_walltime();
    input_waiting_ = false;
    bool progress = receive();
    local_done_.clear();
    if (local_.collect(local_done_)) {
      progress = true;
      for (auto& r : local_done_) handle(std::move(r), 0);
    }
    if (dispatch()) progress = true;
    sends_.reap();
    progress_.update([this] { return counts(); });
    if (finished()) break;
    if (progress) {
      backoff_.reset();
      continue;
    }
    auto pause = backoff_.next().length;
    if (opt_.delay_seconds > 0) {
      const auto until = next_start_ - Clock::now();
      if (until > Clock::duration::zero() && until < pause)
        pause = std::chrono::duration_cast<decltype(pause)>(until);
    }
    const auto slept_from = watch_ ? Clock::now() : Clock::time_point{};
    if (local_.wait(pause, input_waiting_ ? input_fd() : -1)) backoff_.reset();
    if (watch_) watch_->slept(Clock::now() - slept_from);
  }
  for (int w = 1; w < size_; ++w) {
    // Its one byte: whether to answer clock pings for the trace.
    sends_.buffer().push_back(watch_ && watch_->tracing() ? 1 : 0);
    sends_.send(w, kStop);
  }
  sends_.drain();
  printer_.flush();
  progress_.finish(counts());
  const bool watched = !watch_ || watch_->finish(comm_, succeeded_ + failed_);
  if (stop_signal_ != 0) {
    progress_.clear_line();
    summarize_stop();
    return 128 + stop_signal_;
  }
  summarize();
  const int status = exit_status();
  return status == 0 && !watched ? 2 : status;
}

}  // namespace

int run_master(MPI_Comm comm, const RunOptions& opt, const RankSetup& setup, MasterInputs& in) {
  Master master(comm, opt, setup, in);
  return master.run();
}

}  // namespace mpimap::farm
