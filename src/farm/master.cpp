// Rank 0 of `mpimap run`: reads items as slots free up, hands tasks to every
// rank's slots (its own included), takes results, retries, prints, logs, and
// decides when to stop.
//
// Each worker is kept at `jobs` running tasks plus, while tasks are short,
// `jobs` queued, so a slot that frees never waits on a round trip to rank 0. Rank 0's own slots are
// served from the same loop: it never blocks on a child, a result or the
// input; when there is nothing to do it sleeps in ppoll() on its children's
// pipes (and on the input when an item is half-read), as Backoff says.
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
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

#include "farm/executor.hpp"
#include "farm/item_source.hpp"
#include "farm/joblog.hpp"
#include "farm/messages.hpp"
#include "farm/output.hpp"
#include "farm/progress.hpp"
#include "farm/roles.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::farm {

namespace {

constexpr std::uint64_t kMaxExitCode = 101;  // as GNU parallel: "more than 100 failed"

class Master {
 public:
  Master(MPI_Comm comm, const RunOptions& opt, const CommandTemplate& command, MasterInputs& in)
      : comm_(comm),
        opt_(opt),
        command_(command),
        in_(in),
        size_(static_cast<int>(in.hosts.size())),
        local_(command, 0, opt.jobs, in.hosts[0], opt.timeout),
        sends_(comm),
        in_flight_(static_cast<std::size_t>(size_), 0),
        last_heard_(static_cast<std::size_t>(size_)),
        printer_(opt.keep_order, opt.tag),
        progress_(opt.progress) {
    if (in.source->count_known()) {
      const auto n = in.source->count();
      to_run_ = n - in.done->count_upto(n);
      if (opt.progress) known_total_ = to_run_;
    }
  }

  int run();

 private:
  struct Active {
    std::string item;
    std::uint32_t attempt = 1;
    std::vector<int> failed_on;  // ranks where it failed
  };

  bool next_task(int rank, std::uint64_t& seq);
  bool eligible(const Active& a, int rank) const;
  bool dispatch();
  bool receive();
  void handle(Result&& r, int rank);
  void start_halt();
  void check_signals();
  void start_stop(int signal, bool now, bool from_launcher);
  bool finished() const;
  ProgressCounts counts() const;
  void summarize();
  void summarize_stop();

  MPI_Comm comm_;
  const RunOptions& opt_;
  const CommandTemplate& command_;
  MasterInputs& in_;
  int size_;
  Executor local_;
  SendQueue sends_;
  std::unordered_map<std::uint64_t, Active> active_;
  std::deque<std::uint64_t> retry_;
  using Clock = std::chrono::steady_clock;
  std::vector<int> in_flight_;                 // per worker rank: sent, result not yet in
  std::vector<Clock::time_point> last_heard_;  // per worker rank: its last result
  int worker_in_flight_ = 0;
  // Queue `jobs` more tasks on each worker beyond its running ones, so that a
  // slot that frees never waits on a round trip: only while tasks are short
  // (a queued task behind a long one would idle other ranks at the end).
  bool prefetch_ = false;
  double mean_runtime_ = -1;
  std::uint64_t last_seq_ = 0, skipped_ = 0;
  bool input_done_ = false;
  bool input_waiting_ = false;  // an item is half-read: wait on the input too
  bool halting_ = false;
  // A stop signal: the first one's number, and whether a second came.
  int stop_signal_ = 0;
  bool stop_now_ = false, stop_from_launcher_ = false;
  double stop_grace_ = 0;  // what the tasks got here
  int signals_seen_ = 0;   // stop signals rank 0 itself got
  std::uint64_t succeeded_ = 0, failed_ = 0, killed_ = 0;
  std::optional<std::uint64_t> to_run_;  // with ::: items: how many this run has to run
  Printer printer_;
  Progress progress_;
  std::optional<std::uint64_t> known_total_;  // with ::: items
  mpimap::detail::Backoff backoff_{mpimap::detail::kFarmBackoff};
  std::vector<char> recv_buf_;
  Result result_;
  std::vector<Result> local_done_;
  std::string item_buf_, cmd_buf_;
};

bool Master::eligible(const Active& a, int rank) const {
  // Retry on a rank where it has not failed yet, while there is one.
  if (a.failed_on.empty() || static_cast<int>(a.failed_on.size()) >= size_) return true;
  return std::find(a.failed_on.begin(), a.failed_on.end(), rank) == a.failed_on.end();
}

bool Master::next_task(int rank, std::uint64_t& seq) {
  if (halting_ || stop_signal_ != 0) return false;
  for (auto it = retry_.begin(); it != retry_.end(); ++it) {
    if (!eligible(active_.at(*it), rank)) continue;
    seq = *it;
    retry_.erase(it);
    return true;
  }
  while (!input_done_ && !input_waiting_) {
    switch (in_.source->next(item_buf_)) {
      case ItemSource::Next::Item: {
        ++last_seq_;
        const bool skip = in_.done->contains(last_seq_);
        printer_.add(last_seq_, skip);
        if (skip) {
          ++skipped_;
          continue;
        }
        active_.emplace(last_seq_, Active{std::move(item_buf_)});
        item_buf_.clear();
        seq = last_seq_;
        return true;
      }
      case ItemSource::Next::NotYet:
        input_waiting_ = true;
        break;
      case ItemSource::Next::End:
        input_done_ = true;
        if (const auto& e = in_.source->read_error(); !e.empty()) {
          progress_.clear_line();
          fmt::print(stderr, "mpimap: {}\n", e);
        }
        break;
    }
  }
  return false;
}

bool Master::dispatch() {
  bool any = false;
  std::uint64_t seq = 0;
  const auto send_to = [&](int w, int cap) {
    while (in_flight_[static_cast<std::size_t>(w)] < cap && next_task(w, seq)) {
      const Active& a = active_.at(seq);
      encode_task(sends_.buffer(), seq, a.attempt, a.item);
      sends_.send(w, kTask);
      ++in_flight_[static_cast<std::size_t>(w)];
      ++worker_in_flight_;
      any = true;
    }
  };
  // First a task for every free slot anywhere, then the queued ones.
  for (int w = 1; w < size_; ++w) send_to(w, opt_.jobs);
  while (local_.has_free_slot() && next_task(0, seq)) {
    const Active& a = active_.at(seq);
    local_.start(seq, a.attempt, a.item);
    any = true;
  }
  if (prefetch_) {
    // Only to a worker that returned a result lately: one that has been quiet
    // is busy with long tasks, and a task queued behind them could wait while
    // other ranks idle.
    const auto now = Clock::now();
    const auto quiet = std::chrono::duration<double>(std::max(0.05, 4 * mean_runtime_));
    for (int w = 1; w < size_; ++w)
      if (now - last_heard_[static_cast<std::size_t>(w)] < quiet) send_to(w, 2 * opt_.jobs);
  }
  return any;
}

bool Master::receive() {
  bool any = false;
  MPI_Status status;
  while (try_receive(comm_, MPI_ANY_SOURCE, kResult, recv_buf_, status)) {
    decode_result(recv_buf_, result_);
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

void Master::handle(Result&& r, int rank) {
  const auto it = active_.find(r.seq);
  if (it == active_.end()) return;
  Active& a = it->second;
  if (r.outcome != Outcome::Ran) {  // dropped, killed by --halt or a stop: not logged,
    if (r.outcome == Outcome::Stopped) ++killed_;  // rerun by --resume
    printer_.forget(r.seq);
    active_.erase(it);
    return;
  }
  mean_runtime_ = mean_runtime_ < 0 ? r.runtime : 0.9 * mean_runtime_ + 0.1 * r.runtime;
  prefetch_ = mean_runtime_ < 0.1;
  const bool failed = r.failed();
  if (failed && a.attempt < opt_.max_attempts && !halting_ && stop_signal_ == 0) {
    if (std::find(a.failed_on.begin(), a.failed_on.end(), rank) == a.failed_on.end())
      a.failed_on.push_back(rank);
    ++a.attempt;
    retry_.push_back(r.seq);
    return;
  }
  // The record goes last: a job killed before it reruns the task on --resume
  // (its output may then appear twice); a job killed after it has put out the
  // task's output already (with -k: unless the block is still held back).
  if (in_.results->is_open()) in_.results->write(r.seq, r.out, r.err);
  if (!r.out.empty() || !r.err.empty()) progress_.clear_line();
  const auto received = r.out.size();
  printer_.finish(r.seq, a.item, std::move(r.out), std::move(r.err));
  r.out.clear();
  r.err.clear();
  if (in_.joblog->is_open()) {
    command_.render(a.item, r.seq, r.slot, cmd_buf_);
    in_.joblog->write({.seq = r.seq,
                       .host = in_.hosts[static_cast<std::size_t>(rank)],
                       .start = r.start,
                       .runtime = r.runtime,
                       .received = received,
                       .exitval = r.exitval,
                       .signal = r.signal,
                       .command = cmd_buf_});
  }
  active_.erase(it);
  if (failed) {
    ++failed_;
    if (opt_.halt_mode != HaltMode::Never && !halting_ && failed_ >= opt_.halt_fails) start_halt();
  } else {
    ++succeeded_;
  }
}

void Master::start_halt() {
  halting_ = true;
  const bool now = opt_.halt_mode == HaltMode::Now;
  progress_.clear_line();
  fmt::print(stderr, "mpimap: --halt {}: {} failed; {}\n", opt_.halt, failed_,
             now ? "killing the running tasks"
                 : "starting no more tasks, letting the running ones finish");
  for (int w = 1; w < size_; ++w) {
    sends_.buffer().push_back(now ? 1 : 0);
    sends_.send(w, kHalt);
  }
  if (now) local_.halt_all();
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
        static_cast<std::uint64_t>(std::min(in_flight_[static_cast<std::size_t>(w)], opt_.jobs));
  if (known_total_) {
    c.total = *known_total_;
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
  std::string line =
      fmt::format("mpimap: stopped by {}{}: {} tasks done", name ? "SIG" : "signal ",
                  name ? name : std::to_string(stop_signal_).c_str(), succeeded_ + failed_);
  if (failed_ > 0) line += fmt::format(" ({} failed)", failed_);
  line += fmt::format(", {} killed", killed_);
  const std::uint64_t done = succeeded_ + failed_ + killed_;
  std::optional<std::uint64_t> total = to_run_;
  if (!total && input_done_) total = last_seq_ - skipped_;
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
  }
  if (stop_from_launcher_ && stop_grace_ < opt_.grace)
    line += fmt::format(
        "; mpirun SIGKILLs the ranks {:g} s after its SIGTERM, so the tasks had {:g} s, not "
        "--grace {:g} (send mpirun SIGUSR1 instead)",
        launcher_kill_after(), stop_grace_, opt_.grace);
  line += '\n';
  write_all(STDERR_FILENO, line);
}

int Master::run() {
  while (true) {
    check_signals();
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
    if (local_.wait(backoff_.next().length, input_waiting_ ? in_.source->fd() : -1))
      backoff_.reset();
  }
  for (int w = 1; w < size_; ++w) {
    sends_.buffer();
    sends_.send(w, kStop);
  }
  sends_.drain();
  printer_.flush();
  progress_.finish(counts());
  if (stop_signal_ != 0) {
    progress_.clear_line();
    summarize_stop();
    return 128 + stop_signal_;
  }
  summarize();
  return static_cast<int>(std::min(failed_, kMaxExitCode));
}

}  // namespace

int run_master(MPI_Comm comm, const RunOptions& opt, const CommandTemplate& command,
               MasterInputs& in) {
  Master master(comm, opt, command, in);
  return master.run();
}

}  // namespace mpimap::farm
