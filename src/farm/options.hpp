#pragma once
// What the task farm is told to do: the options of
//   mpirun -n N mpimap run [OPTIONS] -- COMMAND [ARG...] [::: ITEM...]
// (declared for the command line in src/cli/run_command.cpp).

#include <cstdint>
#include <string>
#include <vector>

namespace mpimap::farm {

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
  int retries = 0;     // as given (GNU parallel: attempts in all)
  double timeout = 0;  // seconds; 0: none
  double grace = 10;   // seconds from SIGTERM to SIGKILL when the job gets a stop signal
  std::string halt = "never";

  // Derived by finish_options().
  std::vector<std::string> command;  // the words before :::
  std::vector<std::string> items;    // the words after :::
  bool items_given = false;          // there was a :::
  HaltMode halt_mode = HaltMode::Never;
  std::uint64_t halt_fails = 0;
  std::uint32_t max_attempts = 1;
};

/// Splits the words and checks what can be checked from the command line alone
/// (the same on every rank). Throws UsageError.
void finish_options(RunOptions& opt);

}  // namespace mpimap::farm
