#pragma once
// --roundrobin, --bin and --shard: standard input dealt out to one job per
// slot (GNU parallel 20221122's meanings), and --tee's copy of it for every
// job. rank 0 reads standard input whole first, then the jobs start: GNU
// parallel streams into jobs that run from the start, which the farm's
// one-message-per-task protocol cannot (the difference the README names).
//
//   --roundrobin   the --pipe blocks in turn: block i to job i mod N (as many
//                  jobs as there are blocks, at most N)
//   --bin COL      each line to job (COL's value mod N), the value being
//                  Perl's integer of the column (0 for text; -1 mod 3 is 2),
//                  value 0 going to the last job; every one of the N jobs runs
//   --shard COL    each line to the job of a hash of COL's text: the same text
//                  always to the same job (which job differs from GNU
//                  parallel's, whose hash is seeded at random per run)
// COL counts from 1; columns are split at --colsep (a regular expression; ","
// by default, as GNU parallel).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "farm/block_source.hpp"

namespace mpimap::farm {

struct DealOptions {
  enum Mode { RoundRobin, Bin, Shard } mode = RoundRobin;
  std::size_t column = 1;    // --bin, --shard: 1-based
  std::string colsep = ",";  // a regular expression
};

/// Parses --bin's or --shard's COL (a column number). Throws UsageError.
std::size_t parse_deal_column(const std::string& text, const char* option);

/// Reads `blocks` to its end (waiting on its descriptor) and deals them out to
/// at most `jobs` inputs. Sets `error` when standard input ended early.
std::vector<std::string> deal_input(BlockSource& blocks, std::size_t jobs, const DealOptions& opt,
                                    std::string& error);

/// Deals whole `lines` (each ending in its newline, the last one perhaps not)
/// for --bin and --shard into `jobs` inputs.
std::vector<std::string> deal_lines(const std::string& lines, std::size_t jobs,
                                    const DealOptions& opt);

/// --tee: all of the descriptor's input (waiting on it), or sets `error`.
std::string read_all(int fd, std::string& error);

}  // namespace mpimap::farm
