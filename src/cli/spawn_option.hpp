#pragma once
// `mpimap -n N COMMAND ...` without mpirun: the program's own option, read
// before the subcommand, that starts N processes with MPI_Comm_spawn
// (mpimap::Spawned). This file decides the communicator every subcommand
// runs on: MPI_COMM_WORLD as the launcher made it, or the spawned group.

#include <boost/mpi/communicator.hpp>

#include <memory>
#include <optional>
#include <string>

#include "mpimap/spawn.hpp"

namespace mpimap::cli {

/// The index in argv of the subcommand's name: 1, or after a leading
/// `-n N`, `-nN`, `--processes N` or `--processes=N`. Read before MPI_Init.
int subcommand_index(int argc, char** argv);

/// Whether argv starts with the program's -n (so that a spawn may follow).
inline bool asks_for_processes(int argc, char** argv) { return subcommand_index(argc, argv) > 1; }

/// The number of processes `-n VALUE` asks for: a positive integer, or
/// `auto` for the cores available. Throws UsageError otherwise.
int processes_from(const std::string& value);

/// Whether this process was spawned by a parent mpimap (`mpimap -n N` started it).
bool spawned_by_parent();

/// The group the subcommand runs on when -n was given (nullptr without it:
/// the world as it is). Throws UsageError for a bad value, for -n under a
/// launcher, and when the processes cannot be started.
std::unique_ptr<Spawned> program_group(const std::optional<std::string>& processes,
                                       const boost::mpi::communicator& world);

/// While it lives, standard input is /dev/null: MPI_Init forks Open MPI's
/// daemon, which would forward our stdin to the first spawned process.
class StdinAside {
 public:
  StdinAside();
  ~StdinAside();
  StdinAside(const StdinAside&) = delete;
  StdinAside& operator=(const StdinAside&) = delete;

 private:
  int saved_ = -1;
};

}  // namespace mpimap::cli
