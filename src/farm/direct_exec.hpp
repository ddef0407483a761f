#pragma once
// Running a task's command without its shell, where that changes nothing.
//
// Every task is `SHELL -c COMMAND`, as in GNU parallel. For a command such as
// `./simulate --case 17 out/17.dat` the shell only splits the words, finds
// the program on $PATH and execs it; starting it costs more than that (bash
// takes about 1 ms). bash then execs that program in its own place, so when
// the shell is bash and the command is nothing but such words, the task execs
// the program itself (dash forks it instead, and reports its signals itself):
//  - every word is made of letters, digits and `_ . / , : @ % + = -` only,
//    separated by single spaces: nothing to expand, quote, glob or redirect;
//  - the first word is no reserved word or builtin of bash (`echo`,
//    `true`, `cd`, `[`, `time`, ...: those differ from the programs of the
//    same name, or are none), no assignment, and no function that bash
//    imports from the environment (`export -f`);
//  - it names a regular executable file, directly (a word with a `/`) or
//    through the tasks' $PATH (searched for every task, no `~` in it), as
//    the shell would find it;
//  - the tasks' $PWD names the working directory (the shell would reset it),
//    the environment has none of BASH_ENV, SHELLOPTS, BASHOPTS, EXECIGNORE
//    and POSIXLY_CORRECT, the shell is not rbash, and no --wd or --nice
//    changes what runs.
// Anything else, and a program that then fails to start (a script without a
// `#!` line, which the shell would run itself), goes through the shell as
// before, so its messages and exit status stay the shell's. What the program
// sees differs only in variables that bash itself adds or rewrites (`$_`,
// SHLVL when it had none, the text of exported functions). The task's
// environment has one entry per name (executor.cpp), as bash would pass it.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mpimap::farm {

class DirectExec {
 public:
  /// `shell`: the tasks' shell; `env`: their environment (NAME=VALUE), whose
  /// PATH, PWD and exported functions count; `enabled`: false when something
  /// else (--wd, --nice) stands between the task and its program.
  DirectExec(const std::string& shell, const std::vector<std::string>& env, bool enabled);

  /// The program to exec and its words, when `command` may skip the shell.
  struct Plan {
    std::string path;
    std::vector<std::string> words;
  };
  std::optional<Plan> plan(std::string_view command);
  /// `path` could not be exec'd (a script without `#!`): from now on the
  /// shell runs it, without trying first.
  void refuse(const std::string& path);

  bool enabled() const { return enabled_; }

 private:
  /// Where the shell would find `name` on PATH ("" when it would not).
  const std::string& lookup(const std::string& name);

  bool enabled_;
  std::vector<std::string> path_;  // $PATH's directories, "" as "."
  std::unordered_set<std::string> functions_;
  std::string found_;                        // lookup()'s answer
  std::unordered_set<std::string> refused_;  // see refuse()
  static constexpr std::size_t kMaxRefused = 1024;
};

/// Whether `s` is one word that the shell takes literally (see above).
bool is_plain_word(std::string_view s);

}  // namespace mpimap::farm
