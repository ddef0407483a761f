#include "farm/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <string_view>

#include "farm/output.hpp"

namespace mpimap::farm {

namespace {

bool is_terminal_path(std::string_view p) {
  return p.rfind("/dev/pts/", 0) == 0 || p.rfind("/dev/tty", 0) == 0;
}

/// Is rank 0's stderr, or its parent's (mpirun's), a terminal?
bool stderr_is_terminal() {
  if (::isatty(STDERR_FILENO)) return true;
  std::array<char, 256> target{};
  const auto link = fmt::format("/proc/{}/fd/2", ::getppid());
  const ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
  return n > 0 && is_terminal_path(std::string_view(target.data(), static_cast<std::size_t>(n)));
}

constexpr auto kTerminalPeriod = std::chrono::milliseconds(200);
constexpr auto kLinePeriod = std::chrono::seconds(5);

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

Progress::Progress(bool enabled) : enabled_(enabled) {
  if (enabled_) terminal_ = stderr_is_terminal();
  next_ = started_ + (terminal_ ? kTerminalPeriod : kLinePeriod);
}

void Progress::clear_line() {
  if (enabled_ && terminal_ && drawn_) {
    write_all(STDERR_FILENO, "\r\033[K");
    drawn_ = false;
  }
}

void Progress::draw(const ProgressCounts& c, bool last) {
  const auto now = Clock::now();
  next_ = now + (terminal_ ? kTerminalPeriod : kLinePeriod);
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const double rate = elapsed > 0 ? static_cast<double>(c.done) / elapsed : 0;
  std::string eta = "?";
  if (last)
    eta = "0:00";
  else if (c.total && rate > 0)
    eta = format_duration(static_cast<double>(*c.total - std::min(*c.total, c.done)) / rate);
  line_ = fmt::format("mpimap: {}/{} done, {} running, {} failed, {:.1f}/s, {} {}", c.done,
                      c.total ? fmt::to_string(*c.total) : std::string("?"), c.running, c.failed,
                      rate, last ? "took" : "ETA", last ? format_duration(elapsed) : eta);
  if (terminal_) {
    line_.insert(0, "\r");
    line_ += "\033[K";
    if (last) line_ += '\n';
    drawn_ = !last;
  } else {
    line_ += '\n';
  }
  write_all(STDERR_FILENO, line_);
}

}  // namespace mpimap::farm
