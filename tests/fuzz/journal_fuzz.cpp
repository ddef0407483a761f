// Fuzz target: reading a map --journal for --resume (cli::MapJournal). Any
// file either is refused with UsageError or is read; then its records are
// items 0..k-1 of at most the map's items, the file is its whole lines (a torn
// last line cut off; a header when none was left), and a record appended to
// it reads back, with every earlier one, on the next resume.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/journal.hpp"
#include "cli/usage_error.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mpimap::cli::MapJournal;
  static const mpimap::fuzz::MemFile file;
  static const std::vector<std::string> items{"1", "2", "3", "4", "5"};
  static const std::string fp = mpimap::cli::journal_fingerprint("square", items, false);
  const auto content = mpimap::fuzz::bytes(data, size);
  file.set(content);

  std::vector<MapJournal::Record> first;
  {
    std::optional<MapJournal> j;
    try {
      j.emplace(file.path(), true, "square", items.size(), fp);
    } catch (const mpimap::cli::UsageError&) {
      return 0;  // not a journal of this map: refused, the documented way
    }
    first = j->done();
    MPIMAP_FUZZ_CHECK(first.size() <= items.size());
    if (first.size() == items.size()) return 0;
    j->append(first.size(), {.value = "42", .output = std::string(content.substr(0, 64))});
  }
  MapJournal again(file.path(), true, "square", items.size(), fp);
  MPIMAP_FUZZ_CHECK(again.done().size() == first.size() + 1);
  for (std::size_t i = 0; i < first.size(); ++i) {
    MPIMAP_FUZZ_CHECK(again.done()[i].value == first[i].value);
    MPIMAP_FUZZ_CHECK(again.done()[i].output == first[i].output);
  }
  MPIMAP_FUZZ_CHECK(again.done().back().value == std::optional<std::string>("42"));
  MPIMAP_FUZZ_CHECK(again.done().back().output == content.substr(0, 64));
  return 0;
}
