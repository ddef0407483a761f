#pragma once
// mpimap::Spawned: the processes of a program started without mpirun, the
// way multiprocessing starts its workers.
//
//   int main(int argc, char** argv) {
//     boost::mpi::environment env(argc, argv);
//     mpimap::Spawned group(4);              // `./prog`: 4 processes; `mpirun -n 2 ./prog`: 2
//     mpimap::Pool pool(group.communicator());
//     ...
//   }                                        // group goes before env (MPI_Finalize)
//
// What the constructor does, in this order:
//  - In a process started by a Spawned parent (MPI_Comm_get_parent is set):
//    joins its parent's group.
//  - When a launcher started the program (mpirun or srun: MPI_COMM_WORLD has
//    more than one process, or the launcher's variables are set): spawns
//    nothing and uses MPI_COMM_WORLD as it is; `processes` is ignored.
//  - Otherwise (a singleton) with processes > 1: starts processes - 1 copies
//    of this program (/proc/self/exe, the same arguments, the same folder)
//    with MPI_Comm_spawn, oversubscribing when there are fewer cores, and
//    merges them with itself into one communicator where it is rank 0.
// The copies run main from the start, like Python's "spawn" start method:
// what main does before it reaches Spawned, they do too.
//
// Only rank 0's exit status reaches the shell; a copy that ends with a
// non-zero one makes Open MPI print a notice (mpimap's program exits 0 there).
//
// The group's communicator is collective like any other. The destructor is
// collective too (a barrier): every process leaves it together. While the
// group lives, rank 0 watches the others: one that dies (a segfault, exit())
// ends the job with one line on stderr and exit status 4, instead of leaving
// rank 0 waiting for ever (detail/peer_watch.hpp).
//
// Limits (Open MPI 4.1): the copies start on this host only (a hostfile or
// Slurm allocation is not used, and rank 0 watches only the processes on its
// host); Open MPI's daemon, which a singleton's MPI_Init starts, reads rank
// 0's standard input and forwards it to the first copy, so a program that
// reads stdin must give MPI_Init /dev/null there and restore it after (as
// mpimap's own program does). The info key that should stop it,
// "ompi_stdin_target", crashes that daemon in 4.1.

#include <boost/mpi/communicator.hpp>

#include <memory>

namespace mpimap {

namespace detail {
class PeerWatch;
}

/// The cores this process may run on (sched_getaffinity): the default number
/// of processes, like Python's multiprocessing.Pool().
int available_cores();

/// Whether a launcher started this process: mpirun, or srun with a PMI
/// plugin. Read from the environment; right before and after MPI_Init.
bool started_by_launcher();

class Spawned {
 public:
  enum class Role {
    World,   // a launcher's (or a lone process's) MPI_COMM_WORLD, used as it is
    Parent,  // the process that spawned the others: rank 0
    Child,   // a process spawned by a Parent
  };

  /// Collective over the group it makes (see above). Throws std::invalid_argument
  /// when processes < 1, MpiError when MPI_Comm_spawn fails.
  explicit Spawned(int processes = available_cores());
  ~Spawned();
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;

  const boost::mpi::communicator& communicator() const { return comm_; }
  Role role() const { return role_; }
  bool is_child() const { return role_ == Role::Child; }

 private:
  Role role_ = Role::World;
  boost::mpi::communicator comm_;
  std::unique_ptr<detail::PeerWatch> watch_;  // rank 0's, when it spawned
};

}  // namespace mpimap
