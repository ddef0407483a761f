// A worker rank of `mpimap run`: runs the tasks rank 0 sends in its slots and
// sends back one result per task. Tasks arrive ahead of need (rank 0 keeps a
// few queued here), so a slot that frees starts the next task at once.

#include "farm/roles.hpp"

#include <deque>

#include "farm/executor.hpp"
#include "farm/messages.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::farm {

namespace {

class Worker {
 public:
  Worker(MPI_Comm comm, const RunOptions& opt, const CommandTemplate& command, int rank,
         const std::string& host)
      : comm_(comm), executor_(command, rank, opt.jobs, host, opt.timeout), sends_(comm) {}

  void run();

 private:
  bool receive();
  void halt(bool kill_running);
  bool report();
  bool start_queued();
  void send_result(const Result& r);

  MPI_Comm comm_;
  Executor executor_;
  SendQueue sends_;
  std::deque<Task> queue_;  // received, not started yet
  std::vector<char> in_;
  std::vector<Result> done_;
  mpimap::detail::Backoff backoff_{mpimap::detail::kFarmBackoff};
  bool stop_ = false;  // rank 0 has no more tasks
};

void Worker::send_result(const Result& r) {
  encode_result(sends_.buffer(), r);
  sends_.send(0, kResult);
}

/// Takes every message that has arrived from rank 0. True when any had.
bool Worker::receive() {
  bool any = false;
  MPI_Status status;
  while (try_receive(comm_, 0, MPI_ANY_TAG, in_, status)) {
    any = true;
    if (status.MPI_TAG == kTask) {
      decode_task(in_, queue_.emplace_back());
    } else if (status.MPI_TAG == kHalt) {
      halt(!in_.empty() && in_[0] == 1);
    } else if (status.MPI_TAG == kStop) {
      stop_ = true;
    }
  }
  return any;
}

/// --halt: queued tasks never start; with `now`, running ones are killed.
void Worker::halt(bool kill_running) {
  for (const auto& t : queue_) {
    Result r;
    r.seq = t.seq;
    r.attempt = t.attempt;
    r.outcome = Outcome::Dropped;
    send_result(r);
  }
  queue_.clear();
  if (kill_running) executor_.halt_all();
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
  while (!queue_.empty() && executor_.has_free_slot()) {
    const Task& t = queue_.front();
    executor_.start(t.seq, t.attempt, t.item);
    queue_.pop_front();
    any = true;
  }
  return any;
}

void Worker::run() {
  while (true) {
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
}

}  // namespace

void run_worker(MPI_Comm comm, const RunOptions& opt, const CommandTemplate& command, int rank,
                const std::string& host) {
  Worker(comm, opt, command, rank, host).run();
}

}  // namespace mpimap::farm
