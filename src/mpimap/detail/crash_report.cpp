#include "mpimap/detail/crash_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iterator>

namespace mpimap::detail {

namespace {

char g_where[256] = "rank ?";  // "rank R@host", set outside any task
bool g_installed = false;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction g_previous[std::size(kSignals)];  // what was there before us

/// Appends to a fixed buffer without allocating (async-signal-safe).
struct Line {
  char buf[512];
  std::size_t n = 0;
  void add(const char* s) {
    while (*s && n < sizeof buf - 1) buf[n++] = *s++;
  }
  void add(std::uint64_t v) {
    char digits[24];
    int k = 0;
    do {
      digits[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (k > 0 && n < sizeof buf - 1) buf[n++] = digits[--k];
  }
  void write_out() {
    buf[n++] = '\n';
    for (std::size_t off = 0; off < n;) {
      const ssize_t w = ::write(STDERR_FILENO, buf + off, n - off);
      if (w <= 0) return;
      off += static_cast<std::size_t>(w);
    }
  }
};

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
    default:
      return "a signal";
  }
}

/// "mpimap: rank R@host died running item N (0-based) of a map: " + how.
void report(const char* how_a, const char* how_b, std::uint64_t number) {
  const auto kind = static_cast<TaskKind>(g_running_kind);
  if (kind == TaskKind::None) return;
  Line line;
  line.add("mpimap: ");
  line.add(g_where);
  line.add(" died running ");
  const char* name = g_running_name;
  if (kind == TaskKind::Item && name && g_running_call) {
    line.add("task \"");
    line.add(name);
    line.add("\", call ");
    line.add(g_running_index - g_running_base);
    line.add(" (0-based) on the executor: ");
  } else if (kind == TaskKind::Item) {
    line.add("item ");
    line.add(g_running_index - (name ? g_running_base : 0));
    line.add(" (0-based) of a map");
    if (name) {
      line.add(" of task \"");
      line.add(name);
      line.add("\"");
    }
    line.add(": ");
  } else {
    line.add("process ");
    line.add(g_running_index + 1);
    line.add(": ");
  }
  line.add(how_a);
  line.add(how_b);
  if (number != 0) {
    line.add(" ");
    line.add(number);
    line.add(")");
  }
  line.write_out();
  g_running_kind = static_cast<int>(TaskKind::None);  // one line, even if more follows
}

void on_signal(int sig) {
  report(signal_name(sig), " (signal", static_cast<std::uint64_t>(sig));
  // Then whatever was there before us (Open MPI's backtrace, ASan's report,
  // or the default: death by the signal) gets the signal, as without us.
  for (std::size_t i = 0; i < std::size(kSignals); ++i)
    if (kSignals[i] == sig) sigaction(sig, &g_previous[i], nullptr);
  std::raise(sig);
}

void on_exit() { report("the task called exit()", "", 0); }

}  // namespace

void install_crash_report(int rank, const std::string& host) {
  Line where;
  where.add("rank ");
  where.add(static_cast<std::uint64_t>(rank));
  where.add("@");
  where.add(host.c_str());
  std::memcpy(g_where, where.buf, std::min(where.n, sizeof g_where - 1));
  g_where[std::min(where.n, sizeof g_where - 1)] = '\0';
  if (g_installed) return;
  g_installed = true;
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;  // a second fault inside the handler just dies
    sigaction(kSignals[i], &sa, &g_previous[i]);
  }
  std::atexit(on_exit);
  std::at_quick_exit(on_exit);
}

}  // namespace mpimap::detail
