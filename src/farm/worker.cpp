// A worker rank of `mpimap run`: runs the tasks rank 0 sends in its slots and
// sends back one result per task. Tasks arrive ahead of need (rank 0 keeps a
// few queued here), so a slot that frees starts the next task at once.

#include "farm/roles.hpp"

#include <deque>

#include "farm/executor.hpp"
#include "mpimap/detail/wait.hpp"
#include "farm/messages.hpp"

namespace mpimap::farm {

void run_worker(MPI_Comm comm, const RunOptions& opt, const CommandTemplate& command, int rank,
                const std::string& host) {
  Executor executor(command, rank, opt.jobs, host, opt.timeout);
  SendQueue sends(comm);
  std::deque<Task> queue;
  std::vector<char> in;
  std::vector<Result> done;
  mpimap::detail::Backoff backoff(mpimap::detail::kFarmBackoff);
  bool stop = false;

  const auto send_result = [&](const Result& r) {
    encode_result(sends.buffer(), r);
    sends.send(0, kResult);
  };

  while (true) {
    bool progress = false;
    MPI_Status status;
    while (try_receive(comm, 0, MPI_ANY_TAG, in, status)) {
      progress = true;
      if (status.MPI_TAG == kTask) {
        decode_task(in, queue.emplace_back());
      } else if (status.MPI_TAG == kHalt) {
        // Queued tasks never start; with `now`, running ones are killed.
        for (const auto& t : queue) {
          Result r;
          r.seq = t.seq;
          r.attempt = t.attempt;
          r.outcome = Outcome::Dropped;
          send_result(r);
        }
        queue.clear();
        if (!in.empty() && in[0] == 1) executor.halt_all();
      } else if (status.MPI_TAG == kStop) {
        stop = true;
      }
    }
    done.clear();
    if (executor.collect(done)) progress = true;
    for (const auto& r : done) send_result(r);
    while (!queue.empty() && executor.has_free_slot()) {
      const Task& t = queue.front();
      executor.start(t.seq, t.attempt, t.item);
      queue.pop_front();
      progress = true;
    }
    sends.reap();
    if (stop && queue.empty() && executor.running() == 0) break;
    if (progress) {
      backoff.reset();
      continue;
    }
    if (executor.wait(backoff.next().length)) backoff.reset();
  }
  sends.drain();
}

}  // namespace mpimap::farm
