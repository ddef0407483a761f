#include "farm/shell.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <vector>

#include "farm/error.hpp"

namespace mpimap::farm {

namespace {

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

/// `name` found in $PATH (as `which`), or "".
std::string which(const std::string& name) {
  if (name.find('/') != std::string::npos) return executable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (executable(candidate)) return candidate;
  }
  return "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The parent of `pid` from /proc/PID/stat (0 when unknown).
pid_t parent_of(pid_t pid) {
  const std::string stat = read_file(fmt::format("/proc/{}/stat", pid));
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream rest(stat.substr(paren + 1));
  std::string state;
  long ppid = 0;
  rest >> state >> ppid;
  return static_cast<pid_t>(ppid);
}

/// GNU parallel's parent_shell(): the nearest ancestor whose argv[0] is a shell.
std::string parent_shell() {
  // "-sh" may be sh or csh (csh disguises itself): its executable says which.
  const std::vector<std::pair<std::string, std::vector<std::string>>> fake = {
      {"-sh (sh)", {"sh"}},
      {"-sh", {"sh"}},
      {"-csh", {"tcsh", "csh"}},
      {"-ash", {"ash", "dash", "sh"}},
      {"-dash", {"dash", "ash", "sh"}},
      {"-bash", {"bash", "sh"}},
      {"-ksh", {"ksh", "sh"}},
      {"-zsh", {"zsh", "sh"}}};
  for (pid_t pid = ::getpid(); pid > 1;) {
    const std::string cmdline = read_file(fmt::format("/proc/{}/cmdline", pid));
    const std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
    bool login = false;
    const std::string name = shell_in_argv0(argv0, login);
    if (!name.empty()) {
      if (name == "sh" && login) {
        char exe[4096];
        const ssize_t n = ::readlink(fmt::format("/proc/{}/exe", pid).c_str(), exe, sizeof exe - 1);
        if (n > 0) {
          const std::string path(exe, static_cast<std::size_t>(n));
          bool l = false;
          if (!shell_in_argv0(path, l).empty()) return path;
        }
      }
      if (const auto found = which(name); !found.empty()) return found;
      for (const auto& [alias, names] : fake)
        if (alias == name)
          for (const auto& n : names)
            if (const auto found = which(n); !found.empty()) return found;
      return "";
    }
    pid = parent_of(pid);
  }
  return "";
}

}  // namespace

std::string shell_in_argv0(const std::string& argv0, bool& login) {
  static const std::regex re = [] {
    const char* shells[] = {"ash",   "bash", "bsd-csh", "csh",  "dash", "fdsh",  "fish",
                            "fizsh", "ksh",  "ksh93",   "lksh", "mksh", "pdksh", "posh",
                            "rbash", "rc",   "rush",    "rzsh", "sash", "sh",    "static-sh",
                            "tcsh",  "yash", "zsh",     "-sh",  "-csh", "-bash"};
    std::string alt = "-sh \\(sh\\)";
    for (const char* s : shells) alt += std::string("|") + s;
    // GNU parallel's regexp: [sh], -sh, /bin/sh, busybox sh; not foo.sh or ssh.
    return std::regex("^((\\[)(-?)(" + alt + ")(\\])|(|\\S+/|busybox )(-?)(" + alt +
                      "))( *$| [^(])");
  }();
  std::smatch m;
  if (!std::regex_search(argv0, m, re)) return "";
  login = m[3].length() > 0 || m[7].length() > 0;
  return m[4].matched ? m[4].str() : m[8].str();
}

QuoteStyle quote_style_of(const std::string& path) {
  // GNU parallel: m:(/[-a-z]*)?csh: and m:(^|/)rc$:
  if (path.find("csh") != std::string::npos) return QuoteStyle::Csh;
  if (path == "rc" || (path.size() >= 3 && path.ends_with("/rc"))) return QuoteStyle::Rc;
  return QuoteStyle::Bourne;
}

Shell choose_shell() {
  std::string path;
  if (const char* p = std::getenv("PARALLEL_SHELL"); p && *p) path = p;
  if (path.empty()) path = parent_shell();
  if (path.empty())
    if (const char* s = std::getenv("SHELL"); s && *s) path = s;
  if (path.empty()) path = "/bin/sh";
  if (!executable(path)) {
    const auto found = which(path);
    if (found.empty()) throw UsageError(fmt::format("run: shell '{}' not found", path));
    path = found;
  }
  return {path, quote_style_of(path)};
}

}  // namespace mpimap::farm
