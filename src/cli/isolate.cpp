#include "cli/isolate.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <system_error>

#include "farm/output.hpp"
#include "mpimap/detail/crash_report.hpp"

namespace mpimap::cli {

namespace {

// What the child writes on the pipe: a status byte (0: value, 1: exception
// message), then the value or message and the output, each with its length.
void put(std::string& frame, const std::string& s) {
  const std::uint64_t n = s.size();
  frame.append(reinterpret_cast<const char*>(&n), sizeof n);
  frame.append(s);
}

bool get(const std::string& frame, std::size_t& pos, std::string& s) {
  std::uint64_t n = 0;
  if (frame.size() - pos < sizeof n) return false;
  std::memcpy(&n, frame.data() + pos, sizeof n);
  pos += sizeof n;
  if (frame.size() - pos < n) return false;
  s.assign(frame, pos, n);
  pos += n;
  return true;
}

[[noreturn]] void child(int fd, const std::function<std::string()>& work) {
  // The rank's crash report is for deaths of the rank: here the parent
  // reports, so the child dies quietly (the default action of each signal).
  detail::g_running_kind = static_cast<int>(detail::TaskKind::None);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
  std::ostringstream out;
  std::cout.flush();
  std::cout.rdbuf(out.rdbuf());
  std::string frame(1, '\0');
  std::string payload;
  try {
    payload = work();
  } catch (const std::exception& e) {
    frame[0] = 1;
    payload = e.what();
  } catch (...) {
    frame[0] = 1;
    payload = "unknown exception";
  }
  put(frame, payload);
  put(frame, out.str());
  farm::write_all(fd, frame);
  ::_exit(0);  // no atexit handlers, no MPI: those are the parent's
}

std::string describe_death(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return fmt::format("the task died: {}{} (signal {})", abbrev ? "SIG" : "",
                       abbrev ? abbrev : "signal", sig);
  }
  if (WIFEXITED(status)) return fmt::format("the task called exit({})", WEXITSTATUS(status));
  return "the task's process ended abnormally";
}

}  // namespace

std::string run_isolated(const std::function<std::string()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::system_error(errno, std::generic_category(), "mpimap: pipe");
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::system_error(e, std::generic_category(), "mpimap: fork");
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1], work);
  }
  ::close(fds[1]);
  std::string frame;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    frame.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::size_t pos = 1;
  std::string payload, output;
  const bool whole = !frame.empty() && get(frame, pos, payload) && get(frame, pos, output);
  if (!whole || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(describe_death(status));
  std::cout << output;
  if (frame[0] != 0) throw std::runtime_error(payload);
  return payload;
}

}  // namespace mpimap::cli
