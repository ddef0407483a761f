#include "mpimap/detail/peer_watch.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace mpimap::detail {
namespace {

/// Whether `pid` runs: it exists and is not a zombie that its parent (Open
/// MPI's daemon) has yet to reap.
bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto paren = text.rfind(')');  // the name may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 >= text.size()) return true;
  const char state = text[paren + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace

PeerWatch::PeerWatch(std::vector<Peer> peers, int exit_code)
    : peers_(std::move(peers)), exit_code_(exit_code) {
  // O_CLOEXEC: the commands that `mpimap run` starts must not inherit it.
  if (::pipe2(stop_, O_CLOEXEC) != 0)
    throw std::runtime_error("mpimap: pipe() failed for the peer watch");
  // Signals stay with the program's own threads (the thread inherits this mask).
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  thread_ = std::thread([this] { watch(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

PeerWatch::~PeerWatch() {
  ::close(stop_[1]);  // wakes the thread: poll sees the end of the pipe
  thread_.join();
  ::close(stop_[0]);
}

void PeerWatch::watch() const {
  // Process ids cannot be waited for by a process that is not their parent
  // (Open MPI's daemon is): look ten times a second, and stop at once when
  // told to.
  pollfd stop{stop_[0], POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&stop, 1, 100);
    if (ready > 0 || (ready < 0 && errno != EINTR)) return;
    for (const Peer& dead : peers_) {
      if (alive(dead.pid)) continue;
      const auto line = fmt::format(
          "mpimap: rank {} (pid {}) died; ending the {} processes started without mpirun\n",
          dead.rank, dead.pid, peers_.size() + 1);
      (void)!::write(STDERR_FILENO, line.data(), line.size());
      for (const Peer& other : peers_) ::kill(other.pid, SIGKILL);
      // Then what rank 0 printed so far, unless another thread holds stdio's
      // lock (stuck writing to a full pipe, say): never wait for it here.
      if (ftrylockfile(stdout) == 0) {
        fflush_unlocked(stdout);
        funlockfile(stdout);
      }
      ::_exit(exit_code_);
    }
  }
}

}  // namespace mpimap::detail
