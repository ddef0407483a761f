#pragma once
// The input sources of `mpimap run` and how their values combine into
// records, as GNU parallel 20221122 does it (on rank 0):
//
//   -a FILE (repeatable), then in command-line order ::: ARGS, :::: FILES,
//   :::+ / ::::+ (linked to the source before); standard input when none.
//
// Each source is read as a file of records separated by the delimiter (-d, or
// NUL with -0; ::: arguments too, as GNU parallel writes them to a file first),
// a record equal to -E's string ends the source, -r skips blank records, and
// with -L a record ending in a blank continues on the next one.
//
// Records are combined in GNU parallel's order: every combination, the first
// source changing slowest; linked sources (:::+, ::::+) advance together and
// stop with the shortest; with --link every source advances together and the
// shorter ones wrap around. An empty source counts as one empty value (unless
// every source is empty). With --colsep REGEX each value is split into
// columns. With --header, each source's first record names its columns
// ({name} for {n}). A NUL byte in a value becomes the two characters \0, as
// GNU parallel does (no argument can hold one).
//
// The first source is read lazily and never blocks (next() says NotYet while
// a pipe holds no whole record); the others are read whole when the queue is
// opened (with --link, all of them).

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "farm/item_source.hpp"

namespace mpimap::farm {

struct SourceSpec {
  bool is_file = false;           // a file (or "-": standard input), else `args`
  std::string path;               // is_file
  std::vector<std::string> args;  // ::: values
  bool linked = false;            // :::+ / ::::+: advances with the source before
};

struct ReadOptions {
  std::string delimiter = "\n";
  std::optional<std::string> eof;     // -E
  bool skip_blank = false;            // -r
  bool continue_lines = false;        // -L / -l: a trailing blank joins the next record
  bool link = false;                  // --link (wrap around)
  std::optional<std::string> colsep;  // --colsep REGEX
  bool header = false;                // --header (not 0): the first record names columns
  bool name_files = false;            // --header (any): input files name their columns
};

/// Splits `line` as Perl's split(/colsep/, line, -1) does ("" gives one "").
std::vector<std::string> split_columns(const std::string& line, const std::regex& colsep);

class ArgQueue {
 public:
  enum class Next { Record, NotYet, End };

  /// Opens every source (throws UsageError when one cannot be read) and
  /// reads the headers and the sources read whole.
  ArgQueue(std::vector<SourceSpec> sources, ReadOptions opt);
  ~ArgQueue();
  ArgQueue(const ArgQueue&) = delete;
  ArgQueue& operator=(const ArgQueue&) = delete;

  /// The next record, when one is ready. Never blocks.
  Next next(std::vector<std::string>& record);
  /// Puts records back in front (GNU parallel's unget).
  void unget(std::vector<std::string> record);
  /// The descriptor to wait on after NotYet.
  int fd() const;
  /// Why the first source ended early, or empty.
  const std::string& read_error() const;
  /// Whether no reading can block (every source is in memory).
  bool in_memory() const;
  std::size_t sources() const { return readers_.size(); }

  /// Column names by position (1-based; [0] unused): the header's names, else
  /// the column numbers, as GNU parallel names --results folders.
  const std::vector<std::string>& names() const { return names_; }
  /// The header's names only (for {name}), in column order.
  const std::vector<std::string>& header_names() const { return header_names_; }
  /// The file names of the sources read from files, in source order, and
  /// their column positions (GNU parallel's --header 0: {file1} is {1}).
  const std::vector<std::pair<std::string, std::size_t>>& file_names() const { return file_names_; }

 private:
  class Reader;
  Next next_value(std::size_t source, std::string& value);
  std::vector<std::string> finish(std::vector<std::string> values) const;
  Next next_nested(std::vector<std::string>& record);
  Next next_linked(std::vector<std::string>& record);

  ReadOptions opt_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::vector<SourceSpec> specs_;
  std::optional<std::regex> colsep_;
  std::deque<std::vector<std::string>> unget_;
  // Nested mode: the values of the sources read whole, and where each group
  // of linked sources is; the first source's current value.
  std::vector<std::vector<std::string>> whole_;
  std::vector<std::size_t> group_start_;  // first source of each group
  std::vector<std::size_t> group_len_;    // values per group (shortest member)
  std::vector<std::size_t> odometer_;     // per group: the current index
  std::size_t first_index_ = 0;           // values taken from source 0
  std::vector<std::string> first_group_;  // group 0's values for first_index_-1
  bool started_ = false, first_done_ = false, no_records_ = false;
  std::vector<std::string> names_, header_names_;
  std::vector<std::pair<std::string, std::size_t>> file_names_;
  std::size_t linked_index_ = 0;  // --link: records given
  std::size_t linked_count_ = 0;
  mutable bool warned_nul_ = false;
};

}  // namespace mpimap::farm
