#pragma once
// The command line of `mpimap run`:
//   mpirun -n N mpimap run [OPTIONS] -- COMMAND [ARG...] [::: ITEM...]

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mpimap::cli::run {

enum class HaltMode { Never, Soon, Now };

struct RunOptions {
  std::vector<std::string> words;  // everything after the options (COMMAND ... ::: ...)
  std::string arg_file;            // -a FILE ('-': stdin)
  bool null = false;               // -0
  int jobs = 1;                    // slots per rank
  bool keep_order = false;
  bool tag = false;
  bool progress = false;
  std::string results_dir;
  std::string joblog;
  bool resume = false;
  bool resume_failed = false;
  int retries = 0;       // as given (GNU parallel: attempts in all)
  double timeout = 0;    // seconds; 0: none
  std::string halt = "never";

  // Derived by finish_options().
  std::vector<std::string> command;  // the words before :::
  std::vector<std::string> items;    // the words after :::
  bool items_given = false;          // there was a :::
  HaltMode halt_mode = HaltMode::Never;
  std::uint64_t halt_fails = 0;
  std::uint32_t max_attempts = 1;

  bool reads_input() const { return !items_given; }
};

/// Declares the options on the `run` subcommand.
void add_run_options(CLI::App& sub, RunOptions& opt);

/// Splits the words and checks what can be checked from the command line alone
/// (the same on every rank). Throws UsageError.
void finish_options(RunOptions& opt);

}  // namespace mpimap::cli::run
