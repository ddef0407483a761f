// farm::DirectExec: which commands may skip their shell, and which program
// then runs. The installed bash is the oracle: every builtin and reserved word
// it lists must go through the shell, and a program must be found where
// `command -v` finds it.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "farm/direct_exec.hpp"
#include "test_files.hpp"

namespace {

using mpimap::farm::DirectExec;
using mpimap::test::TempDir;

/// What `command` prints on stdout, run by /bin/sh.
std::string output_of(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string cwd() {
  char buf[4096];
  return ::getcwd(buf, sizeof buf) ? buf : "";
}

/// A task environment: PATH and PWD as given (PWD: the working directory).
std::vector<std::string> env_with(const std::string& path, std::vector<std::string> more = {}) {
  std::vector<std::string> env{"PATH=" + path, "PWD=" + cwd(), "HOME=/nonexistent"};
  env.insert(env.end(), more.begin(), more.end());
  return env;
}

std::string system_path() {
  const char* p = std::getenv("PATH");
  return p ? p : "/usr/bin:/bin";
}

/// The folder itself, as a PATH entry (no trailing slash).
std::string folder(const TempDir& d) {
  const std::string x = d / "x";
  return x.substr(0, x.size() - 2);
}

void make_program(const std::string& path, mode_t mode = 0755) {
  mpimap::test::write_file(path, "#!/bin/sh\nexit 0\n");
  ::chmod(path.c_str(), mode);
}

TEST(DirectExec, BuiltinsAndReservedWordsOfTheInstalledBashGoThroughTheShell) {
  DirectExec d("/bin/bash", env_with(system_path()), true);
  ASSERT_TRUE(d.enabled());
  std::istringstream words(output_of("bash -c 'compgen -b; compgen -k'"));
  int checked = 0;
  for (std::string w; words >> w;) {
    if (!mpimap::farm::is_plain_word(w)) continue;  // `{`, `[[`: never plain anyway
    EXPECT_FALSE(d.plan(w + " x")) << w;
    ++checked;
  }
  EXPECT_GT(checked, 50);              // bash has about 60 builtins
  EXPECT_FALSE(d.plan("chdir /tmp"));  // dash's
}

TEST(DirectExec, AProgramIsFoundWhereTheShellFindsIt) {
  DirectExec d("/bin/bash", env_with(system_path()), true);
  int checked = 0;
  for (const char* name : {"ls", "cat", "env", "sort", "gzip", "python3", "mpirun"}) {
    std::string where = output_of(std::string("bash -c 'command -v ") + name + "'");
    if (where.empty()) continue;  // not installed here
    where.pop_back();             // the newline
    const auto plan = d.plan(std::string(name) + " -x a=b c:d 1,2 @x %y +z");
    ASSERT_TRUE(plan) << name;
    EXPECT_EQ(plan->path, where) << name;
    EXPECT_EQ(plan->words,
              (std::vector<std::string>{name, "-x", "a=b", "c:d", "1,2", "@x", "%y", "+z"}));
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

TEST(DirectExec, AnythingTheShellWouldReadGoesThroughIt) {
  DirectExec d("/bin/bash", env_with(system_path()), true);
  ASSERT_TRUE(d.enabled());
  for (const char* c :
       {"ls *",        "ls a?b", "ls ~",    "ls ~/x", "ls $HOME", "ls 'x'", "ls \"x\"", "ls a\\b",
        "ls a;b",      "ls a|b", "ls a&",   "ls >x",  "ls <x",    "ls (x)", "ls {a,b}", "ls [ab]",
        "ls #x",       "ls !x",  "ls x  y", " ls",    "ls ",      "ls\tx",  "ls\nx",    "A=1 ls",
        "ls \xc3\xa9", "ls ^x",  "",        "ls `x`", "-ls x",    "%1"})
    EXPECT_FALSE(d.plan(c)) << c;
  EXPECT_TRUE(d.plan("ls"));
}

TEST(DirectExec, FunctionsThatBashImportsGoThroughTheShell) {
  DirectExec d("/bin/bash", env_with(system_path(), {"BASH_FUNC_ls%%=() {  echo mine\n}"}), true);
  EXPECT_FALSE(d.plan("ls x"));
  EXPECT_TRUE(d.plan("cat x"));
}

TEST(DirectExec, WordsWithASlashNameTheProgramItself) {
  TempDir dir;
  make_program(dir / "prog");
  make_program(dir / "plain", 0644);
  DirectExec d("/bin/bash", env_with("/nonexistent"), true);
  const auto plan = d.plan(dir / "prog" + " a");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->path, dir / "prog");
  EXPECT_FALSE(d.plan(dir / "plain" + " a"));    // not executable: the shell says so
  EXPECT_FALSE(d.plan(dir / "missing" + " a"));  // the shell says so
  EXPECT_FALSE(d.plan(folder(dir) + " a"));      // a folder
}

TEST(DirectExec, PathIsSearchedInOrderPastWhatIsNotExecutable) {
  TempDir a, b;
  make_program(a / "first", 0644);  // found first, but the shell skips it
  make_program(b / "first");
  make_program(a / "second");
  make_program(b / "second");
  DirectExec d("/bin/bash", env_with(folder(a) + ":" + folder(b)), true);
  ASSERT_TRUE(d.plan("first"));
  EXPECT_EQ(d.plan("first")->path, b / "first");
  EXPECT_EQ(d.plan("second")->path, a / "second");
}

TEST(DirectExec, PathIsSearchedAfreshForEveryTask) {
  TempDir a, b;
  DirectExec d("/bin/bash", env_with(folder(a) + ":" + folder(b)), true);
  EXPECT_FALSE(d.plan("late"));
  make_program(b / "late");
  ASSERT_TRUE(d.plan("late"));
  EXPECT_EQ(d.plan("late")->path, b / "late");
  make_program(a / "late");  // now one earlier on PATH: the shell would take it
  EXPECT_EQ(d.plan("late")->path, a / "late");
}

TEST(DirectExec, AProgramThatCouldNotBeExecdGoesThroughTheShellFromThenOn) {
  TempDir dir;
  make_program(dir / "prog");
  DirectExec d("/bin/bash", env_with(folder(dir)), true);
  ASSERT_TRUE(d.plan("prog"));
  d.refuse(dir / "prog");
  EXPECT_FALSE(d.plan("prog"));
  EXPECT_FALSE(d.plan(dir / "prog"));
}

TEST(DirectExec, OnlyBashWithAPathAndATruePwd) {
  const auto env = env_with(system_path());
  EXPECT_FALSE(DirectExec("/bin/bash", env, false).plan("ls"));  // --wd, --nice
  // dash forks the program and waits for it: a signal that kills it becomes
  // dash's exit status 128+n, with a message. The shell decides that.
  EXPECT_EQ(output_of("dash -c 'kill -SEGV $$' 2>/dev/null; echo $?"), "139\n");
  EXPECT_FALSE(DirectExec("/bin/dash", env, true).plan("ls"));
  EXPECT_FALSE(DirectExec("/usr/bin/rbash", env, true).plan("ls"));  // a link to bash
  EXPECT_FALSE(DirectExec("/bin/bash", env_with("~/bin:" + system_path()), true).plan("ls"));
  EXPECT_FALSE(DirectExec("/usr/bin/zsh", env, true).plan("ls"));
  EXPECT_FALSE(DirectExec("/usr/bin/fish", env, true).plan("ls"));
  EXPECT_FALSE(DirectExec("/bin/csh", env, true).plan("ls"));
  EXPECT_FALSE(DirectExec("/bin/bash", {"PWD=" + cwd()}, true).plan("ls"));           // no PATH
  EXPECT_FALSE(DirectExec("/bin/bash", {"PATH=" + system_path()}, true).plan("ls"));  // no PWD
  EXPECT_FALSE(
      DirectExec("/bin/bash", {"PATH=" + system_path(), "PWD=/proc/self"}, true).plan("ls"));
  EXPECT_TRUE(DirectExec("/bin/bash", env, true).plan("ls"));
}

TEST(DirectExec, BashReadingItsEnvironmentGoesThroughTheShell) {
  const auto path = system_path();
  for (const char* v :
       {"BASH_ENV=/tmp/rc", "SHELLOPTS=xtrace", "BASHOPTS=", "EXECIGNORE=", "POSIXLY_CORRECT="})
    EXPECT_FALSE(DirectExec("/bin/bash", env_with(path, {v}), true).plan("ls")) << v;
  EXPECT_TRUE(DirectExec("/bin/bash", env_with(path, {"BASH_ENV="}), true).plan("ls"));
  // The same shell proves it: with xtrace it prints the command first.
  EXPECT_EQ(output_of("env SHELLOPTS=xtrace bash -c 'ls -d /' 2>&1"), "+ ls -d /\n/\n");
}

}  // namespace
