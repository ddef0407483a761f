#pragma once
// Ends a spawned job when one of its processes dies. Under mpirun, the
// launcher kills the job when a rank dies; processes started with
// MPI_Comm_spawn form a job of their own, and Open MPI 4.1 aborts that job
// but leaves the parent waiting for ever in its next MPI call. So the parent
// watches its children's process ids from a thread that makes no MPI call:
// when one disappears it says so on stderr, kills the others and exits.
// (A dying parent needs no watch: Open MPI's daemon ends the children.)

#include <sys/types.h>

#include <string>
#include <thread>
#include <vector>

namespace mpimap::detail {

/// A process to watch: its rank in the group and its process id.
struct Peer {
  int rank = 0;
  pid_t pid = 0;
};

class PeerWatch {
 public:
  /// Starts watching `peers` (processes on this host). When one of them is
  /// gone, writes one line on stderr, flushes stdout, kills the others with
  /// SIGKILL and ends this process with `exit_code`.
  PeerWatch(std::vector<Peer> peers, int exit_code);
  /// Stops watching (the peers may then end as they please).
  ~PeerWatch();
  PeerWatch(const PeerWatch&) = delete;
  PeerWatch& operator=(const PeerWatch&) = delete;

 private:
  void watch() const;

  std::vector<Peer> peers_;
  int exit_code_;
  int stop_[2] = {-1, -1};  // a pipe: the destructor closes its write end
  std::thread thread_;
};

}  // namespace mpimap::detail
