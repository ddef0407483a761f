#include "cli/run_options.hpp"

#include <string>
#include <vector>

#include "cli/command.hpp"  // kNonEmpty
#include "cli/stats_options.hpp"

namespace mpimap::cli {

void add_run_options(CLI::App& sub, const std::shared_ptr<farm::RunOptions>& shared) {
  farm::RunOptions& opt = *shared;
  // Input.
  sub.add_option("-a,--arg-file", opt.arg_files,
                 "Read arguments from FILE, one per line ('-': standard input); repeat it for "
                 "several input sources")
      ->type_name("FILE")
      ->check(kNonEmpty)
      ->allow_extra_args(false);
  sub.add_flag("-0,--null", opt.null, "Arguments are separated by NUL bytes, not newlines");
  sub.add_option("-d,--delimiter", opt.delimiter,
                 "Arguments are separated by DELIM (\\n \\t \\r \\NNN escapes)")
      ->type_name("DELIM");
  sub.add_option("--arg-sep", opt.arg_sep, "Use SEP instead of :::")->type_name("SEP");
  sub.add_option("--arg-file-sep", opt.arg_file_sep, "Use SEP instead of ::::")->type_name("SEP");
  sub.add_flag("--link,--xapply", opt.link,
               "Link the input sources (the shorter ones wrap around) instead of combining them");
  sub.add_option("-C,--colsep", opt.colsep, "Split each argument into columns {1} {2} ... at REGEX")
      ->type_name("REGEX");
  sub.add_option("--header", opt.header,
                 "The first line of each input source names its columns: {name} ('0': the "
                 "files' names name the sources)")
      ->type_name("REGEX");
  sub.add_option("--trim", opt.trim, "Trim blanks around arguments: n, l, r, lr (--colsep: lr)")
      ->type_name("n|l|r|lr");
  sub.add_option("-E", opt.eof, "An argument equal to STR ends its input source")->type_name("STR");
  sub.add_flag("-r,--no-run-if-empty", opt.skip_blank, "Skip blank arguments");
  // Several arguments per job.
  sub.add_option("-n,--max-args", opt.max_args, "Up to N arguments per job")->type_name("N");
  sub.add_option("-N,--max-replace-args", opt.max_replace_args,
                 "Up to N arguments per job, as {1}..{N} (-N0: none)")
      ->type_name("N");
  sub.add_option("-L", opt.max_lines_L,
                 "Up to N lines per job (a line ending in a blank continues on the next)")
      ->type_name("N");
  sub.add_option("--max-lines", opt.max_lines, "As -L, without -X's context replace")
      ->type_name("N");
  sub.add_flag("-l", opt.max_lines_1, "--max-lines 1");
  sub.add_flag("-m", opt.multiple, "As many arguments per job as fit a command line");
  sub.add_flag("-X", opt.context, "As -m, repeating the word around {} for each argument");
  sub.add_flag("--xargs", opt.xargs, "As many arguments per job as fit, not spread over the slots");
  sub.add_option("-s,--max-chars", opt.max_chars, "Command lines of at most N characters")
      ->type_name("N");
  // Replacement strings.
  sub.add_option("-I", opt.replace_item, "Use STR instead of {}")->type_name("STR");
  sub.add_option("--extensionreplace,--er", opt.replace_ext, "Use STR instead of {.}")
      ->type_name("STR");
  sub.add_option("--basenamereplace,--bnr", opt.replace_base, "Use STR instead of {/}")
      ->type_name("STR");
  sub.add_option("--dirnamereplace,--dnr", opt.replace_dir, "Use STR instead of {//}")
      ->type_name("STR");
  sub.add_option("--basenameextensionreplace,--bner", opt.replace_base_ext,
                 "Use STR instead of {/.}")
      ->type_name("STR");
  sub.add_option("--seqreplace", opt.replace_seq, "Use STR instead of {#}")->type_name("STR");
  sub.add_option("--slotreplace", opt.replace_slot, "Use STR instead of {%}")->type_name("STR");
  sub.add_flag("--plus", opt.plus,
               "GNU parallel's --plus replacement strings: {..} {+.} {##} {0#} {:-x} {/a/b} ...");
  sub.add_flag("-q,--quote", opt.quote,
               "Quote the command's words (not the arguments): for commands given as a program "
               "and its arguments");
  // Running.
  sub.add_option("-j,--jobs,-P,--max-procs", opt.jobs,
                 "Slots per rank: N, 0 (as many as it can), N% of the rank's cores, +N, -N")
      ->type_name("N")
      ->default_str("1");
  sub.add_option("--timeout", opt.timeout,
                 "Kill a task's process group after DURATION (seconds, 1m30s, or N% of the "
                 "median runtime; SIGTERM, then SIGKILL 1 s later)")
      ->type_name("DURATION");
  sub.add_option("--retries", opt.retries,
                 "Run a failing task up to N times in all, on another rank each time "
                 "where there is one (GNU parallel's meaning)")
      ->type_name("N")
      ->default_str("1");
  sub.add_option("--halt,--halt-on-error", opt.halt,
                 "never | now|soon,fail|success|done=N|N%: stop after N (or N%) failures, "
                 "successes or jobs; now kills the running tasks")
      ->type_name("WHEN")
      ->default_str("never");
  sub.add_option("--term-seq", opt.term_seq,
                 "--timeout and --halt now send these signals, waiting the milliseconds after "
                 "each (then SIGKILL); default: TERM, 1000 ms")
      ->type_name("SIG,MS,...");
  sub.add_option("--grace", opt.grace,
                 "On SIGTERM, SIGINT or SIGUSR1: start no more tasks, SIGTERM the running "
                 "ones, SIGKILL them after SECONDS (fractional); a second signal kills at once")
      ->type_name("SECONDS")
      ->default_str("10");
  sub.add_option("--walltime-margin", opt.walltime_margin,
                 "In a Slurm job: from SLURM_JOB_END_TIME minus DURATION on, start no more "
                 "tasks and stop as on SIGUSR1 (exit status 138)")
      ->type_name("DURATION");
  sub.add_option("--delay", opt.delay, "Start one task per DURATION at most")
      ->type_name("DURATION");
  sub.add_option("--nice", opt.nice, "Run the tasks at this niceness (added to the rank's)")
      ->type_name("N");
  sub.add_flag("--shuf", opt.shuf, "Run the jobs in random order");
  sub.add_option("--env", opt.env,
                 "Give the tasks on every rank rank 0's value of VAR (and bash function VAR)")
      ->type_name("VAR")
      ->allow_extra_args(false);
  sub.add_option("--wd,--workdir", opt.workdir, "Run the tasks in DIR")->type_name("DIR");
  sub.add_option("--tmpdir", opt.tmpdir,
                 "Temporary files (--files, long commands) go to DIR; the tasks' TMPDIR")
      ->type_name("DIR")
      ->check(kNonEmpty);
  sub.add_option("--process-slot-var", opt.process_slot_var,
                 "Set the tasks' variable VAR to their slot number minus 1 ({%}-1)")
      ->type_name("VAR");
  sub.add_option("--total-jobs,--total", opt.total_jobs,
                 "The number of jobs, for {##} and --progress, without reading the input first")
      ->type_name("N");
  sub.add_flag("--dry-run", opt.dry_run, "Print the command lines, run nothing");
  // --pipe.
  sub.add_flag("--pipe,--spreadstdin", opt.pipe,
               "Split standard input into blocks (on record boundaries), one per job's stdin");
  sub.add_flag("--pipepart,--pipe-part", opt.pipepart,
               "As --pipe, for the files given (-a, ::::): each job reads its part itself");
  sub.add_option("--block,--block-size", opt.block,
                 "--pipe: blocks of about SIZE (1M); --pipepart: 10 parts per slot")
      ->type_name("SIZE");
  sub.add_option("--recstart", opt.recstart, "--pipe: records start with STR")->type_name("STR");
  sub.add_option("--recend", opt.recend, "--pipe: records end with STR (default \\n)")
      ->type_name("STR");
  sub.add_flag("--regexp", opt.regexp, "--pipe: --recstart and --recend are regular expressions");
  sub.add_flag("--roundrobin,--round-robin,--round", opt.roundrobin,
               "--pipe: one job per slot, the blocks dealt out to them in turn");
  sub.add_option("--bin", opt.bin,
                 "--pipe: each line to the job of COL's value mod the slots (one job per slot)")
      ->type_name("COL");
  sub.add_option("--shard", opt.shard,
                 "--pipe: each line to the job of a hash of COL (one job per slot)")
      ->type_name("COL");
  sub.add_option("--block-timeout,--bt", opt.block_timeout,
                 "--pipe: a block not whole after DURATION goes out as far as it has come")
      ->type_name("DURATION");
  sub.add_option("--group-by", opt.group_by,
                 "--pipe: consecutive lines with the same COL (a column number) stay in one "
                 "block")
      ->type_name("COL");
  sub.add_flag("--tee", opt.tee, "--pipe: every job (one per argument) gets all of stdin");
  sub.add_flag("--cat", opt.cat,
               "--pipe (or --pipepart): each job's input goes to a file, $PARALLEL_TMP, which {} "
               "names");
  sub.add_flag("--fifo", opt.fifo,
               "As --cat, through a named pipe $PARALLEL_TMP (the job must read it)");
  sub.add_flag("--skip-first-line", opt.skip_first_line,
               "--pipe: drop the first line of standard input");
  sub.add_flag("--rrs,--remove-rec-sep,--removerecsep", opt.remove_recsep,
               "--pipe: remove the record separators from the blocks");
  // Output.
  sub.add_flag("-k,--keep-order", opt.keep_order,
               "Print outputs in job order (default: as tasks finish)");
  sub.add_flag("--tag", opt.tag, "Prefix each output line with the arguments and a tab");
  sub.add_option("--tagstring,--tag-string", opt.tagstring,
                 "Prefix each output line with STR (replacement strings allowed) and a tab")
      ->type_name("STR");
  sub.add_flag("--color,--colour", opt.color,
               "Colour each job's output lines (GNU parallel's colours)");
  sub.add_flag("--ctag", opt.ctag, "--tag, coloured");
  sub.add_flag("--cf,--color-failed,--colour-failed", opt.color_failed,
               "Print the lines of failed jobs white on red");
  sub.add_option("--ctagstring,--ctag-string", opt.ctagstring, "--tagstring STR, coloured")
      ->type_name("STR");
  sub.add_flag("-v", opt.verbose, "Print each command line before its output");
  sub.add_flag("-t,--verbose", opt.print_commands,
               "Print each command line on stderr as its task is handed out");
  sub.add_flag("--line-buffer,--lb", opt.line_buffer,
               "Print each task's output a whole line at a time as it comes (lines of "
               "different tasks interleave)");
  sub.add_flag("--files,--output-as-files,--outputasfiles", opt.files,
               "Write each task's stdout to a file in --tmpdir (on rank 0) and print its name");
  sub.add_flag("-u,--ungroup", opt.ungroup,
               "Tasks write straight to their rank's stdout and stderr (not grouped, not "
               "counted)");
  sub.add_flag("--group")->description("Group each task's output (the default)");
  sub.add_option("--results,--res", opt.results_dir,
                 "Also write each task's output under NAME, in GNU parallel's layout")
      ->type_name("NAME")
      ->check(kNonEmpty);
  sub.add_option("--joblog,--jl", opt.joblog,
                 "Log each finished task to FILE (GNU parallel's format; +FILE appends)")
      ->type_name("FILE")
      ->check(kNonEmpty);
  sub.add_flag("--resume", opt.resume, "Skip the jobs whose Seq is in the joblog");
  sub.add_flag("--resume-failed", opt.resume_failed,
               "Like --resume, but run again the jobs that failed");
  sub.add_flag("--retry-failed", opt.retry_failed,
               "Run again the commands that failed in the joblog (ignores the command and "
               "inputs given)");
  sub.add_flag("--progress", opt.progress,
               "Show done/total, running, failed, rate and ETA on stderr");
  sub.add_flag("--eta", opt.eta, "--progress");
  sub.add_flag("--bar", opt.bar, "--progress");
  add_stats_options(sub, opt.stats, opt.stats_json, opt.trace, "the run");
  sub.add_flag("--will-cite,--no-notice,--gnu", opt.no_notice, "Accepted (GNU parallel's)");
  // GNU parallel compresses the temporary files that hold output; mpimap
  // holds output in memory, so there is nothing to compress.
  sub.add_flag("--compress", opt.no_notice, "Accepted, no effect (output is held in memory)");
  sub.add_option("--compress-program,--decompress-program", opt.compress_program,
                 "Accepted, no effect (output is held in memory)")
      ->type_name("PRG");

  // GNU parallel's options that mpimap does not have: each is a usage error
  // naming it (hidden from --help). As flags: a value after one is not read,
  // the error comes first.
  for (const char* names : {"-S,--sshlogin",
                            "--slf,--sshloginfile",
                            "--transferfile,--tf",
                            "--transfer",
                            "--return",
                            "--trc",
                            "--basefile,--bf",
                            "--cleanup",
                            "--onall",
                            "--nonall",
                            "--filter-hosts",
                            "-M,--controlmaster",
                            "--ssh",
                            "--sshdelay,--ssh-delay",
                            "--hostgroups,--hgrp",
                            "--tmux",
                            "--tmuxpane",
                            "--fg",
                            "--bg",
                            "--semaphore",
                            "--sem",
                            "--id,--semaphore-name",
                            "--semaphoretimeout,--st,--semaphore-timeout",
                            "--sql",
                            "--sqlmaster,--sql-master",
                            "--sqlworker,--sql-worker",
                            "--sqlandworker,--sql-and-worker",
                            "--csv",
                            "--memfree",
                            "--memsuspend",
                            "--load",
                            "--limit",
                            "--noswap",
                            "-p,--interactive",
                            "--tty",
                            "-o,--open-tty",
                            "--shebang,--hashbang",
                            "--shebang-wrap",
                            "--embed",
                            "--record-env",
                            "--session",
                            "-J,--profile",
                            "--minversion",
                            "--number-of-cpus",
                            "--number-of-cores",
                            "--number-of-sockets",
                            "--number-of-threads",
                            "--max-line-length-allowed",
                            "--show-limits",
                            "--latest-line,--ll",
                            "--parens",
                            "--rpl",
                            "--filter",
                            "--template,--tmpl",
                            "-x,--exit",
                            "-e,--eof",
                            "-i,--replace",
                            "--plain",
                            "--use-cpus-instead-of-cores",
                            "--use-cores-instead-of-threads",
                            "--use-sockets-instead-of-threads",
                            "--silent",
                            "--shellquote,--shell-quote",
                            "--rsync-opts",
                            "--wait",
                            "--citation",
                            "--bibtex",
                            "--no-keep-order",
                            "--keeporder",
                            "--ungroup-line",
                            "--shell-completion",
                            "--_parset",
                            "-D,--debug",
                            "--max-procs-file"}) {
    const std::string list(names);
    const std::string first = list.substr(0, list.find(','));
    sub.add_flag_callback(names, [shared, first] { shared->unsupported.push_back(first); })
        ->group("");
  }
  // Everything from the command on is the command's, word for word: CLI11
  // leaves those words unparsed (a positional option would split a word like
  // "[a,b]" into a list). Without --, they start at the first word that is
  // not an option (mpimap run -j2 grep -k ...) and stay with this subcommand;
  // after --, they go to the program's unparsed words (see main.cpp).
  sub.prefix_command();
}

}  // namespace mpimap::cli
