#pragma once
// The task farm: a shell command run once per item on every rank's slots, as
// one MPI job (GNU parallel's model; `mpimap run` is its command line).
//
//   farm::RunOptions opt;
//   opt.words = {"gzip", "-9", ":::", "a.txt", "b.txt"};
//   opt.jobs = 4;
//   int status = farm::run(world, std::move(opt));  // on every rank
//
// Rank 0 reads the items, hands out tasks, prints whole outputs and keeps the
// joblog; every other rank runs what it is sent (master.cpp, worker.cpp).

#include <boost/mpi/communicator.hpp>

#include "farm/error.hpp"    // IWYU pragma: export
#include "farm/options.hpp"  // IWYU pragma: export

namespace mpimap::farm {

/// Runs every task; collective. Returns the job's exit status, the same on
/// every rank: the number of failed tasks, at most 101. Throws UsageError on
/// every rank (with rank 0's message) when the options or the files given are
/// bad; nothing has run then.
int run(const boost::mpi::communicator& world, RunOptions options);

/// Before MPI_Init: whether mpirun split this command line at a bare ':' word
/// (its separator between programs, as in `mpirun -n 2 mpimap run echo ::: a
/// : b`), so that this process got only the words before it and MPI_Init
/// would wait for ever on the other program. Then one process says so on
/// stderr and the return is the exit status (2); else -1. Open MPI only (it
/// tells each process how many programs the job has).
int refuse_split_command_line();

}  // namespace mpimap::farm
