#include "farm/direct_exec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace mpimap::farm {
namespace {

/// bash's builtins and reserved words (`compgen -b; compgen -k` in bash 5.2;
/// those that cannot be plain words, such as `{` and `[[`, left out), and
/// dash's one more, chdir: a command that starts with one of these is the
/// shell's business.
constexpr std::string_view kShellWords[] = {
    ".",      ":",       "[",         "alias",    "bg",       "bind",    "break",    "builtin",
    "caller", "cd",      "command",   "compgen",  "complete", "compopt", "continue", "declare",
    "dirs",   "disown",  "echo",      "enable",   "eval",     "exec",    "exit",     "export",
    "false",  "fc",      "fg",        "getopts",  "hash",     "help",    "history",  "jobs",
    "kill",   "let",     "local",     "logout",   "mapfile",  "popd",    "printf",   "pushd",
    "pwd",    "read",    "readarray", "readonly", "return",   "set",     "shift",    "shopt",
    "source", "suspend", "test",      "times",    "trap",     "true",    "type",     "typeset",
    "ulimit", "umask",   "unalias",   "unset",    "wait",     "if",      "then",     "else",
    "elif",   "fi",      "case",      "esac",     "for",      "select",  "while",    "until",
    "do",     "done",    "in",        "function", "time",     "coproc",  "chdir"};

bool is_shell_word(std::string_view w) {
  for (auto s : kShellWords)
    if (s == w) return true;
  return false;
}

bool is_plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '/' || c == ',' || c == ':' || c == '@' || c == '%' || c == '+' ||
         c == '=' || c == '-';
}

std::string_view value_of(const std::vector<std::string>& env, std::string_view name, bool& found) {
  for (const auto& e : env)
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      found = true;
      return std::string_view(e).substr(name.size() + 1);
    }
  found = false;
  return {};
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

/// Whether `pwd` names the working directory (what bash and dash check
/// before they keep an inherited $PWD).
bool names_cwd(std::string_view pwd) {
  if (pwd.empty() || pwd.front() != '/') return false;
  struct stat a {
  }, b{};
  return ::stat(std::string(pwd).c_str(), &a) == 0 && ::stat(".", &b) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/// The shell's program name, symbolic links followed (/bin/sh is dash on
/// Debian, bash elsewhere, sometimes busybox).
std::string program_name(const std::string& shell) {
  char buf[PATH_MAX];
  const char* p = ::realpath(shell.c_str(), buf) ? buf : shell.c_str();
  std::string_view s(p);
  const auto slash = s.rfind('/');
  return std::string(slash == std::string_view::npos ? s : s.substr(slash + 1));
}

}  // namespace

bool is_plain_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_plain_char(c)) return false;
  return true;
}

DirectExec::DirectExec(const std::string& shell, const std::vector<std::string>& env, bool enabled)
    : enabled_(enabled) {
  if (!enabled_) return;
  // bash only: it execs the last command of `-c` in its own place, so the
  // task is the program either way. dash 0.5.12 forks and waits instead (a
  // program killed by a signal becomes exit status 128+n, with a message).
  // rbash, a link to bash, refuses `./prog`: the name as given counts too.
  const std::string name = program_name(shell);
  const std::string_view given = std::string_view(shell).substr(shell.rfind('/') + 1);
  bool has_path = false, has_pwd = false;
  const std::string_view path = value_of(env, "PATH", has_path);
  const std::string_view pwd = value_of(env, "PWD", has_pwd);
  enabled_ =
      name == "bash" && (given == "bash" || given == "sh") && has_path && has_pwd && names_cwd(pwd);
  // What bash takes from the environment that can change a simple command:
  // a file it reads first, options (xtrace prints the command), programs to
  // skip on PATH, POSIX mode (which rewrites $PWD).
  for (const char* v : {"BASH_ENV", "SHELLOPTS", "BASHOPTS", "EXECIGNORE", "POSIXLY_CORRECT"}) {
    bool set = false;
    if (!value_of(env, v, set).empty() || (set && std::string_view(v) != "BASH_ENV"))
      enabled_ = false;
  }
  if (!enabled_) return;
  std::size_t from = 0;
  while (true) {
    const auto colon = path.find(':', from);
    const auto dir = path.substr(from, colon == std::string_view::npos ? colon : colon - from);
    if (!dir.empty() && dir.front() == '~') enabled_ = false;  // bash expands it there
    path_.emplace_back(dir.empty() ? std::string_view(".") : dir);
    if (colon == std::string_view::npos) break;
    from = colon + 1;
  }
  // bash imports `export -f NAME` as BASH_FUNC_NAME%%=() { ...; }.
  constexpr std::string_view kPrefix = "BASH_FUNC_";
  for (const auto& e : env) {
    if (e.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const auto end = e.find("%%=");
    if (end != std::string::npos) functions_.insert(e.substr(kPrefix.size(), end - kPrefix.size()));
  }
}

const std::string& DirectExec::lookup(const std::string& name) {
  // Searched afresh every time, as every shell does: a program may appear in
  // an earlier folder while the run goes on (a task may build it).
  for (const auto& dir : path_) {
    found_ = dir + "/" + name;
    if (is_executable_file(found_)) return found_;
  }
  found_.clear();
  return found_;
}

std::optional<DirectExec::Plan> DirectExec::plan(std::string_view command) {
  if (!enabled_) return std::nullopt;
  Plan p;
  std::size_t from = 0;
  while (true) {
    const auto space = command.find(' ', from);
    const auto word = command.substr(from, space == std::string_view::npos ? space : space - from);
    if (!is_plain_word(word)) return std::nullopt;  // also: two spaces, or one at an end
    p.words.emplace_back(word);
    if (space == std::string_view::npos) break;
    from = space + 1;
  }
  const std::string& first = p.words.front();
  if (first.find('=') != std::string::npos || first.front() == '-' || first.front() == '%' ||
      is_shell_word(first) || functions_.count(first))
    return std::nullopt;
  if (first.find('/') != std::string::npos) {
    if (!is_executable_file(first)) return std::nullopt;
    p.path = first;
  } else {
    p.path = lookup(first);
    if (p.path.empty()) return std::nullopt;
  }
  if (refused_.count(p.path)) return std::nullopt;
  return p;
}

void DirectExec::refuse(const std::string& path) {
  if (refused_.size() < kMaxRefused) refused_.insert(path);
}

}  // namespace mpimap::farm
