#pragma once
// MapOptions::journal on rank 0: an append-only file of a map's results, so
// that a map killed at any point (walltime, a crash, a stop) loses none of
// what it had finished, and the same map with MapOptions::resume runs only
// the rest.
//
// Binary, little-endian as the machine writes it (a journal is resumed where
// it was written):
//   header   "mpimap-journal\n", u32 version, u64 items, u64 fingerprint
//   record   u64 index, u64 size, size bytes (the value as the wire writes
//            it), u64 FNV-1a of index, size and bytes
// Each record goes out with one write(2) as its result reaches rank 0. A kill
// can only tear the last record: resuming finds it by its length or checksum,
// cuts it off and runs that item again. Anything else that does not read back
// (another file, another map's journal, a damaged record before the last) is
// an error, never a silent rerun or a wrong result.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mpimap::detail {

/// FNV-1a over bytes, continuing from `h`.
std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes);
inline constexpr std::uint64_t kFnvBasis = 14695981039346656037ull;

class JournalFile {
 public:
  /// Opens `path` for a map of `items` items whose inputs hash to
  /// `fingerprint`: a new journal (replacing a file there), or with `resume`
  /// the one there (none: a new one), read back. Throws std::runtime_error
  /// naming the file when it cannot, or when the journal is another map's.
  JournalFile(const std::string& path, bool resume, std::uint64_t items, std::uint64_t fingerprint);
  ~JournalFile();
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  /// The records read back: item index and value bytes, in file order.
  std::vector<std::pair<std::uint64_t, std::string>>& done() { return done_; }

  /// Appends item `index`'s value bytes (one write).
  void append(std::uint64_t index, std::string_view value);

 private:
  void read_back(std::uint64_t items, std::uint64_t fingerprint);
  void append_raw(std::string_view bytes);

  std::string path_;
  int fd_ = -1;
  std::vector<std::pair<std::uint64_t, std::string>> done_;
  std::string record_;  // append()'s buffer
};

}  // namespace mpimap::detail
