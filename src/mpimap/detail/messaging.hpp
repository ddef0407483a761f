#pragma once
// Point-to-point messages of bytes between the ranks of a pool (or of the
// task farm): non-blocking sends whose buffers outlive the send, and receiving
// a message of any size (MPI_Improbe + MPI_Mrecv).

#include <mpi.h>

#include <cstddef>
#include <deque>
#include <stdexcept>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::detail {

/// Non-blocking sends whose buffers live until MPI is done with them.
class SendQueue {
 public:
  explicit SendQueue(MPI_Comm comm) : comm_(comm) {}
  ~SendQueue() {
    try {
      drain();
    } catch (...) {  // a failed wait (MpiError) cannot leave a destructor
    }
  }
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
    slots_.back().sent = false;
    return slots_.back().bytes;
  }
  /// A buffer of one's own, to fill and hand back with send(bytes, ...).
  std::vector<char> take_buffer() {
    reap();
    if (free_.empty()) return {};
    std::vector<char> bytes = std::move(free_.back().bytes);
    free_.pop_back();
    bytes.clear();
    return bytes;
  }
  /// Sends `bytes`, which the queue keeps until the send is complete.
  void send(std::vector<char>&& bytes, int dest, int tag) {
    slots_.emplace_back();
    slots_.back().bytes = std::move(bytes);
    start(slots_.back(), dest, tag);
  }
  /// Sends n bytes at `data`, which the caller keeps valid and unchanged until
  /// drain() (no copy).
  void send_view(const void* data, std::size_t n, int dest, int tag) {
    slots_.emplace_back();
    slots_.back().sent = true;
    check(MPI_Isend(data, mpi_count(n, "a message"), MPI_BYTE, dest, tag, comm_,
                    &slots_.back().request),
          "MPI_Isend");
  }
  /// Sends the buffer last returned by buffer().
  void send(int dest, int tag) {
    for (auto it = slots_.rbegin(); it != slots_.rend(); ++it)
      if (!it->sent) return start(*it, dest, tag);
    throw std::logic_error("mpimap: SendQueue::send without a buffer() to send");
  }
  /// Forgets the sends that are complete, keeping a few buffers of up to
  /// 4 MiB for reuse (a bigger one, say a 10 MB output, is let go). A
  /// buffer() still being filled is not a send yet: reaping stops there.
  void reap() {
    while (!slots_.empty() && slots_.front().sent) {
      int done = 0;
      check(MPI_Test(&slots_.front().request, &done, MPI_STATUS_IGNORE), "MPI_Test");
      if (!done) break;
      if (free_.size() < 8 && slots_.front().bytes.capacity() <= (std::size_t{4} << 20))
        free_.push_back(std::move(slots_.front()));
      slots_.pop_front();
    }
  }
  std::size_t pending() const { return slots_.size(); }
  /// Waits (politely, see wait.hpp) until every send is complete.
  void drain() {
    for (auto& s : slots_) wait(s.request);
    slots_.clear();
  }

 private:
  struct Slot {
    std::vector<char> bytes;
    MPI_Request request = MPI_REQUEST_NULL;
    bool sent = false;  // MPI_Isend made (before that, request is null: "complete")
  };
  void start(Slot& s, int dest, int tag) {
    check(MPI_Isend(s.bytes.data(), mpi_count(s.bytes.size(), "a message"), MPI_BYTE, dest, tag,
                    comm_, &s.request),
          "MPI_Isend");
    s.sent = true;
  }
  MPI_Comm comm_;
  std::deque<Slot> slots_;
  std::vector<Slot> free_;
};

/// Receives the next message matching (source, tag) into buf. With `block`,
/// waits for one (politely); without, returns MPI_PROC_NULL as the source
/// when none has arrived. Returns the status of the received message.
inline MPI_Status receive_any(MPI_Comm comm, int source, int tag, std::vector<char>& buf,
                              bool block) {
  MPI_Message msg;
  MPI_Status status;
  int found = 0;
  auto poll = [&] {
    check(MPI_Improbe(source, tag, comm, &found, &msg, &status), "MPI_Improbe");
    return found != 0;
  };
  if (block) {
    wait_until(poll);
  } else if (!poll()) {
    status.MPI_SOURCE = MPI_PROC_NULL;
    return status;
  }
  int bytes = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &bytes), "MPI_Get_count");
  buf.resize(static_cast<std::size_t>(bytes));
  check(MPI_Mrecv(buf.data(), bytes, MPI_BYTE, &msg, &status), "MPI_Mrecv");
  return status;
}

}  // namespace mpimap::detail
