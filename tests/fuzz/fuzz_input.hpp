#pragma once
// Helpers for the fuzz targets: the fuzzer's bytes as words, and as a file
// that the parsers can open by path (an in-memory file, reused for every input).

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace mpimap::fuzz {

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// `s` split at every `sep` (n separators: n + 1 words, empty ones included).
inline std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> words;
  while (true) {
    const auto at = s.find(sep);
    words.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) return words;
    s.remove_prefix(at + 1);
  }
}

/// Reports a broken invariant the way libFuzzer reports a crash.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}
#define MPIMAP_FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::mpimap::fuzz::fail(#cond " (" __FILE__ ")"))

/// One in-memory file (memfd) for the whole run; path() opens it anew.
class MemFile {
 public:
  MemFile() : fd_(::memfd_create("mpimap-fuzz", 0)) {
    if (fd_ < 0) fail("memfd_create");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  /// Replaces the file's contents with `content`.
  void set(std::string_view content) const {
    if (::ftruncate(fd_, 0) != 0) fail("ftruncate");
    std::size_t done = 0;
    while (done < content.size()) {
      const auto n =
          ::pwrite(fd_, content.data() + done, content.size() - done, static_cast<off_t>(done));
      if (n <= 0) fail("pwrite");
      done += static_cast<std::size_t>(n);
    }
  }
  std::string read() const {
    std::string out;
    char buf[4096];
    ssize_t n;
    for (off_t at = 0; (n = ::pread(fd_, buf, sizeof buf, at)) > 0; at += n) out.append(buf, n);
    return out;
  }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

}  // namespace mpimap::fuzz
