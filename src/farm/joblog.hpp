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

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mpimap::farm {

/// The Seq numbers a previous run already did (for --resume / --resume-failed).
class DoneSet {
 public:
  bool contains(std::uint64_t seq) const { return seq < done_.size() && done_[seq]; }
  void add(std::uint64_t seq);
  /// How many of 1..n are done.
  std::uint64_t count_upto(std::uint64_t n) const;
  bool empty() const { return count_ == 0; }

 private:
  std::vector<bool> done_;
  std::uint64_t count_ = 0;
};

struct JoblogRecord {
  std::uint64_t seq;
  std::string_view host;
  double start;
  double runtime;
  std::uint64_t received;
  std::int32_t exitval;
  std::int32_t signal;
  std::string_view command;
};

class Joblog {
 public:
  Joblog() = default;
  ~Joblog();
  Joblog(const Joblog&) = delete;
  Joblog& operator=(const Joblog&) = delete;

  /// Opens `path`. With `resume`, reads it first: every Seq it records goes to
  /// `done` (with `only_succeeded`, only those with Exitval 0 and Signal 0),
  /// and new records are appended (a torn last line is cut off first).
  /// Otherwise the file is truncated and gets a header. Throws UsageError.
  void open(const std::string& path, bool resume, bool only_succeeded, DoneSet& done);
  bool is_open() const { return fd_ >= 0; }
  void write(const JoblogRecord& r);

 private:
  int fd_ = -1;
  std::string path_;
  std::string line_;
  bool warned_ = false;
};

/// The header line (without its newline).
std::string_view joblog_header();

}  // namespace mpimap::farm
