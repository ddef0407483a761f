#pragma once
// --group-by COL (with --pipe): consecutive lines with the same value in
// column COL form one record, so a block never splits a group. As GNU
// parallel 20221122 does it: a perl filter (perl is always there: perl-base
// is essential on Debian) writes a random marker before each line whose value
// differs from the line before; the blocks are then cut with the marker as
// --recstart, which --rrs removes again.

#include <sys/types.h>

#include <string>

#include "farm/fd.hpp"

namespace mpimap::farm {

class GroupByFilter {
 public:
  /// Starts the filter on `in_fd` (standard input), splitting lines at
  /// `colsep` (a Perl regular expression), column `column` (1-based); lines
  /// start a group before `marker`. Throws UsageError when perl cannot start.
  GroupByFilter(int in_fd, std::size_t column, const std::string& colsep,
                const std::string& marker);
  ~GroupByFilter();
  GroupByFilter(const GroupByFilter&) = delete;
  GroupByFilter& operator=(const GroupByFilter&) = delete;

  /// The filtered input, to read the blocks from.
  int fd() const { return out_.get(); }

 private:
  Fd out_;
  pid_t pid_ = -1;
};

/// A marker no input holds by chance: 20 random letters and digits.
std::string random_marker();

}  // namespace mpimap::farm
