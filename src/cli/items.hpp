#pragma once
// Where a subcommand's items come from: its arguments, then `-a FILE` (one
// item per line), `-a -` meaning standard input. Read on rank 0 only.

#include <string>
#include <vector>

namespace mpimap::cli {

/// Appends the lines of `path` ("-" for stdin) to `items`; throws UsageError
/// when the file cannot be read.
void read_item_file(const std::string& path, std::vector<std::string>& items);

}  // namespace mpimap::cli
