#pragma once
// The executor's engine. Rank 0 runs the body and keeps a queue of jobs
// (executor_jobs.hpp); the workers serve (serve(), below) until told to stop.
//
// Protocol, on the executor's own communicator:
//   rank 0 -> worker, kExecTaskTag: a chunk = segments, each a header
//     (task key, first item's seq, count, flags, payload bytes) and the
//     items' arguments. Consecutive submits share a chunk, one segment each.
//   worker -> rank 0, kExecResultTag: per segment, a byte saying whether the
//     task is registered there, then its outcome (chunk.hpp's format). A
//     worker answers its chunks in order.
//   rank 0 -> worker, kExecStopTag: shut down (after every chunk is in).
//
// MPI runs single-threaded here, so nothing moves between executor calls:
// rank 0 receives results and hands out chunks whenever the body calls into
// the executor (submit, ready, get, wait, map, the imap loop). Scheduling is
// the dynamic map's: each worker holds up to window_for(Dynamic) chunks, none
// holds more than its fair share of what is queued, chunks are sized by the
// measured task time (auto_chunk_nanos) within max_chunk_items, and rank 0
// runs queued items itself while it waits (untimed waits only: a timed wait
// must return by its deadline, and a task of its own cannot be interrupted),
// but only when every worker has enough work queued (TaskTimes).

#include <mpi.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mpimap/detail/context.hpp"
#include "mpimap/detail/dynamic_map.hpp"
#include "mpimap/detail/executor_jobs.hpp"
#include "mpimap/detail/in_order.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/detail/task_runner.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::detail {

class Engine {
 public:
  using clock = std::chrono::steady_clock;

  explicit Engine(const Context& ctx);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Queues a job (numbering its items for the output order) and hands out
  /// what the workers have room for.
  void add(const std::shared_ptr<Job>& job);

  /// One round: takes the results that are in, tops the workers up, runs
  /// finished jobs' callbacks; with `compute`, may run a slice of queued
  /// items on rank 0. Returns whether anything happened.
  bool step(bool compute);

  /// Steps until done() (true), or until the deadline (false). Only an
  /// untimed wait runs tasks on rank 0.
  template <class Done>
  bool wait_until(Done&& done, std::optional<clock::time_point> deadline = std::nullopt) {
    Backoff backoff(kPoolBackoff);
    while (!done()) {
      if (step(!deadline)) {
        backoff.reset();
        continue;
      }
      if (done()) break;
      if (deadline && clock::now() >= *deadline) return false;
      if (!deadline && idle())
        throw std::logic_error(
            "mpimap::Executor: waiting for work that is neither queued nor "
            "running (was it cancelled?)");
      const auto p = backoff.next();
      if (p.length.count() > 0)
        std::this_thread::sleep_for(
            deadline ? std::min<clock::duration>(p.length, *deadline - clock::now())
                     : clock::duration(p.length));
      else if (p.yield)
        std::this_thread::yield();
    }
    return true;
  }

  /// Drops a job's items that are not handed out yet (imap left early,
  /// Future::cancel); the ones in flight finish.
  void cancel(const std::shared_ptr<Job>& job);
  /// Drops every queued item (shutdown with cancel_futures).
  void cancel_all();
  /// Finishes what is queued and in flight, then stops the workers. After
  /// it, add() throws. `quiet`: no callback runs any more (see Job::finish).
  void close(bool quiet = false);
  bool closed() const { return closed_; }
  bool idle() const { return queued_ == 0 && in_flight_ == 0; }
  /// How many jobs have finished so far (as_completed waits for it to move).
  std::uint64_t finished_jobs() const { return finished_count_; }
  int size() const { return ctx_.size; }

 private:
  struct Segment {
    std::shared_ptr<Job> job;
    std::uint64_t first = 0, count = 0;
  };
  struct Chunk {
    std::vector<Segment> segments;
    std::uint64_t items = 0;
  };
  struct Worker {
    std::deque<Chunk> chunks;  // in flight, in the order sent
    std::uint64_t items = 0;
  };
  struct Block {
    std::ostream* os = nullptr;
    std::string text;
  };
  /// Items to run again (retries), before new work: see Job::requeue.
  struct Rerun {
    std::shared_ptr<Job> job;
    Job::Rerun items;
  };

  /// Takes up to n items for `rank`, as segments: first the reruns it may
  /// run, then from the queue's front.
  std::vector<Segment> take(std::uint64_t n, int rank);
  /// Whether a rerun may go to `rank`: not back where it failed, unless no
  /// other rank computes.
  bool may_take(const Rerun& r, int rank) const;
  /// Whether there are items that `rank` may take.
  bool has_work_for(int rank) const;
  /// The job whose options size the next chunk for `rank`.
  const Job& next_job(int rank) const;
  std::uint64_t chunk_items(int rank) const;
  bool may_send(int w) const;
  void send_chunk(int w);
  void top_up();
  bool receive(bool block);
  bool may_compute() const;
  std::uint64_t local_items() const;
  bool run_local_slice();
  /// A segment is over: its output, its items done in the output order,
  /// and the job stopped or finished as it says.
  void settled(const Segment& s, Outputs& outputs, std::span<const Job::Rerun> reruns = {});
  /// Queues the reruns a segment's outcome asked for; returns them.
  std::span<const Job::Rerun> queue_reruns(const std::shared_ptr<Job>& job);
  void note_done(const std::shared_ptr<Job>& job);
  void drop(Job& job);
  TaskRunner& runner(std::uint8_t flags);

  const Context& ctx_;
  std::deque<std::shared_ptr<Job>> queue_;  // jobs with items not handed out yet
  std::deque<Rerun> reruns_;                // items to run again, first
  std::uint64_t queued_ = 0;                // the items of both
  std::uint64_t next_seq_ = 0;
  std::vector<Worker> workers_;  // by rank; [0] unused
  int in_flight_ = 0;            // chunks
  int window_;
  SendQueue sends_;
  std::vector<char> recv_buf_;
  TaskTimes times_;
  InOrder<Block> printer_;
  std::array<std::unique_ptr<TaskRunner>, 8> runners_;
  std::deque<std::shared_ptr<Job>> finished_;  // done, callbacks not run yet
  std::uint64_t finished_count_ = 0;
  bool closed_ = false;
  bool quiet_ = false;
};

/// A worker rank: runs the chunks rank 0 sends until it says stop.
void serve(const Context& ctx);

}  // namespace mpimap::detail
