#pragma once
// What identifies a map for its journal (MapOptions::journal): a resumed map
// must be the one that wrote the journal.

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mpimap/detail/join.hpp"
#include "mpimap/detail/journal_file.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap::detail {

/// A map's fingerprint for its journal: its item and result types, the
/// number of items and their bytes as the wire writes them (in blocks, so
/// that no copy of the whole input is made).
template <class T, class R>
std::uint64_t journal_fingerprint(std::span<const T> items) {
  std::uint64_t h = fnv1a(
      kFnvBasis, std::to_string(types_fingerprint<T, R>()) + ":" + std::to_string(items.size()));
  std::vector<char> block;
  constexpr std::size_t kBlock = 4096;
  for (std::size_t i = 0; i < items.size(); i += kBlock) {
    block.clear();
    Writer(block).put_values(items.data() + i, std::min(kBlock, items.size() - i));
    h = fnv1a(h, std::string_view(block.data(), block.size()));
  }
  return h;
}

}  // namespace mpimap::detail
