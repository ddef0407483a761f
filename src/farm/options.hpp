#pragma once
// What the task farm is told to do: the options of
//   mpirun -n N mpimap run [OPTIONS] [--] [COMMAND [ARG...]] [::: ARG...] [:::: FILE...]
// (declared for the command line in src/cli/run_command.cpp), with GNU
// parallel 20221122's names and meanings.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "farm/arg_queue.hpp"
#include "farm/block_source.hpp"
#include "farm/command_template.hpp"
#include "farm/deal.hpp"
#include "farm/job_builder.hpp"

namespace mpimap::farm {

enum class HaltMode { Never, Soon, Now };
enum class HaltOn { Fail, Success, Done };

/// -j: N, 0 (as many as the rank can), N% (of the rank's cores), +N, -N.
struct JobsSpec {
  enum Kind { Count, Percent, Plus, Minus } kind = Count;
  double value = 1;
};
/// The slots of a rank with `cores` cores (its CPU affinity) and room for
/// `max_slots` tasks (descriptors, processes).
int slots_for(const JobsSpec& spec, int cores, int max_slots);

struct RunOptions {
  std::vector<std::string> words;        // everything after the options (COMMAND ... ::: ...)
  std::vector<std::string> arg_files;    // -a FILE, repeatable ('-': stdin)
  bool null = false;                     // -0
  std::optional<std::string> delimiter;  // -d (with \n, \t, \0, \xHH, \NNN escapes)
  std::string jobs = "1";                // slots per rank
  bool keep_order = false;
  bool tag = false;
  std::optional<std::string> tagstring;
  bool progress = false, eta = false, bar = false;
  bool stats = false;      // --stats: what each rank did, on stderr at the end
  std::string stats_json;  // --stats-json FILE
  std::string trace;       // --trace FILE: Chrome Trace Event JSON, a track per slot
  std::string results_dir;
  std::string joblog;  // "+FILE": append
  bool resume = false;
  bool resume_failed = false;
  bool retry_failed = false;
  int retries = 0;              // as given (GNU parallel: attempts in all)
  std::string timeout;          // seconds, 1m30s, or N% of the median runtime
  double grace = 10;            // seconds from SIGTERM to SIGKILL when the job gets a stop signal
  std::string walltime_margin;  // --walltime-margin DURATION (walltime.hpp)
  std::string halt = "never";
  bool link = false;
  std::string arg_sep = ":::", arg_file_sep = "::::";
  std::optional<std::string> colsep, header, trim, eof;
  bool skip_blank = false;  // -r
  std::optional<std::string> max_args, max_replace_args, max_lines_L,
      max_lines;                                          // -n -N -L --max-lines
  bool max_lines_1 = false;                               // -l
  bool multiple = false, context = false, xargs = false;  // -m -X --xargs
  std::optional<std::string> max_chars;                   // -s
  std::optional<std::string> replace_item, replace_ext, replace_base, replace_dir, replace_base_ext,
      replace_seq, replace_slot;     // -I --er --bnr --dnr --bner --seqreplace --slotreplace
  bool plus = false, quote = false;  // --plus, -q
  bool dry_run = false, verbose = false;
  std::string delay, nice;  // --delay, --nice
  bool shuf = false;
  std::vector<std::string> env;                // --env VAR
  std::string workdir;                         // --wd
  std::string tmpdir;                          // --tmpdir ("": $TMPDIR, else /tmp)
  std::string process_slot_var;                // --process-slot-var
  std::optional<std::string> total_jobs;       // --total-jobs
  bool print_commands = false, files = false;  // -t, --files
  bool color = false, ctag = false;            // --color, --ctag
  bool color_failed = false;                   // --color-failed
  std::optional<std::string> ctagstring;       // --ctagstring
  std::string term_seq;                        // --term-seq SIG,MS,SIG,MS...
  bool ungroup = false, line_buffer = false;   // -u, --line-buffer
  bool no_notice = false;                      // --will-cite etc: accepted
  std::string compress_program;                // --compress-program: accepted, no effect
  // --pipe and --pipepart
  bool pipe = false, pipepart = false, roundrobin = false, regexp = false, remove_recsep = false;
  std::string block;  // --block: 1M for --pipe; for --pipepart, 10 parts per slot
  std::optional<std::string> recstart, recend;
  std::optional<std::string> bin, shard;  // --bin COL, --shard COL
  std::string block_timeout;              // --block-timeout DURATION
  double block_timeout_seconds = 0;       // derived
  std::optional<std::string> group_by;    // --group-by COL
  std::size_t group_by_column = 0;        // derived: 1-based; 0: none
  bool tee = false, skip_first_line = false, cat = false, fifo = false;  // --tee ... --fifo
  /// GNU parallel options that mpimap refuses, as given (the first is named).
  std::vector<std::string> unsupported;

  // Derived by finish_options().
  std::vector<std::string> command;  // the words before the first :::
  std::vector<SourceSpec> sources;
  ReadOptions read;
  BatchOptions batch;     // slots_total is set once the ranks are known
  TemplateOptions templ;  // quote is set once the shell is known
  JobsSpec jobs_spec;
  HaltMode halt_mode = HaltMode::Never;
  HaltOn halt_on = HaltOn::Fail;
  std::uint64_t halt_count = 0;  // N, or 0 with a percentage
  double halt_percent = 0;       // N% as a fraction
  std::uint32_t max_attempts = 1;
  double timeout_seconds = 0;       // 0: none
  double timeout_percent = 0;       // --timeout N%: N / 100 of the median runtime
  BlockOptions blocks;              // --pipe, --pipepart
  std::optional<DealOptions> deal;  // --roundrobin, --bin, --shard
  bool block_given = false;
  double delay_seconds = 0;
  int nice_value = 0;
  std::optional<std::uint64_t> total_jobs_value;   // --total-jobs
  std::vector<std::pair<int, double>> term_steps;  // --term-seq: signal, milliseconds
  bool joblog_append = false;
  std::string joblog_path;
  /// --walltime-margin: when to stop as on SIGUSR1 (none outside Slurm).
  std::optional<std::chrono::steady_clock::time_point> walltime_end;
};

/// Splits the words and checks what can be checked from the command line alone
/// (the same on every rank). Throws UsageError.
void finish_options(RunOptions& opt);

/// --header: {name} (and {name/} {name//} {name.} {name/.}) in `words` become
/// {n}, for the header's names and the input files' names (GNU parallel's).
void rename_header_columns(std::vector<std::string>& words,
                           const std::vector<std::string>& header_names,
                           const std::vector<std::pair<std::string, std::size_t>>& file_names);

/// "1.5", "2m", "1h30m", "1d2h3m4.5s" (GNU parallel's time units): seconds.
/// Throws UsageError naming `what`.
double parse_duration(const std::string& text, const std::string& what);
/// "1M", "10k", "2G" (k m g t p: powers of 1000; K M G T P: of 1024).
std::uint64_t parse_size(const std::string& text, const std::string& what);
/// --term-seq: "TERM,200,TERM,100,KILL,25" (names with or without SIG, or
/// numbers; the last wait may be left out): each signal and the milliseconds
/// to wait after it. Throws UsageError.
std::vector<std::pair<int, double>> parse_term_seq(const std::string& text);
/// -d's escapes: \n \t \r \0 \\ \xHH \NNN (octal), as GNU parallel's.
std::string unescape_delimiter(const std::string& text);

}  // namespace mpimap::farm
