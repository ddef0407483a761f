#pragma once
// Rank 0 prints each finished task's stdout (to stdout) and then its stderr
// (to stderr) as whole blocks, never mixed with another task's: as tasks
// finish, or in job order with --keep-order (finished blocks wait for the
// ones before them). --tag / --tagstring prefix every line; -v puts the
// command line first. When stdout and stderr end in the same file (2>&1, also
// through mpirun: see same_output_file()), both go out through stdout, so a
// task's stderr follows its stdout there too, as with GNU parallel.
// --results writes each task's output to files, in GNU parallel's layout.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "farm/command_template.hpp"
#include "mpimap/detail/in_order.hpp"

namespace mpimap::farm {

class Printer {
 public:
  /// `merged`: stdout and stderr go to the same file; print both through stdout.
  /// `color` (--color, --ctag): every line in the job's colours (GNU
  /// parallel's, chosen by its seq); `color_failed` (--color-failed): a
  /// failed job's lines white on red.
  Printer(bool keep_order, bool merged, bool color = false, bool color_failed = false);
  Printer(const Printer&) = delete;  // held_ prints through this
  Printer& operator=(const Printer&) = delete;

  /// Seq numbers arrive here in input order, once each: `skipped` for the
  /// ones that will not run (resumed).
  void add(std::uint64_t seq, bool skipped);
  /// The task ended and will not run again: print (or hold) its output,
  /// every line prefixed with `tag` (empty: none), `verbose` first.
  void finish(std::uint64_t seq, std::string tag, std::string verbose, std::string&& out,
              std::string&& err, bool failed = false);
  /// --line-buffer: whole lines of a running task, printed now.
  void print_now(std::uint64_t seq, std::string_view tag, std::string_view out,
                 std::string_view err);
  /// The task will print nothing (dropped or killed by --halt).
  void forget(std::uint64_t seq);
  /// At the end: print whatever is held, in order.
  void flush();
  /// --halt now: what is held is never printed (as GNU parallel).
  void drop_held();

 private:
  struct Block {
    std::string tag, verbose, out, err;
    std::string_view color;  // "": none
  };
  void print(const Block& b);
  void print_tagged(int fd, std::string_view tag, std::string_view text);
  void print_colored(int fd, std::string_view color, std::string_view tag, std::string_view text);
  std::string_view color_of(std::uint64_t seq) const;

  bool keep_order_, merged_;
  std::vector<std::string> colors_;  // --color: GNU parallel's, in its order
  std::string failed_color_;         // --color-failed
  bool dropped_ = false;
  mpimap::detail::InOrder<Block> held_;  // --keep-order: by seq
  std::string scratch_;
};

/// GNU parallel's job colours (--color, --ctag), in its order: job seq gets
/// [seq % size]; each is the escape sequence and \033[K (erase to the end of
/// the line).
std::vector<std::string> gnu_colors();

/// --results NAME, as GNU parallel 20221122 lays it out:
///   NAME without replacement strings: NAME/<col>/<value>/.../{seq,stdout,stderr},
///     a <col>/<value> pair per column of each record (the column's --header
///     name, else its number; in the header names' sorted order), each value
///     with \ \t \0 and / written as \\ \t \0 and \_ (cut to 255 bytes);
///   NAME with replacement strings, rendered: a dir when it ends in /
///     (DIR/{seq,stdout,stderr}), else files NAME, NAME.err and NAME.seq.
/// A failure to write is reported once on stderr and does not stop the run.
class ResultsDir {
 public:
  /// Throws UsageError when NAME cannot be used (a plain NAME that cannot be
  /// created). The .csv, .tsv and .json tables are ResultsTable's.
  void open(const std::string& name, const TemplateOptions& opt,
            std::vector<std::string> column_names);
  bool is_open() const { return !name_.empty(); }
  /// Where the job's files go: the folder (ending in /) or the stdout file.
  std::string place(const JobArgs& args, const JobContext& ctx) const;
  /// Whether the job's results are there already (--resume with --results).
  bool exists(const JobArgs& args, const JobContext& ctx) const;
  void write(const JobArgs& args, const JobContext& ctx, std::string_view out,
             std::string_view err);

 private:
  std::string name_;
  std::unique_ptr<CommandTemplate> templ_;  // when NAME has replacement strings
  std::vector<std::string> columns_;        // [id]: column id's name
  bool warned_ = false;
};

/// Whether this process's stdout and stderr end in the same file: its own, or
/// -- when its parent is the mpirun that started it, which forwards the two
/// streams separately -- mpirun's.
bool same_output_file();

/// --files: writes `text` to a new file parXXXXXX.par in `dir` (empty:
/// $TMPDIR, else /tmp), as GNU parallel names them: its name, or empty (and
/// `error` says why) when it cannot be written.
std::string write_temp_file(const std::string& dir, std::string_view text, std::string& error);

/// write(2) until all of `data` is written (or an error other than EINTR).
bool write_all(int fd, std::string_view data);

}  // namespace mpimap::farm
