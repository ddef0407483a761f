#include "farm/joblog.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "farm/error.hpp"
#include "farm/output.hpp"  // write_all

namespace mpimap::farm {

namespace {

constexpr std::string_view kHeader =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand";

template <class T>
bool parse_number(std::string_view s, T& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

/// One record: Seq, and whether it succeeded. False when `line` is not one.
bool parse_record(std::string_view line, std::uint64_t& seq, bool& succeeded) {
  std::string_view fields[8];
  for (auto& f : fields) {
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos) return false;  // Command follows Signal
    f = line.substr(0, tab);
    line.remove_prefix(tab + 1);
  }
  double real = 0;
  std::int64_t exitval = 0, signal = 0;
  if (!parse_number(fields[0], seq) || fields[1].empty() || !parse_number(fields[2], real) ||
      !parse_number(fields[3], real) || !parse_number(fields[6], exitval) ||
      !parse_number(fields[7], signal))
    return false;
  succeeded = fields[6] == "0" && fields[7] == "0";
  return true;
}

}  // namespace

void DoneSet::add(std::uint64_t seq) {
  // In Seq order (as Joblog adds them), a new Seq goes at the end; out of
  // order, the vector's tail moves up by one.
  const auto at = std::lower_bound(seqs_.begin(), seqs_.end(), seq);
  if (at == seqs_.end() || *at != seq) seqs_.insert(at, seq);
}

std::uint64_t DoneSet::count_upto(std::uint64_t n) const {
  const auto from = std::upper_bound(seqs_.begin(), seqs_.end(), std::uint64_t{0});
  const auto to = std::upper_bound(seqs_.begin(), seqs_.end(), n);
  return static_cast<std::uint64_t>(to - from);
}

void Joblog::fail(const char* what) const {
  throw UsageError(fmt::format("cannot {} joblog {}: {}", what, path_, std::strerror(errno)));
}

void Joblog::write_header(int fd) const {
  std::string header(kHeader);
  header += '\n';
  if (!write_all(fd, header)) fail("write");
}

void Joblog::open(const std::string& path, bool resuming, bool only_succeeded, DoneSet& done) {
  path_ = path;
  if (resuming)
    resume(only_succeeded, done);
  else
    create();
}

void Joblog::open_append(const std::string& path) {
  path_ = path;
  Fd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666));
  if (!fd) fail("append to");
  fd_ = std::move(fd);
}

std::vector<std::string> Joblog::failed_commands(const std::string& path, DoneSet& done) {
  std::vector<std::string> commands;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return commands;  // no joblog yet: nothing failed
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      throw UsageError(fmt::format("cannot read joblog {}: {}", path, std::strerror(errno)));
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  std::vector<std::uint64_t> ok;
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) break;  // a torn last line
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (++line_no == 1 && line.substr(0, 4) == "Seq\t") continue;
    if (line.empty()) continue;
    std::uint64_t seq = 0;
    bool succeeded = false;
    if (!parse_record(line, seq, succeeded) || seq == 0 || seq > (std::uint64_t{1} << 32))
      throw UsageError(fmt::format("joblog {} line {} is not a joblog record", path, line_no));
    if (commands.size() < seq) commands.resize(seq);
    if (succeeded) {
      ok.push_back(seq);
      commands[seq - 1].clear();
      continue;
    }
    auto command = line;
    for (int field = 0; field < 8; ++field) command.remove_prefix(command.find('\t') + 1);
    std::string c(command);
    for (auto& ch : c)
      if (ch == '\0') ch = '\n';  // as the joblog writes newlines
    commands[seq - 1] = std::move(c);
  }
  std::sort(ok.begin(), ok.end());
  for (const auto seq : ok) done.add(seq);
  return commands;
}

void Joblog::create() {
  Fd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (!fd) fail("write");
  write_header(fd.get());
  fd_ = std::move(fd);
}

void Joblog::resume(bool only_succeeded, DoneSet& done) {
  Fd fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666));
  if (!fd) fail("open");
  const Scan scan = read_records(fd.get(), only_succeeded, done);
  if (scan.torn && ::ftruncate(fd.get(), scan.good_end) != 0) fail("repair");
  if (::lseek(fd.get(), 0, SEEK_END) < 0) fail("open");
  if (scan.good_end == 0) write_header(fd.get());  // new or empty: start with the header
  fd_ = std::move(fd);
}

Joblog::Scan Joblog::read_records(int fd, bool only_succeeded, DoneSet& done) const {
  // Through a duplicate, so that closing the FILE leaves `fd` open.
  Fd dup_fd(::dup(fd));
  if (!dup_fd) fail("read");
  std::unique_ptr<FILE, int (*)(FILE*)> in(::fdopen(dup_fd.get(), "r"), &std::fclose);
  if (!in) fail("read");
  static_cast<void>(dup_fd.release());  // the FILE owns it now
  char* raw = nullptr;                  // getline's buffer, grown by it
  struct FreeLine {
    char*& p;
    ~FreeLine() { std::free(p); }
  } free_raw{raw};
  std::size_t cap = 0;
  ssize_t n;
  std::uint64_t line_no = 0;
  // Added to `done` in Seq order at the end, so that a joblog in any order
  // (tasks finish in any order) reads in n log n time.
  std::vector<std::uint64_t> seqs;
  Scan scan;
  while ((n = ::getline(&raw, &cap, in.get())) > 0) {
    std::string_view line(raw, static_cast<std::size_t>(n));
    ++line_no;
    if (line.back() != '\n') {  // cut short by a kill: drop it
      scan.torn = true;
      break;
    }
    scan.good_end += n;
    line.remove_suffix(1);
    if (line.empty() || (line_no == 1 && line.substr(0, 4) == "Seq\t")) continue;
    std::uint64_t seq = 0;
    bool ok = false;
    if (!parse_record(line, seq, ok) || seq == 0 || seq > (std::uint64_t{1} << 40))
      throw UsageError(fmt::format("joblog {} line {} is not a joblog record", path_, line_no));
    if (ok || !only_succeeded) seqs.push_back(seq);
  }
  if (std::ferror(in.get())) fail("read");
  std::sort(seqs.begin(), seqs.end());
  for (const auto seq : seqs) done.add(seq);
  return scan;
}

void Joblog::write(const JoblogRecord& r) {
  if (!fd_) return;
  line_.clear();
  auto out = std::back_inserter(line_);
  fmt::format_to(out, "{}\t{}\t{:.3f}\t{:10.3f}\t{}\t{}\t{}\t{}\t", r.seq, r.host, r.start,
                 r.runtime, r.sent, r.received, r.exitval, r.signal);
  const auto command_at = line_.size();
  line_.append(r.command);
  for (auto i = command_at; i < line_.size(); ++i)
    if (line_[i] == '\n') line_[i] = '\0';
  line_ += '\n';
  if (!write_all(fd_.get(), line_) && !warned_) {
    warned_ = true;
    fmt::print(stderr, "mpimap: cannot write joblog {}: {}\n", path_, std::strerror(errno));
  }
}

}  // namespace mpimap::farm
