#include "farm/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <utility>
#include <vector>

#include "farm/error.hpp"
#include "farm/fd.hpp"

namespace mpimap::farm {

bool write_all(int fd, std::string_view data) {
  const char* p = data.data();
  std::size_t n = data.size();
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

Printer::Printer(bool keep_order, bool merged, bool color, bool color_failed)
    : keep_order_(keep_order),
      merged_(merged),
      colors_(color ? gnu_colors() : std::vector<std::string>()),
      failed_color_(color_failed ? "\033[48;5;196;38;5;231m\033[K" : ""),
      held_([this](Block& b) { print(b); }, {}, /*first=*/1) {}

std::vector<std::string> gnu_colors() {
  // GNU parallel 20221122's init_color(): readable pairs, black text on some
  // backgrounds and white on others, reordered so that neighbours differ.
  std::vector<std::pair<int, int>> pairs;  // background, foreground
  const auto add = [&](std::initializer_list<std::pair<int, int>> ranges, int fg) {
    for (const auto& [from, to] : ranges)
      for (int c = from; c <= to; ++c) pairs.emplace_back(c, fg);
  };
  add({{6, 7},
       {9, 11},
       {13, 15},
       {40, 51},
       {75, 87},
       {113, 123},
       {147, 159},
       {171, 182},
       {185, 231},
       {249, 254}},
      0);
  add({{1, 9},
       {12, 13},
       {16, 45},
       {52, 81},
       {88, 114},
       {124, 149},
       {160, 178},
       {180, 180},
       {182, 184},
       {196, 214},
       {232, 250}},
      231);
  std::vector<std::size_t> order(pairs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [](std::size_t a, std::size_t b) {
    if (a % 23 != b % 23) return a % 23 < b % 23;
    return a % 7 > b % 7;
  });
  std::vector<std::string> colors;
  for (const auto i : order)
    colors.push_back(
        fmt::format("\033[48;5;{:03};38;5;{:03}m\033[K", pairs[i].first, pairs[i].second));
  return colors;
}

std::string_view Printer::color_of(std::uint64_t seq) const {
  if (colors_.empty()) return {};
  return colors_[seq % colors_.size()];
}

void Printer::add(std::uint64_t seq, bool skipped) {
  if (keep_order_ && skipped) held_.complete(seq, seq + 1);
}

void Printer::finish(std::uint64_t seq, std::string tag, std::string verbose, std::string&& out,
                     std::string&& err, bool failed) {
  Block b{std::move(tag), std::move(verbose), std::move(out), std::move(err),
          failed && !failed_color_.empty() ? std::string_view(failed_color_) : color_of(seq)};
  if (!keep_order_) {
    print(b);
    return;
  }
  if (!b.out.empty() || !b.err.empty() || !b.verbose.empty()) held_.add(seq, std::move(b));
  held_.complete(seq, seq + 1);
}

void Printer::print_now(std::uint64_t seq, std::string_view tag, std::string_view out,
                        std::string_view err) {
  print(Block{std::string(tag), {}, std::string(out), std::string(err), color_of(seq)});
}

void Printer::forget(std::uint64_t seq) {
  if (keep_order_) held_.complete(seq, seq + 1);
}

void Printer::flush() {
  if (!dropped_) held_.release_below(UINT64_MAX);
}

void Printer::drop_held() {
  held_.stop_at(0);
  dropped_ = true;
}

void Printer::print(const Block& b) {
  const int err_fd = merged_ ? STDOUT_FILENO : STDERR_FILENO;
  if (!b.color.empty()) {
    print_colored(STDOUT_FILENO, b.color, b.tag, b.verbose + b.out);
    print_colored(err_fd, b.color, b.tag, b.err);
    return;
  }
  if (!b.tag.empty()) {
    print_tagged(STDOUT_FILENO, b.tag, b.verbose + b.out);
    print_tagged(err_fd, b.tag, b.err);
    return;
  }
  if (merged_) {  // one write: nothing can come between them
    scratch_.clear();
    scratch_ += b.verbose;
    scratch_ += b.out;
    scratch_ += b.err;
    write_all(STDOUT_FILENO, scratch_);
    return;
  }
  if (!b.verbose.empty() || !b.out.empty()) {
    if (b.verbose.empty()) {
      write_all(STDOUT_FILENO, b.out);
    } else {
      scratch_ = b.verbose + b.out;
      write_all(STDOUT_FILENO, scratch_);
    }
  }
  if (!b.err.empty()) write_all(STDERR_FILENO, b.err);
}

void Printer::print_tagged(int fd, std::string_view tag, std::string_view text) {
  if (text.empty()) return;
  scratch_.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    scratch_.append(tag);
    scratch_.append(text.substr(pos, end - pos));
    pos = end;
  }
  write_all(fd, scratch_);
}

/// GNU parallel's coloured lines: colour, tag, the line, reset, newline (a
/// last line without one gets one); after a \r the colour and tag start again.
void Printer::print_colored(int fd, std::string_view color, std::string_view tag,
                            std::string_view text) {
  if (text.empty()) return;
  constexpr std::string_view reset = "\033[m";
  scratch_.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    const bool ended = end != std::string_view::npos;
    if (!ended) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = ended ? end + 1 : end;
    scratch_.append(color).append(tag);
    for (std::size_t i = 0; i < line.size(); ++i) {
      scratch_ += line[i];
      if (line[i] == '\r') {
        scratch_.insert(scratch_.size() - 1, reset);
        scratch_.append(color).append(tag);
      }
    }
    scratch_.append(reset).append("\n");
  }
  write_all(fd, scratch_);
}

namespace {

/// mkdir -p; 0 or the errno.
int make_dirs(const std::string& dir) {
  std::string path;
  for (std::size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      path = dir.substr(0, i);
      if (!path.empty() && ::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST) return errno;
    }
  }
  return 0;
}

bool write_file(const std::string& file, std::string_view text) {
  const Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  return fd && write_all(fd.get(), text);
}

/// Perl's numeric value of a string: its leading number, else 0.
double perl_number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() ? 0 : v;
}

}  // namespace

void ResultsDir::open(const std::string& name, const TemplateOptions& opt,
                      std::vector<std::string> column_names) {
  auto t = std::make_unique<CommandTemplate>(CommandTemplate::text(name, opt));
  if (t->has_replacements()) {
    templ_ = std::move(t);
  } else {
    if (const int e = make_dirs(name); e != 0)
      throw UsageError(fmt::format("cannot create --results {}: {}", name, std::strerror(e)));
    struct stat st {};
    int error = 0;
    if (::stat(name.c_str(), &st) != 0)
      error = errno;
    else if (!S_ISDIR(st.st_mode))
      error = ENOTDIR;
    else if (::access(name.c_str(), W_OK) != 0)
      error = errno;
    if (error)
      throw UsageError(fmt::format("cannot write to --results {}: {}", name, std::strerror(error)));
  }
  columns_ = std::move(column_names);
  name_ = name;
}

std::string ResultsDir::place(const JobArgs& args, const JobContext& ctx) const {
  if (templ_) {
    std::string out;
    templ_->render(args, ctx, out);
    return out;
  }
  std::string path = name_;
  std::size_t begin = 0;
  for (const auto end : args.ends) {
    const std::size_t width = end - begin;
    std::vector<std::size_t> cols(width);
    for (std::size_t c = 0; c < width; ++c) cols[c] = c + 1;
    const auto name_of = [&](std::size_t id) {
      return id < columns_.size() && !columns_[id].empty() ? columns_[id] : std::to_string(id);
    };
    // Sorted by the names: numerically, then as text (GNU's header_indexes_sorted).
    std::stable_sort(cols.begin(), cols.end(), [&](std::size_t x, std::size_t y) {
      const auto a = name_of(x), b = name_of(y);
      const double na = perl_number(a), nb = perl_number(b);
      if (na != nb) return na < nb;
      return a < b;
    });
    for (const auto c : cols) {
      path += '/';
      path += name_of(c);
      path += '/';
      std::string v;
      for (const char ch : args.values[begin + c - 1]) {
        if (ch == '\\')
          v += "\\\\";
        else if (ch == '\t')
          v += "\\t";
        else if (ch == '\0')
          v += "\\0";
        else if (ch == '/')
          v += "\\_";
        else
          v += ch;
      }
      if (v.size() > 255) v.resize(255);  // the longest file name (ext4 and most others)
      path += v;
    }
    begin = end;
  }
  return path + "/";
}

bool ResultsDir::exists(const JobArgs& args, const JobContext& ctx) const {
  const std::string p = place(args, ctx);
  struct stat st {};
  if (p.ends_with("/")) return ::stat((p + "stdout").c_str(), &st) == 0;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void ResultsDir::write(const JobArgs& args, const JobContext& ctx, std::string_view out,
                       std::string_view err) {
  if (name_.empty()) return;
  const std::string p = place(args, ctx);
  const std::string seq = std::to_string(ctx.seq);
  bool ok = false;
  if (p.ends_with("/")) {
    ok = make_dirs(p) == 0 && write_file(p + "seq", seq) && write_file(p + "stdout", out) &&
         write_file(p + "stderr", err);
  } else {
    const auto slash = p.rfind('/');
    ok = (slash == std::string::npos || slash == 0 || make_dirs(p.substr(0, slash)) == 0) &&
         write_file(p, out) && write_file(p + ".err", err) && write_file(p + ".seq", seq);
  }
  if (!ok && !warned_) {
    warned_ = true;
    fmt::print(stderr, "mpimap: cannot write results in {}: {}\n", p, std::strerror(errno));
  }
}

std::string write_temp_file(const std::string& dir, std::string_view text, std::string& error) {
  const char* env = std::getenv("TMPDIR");
  std::string name = fmt::format("{}/parXXXXXX.par", !dir.empty()  ? dir
                                                     : env && *env ? env
                                                                   : "/tmp");
  const Fd fd(::mkstemps(name.data(), 4));
  if (fd && write_all(fd.get(), text)) return name;
  error = fmt::format("{}: {}", name, std::strerror(errno));
  if (fd) ::unlink(name.c_str());
  return {};
}

bool same_output_file() {
  struct stat out {
  }, err{};
  const auto same = [&] { return out.st_dev == err.st_dev && out.st_ino == err.st_ino; };
  // Under mpirun, rank 0's stdout and stderr are two pipes to mpirun, which
  // writes them to its own stdout and stderr: those are what count.
  char exe[4096];
  const pid_t parent = ::getppid();
  const ssize_t n = ::readlink(fmt::format("/proc/{}/exe", parent).c_str(), exe, sizeof exe - 1);
  if (n > 0) {
    const std::string_view path(exe, static_cast<std::size_t>(n));
    const auto base = path.substr(path.rfind('/') + 1);
    if (base == "orterun" || base == "mpirun" || base == "mpiexec" || base == "prterun") {
      return ::stat(fmt::format("/proc/{}/fd/1", parent).c_str(), &out) == 0 &&
             ::stat(fmt::format("/proc/{}/fd/2", parent).c_str(), &err) == 0 && same();
    }
  }
  return ::fstat(STDOUT_FILENO, &out) == 0 && ::fstat(STDERR_FILENO, &err) == 0 && same();
}

}  // namespace mpimap::farm
