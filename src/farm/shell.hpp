#pragma once
// The shell that runs the tasks, chosen as GNU parallel 20221122 chooses it:
// $PARALLEL_SHELL; else the nearest shell among this process's ancestors
// (the shell that started mpirun: a bash script gets bash, so its
// `export -f` functions work); else $SHELL; else /bin/sh. Values are quoted
// for it as GNU parallel quotes them: csh style for csh and tcsh, rc style for
// rc, Bourne style for every other (sh, bash, zsh, ksh, dash, fish, ...).

#include <string>

#include "farm/command_template.hpp"

namespace mpimap::farm {

struct Shell {
  std::string path;  // what is run: PATH -c COMMAND
  QuoteStyle quote = QuoteStyle::Bourne;
};

/// GNU parallel's choice, made from this process (rank 0's, under mpirun).
/// Throws UsageError when the chosen shell is not found.
Shell choose_shell();

/// The quoting style for the shell at `path`.
QuoteStyle quote_style_of(const std::string& path);

/// The name of a shell in a process's argv[0] ("-bash", "/bin/sh",
/// "[sh]", "busybox sh"), as GNU parallel recognises it, or "" when argv[0]
/// is not a shell. `login` is set when it has a leading '-'.
std::string shell_in_argv0(const std::string& argv0, bool& login);

}  // namespace mpimap::farm
