#pragma once
// Dynamic and guided schedules: rank 0 hands out chunks on demand.
//
// Every worker keeps `kWindow` chunks in flight, so when it finishes one the
// next is already in its mailbox: a worker's result doubles as its request for
// more, and it never waits on a round trip. Rank 0 runs tasks too, one at a
// time between polls of its mailbox, so on P cores P ranks do the work.
// All sends are non-blocking on both sides: a worker sending a large result
// and rank 0 sending it a chunk can never deadlock.

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "mpimap/chunk.hpp"
#include "mpimap/chunking.hpp"
#include "mpimap/context.hpp"
#include "mpimap/ordered_printer.hpp"
#include "mpimap/wait.hpp"

namespace mpimap::detail {

inline constexpr int kWindow = 2;

/// Non-blocking sends whose buffers live until MPI is done with them.
class SendQueue {
 public:
  explicit SendQueue(MPI_Comm comm) : comm_(comm) {}
  ~SendQueue() { drain(); }
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  /// A buffer to fill for the next send (recycled when possible).
  std::vector<char>& buffer() {
    reap();
    if (!free_.empty()) {
      slots_.push_back(std::move(free_.back()));
      free_.pop_back();
    } else {
      slots_.emplace_back();
    }
    slots_.back().bytes.clear();
    return slots_.back().bytes;
  }
  /// Sends the buffer last returned by buffer().
  void send(int dest, int tag) {
    auto& s = slots_.back();
    MPI_Isend(s.bytes.data(), static_cast<int>(s.bytes.size()), MPI_BYTE, dest, tag, comm_,
              &s.request);
  }
  void reap() {
    while (!slots_.empty()) {
      int done = 0;
      MPI_Test(&slots_.front().request, &done, MPI_STATUS_IGNORE);
      if (!done) break;
      free_.push_back(std::move(slots_.front()));
      slots_.pop_front();
    }
  }
  std::size_t pending() const { return slots_.size(); }
  void drain() {
    for (auto& s : slots_) wait(s.request);
    slots_.clear();
  }

 private:
  struct Slot {
    std::vector<char> bytes;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  MPI_Comm comm_;
  std::deque<Slot> slots_;
  std::vector<Slot> free_;
};

/// Receives the next message matching (source, tag) into buf, waiting politely.
/// Returns the status of the received message.
inline MPI_Status receive_any(MPI_Comm comm, int source, int tag, std::vector<char>& buf,
                              bool block) {
  MPI_Message msg;
  MPI_Status status;
  int found = 0;
  auto poll = [&] {
    MPI_Improbe(source, tag, comm, &found, &msg, &status);
    return found != 0;
  };
  if (block) {
    wait_until(poll);
  } else if (!poll()) {
    status.MPI_SOURCE = MPI_PROC_NULL;
    return status;
  }
  int bytes = 0;
  MPI_Get_count(&status, MPI_BYTE, &bytes);
  buf.resize(static_cast<std::size_t>(bytes));
  MPI_Mrecv(buf.data(), bytes, MPI_BYTE, &msg, &status);
  return status;
}

template <class F, class T, class R>
class DynamicMaster {
 public:
  DynamicMaster(const Context& ctx, F& f, std::span<const T> items, std::vector<R>& results,
                TaskRunner& runner, std::ostream& os, Schedule schedule, std::size_t chunksize,
                bool root_computes)
      : ctx_(ctx),
        f_(f),
        items_(items),
        results_(results),
        runner_(runner),
        printer_(os),
        cursor_(items.size(), ctx.size, schedule, chunksize),
        root_computes_(root_computes || ctx.size == 1),
        sends_(ctx.comm),
        in_flight_(ctx.size, 0) {}

  FirstFailure run() {
    for (int k = 0; k < kWindow; ++k)
      for (int w = 1; w < ctx_.size; ++w) send_chunk(w);
    while (true) {
      while (handle_result(false)) {
      }
      if (root_computes_ && run_local_item()) continue;
      if (total_in_flight_ == 0) break;
      handle_result(true);
    }
    for (int w = 1; w < ctx_.size; ++w) {
      sends_.buffer();
      sends_.send(w, kStopTag);
    }
    sends_.drain();
    if (failure_) printer_.flush_below(failure_.index() + 1);
    return failure_;
  }

 private:
  bool may_dispatch() const { return !failure_ && !cursor_.done(); }

  void send_chunk(int w) {
    if (!may_dispatch()) return;
    const std::uint64_t begin = cursor_.next();
    const std::uint64_t count = cursor_.take();
    auto& buf = sends_.buffer();
    Writer wr(buf);
    wr.put(begin);
    wr.put(count);
    wr.put_values(items_.data() + begin, count);
    sends_.send(w, kTaskTag);
    ++in_flight_[w];
    ++total_in_flight_;
  }

  /// Takes one result if there is one (or waits for one when `block`).
  bool handle_result(bool block) {
    const MPI_Status st = receive_any(ctx_.comm, MPI_ANY_SOURCE, kResultTag, recv_buf_, block);
    if (st.MPI_SOURCE == MPI_PROC_NULL) return false;
    const int w = st.MPI_SOURCE;
    --in_flight_[w];
    --total_in_flight_;
    Reader reader(recv_buf_);
    outputs_.clear();
    const ChunkStatus status = read_outcome(reader, results_.data(), outputs_);
    record(status, w);
    send_chunk(w);
    sends_.reap();
    return true;
  }

  void record(const ChunkStatus& status, int rank) {
    for (auto& [index, text] : outputs_) printer_.add(index, std::move(text));
    failure_.note(status, rank);
    if (failure_) printer_.stop_at(failure_.index() + 1);
    printer_.complete(status.begin, status.begin + status.attempted);
  }

  /// Runs one task of rank 0's own chunk, taking a new chunk when needed.
  /// Returns false when rank 0 has nothing left to run.
  bool run_local_item() {
    if (local_next_ == local_end_) {
      if (!may_dispatch()) return false;
      local_begin_ = local_next_ = cursor_.next();
      local_end_ = local_begin_ + cursor_.take();
    }
    const std::uint64_t i = local_next_++;
    std::string text, error;
    const bool ok = runner_.run(f_, items_[i], results_.data() + i, text, error);
    if (!text.empty()) printer_.add(i, std::move(text));
    if (!ok) {
      failure_.note(ChunkStatus{.begin = i, .attempted = 1, .failed = true, .error = error}, 0);
      printer_.stop_at(failure_.index() + 1);
      local_end_ = local_next_;  // abandon the rest of the local chunk
    }
    printer_.complete(i, i + 1);
    return true;
  }

  const Context& ctx_;
  F& f_;
  std::span<const T> items_;
  std::vector<R>& results_;
  TaskRunner& runner_;
  OrderedPrinter printer_;
  ChunkCursor cursor_;
  bool root_computes_;
  SendQueue sends_;
  std::vector<int> in_flight_;
  int total_in_flight_ = 0;
  std::uint64_t local_begin_ = 0, local_next_ = 0, local_end_ = 0;
  FirstFailure failure_;
  std::vector<char> recv_buf_;
  Outputs outputs_;
};

/// A worker rank: runs the chunks rank 0 sends until told to stop.
template <class F, class T, class R>
void dynamic_worker(const Context& ctx, F& f, TaskRunner& runner) {
  SendQueue sends(ctx.comm);
  std::vector<char> in;
  std::vector<T> items;
  std::vector<R> results;
  Outputs outputs;
  while (true) {
    const MPI_Status st = receive_any(ctx.comm, 0, MPI_ANY_TAG, in, true);
    if (st.MPI_TAG == kStopTag) break;
    Reader reader(in);
    const auto begin = reader.get<std::uint64_t>();
    const auto count = reader.get<std::uint64_t>();
    items.resize(count);
    reader.get_values(count, items.data());
    results.resize(count);
    outputs.clear();
    const ChunkStatus status = run_chunk(f, items.data(), begin, count, results.data(), runner, outputs);
    Writer w(sends.buffer());
    write_outcome(w, status, results.data(), outputs);
    sends.send(0, kResultTag);
    if (sends.pending() > kWindow) sends.drain();
  }
}

}  // namespace mpimap::detail
