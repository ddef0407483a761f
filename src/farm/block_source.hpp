#pragma once
// --pipe and --pipepart: the blocks each job gets on its standard input, cut
// as GNU parallel 20221122 cuts them (on rank 0).
//
// --pipe reads standard input --block bytes at a time (1M by default) and cuts
// each block after the last record end in it (a record ends with --recend,
// "\n" by default, and the next starts with --recstart, "" by default; with
// --regexp both are regular expressions); what follows goes with the next
// block. With -N n a block is n records; with -L n, n lines. A record longer
// than a block makes the block grow (by 1.3 times). --header's lines come
// first in every block; -r drops blank lines; --rrs removes the record
// separators. Reading never blocks: next() says NotYet while standard input
// holds no whole block.
//
// --pipepart cuts a file instead, without reading it: only around each cut,
// to find the record end there (GNU parallel's find_split_positions). Each
// job reads its part of the file itself, on its own rank (the file must be
// there: a shared file system).

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "farm/fd.hpp"

namespace mpimap::farm {

struct BlockOptions {
  std::uint64_t block = 1 << 20;
  std::string recstart, recend = "\n";
  bool regexp = false;
  bool remove_separators = false;        // --rrs
  bool skip_blank = false;               // -r
  std::optional<std::string> header;     // --header: ":" (a line), N (lines), or a regexp
  std::optional<std::uint64_t> records;  // -N: records per block
  std::optional<std::uint64_t> lines;    // -L: lines per record
};

/// GNU parallel's --recstart/--recend escapes (\n \t \r \0 \\ \' \"), when not --regexp.
std::string unescape_record_separator(const std::string& s);

class BlockSource {
 public:
  enum class Next { Block, NotYet, End };

  /// Reads `fd` (standard input; not closed).
  BlockSource(int fd, BlockOptions opt);

  /// The next block (the header first), when it is whole. Never blocks.
  Next next(std::string& block);
  int fd() const { return fd_; }
  /// --block-timeout: the block being read waited long enough; the next
  /// next() cuts what has come so far (at its last record end, as GNU).
  void stop_waiting() { stop_waiting_ = true; }
  const std::string& read_error() const { return error_; }

 private:
  bool fill();  // reads towards the round's size: true when it is reached (or the end)
  bool cut(std::string& block);  // a block out of buf_, as GNU's pass*()
  void emit(std::size_t end, std::string& block);
  bool find_header();

  int fd_;
  BlockOptions opt_;
  std::string recendstart_;
  std::optional<std::regex> last_boundary_;  // --regexp: recend(?=recstart)
  std::optional<std::regex> header_re_;
  std::string buf_, header_;
  std::uint64_t block_size_;
  std::uint64_t target_ = 0;  // the size a round reads buf_ up to
  bool eof_ = false, header_done_ = false, wrote_ = false;
  bool reading_ = false, in_round_ = false;
  bool stop_waiting_ = false;
  std::string error_;
};

/// One job's part of a --pipepart file.
struct FilePart {
  std::uint64_t offset = 0, length = 0;
};

/// GNU parallel's find_split_positions: the parts of `path` of about `block`
/// bytes each, cut where a record ends (after `header_length` bytes of header).
/// Throws UsageError when the file cannot be read.
std::vector<FilePart> split_file(const std::string& path, std::uint64_t block,
                                 const BlockOptions& opt, std::uint64_t header_length);
/// The header of a --pipepart file (--header), read from its start.
std::string file_header(const std::string& path, const BlockOptions& opt);

}  // namespace mpimap::farm
