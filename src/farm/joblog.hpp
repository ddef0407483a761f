#pragma once
// The --joblog of `mpimap run`, in GNU parallel's format so that GNU
// parallel's own --resume reads it:
//
//   Seq<TAB>Host<TAB>Starttime<TAB>JobRuntime<TAB>Send<TAB>Receive<TAB>Exitval<TAB>Signal<TAB>Command
//
// Starttime is seconds since the epoch ("%.3f"), JobRuntime seconds ("%10.3f",
// padded as GNU parallel pads it), Send is 0, Receive the bytes the task wrote
// to stdout, Exitval -1 for a task killed by --timeout. Newlines in Command are
// written as NUL bytes, as GNU parallel does. Each record is written with one
// write(2) as its task finishes, so a killed job loses no finished record.

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "farm/fd.hpp"

namespace mpimap::farm {

/// The Seq numbers a previous run already did (for --resume / --resume-failed),
/// kept sorted: 8 bytes per Seq, however large the Seq numbers are (a bitmap
/// would take Seq / 8 bytes for one large Seq in a joblog).
class DoneSet {
 public:
  bool contains(std::uint64_t seq) const {
    return std::binary_search(seqs_.begin(), seqs_.end(), seq);
  }
  void add(std::uint64_t seq);
  /// How many of 1..n are done.
  std::uint64_t count_upto(std::uint64_t n) const;

 private:
  std::vector<std::uint64_t> seqs_;  // sorted, each once
};

struct JoblogRecord {
  std::uint64_t seq;
  std::string_view host;
  double start;
  double runtime;
  std::uint64_t sent;  // --pipe: the bytes given to its stdin
  std::uint64_t received;
  std::int32_t exitval;
  std::int32_t signal;
  std::string_view command;
};

class Joblog {
 public:
  /// Opens `path`. When `resuming`, reads it first: every Seq it records goes to
  /// `done` (with `only_succeeded`, only those with Exitval 0 and Signal 0),
  /// and new records are appended (a torn last line is cut off first).
  /// Otherwise the file is truncated and gets a header. Throws UsageError.
  void open(const std::string& path, bool resuming, bool only_succeeded, DoneSet& done);
  /// --joblog +FILE: appends records to FILE (created if need be), no header
  /// (GNU parallel's).
  void open_append(const std::string& path);
  /// --retry-failed: the commands of the failed records of `path`, by Seq
  /// (the last record of a Seq wins; a Seq with none is ""); the Seqs that
  /// succeeded go to `done`. Throws UsageError.
  static std::vector<std::string> failed_commands(const std::string& path, DoneSet& done);
  bool is_open() const { return static_cast<bool>(fd_); }
  /// Appends one record (nothing when not open). A failure to write is
  /// reported once on stderr and does not stop the run.
  void write(const JoblogRecord& r);

 private:
  /// Where the lines read so far end (the first byte of a torn last line).
  struct Scan {
    off_t good_end = 0;
    bool torn = false;
  };

  void create();                                    // truncates, writes the header
  void resume(bool only_succeeded, DoneSet& done);  // reads, then appends
  Scan read_records(int fd, bool only_succeeded, DoneSet& done) const;
  void write_header(int fd) const;
  [[noreturn]] void fail(const char* what) const;

  Fd fd_;
  std::string path_;
  std::string line_;
  bool warned_ = false;
};

}  // namespace mpimap::farm
