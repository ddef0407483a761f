#include "farm/block_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "farm/error.hpp"

namespace mpimap::farm {

namespace {

constexpr std::uint64_t kTwoGb = (std::uint64_t{1} << 31) - 1;

/// "(.*\n)" once per header line, as GNU parallel reads --header.
std::regex header_regex(const std::string& h) {
  std::string re = h;
  if (h == ":") re = "(.*\n)";
  if (!h.empty() && std::all_of(h.begin(), h.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    re.clear();
    for (int i = 0; i < std::stoi(h); ++i) re += "(.*\n)";
  }
  try {
    return std::regex("(?:" + re + ")");
  } catch (const std::regex_error& e) {
    throw UsageError(fmt::format("--header {}: bad regular expression: {}", h, e.what()));
  }
}

/// s/^\s*\n//gm: lines of blanks only go.
void drop_blank_lines(std::string& s) {
  std::string out;
  out.reserve(s.size());
  std::size_t line = 0;
  while (line < s.size()) {
    auto end = s.find('\n', line);
    const bool last = end == std::string::npos;
    if (last) end = s.size();
    const bool blank = std::all_of(
        s.begin() + static_cast<std::ptrdiff_t>(line), s.begin() + static_cast<std::ptrdiff_t>(end),
        [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; });
    if (!(blank && !last)) out.append(s, line, end - line + (last ? 0 : 1));
    line = end + 1;
  }
  s = std::move(out);
}

}  // namespace

std::string unescape_record_separator(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && std::strchr("0rnt'\"\\", s[i + 1])) {
      const char c = s[++i];
      out += c == '0' ? '\0' : c == 'r' ? '\r' : c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

BlockSource::BlockSource(int fd, BlockOptions opt)
    : fd_(fd), opt_(std::move(opt)), block_size_(std::max<std::uint64_t>(opt_.block, 1)) {
  if (opt_.regexp) {
    try {
      // GNU's ^((?s:.)*recend)recstart: the last record end followed by a start.
      last_boundary_.emplace("(?:" + opt_.recend + ")(?=(?:" + opt_.recstart + "))");
    } catch (const std::regex_error& e) {
      throw UsageError(fmt::format("--recstart/--recend: bad regular expression: {}", e.what()));
    }
  }
  recendstart_ = opt_.recend + opt_.recstart;
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

bool BlockSource::fill() {
  if (!reading_) {
    // GNU's read_block: up to the next whole multiple of the block size.
    target_ = buf_.size() + (block_size_ - buf_.size() % block_size_);
    reading_ = true;
  }
  while (!eof_ && buf_.size() < target_) {
    const std::size_t old = buf_.size();
    const std::size_t want = std::min<std::size_t>(target_ - old, 1 << 20);
    buf_.resize(old + want);
    const ssize_t n = ::read(fd_, buf_.data() + old, want);
    if (n > 0) {
      buf_.resize(old + static_cast<std::size_t>(n));
      continue;
    }
    buf_.resize(old);
    if (n == 0) {
      eof_ = true;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!stop_waiting_) return false;  // not a whole block yet
      break;
    } else if (errno != EINTR) {
      error_ = fmt::format("error reading standard input: {}", std::strerror(errno));
      eof_ = true;
    }
  }
  stop_waiting_ = false;
  reading_ = false;
  return true;
}

bool BlockSource::find_header() {
  if (header_done_) return true;
  if (!opt_.header) {
    header_done_ = true;
    return true;
  }
  if (!header_re_) header_re_.emplace(header_regex(*opt_.header));
  while (true) {
    std::smatch m;
    if (std::regex_search(buf_, m, *header_re_, std::regex_constants::match_continuous)) {
      header_ = m.str(0);
      buf_.erase(0, header_.size());
      header_done_ = true;
      return true;
    }
    if (eof_) {
      header_done_ = true;
      return true;
    }
    // Read more, a block at a time (GNU's find_header: sysread of --block):
    // what follows the header starts the first block.
    const std::size_t old = buf_.size();
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(block_size_, 1 << 20));
    buf_.resize(old + want);
    const ssize_t n = ::read(fd_, buf_.data() + old, want);
    buf_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n > 0) {
      continue;
    } else if (n == 0) {
      eof_ = true;
    } else if (errno != EINTR) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      error_ = fmt::format("error reading standard input: {}", std::strerror(errno));
      eof_ = true;
    }
  }
}

void BlockSource::emit(std::size_t end, std::string& block) {
  block = header_;
  std::string part = buf_.substr(0, end);
  buf_.erase(0, end);
  if (opt_.remove_separators) {
    if (opt_.regexp) {
      part = std::regex_replace(part,
                                std::regex("(?:" + opt_.recend + ")(?:" + opt_.recstart + ")"), "");
      part = std::regex_replace(part, std::regex("^(?:" + opt_.recstart + ")"), "",
                                std::regex_constants::format_first_only);
      part = std::regex_replace(part, std::regex("(?:" + opt_.recend + ")$"), "",
                                std::regex_constants::format_first_only);
    } else {
      if (!recendstart_.empty())
        for (auto at = part.find(recendstart_); at != std::string::npos;
             at = part.find(recendstart_, at))
          part.erase(at, recendstart_.size());
      if (!opt_.recstart.empty() && part.starts_with(opt_.recstart))
        part.erase(0, opt_.recstart.size());
      if (!opt_.recend.empty() && part.ends_with(opt_.recend))
        part.resize(part.size() - opt_.recend.size());
    }
  }
  block += part;
  wrote_ = true;
}

/// One block out of buf_ if one can be cut (GNU's pass_* functions, one block
/// at a time).
bool BlockSource::cut(std::string& block) {
  if (buf_.empty()) return false;
  if (opt_.lines && !opt_.records) {
    // pass_n_line_records: whole records of N lines.
    std::size_t n = static_cast<std::size_t>(std::count(buf_.begin(), buf_.end(), '\n'));
    auto last = buf_.rfind('\n');
    while (n % *opt_.lines) {
      --n;
      last = last == 0 ? std::string::npos : buf_.rfind('\n', last - 1);
    }
    const std::size_t end = last == std::string::npos ? 0 : last + 1;
    if (end == 0) return false;
    emit(end, block);
    return true;
  }
  if (opt_.records) {
    // pass_n / pass_n_regexps: N records (times -L lines) per block.
    const std::uint64_t n = *opt_.records * opt_.lines.value_or(1);
    std::size_t end = std::string::npos;
    if (opt_.regexp) {
      std::uint64_t seen = 0;
      for (std::sregex_iterator m(buf_.begin(), buf_.end(), *last_boundary_), e; m != e; ++m) {
        const auto at = static_cast<std::size_t>(m->position(0) + m->length(0));
        if (at == 0) continue;
        if (++seen == n) {
          end = at;
          break;
        }
      }
    } else {
      // nindex: the n'th copy of recend.recstart, searching from 1.
      std::size_t i = 0;
      for (std::uint64_t k = 0; k < n; ++k) {
        i = buf_.find(recendstart_, i + 1);
        if (i == std::string::npos) break;
      }
      if (i != std::string::npos) end = i + opt_.recend.size();
    }
    if (end == std::string::npos || end == 0) return false;
    emit(end, block);
    return true;
  }
  if (eof_) return false;  // the rest goes out whole at the end
  std::size_t end = std::string::npos;
  if (opt_.regexp) {
    for (std::sregex_iterator m(buf_.begin(), buf_.end(), *last_boundary_), e; m != e; ++m)
      end = static_cast<std::size_t>(m->position(0) + m->length(0));
  } else {
    const auto i = buf_.rfind(recendstart_);
    if (i != std::string::npos) end = i + opt_.recend.size();
  }
  if (end == std::string::npos || end == 0) return false;
  emit(end, block);
  return true;
}

BlockSource::Next BlockSource::next(std::string& block) {
  if (!find_header()) return Next::NotYet;
  while (true) {
    if (!in_round_) {
      if (!fill()) return Next::NotYet;
      if (opt_.skip_blank) {
        drop_blank_lines(buf_);
        if (buf_.empty() && !eof_) continue;
      }
      in_round_ = true;
      wrote_ = false;
    }
    if (cut(block)) return Next::Block;
    if (eof_) {  // what is left goes out whole
      if (buf_.empty()) return Next::End;
      emit(buf_.size(), block);
      return Next::Block;
    }
    // increase_blocksize_maybe: a record longer than the block.
    if (!wrote_) block_size_ = std::min<std::uint64_t>((block_size_ * 13 + 9) / 10 + 1, kTwoGb);
    in_round_ = false;
  }
}

// ---------------------------------------------------------------------------
// --pipepart

std::string file_header(const std::string& path, const BlockOptions& opt) {
  if (!opt.header) return {};
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw UsageError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  const std::regex re = header_regex(*opt.header);
  std::string buf;
  char tmp[65536];
  while (true) {
    std::smatch m;
    if (std::regex_search(buf, m, re, std::regex_constants::match_continuous)) return m.str(0);
    const ssize_t n = ::read(fd.get(), tmp, sizeof tmp);
    if (n <= 0) return {};
    buf.append(tmp, static_cast<std::size_t>(n));
  }
}

std::vector<FilePart> split_file(const std::string& path, std::uint64_t block,
                                 const BlockOptions& opt, std::uint64_t header_length) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw UsageError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw UsageError(fmt::format("--pipepart {}: not a regular file", path));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  block = std::max<std::uint64_t>(block, 1);
  const std::string boundary = opt.recend + opt.recstart;
  std::optional<std::regex> re;
  if (opt.regexp) re.emplace("^([\\s\\S]*?(?:" + opt.recend + "))(?:" + opt.recstart + ")");
  std::vector<std::uint64_t> pos{header_length};
  constexpr std::size_t kRead = 131072;
  for (std::uint64_t p = block + header_length; p < size; p += block) {
    if (boundary.empty() && !opt.regexp) {
      pos.push_back(p);
      continue;
    }
    std::string buf;
    bool found = false;
    while (!found) {
      const std::size_t old = buf.size();
      buf.resize(old + kRead);
      const ssize_t n = ::pread(fd.get(), buf.data() + old, kRead, static_cast<off_t>(p + old));
      if (n <= 0) {
        buf.resize(old);
        break;
      }
      buf.resize(old + static_cast<std::size_t>(n));
      if (re) {
        std::smatch m;
        if (std::regex_search(buf, m, *re)) {
          p += static_cast<std::uint64_t>(m.length(1));
          found = true;
        }
      } else {
        const auto i = buf.find(boundary);
        if (i != std::string::npos) {
          p += i + opt.recend.size();
          found = true;
        }
      }
    }
    if (!found) break;
    pos.push_back(p);
  }
  if (pos.back() != size) pos.push_back(size);
  std::vector<FilePart> parts;
  for (std::size_t i = 0; i + 1 < pos.size(); ++i)
    if (pos[i + 1] > pos[i]) parts.push_back({pos[i], pos[i + 1] - pos[i]});
  return parts;
}

}  // namespace mpimap::farm
