#include "farm/standard_input.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

namespace mpimap::farm {
namespace {

constexpr int kPipeSize = 1 << 20;                     // Linux's default pipe-max-size
constexpr std::size_t kChunk = 1 << 20;                // one read, one piece held
constexpr std::size_t kLimit = std::size_t{64} << 20;  // held ahead of the reader

bool is_pipe(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/// What the source gave and the reader has not yet taken, in order.
class Held {
 public:
  std::size_t size() const { return size_; }
  void append(const char* data, std::size_t n) {
    size_ += n;
    while (n > 0) {
      if (pieces_.empty() || pieces_.back().size() == kChunk) {
        pieces_.emplace_back();
        pieces_.back().reserve(kChunk);
      }
      auto& back = pieces_.back();
      const std::size_t take = std::min(n, kChunk - back.size());
      back.append(data, take);
      data += take;
      n -= take;
    }
  }
  /// Writes what it can to the non-blocking `fd`: false when `fd` is gone.
  bool write_to(int fd) {
    while (size_ > 0) {
      const std::string& front = pieces_.front();
      const ssize_t n = ::write(fd, front.data() + offset_, front.size() - offset_);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
      }
      offset_ += static_cast<std::size_t>(n);
      size_ -= static_cast<std::size_t>(n);
      if (offset_ == front.size()) {
        pieces_.pop_front();
        offset_ = 0;
      }
    }
    return true;
  }

 private:
  std::deque<std::string> pieces_;
  std::size_t offset_ = 0;  // into pieces_.front()
  std::size_t size_ = 0;
};

/// The thread: source -> memory -> out, until the source ends and all is
/// written, the reader goes away, or `stop` becomes readable.
void drain(int source, Fd out, int stop, std::size_t limit) {
  Held held;
  std::string buf(kChunk, '\0');
  bool ended = false;
  while (!ended || held.size() > 0) {
    // A descriptor left out is -1: poll would report its POLLHUP regardless.
    const bool take = !ended && held.size()<limit, give = held.size()> 0;
    pollfd fds[3] = {
        {stop, POLLIN, 0}, {take ? source : -1, POLLIN, 0}, {give ? out.get() : -1, POLLOUT, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      std::fputs(
          fmt::format("mpimap: standard input cut short: poll: {}\n", std::strerror(errno)).c_str(),
          stderr);
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents != 0) {
      const ssize_t n = ::read(source, buf.data(), std::min(kChunk, limit - held.size()));
      if (n > 0) {
        held.append(buf.data(), static_cast<std::size_t>(n));
      } else if (n == 0) {
        ended = true;
      } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
        std::fputs(
            fmt::format("mpimap: error reading standard input: {}\n", std::strerror(errno)).c_str(),
            stderr);
        ended = true;
      }
    }
    if (held.size() > 0 && !held.write_to(out.get())) return;
  }
}  // `out` closes here: the reader sees the end

}  // namespace

struct InputDrain::State {
  Fd source, read_end, stop_read, stop_write;
  int source_flags = -1;  // put back at the end: the source may be shared
  std::thread thread;
};

InputDrain::InputDrain(Fd source, std::size_t limit) : state_(std::make_unique<State>()) {
  state_->source = std::move(source);
  Pipe out, stop;
  if (open_pipe(out) != 0 || open_pipe(stop) != 0) return;
  const int in = state_->source.get();
  state_->source_flags = ::fcntl(in, F_GETFL);
  if (state_->source_flags < 0) return;
  ::fcntl(in, F_SETFL, state_->source_flags | O_NONBLOCK);
  ::fcntl(out.write.get(), F_SETFL, ::fcntl(out.write.get(), F_GETFL) | O_NONBLOCK);
  {
    // The program's signal handlers run on its own threads, never this one;
    // a write to a reader gone fails with EPIPE here rather than killing.
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
      state_->thread = std::thread(drain, in, std::move(out.write), stop.read.get(), limit);
    } catch (const std::system_error&) {  // no thread to be had: read directly, as before
      ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
      ::fcntl(in, F_SETFL, state_->source_flags);
      return;
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  state_->read_end = std::move(out.read);
  state_->stop_read = std::move(stop.read);
  state_->stop_write = std::move(stop.write);
}

InputDrain::~InputDrain() {
  if (state_->thread.joinable()) {
    const char byte = 0;
    [[maybe_unused]] const ssize_t n = ::write(state_->stop_write.get(), &byte, 1);
    state_->thread.join();
  }
  if (state_->source && state_->source_flags >= 0)
    ::fcntl(state_->source.get(), F_SETFL, state_->source_flags);
}

int InputDrain::fd() const noexcept { return state_->read_end.get(); }
int InputDrain::release_fd() noexcept { return state_->read_end.release(); }

void widen_standard_input() noexcept {
  if (is_pipe(STDIN_FILENO) && ::fcntl(STDIN_FILENO, F_GETPIPE_SZ) < kPipeSize)
    ::fcntl(STDIN_FILENO, F_SETPIPE_SZ, kPipeSize);  // never narrower; refused: as it was
}

int standard_input() {
  static std::once_flag once;
  static std::unique_ptr<InputDrain> running;
  std::call_once(once, [] {
    if (!is_pipe(STDIN_FILENO)) return;
    Fd source(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3));
    if (!source) return;
    auto drain = std::make_unique<InputDrain>(std::move(source), kLimit);
    if (drain->fd() < 0 || ::dup2(drain->fd(), STDIN_FILENO) < 0) return;
    ::close(drain->release_fd());
    running = std::move(drain);
  });
  return STDIN_FILENO;
}

}  // namespace mpimap::farm
