#pragma once
// Where a subcommand's items come from: its arguments, then `-a FILE` (one
// item per line), `-a -` meaning standard input. Read on rank 0 only, by the
// task farm's reader (farm::ItemSource), so `mpimap map -a` and `mpimap run -a`
// split a file the same way, GNU parallel's: a last line without a newline is
// an item, an empty line an empty item, and the \r of a \r\n line ending stays
// in the item (number parsing skips it as it skips other whitespace).

#include <string>
#include <vector>

namespace mpimap::cli {

/// Appends the lines of `path` ("-" for stdin) to `items`; throws UsageError
/// when the file cannot be opened or read.
void read_item_file(const std::string& path, std::vector<std::string>& items);

}  // namespace mpimap::cli
