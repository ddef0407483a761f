#pragma once
// Rank 0 prints each finished task's stdout (to stdout) and stderr (to stderr)
// as whole blocks, never mixed with another task's: as tasks finish, or in
// input order with --keep-order (finished blocks wait for the ones before
// them). --tag prefixes every line with the item and a tab. --results DIR also
// writes DIR/<seq>/stdout and DIR/<seq>/stderr.

#include <cstdint>
#include <string>
#include <string_view>

#include "mpimap/detail/in_order.hpp"

namespace mpimap::farm {

class Printer {
 public:
  Printer(bool keep_order, bool tag);
  Printer(const Printer&) = delete;  // held_ prints through this
  Printer& operator=(const Printer&) = delete;

  /// Seq numbers arrive here in input order, once each: `skipped` for the
  /// ones that will not run (resumed).
  void add(std::uint64_t seq, bool skipped);
  /// The task ended and will not run again: print (or hold) its output.
  void finish(std::uint64_t seq, std::string_view item, std::string&& out, std::string&& err);
  /// The task will print nothing (dropped or killed by --halt).
  void forget(std::uint64_t seq);
  /// At the end: print whatever is held, in order.
  void flush();

 private:
  struct Block {
    std::string item, out, err;
  };
  void print(std::string_view item, std::string_view out, std::string_view err);
  void print_tagged(int fd, std::string_view item, std::string_view text);

  bool keep_order_, tag_;
  mpimap::detail::InOrder<Block> held_;  // --keep-order: by seq
  std::string scratch_;
};

/// Writes DIR/<seq>/stdout and DIR/<seq>/stderr. A failure to write is
/// reported once on stderr and does not stop the run.
class ResultsDir {
 public:
  /// Creates DIR (and its parents); throws UsageError when it cannot.
  void open(const std::string& dir);
  bool is_open() const { return !dir_.empty(); }
  void write(std::uint64_t seq, std::string_view out, std::string_view err);

 private:
  std::string dir_;
  bool warned_ = false;
};

/// write(2) until all of `data` is written (or an error other than EINTR).
bool write_all(int fd, std::string_view data);

}  // namespace mpimap::farm
