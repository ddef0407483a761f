#include "farm/group_by.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "farm/error.hpp"

extern char** environ;

namespace mpimap::farm {

namespace {
// GNU parallel's group_by_loop(), with the column split in the script (the
// values come in through the environment, never through the script's text).
constexpr const char* kScript =
    R"(BEGIN { $m = $last = $ENV{MPIMAP_GROUP_MARK}; $s = $ENV{MPIMAP_GROUP_SEP};)"
    R"( $c = $ENV{MPIMAP_GROUP_COL} - 1; })"
    R"({ my @F = split /$s/, $_; local $_ = $F[$c]; if ($last ne $_) { print $m; $last = $_; } })";
}  // namespace

std::string random_marker() {
  static constexpr char kChars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::random_device seed;
  std::mt19937_64 gen(seed());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kChars - 2);
  std::string m;
  for (int i = 0; i < 20; ++i) m += kChars[pick(gen)];
  return m;
}

GroupByFilter::GroupByFilter(int in_fd, std::size_t column, const std::string& colsep,
                             const std::string& marker) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw UsageError(fmt::format("--group-by: pipe: {}", std::strerror(errno)));
  Fd read_end(fds[0]), write_end(fds[1]);
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  env.push_back("MPIMAP_GROUP_MARK=" + marker);
  env.push_back("MPIMAP_GROUP_SEP=" + colsep);
  env.push_back(fmt::format("MPIMAP_GROUP_COL={}", column));
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string perl = "perl", dash_e = "-pe", script = kScript;
  char* argv[] = {perl.data(), dash_e.data(), script.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  const int rc = ::posix_spawnp(&pid_, "perl", &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw UsageError(fmt::format("--group-by needs perl: {}", std::strerror(rc)));
  }
  out_ = std::move(read_end);
}

GroupByFilter::~GroupByFilter() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // done already, unless the run stopped early
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace mpimap::farm
