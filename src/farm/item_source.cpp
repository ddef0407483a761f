#include "farm/item_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "farm/error.hpp"
#include "farm/standard_input.hpp"

namespace mpimap::farm {

namespace {
constexpr std::size_t kBlock = 64 * 1024;
}

ItemSource::ItemSource(std::vector<std::string> items) : items_(std::move(items)) {}

ItemSource ItemSource::from_text(std::string text, std::string delimiter) {
  ItemSource s;
  s.buf_ = std::move(text);
  s.delimiter_ = std::move(delimiter);
  s.text_ = s.eof_ = true;
  return s;
}

ItemSource::ItemSource(const std::string& path, std::string delimiter)
    : delimiter_(std::move(delimiter)), path_(path == "-" ? "standard input" : path) {
  if (delimiter_.empty()) delimiter_ = "\n";
  if (path == "-") {
    fd_ = standard_input();
  } else {
    Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) throw UsageError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(file.get(), &st) == 0 && S_ISDIR(st.st_mode))
      throw UsageError(fmt::format("cannot read {}: {}", path, std::strerror(EISDIR)));
    owned_ = std::move(file);
    fd_ = owned_.get();
  }
}

bool ItemSource::fill() {
  if (eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {  // drop what was consumed
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  const auto old = buf_.size();
  buf_.resize(old + kBlock);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.data() + old, kBlock);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    buf_.resize(old);
    // A read error ends the input; what was read is still given.
    read_error_ = fmt::format("error reading {}: {}", path_, std::strerror(errno));
    eof_ = true;
    return true;
  }
  buf_.resize(old + static_cast<std::size_t>(n));
  if (n == 0) eof_ = true;
  return true;
}

ItemSource::Next ItemSource::next(std::string& item) {
  if (fd_ < 0 && !text_) {
    if (next_ == items_.size()) return Next::End;
    item = std::move(items_[next_++]);
    return Next::Item;
  }
  std::size_t from = pos_;
  while (true) {
    const auto end = buf_.find(delimiter_, from);
    if (end != std::string::npos) {
      item.assign(buf_, pos_, end - pos_);
      pos_ = end + delimiter_.size();
      return Next::Item;
    }
    // A delimiter may straddle what was scanned and what comes next.
    const std::size_t scanned =
        buf_.size() - pos_ >= delimiter_.size() ? buf_.size() - pos_ - (delimiter_.size() - 1) : 0;
    if (eof_) {
      if (pos_ == buf_.size()) return Next::End;
      item.assign(buf_, pos_, std::string::npos);
      pos_ = buf_.size();
      return Next::Item;
    }
    if (!fill()) return Next::NotYet;
    from = pos_ + scanned;
  }
}

}  // namespace mpimap::farm
