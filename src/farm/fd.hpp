#pragma once
// A file descriptor owned by one object: closed when the owner goes away, so
// an error path cannot leak one. Move-only; release() hands the descriptor back
// without closing it.
//
//   Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
//   if (!fd) return errno;
//   ... fd.get() ...

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace mpimap::farm {

class Fd {
 public:
  Fd() noexcept = default;
  /// Takes ownership of `fd` (a negative value: none).
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }

  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

  /// Gives up ownership: returns the descriptor (or -1), leaves this empty.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes what this owns and takes `fd` instead.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// Both ends of a pipe.
struct Pipe {
  Fd read, write;
};

/// A new pipe, both ends with O_CLOEXEC: 0, or pipe2(2)'s errno.
inline int open_pipe(Pipe& p) noexcept {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno;
  p.read.reset(fds[0]);
  p.write.reset(fds[1]);
  return 0;
}

}  // namespace mpimap::farm
