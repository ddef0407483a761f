// Fuzz target: item lines (farm::ItemSource on a file, with newlines or, -0,
// NUL bytes; and cli::read_item_file, `mpimap map -a FILE`). The items must be
// the file split at the delimiter and nothing else: joined again they give the
// file back. The first byte picks the delimiter and whether the rest comes
// twice, each time after a filler item near 64 kB long, so that the items
// straddle ItemSource's 64 kB read blocks (where it also compacts its buffer).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/items.hpp"
#include "farm/item_source.hpp"
#include "fuzz_input.hpp"

namespace {

/// What the items should be: GNU parallel's split (a last item without its
/// delimiter counts, an empty file has none).
std::vector<std::string> expected_items(std::string_view content, char delimiter) {
  if (content.empty()) return {};
  auto items = mpimap::fuzz::split(content, delimiter);
  if (content.back() == delimiter) items.pop_back();
  return items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mpimap::fuzz::MemFile file;
  if (size == 0) return 0;
  const char delimiter = data[0] & 1 ? '\0' : '\n';
  const bool big = data[0] & 2;
  const auto payload = mpimap::fuzz::bytes(data + 1, size - 1);
  std::string content(payload);
  if (big) {
    std::string filler(64 * 1024 - (data[0] >> 2), 'x');
    filler.back() = delimiter;
    content = filler + std::string(payload) + filler + std::string(payload);
  }
  file.set(content);
  const auto expected = expected_items(content, delimiter);

  mpimap::farm::ItemSource source(file.path(), delimiter);
  std::vector<std::string> items;
  std::string item;
  using Next = mpimap::farm::ItemSource::Next;
  for (Next n; (n = source.next(item)) != Next::End;) {
    MPIMAP_FUZZ_CHECK(n == Next::Item);  // a file never makes us wait
    items.push_back(item);
  }
  MPIMAP_FUZZ_CHECK(source.read_error().empty());
  MPIMAP_FUZZ_CHECK(items == expected);

  if (delimiter == '\n') {
    std::vector<std::string> lines;
    mpimap::cli::read_item_file(file.path(), lines);
    MPIMAP_FUZZ_CHECK(lines == expected);
  }
  return 0;
}
