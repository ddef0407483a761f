// A worker rank of `mpimap run`: runs the tasks rank 0 sends in its slots and
// sends back one result per task. Tasks arrive ahead of need (rank 0 keeps a
// few queued here), so a slot that frees starts the next task at once.
//
// A stop signal that reaches this rank (SIGTERM, SIGINT, SIGUSR1: forwarded by
// mpirun, or sent by Slurm to every rank) stops it at once, without waiting
// for rank 0: queued tasks are dropped, running ones get SIGTERM, then SIGKILL
// after --grace; rank 0 is told, and stops the rest of the job.

#include "farm/roles.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>

#include "farm/executor.hpp"
#include "farm/messages.hpp"
#include "farm/watch.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::farm {

namespace {

class Worker {
 public:
  Worker(MPI_Comm comm, const RunOptions& opt, const RankSetup& setup)
      : comm_(comm),
        grace_(opt.grace),
        executor_(*setup.command, setup.rank, setup.slots, setup.host, setup.exec),
        sends_(comm) {}

  void run();

 private:
  bool receive();
  void halt(bool kill_running);
  void drop_queued();
  void check_signals();
  void stop(bool now);
  bool report();
  bool start_queued();
  void send_result(const Result& r);

  MPI_Comm comm_;
  double grace_;
  Executor executor_;
  SendQueue sends_;
  std::deque<Task> queue_;  // received, not started yet
  std::vector<char> in_;
  std::vector<Result> done_;
  mpimap::detail::Backoff backoff_{mpimap::detail::kFarmBackoff};
  bool stop_ = false;                             // rank 0 has no more tasks
  bool pings_ = false;                            // then it pings this rank's clock (--trace)
  bool stopping_ = false, stopping_now_ = false;  // a stop signal, here or from rank 0
  int signals_seen_ = 0;                          // stop signals this rank got
};

void Worker::send_result(const Result& r) {
  encode_result(sends_.buffer(), r);
  sends_.send(0, kResult);
}

/// Takes every message that has arrived from rank 0. True when any had.
bool Worker::receive() {
  bool any = false;
  MPI_Status status;
  // Nothing after kStop is the farm's (rank 0's clock pings for --trace).
  while (!stop_ && try_receive(comm_, 0, MPI_ANY_TAG, in_, status)) {
    any = true;
    if (status.MPI_TAG == kTask) {
      decode_task(in_, queue_.emplace_back());
      if (stopping_) drop_queued();  // sent before rank 0 heard of the stop
    } else if (status.MPI_TAG == kHalt) {
      const char how = in_.empty() ? kHaltSoon : in_[0];
      if (how == kStopGrace || how == kStopNow)
        stop(how == kStopNow);
      else
        halt(how == kHaltNow);
    } else if (status.MPI_TAG == kStop) {
      stop_ = true;
      pings_ = !in_.empty() && in_[0] == 1;
    }
  }
  return any;
}

/// --halt: queued tasks never start; with `now`, running ones are killed.
void Worker::halt(bool kill_running) {
  drop_queued();
  if (kill_running) executor_.halt_all();
}

/// Queued tasks never start: rank 0 hears of each as dropped.
void Worker::drop_queued() {
  for (const auto& t : queue_) {
    Result r;
    r.seq = t.seq;
    r.attempt = t.attempt;
    r.outcome = Outcome::Dropped;
    send_result(r);
  }
  queue_.clear();
}

/// A stop (a signal here, or rank 0 passing one on): nothing more starts; the
/// running tasks get SIGTERM, and SIGKILL after the grace period (`now`: at
/// once). Only the launcher's own SIGTERM shortens the grace: it SIGKILLs the
/// ranks soon after, and the tasks must be gone and reported before that.
void Worker::stop(bool now) {
  drop_queued();
  if (!stopping_) {
    const auto req = stop_request();
    executor_.stop(req.from_launcher ? std::min(grace_, launcher_kill_after() / 2) : grace_);
  }
  stopping_ = true;
  if (now && !stopping_now_) executor_.kill_now();
  stopping_now_ = stopping_now_ || now;
}

/// Stop signals that reached this rank: stop, and tell rank 0 (which may not
/// have got them: a signal sent to one rank stops the whole job).
void Worker::check_signals() {
  const auto req = stop_request();
  if (req.count == signals_seen_) return;
  signals_seen_ = req.count;
  stop(req.count >= 2);
  const std::int32_t msg[2] = {req.signal, req.count};
  auto& buf = sends_.buffer();
  buf.resize(sizeof msg);
  std::memcpy(buf.data(), msg, sizeof msg);
  sends_.send(0, kSignal);
}

/// Sends the results of the tasks that have ended. True when any had.
bool Worker::report() {
  done_.clear();
  const bool any = executor_.collect(done_);
  for (const auto& r : done_) send_result(r);
  return any;
}

/// Starts queued tasks in the free slots. True when it started any.
bool Worker::start_queued() {
  bool any = false;
  if (stopping_) return false;
  while (!queue_.empty() && executor_.has_free_slot()) {
    executor_.start(std::move(queue_.front()));
    queue_.pop_front();
    any = true;
  }
  return any;
}

void Worker::run() {
  while (true) {
    check_signals();
    bool progress = receive();
    if (report()) progress = true;
    if (start_queued()) progress = true;
    sends_.reap();
    if (stop_ && queue_.empty() && executor_.running() == 0) break;
    if (progress) {
      backoff_.reset();
      continue;
    }
    if (executor_.wait(backoff_.next().length)) backoff_.reset();
  }
  sends_.drain();
  if (pings_) answer_watch_pings(comm_);
}

}  // namespace

void run_worker(MPI_Comm comm, const RunOptions& opt, const RankSetup& setup) {
  Worker(comm, opt, setup).run();
}

}  // namespace mpimap::farm
