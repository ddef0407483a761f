// Fuzz target: resuming from a library journal (MapOptions::journal,
// detail::JournalFile). Any file is either refused with std::runtime_error
// or read; then its records name distinct items of the map, and a record
// appended after them reads back, with every earlier one, on the next resume.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_input.hpp"
#include "mpimap/detail/journal_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mpimap::detail::JournalFile;
  constexpr std::uint64_t kItems = 8, kFingerprint = 42;  // as the seeds were written
  static const mpimap::fuzz::MemFile file;
  file.set(mpimap::fuzz::bytes(data, size));

  std::vector<std::pair<std::uint64_t, std::string>> first;
  {
    std::optional<JournalFile> j;
    try {
      j.emplace(file.path(), true, kItems, kFingerprint);
    } catch (const std::runtime_error&) {
      return 0;  // not this map's journal, or damaged: refused, the documented way
    }
    first = j->done();
    std::vector<bool> seen(kItems);
    for (const auto& [index, value] : first) {
      MPIMAP_FUZZ_CHECK(index < kItems && !seen[index]);
      seen[index] = true;
    }
    std::uint64_t next = 0;
    while (next < kItems && seen[next]) ++next;
    if (next == kItems) return 0;
    j->append(next, "appended");
    first.emplace_back(next, "appended");
  }
  JournalFile again(file.path(), true, kItems, kFingerprint);
  MPIMAP_FUZZ_CHECK(again.done() == first);
  return 0;
}
