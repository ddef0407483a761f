#include "mpimap/detail/journal_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mpimap::detail {

namespace {

constexpr std::string_view kMagic = "mpimap-journal\n";
constexpr std::uint32_t kVersion = 1;

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

/// Reads a T at `pos` of `bytes`, moving past it; false when it is not all there.
template <class T>
bool get(std::string_view bytes, std::size_t& pos, T& v) {
  if (bytes.size() - pos < sizeof v) return false;
  std::memcpy(&v, bytes.data() + pos, sizeof v);
  pos += sizeof v;
  return true;
}

std::string header(std::uint64_t items, std::uint64_t fingerprint) {
  std::string h(kMagic);
  put(h, kVersion);
  put(h, items);
  put(h, fingerprint);
  return h;
}

std::uint64_t record_sum(std::uint64_t index, std::string_view value) {
  std::string head;
  put(head, index);
  put(head, static_cast<std::uint64_t>(value.size()));
  return fnv1a(fnv1a(kFnvBasis, head), value);
}

}  // namespace

std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (const unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

JournalFile::JournalFile(const std::string& path, bool resume, std::uint64_t items,
                         std::uint64_t fingerprint)
    : path_(path) {
  const bool exists = ::access(path.c_str(), F_OK) == 0;
  if (resume && exists) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ >= 0) {
      read_back(items, fingerprint);
      return;
    }
  } else {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ >= 0) {
      append_raw(header(items, fingerprint));
      return;
    }
  }
  throw std::runtime_error("mpimap: cannot open journal " + path + ": " + std::strerror(errno));
}

JournalFile::~JournalFile() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalFile::append(std::uint64_t index, std::string_view value) {
  record_.clear();
  put(record_, index);
  put(record_, static_cast<std::uint64_t>(value.size()));
  record_.append(value);
  put(record_, record_sum(index, value));
  append_raw(record_);
}

void JournalFile::append_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error("mpimap: cannot write journal " + path_ + ": " +
                               std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void JournalFile::read_back(std::uint64_t items, std::uint64_t fingerprint) {
  std::string bytes;
  char block[1 << 16];
  for (ssize_t n; (n = ::read(fd_, block, sizeof block)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error("mpimap: cannot read journal " + path_ + ": " +
                               std::strerror(errno));
    bytes.append(block, static_cast<std::size_t>(n));
  }
  const std::string want = header(items, fingerprint);
  if (bytes.compare(0, kMagic.size(), kMagic) != 0)
    throw std::runtime_error("mpimap: journal " + path_ + ": not an mpimap journal");
  if (bytes.compare(0, want.size(), want) != 0)
    throw std::runtime_error("mpimap: journal " + path_ +
                             ": written for another map (other items, types or count); resume "
                             "only the map that wrote it");
  std::size_t pos = want.size(), good = pos;
  std::vector<bool> seen(items);
  while (pos < bytes.size()) {
    std::uint64_t index = 0, size = 0, sum = 0;
    // (size may be anything: compared so that nothing overflows)
    const bool whole = get(bytes, pos, index) && get(bytes, pos, size) &&
                       bytes.size() - pos >= sizeof sum && bytes.size() - pos - sizeof sum >= size;
    if (!whole) break;  // torn at the end by a kill
    const std::string_view value(bytes.data() + pos, size);
    pos += size;
    get(bytes, pos, sum);
    if (sum != record_sum(index, value) || index >= items || seen[index]) {
      if (pos == bytes.size()) break;  // the last record, torn
      throw std::runtime_error("mpimap: journal " + path_ + ": damaged record at byte " +
                               std::to_string(good));
    }
    seen[index] = true;
    done_.emplace_back(index, std::string(value));
    good = pos;
  }
  // Appends go after the last good record, over a torn one.
  if (::ftruncate(fd_, static_cast<off_t>(good)) != 0 ||
      ::lseek(fd_, static_cast<off_t>(good), SEEK_SET) < 0)
    throw std::runtime_error("mpimap: cannot write journal " + path_ + ": " + std::strerror(errno));
}

}  // namespace mpimap::detail
