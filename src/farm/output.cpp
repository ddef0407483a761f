#include "farm/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

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

Printer::Printer(bool keep_order, bool tag)
    : keep_order_(keep_order),
      tag_(tag),
      held_([this](Block& b) { print(b.item, b.out, b.err); }, {}, /*first=*/1) {}

void Printer::add(std::uint64_t seq, bool skipped) {
  if (keep_order_ && skipped) held_.complete(seq, seq + 1);
}

void Printer::finish(std::uint64_t seq, std::string_view item, std::string&& out,
                     std::string&& err) {
  if (!keep_order_) {
    print(item, out, err);
    return;
  }
  if (!out.empty() || !err.empty())
    held_.add(seq, Block{tag_ ? std::string(item) : std::string(), std::move(out), std::move(err)});
  held_.complete(seq, seq + 1);
}

void Printer::forget(std::uint64_t seq) {
  if (keep_order_) held_.complete(seq, seq + 1);
}

void Printer::flush() { held_.release_below(UINT64_MAX); }

void Printer::print(std::string_view item, std::string_view out, std::string_view err) {
  if (tag_) {
    print_tagged(STDOUT_FILENO, item, out);
    print_tagged(STDERR_FILENO, item, err);
    return;
  }
  if (!out.empty()) write_all(STDOUT_FILENO, out);
  if (!err.empty()) write_all(STDERR_FILENO, err);
}

void Printer::print_tagged(int fd, std::string_view item, std::string_view text) {
  if (text.empty()) return;
  scratch_.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    scratch_.append(item);
    scratch_ += '\t';
    scratch_.append(text.substr(pos, end - pos));
    pos = end;
  }
  write_all(fd, scratch_);
}

void ResultsDir::open(const std::string& dir) {
  std::string path;
  for (std::size_t i = 0; i <= dir.size(); ++i) {  // mkdir -p
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      path = dir.substr(0, i);
      if (::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST)
        throw UsageError(fmt::format("cannot create --results {}: {}", path, std::strerror(errno)));
    }
  }
  // (errno is not read when stat() succeeded: mkdir's EEXIST is still there.)
  struct stat st {};
  int error = 0;
  if (::stat(dir.c_str(), &st) != 0)
    error = errno;
  else if (!S_ISDIR(st.st_mode))
    error = ENOTDIR;
  else if (::access(dir.c_str(), W_OK) != 0)
    error = errno;
  if (error)
    throw UsageError(fmt::format("cannot write to --results {}: {}", dir, std::strerror(error)));
  dir_ = dir;
}

void ResultsDir::write(std::uint64_t seq, std::string_view out, std::string_view err) {
  if (dir_.empty()) return;
  const std::string sub = fmt::format("{}/{}", dir_, seq);
  bool ok = ::mkdir(sub.c_str(), 0777) == 0 || errno == EEXIST;
  for (const auto& [name, text] : {std::pair{"stdout", out}, std::pair{"stderr", err}}) {
    if (!ok) break;
    const std::string file = fmt::format("{}/{}", sub, name);
    const Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    ok = fd && write_all(fd.get(), text);
  }
  if (!ok && !warned_) {
    warned_ = true;
    fmt::print(stderr, "mpimap: cannot write results in {}: {}\n", sub, std::strerror(errno));
  }
}

}  // namespace mpimap::farm
