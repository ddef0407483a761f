#pragma once
// What rank 0 and the workers of `mpimap run` say to each other, on their own
// duplicated communicator, with non-blocking sends only:
//
//   rank 0 -> worker   kTask   one task: seq, attempt, its arguments, and (--pipe)
//                              the block for its standard input
//                      kHalt   --halt reached: drop queued tasks (and with
//                              `now`, kill running ones); or a stop signal:
//                              drop queued tasks, stop running ones (kStopGrace:
//                              SIGTERM, SIGKILL after --grace; kStopNow: SIGKILL)
//                      kStop   no more tasks; sent once every result is in (its
//                              byte: 1 when rank 0 then pings the worker's
//                              clock for --trace, watch.hpp)
//   worker -> rank 0   kResult one per task it was sent, whatever became of it
//                              (with --line-buffer, Partial ones before it)
//                      kSignal this rank got SIGTERM/SIGINT/SIGUSR1: the signal,
//                              and whether it was a second one
//
// Every task sent gets exactly one result back (Partial ones aside), which is how rank 0 knows when
// it may send kStop.

#include <mpi.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "farm/command_template.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/detail/tags.hpp"

namespace mpimap::farm {

// Tags: detail::kFarmTaskTag and the others beside it.
inline constexpr int kTask = mpimap::detail::kFarmTaskTag;
inline constexpr int kResult = mpimap::detail::kFarmResultTag;
inline constexpr int kHalt = mpimap::detail::kFarmHaltTag;
inline constexpr int kStop = mpimap::detail::kFarmStopTag;
inline constexpr int kSignal = mpimap::detail::kFarmSignalTag;
/// The first byte of a kHalt message.
inline constexpr char kHaltSoon = 0, kHaltNow = 1, kStopGrace = 2, kStopNow = 3;
/// What became of a task.
enum class Outcome : std::uint32_t {
  Ran = 0,      // it ran to its end (or its timeout): log it, count it
  Dropped = 1,  // never started (queued when --halt was reached)
  Halted = 2,   // killed by --halt now: neither logged nor counted
  Stopped = 3,  // ended by a stop signal's SIGTERM/SIGKILL (failed or killed):
                // not logged (as GNU parallel), counted as killed
  Partial = 4,  // --line-buffer: whole lines of a task still running (not its
                // result: another follows)
};

struct Task {
  std::uint64_t seq = 0;      // 1-based job number
  std::uint32_t attempt = 1;  // 1-based
  double timeout = 0;         // seconds; 0: none (--timeout N% changes as tasks end)
  std::uint64_t total = 0;    // the number of jobs, when known ({##})
  JobArgs args;
  std::string input;       // --pipe: the task's standard input (--pipepart: its header)
  std::string input_file;  // --pipepart: then this part of this file
  std::uint64_t input_offset = 0, input_length = 0;
  std::uint64_t sent() const { return input.size() + input_length; }
};

struct Result {
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  Outcome outcome = Outcome::Ran;
  std::int32_t slot = 0;     // the {%} it ran in
  std::int32_t exitval = 0;  // as GNU parallel records it (-1: killed by --timeout)
  std::int32_t signal = 0;
  double start = 0;    // seconds since the epoch
  double runtime = 0;  // seconds
  std::string out, err;
  bool failed() const { return exitval != 0 || signal != 0; }
};

void encode_task(std::vector<char>& buf, const Task& task);
void decode_task(const std::vector<char>& buf, Task& task);
void encode_result(std::vector<char>& buf, const Result& r);
void decode_result(const std::vector<char>& buf, Result& r);

/// The library's queue of non-blocking sends (mpimap/messaging.hpp).
using SendQueue = mpimap::detail::SendQueue;

/// Receives one message matching (source, tag) if one has arrived, into buf.
/// Returns false when there is none.
inline bool try_receive(MPI_Comm comm, int source, int tag, std::vector<char>& buf,
                        MPI_Status& status) {
  status = mpimap::detail::receive_any(comm, source, tag, buf, false);
  return status.MPI_SOURCE != MPI_PROC_NULL;
}

}  // namespace mpimap::farm
