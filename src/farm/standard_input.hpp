#pragma once
// Standard input, drained as fast as it arrives.
//
// Under mpirun, rank 0's standard input is a pipe that mpirun itself fills
// with what it reads from its own. Open MPI 4.1's mpirun can crash there
// (SIGSEGV in orte_iof_hnp_read_local_handler, open-mpi/ompi#7483), losing
// the job's output: after it has read to the end of its input, each time a
// write into the full pipe fails with EAGAIN it re-arms its read of that
// input; if rank 0 then takes the rest and mpirun closes the pipe before the
// re-armed read runs, that read finds the pipe gone. Measured here with a
// 108 kB file and `run -j1 --pipe --roundrobin --block 10k`: 1 run in 10.
//
// So mpirun must never find the pipe full once its input has ended:
//  - before MPI_Init, widen_standard_input() gives the pipe 1 MiB (it was
//    64 KiB) so that what mpirun queued while rank 0 was starting goes in at
//    once;
//  - the first reader of standard input calls standard_input(): a thread
//    then moves everything the pipe receives into memory (up to 64 MiB ahead
//    of the reader; beyond that mpirun waits, as it did before) and hands it
//    on through a pipe of its own, now file descriptor 0.
// With both: no crash in 1,260 runs (108 kB to 6.7 MB inputs, 1-3 ranks),
// against 21 in 200 runs of the 108 kB case without. Where standard input is
// no pipe (a file, a terminal), both do nothing.

#include <cstddef>
#include <memory>

#include "farm/fd.hpp"

namespace mpimap::farm {

/// Before MPI_Init, under a launcher: a standard input that is a pipe of
/// less than 1 MiB gets 1 MiB (where the system refuses, it stays as it was).
void widen_standard_input() noexcept;

/// STDIN_FILENO, for reading. The first call, when standard input is a pipe,
/// starts the thread that drains it (see above); the thread stops when the
/// input ends or the program does.
int standard_input();

/// The drain itself: reads `source` (made non-blocking) into
/// memory as soon as data arrives, holding at most `limit` bytes not yet read
/// from fd(), and writes them on, in order, to the pipe whose read end fd()
/// is. fd() reaches its end when `source` does (after a read error too: the
/// error is printed on stderr). The source's file flags (O_NONBLOCK) are put
/// back when the drain is destroyed. Where no thread can be started, fd() is
/// -1 and the source is as it was.
class InputDrain {
 public:
  InputDrain(Fd source, std::size_t limit);
  ~InputDrain();  // stops the thread, closes fd()
  InputDrain(const InputDrain&) = delete;
  InputDrain& operator=(const InputDrain&) = delete;

  /// The read end of the drain's pipe (-1 if it could not start).
  int fd() const noexcept;
  /// Gives up fd(): the caller closes it (standard_input() moves it to 0).
  int release_fd() noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mpimap::farm
