// farm::Executor and the stop signals. Stop signals are process-wide (the
// handlers record them in globals that never reset), so each case runs in a
// process of its own: a death test whose exit status says what went wrong.
//
// What is checked:
//  - A task that the handler of a second stop signal SIGKILLs ends as
//    Outcome::Stopped, even when the rank's loop has not called stop() yet.
//    Logged as "ran, killed by signal 9" instead, --resume would never run it
//    again (found by tests/farm/fault_driver.sh, killing mpirun under load).
//  - The launcher's SIGTERMs within a second count as one stop. A killed
//    mpirun hands its ranks from thread to thread as its threads die, and the
//    kernel sends the parent-death signal each time; counted as a second
//    signal, it SIGKILLed every task at once. A second later, the launcher's
//    SIGTERM is a second signal again.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/executor.hpp"
#include "farm/messages.hpp"

namespace {

using namespace std::chrono_literals;
using mpimap::farm::CommandTemplate;
using mpimap::farm::ExecOptions;
using mpimap::farm::Executor;
using mpimap::farm::Outcome;
using mpimap::farm::Result;
using mpimap::farm::stop_request;
using mpimap::farm::Task;
using mpimap::farm::TemplateOptions;

CommandTemplate command(const std::string& text) {
  TemplateOptions opt;
  opt.append_item = false;
  return CommandTemplate({text}, opt);
}

ExecOptions shell_options() {
  ExecOptions opt;
  opt.shell = "/bin/sh";
  return opt;
}

/// An Executor with one slot, running `text` as the task numbered `seq`.
struct OneTask {
  OneTask(const std::string& text, std::uint64_t seq)
      : cmd(command(text)), e(cmd, 0, 1, "host", shell_options()) {
    Task t;
    t.seq = seq;
    e.start(t);
  }
  CommandTemplate cmd;  // before e, which refers to it
  Executor e;
};

/// Collects until a task has ended, for at most `limit` (a hang fails, it
/// does not block the test).
std::vector<Result> collect_one(Executor& e, std::chrono::milliseconds limit) {
  std::vector<Result> done;
  const auto until = std::chrono::steady_clock::now() + limit;
  while (done.empty() && std::chrono::steady_clock::now() < until) {
    if (!e.collect(done)) e.wait(10ms);
  }
  return done;
}

/// Exit codes of the cases: 0 when all is well, else what went wrong (the
/// death test's message names it).
int second_signal_case() {
  OneTask task("sleep 30", 7);
  ::raise(SIGTERM);  // the first stop signal: recorded, the loop acts on it
  ::raise(SIGTERM);  // a second one: its handler SIGKILLs every task at once
  const auto done = collect_one(task.e, 20s);
  if (done.size() != 1) return 10;
  std::fprintf(stderr, "outcome %d signal %d exit %d count %d\n", static_cast<int>(done[0].outcome),
               done[0].signal, done[0].exitval, stop_request().count);
  if (done[0].signal != SIGKILL) return 11;
  if (done[0].outcome != Outcome::Stopped) return 12;
  return 0;
}

TEST(ExecutorStop, ATaskASecondSignalKillsIsStoppedEvenBeforeTheLoopKnows) {
  EXPECT_EXIT(std::_Exit(second_signal_case()), testing::ExitedWithCode(0), "");
}

/// A rank started by a "launcher" (its parent, named so by
/// OMPI_MCA_orte_hnp_uri, as mpirun starts its ranks), which sends it SIGTERM
/// `times` times, `gap_us` apart. Then the stop request must count
/// `expected` signals, and the rank's task must still run when that is 1
/// (a second signal SIGKILLs it).
int launcher_case(int times, useconds_t gap_us, int expected) {
  int ready[2], sent[2];
  if (::pipe(ready) != 0 || ::pipe(sent) != 0) return 20;
  const pid_t rank = ::fork();
  if (rank < 0) return 21;
  if (rank == 0) {
    ::setenv("OMPI_MCA_orte_hnp_uri", "executor_test", 1);
    int code = 0;
    {
      OneTask task("sleep 30", 1);
      char c = 'r';
      if (::write(ready[1], &c, 1) != 1) std::_Exit(22);
      ssize_t n = 0;
      while ((n = ::read(sent[0], &c, 1)) < 0 && errno == EINTR) {
      }
      const auto req = stop_request();
      std::fprintf(stderr, "count %d from_launcher %d signal %d\n", req.count,
                   req.from_launcher ? 1 : 0, req.signal);
      if (req.count != expected) code = 23;
      if (!req.from_launcher || req.signal != SIGTERM) code = 24;
      if (expected == 1) {
        std::vector<Result> done;
        task.e.collect(done);
        if (!done.empty()) code = 25;  // the task was killed
      } else {
        const auto done = collect_one(task.e, 20s);
        if (done.size() != 1 || done[0].signal != SIGKILL || done[0].outcome != Outcome::Stopped)
          code = 26;
      }
    }  // ~Executor: the task is killed and reaped
    std::_Exit(code);
  }
  char c = 0;
  if (::read(ready[0], &c, 1) != 1) return 27;
  for (int i = 0; i < times; ++i) {
    if (i > 0) ::usleep(gap_us);  // apart, else they may merge into one
    ::kill(rank, SIGTERM);
  }
  ::usleep(50'000);  // the last one handled (if it merged: the count is lower)
  if (::write(sent[1], &c, 1) != 1) return 28;
  int status = 0;
  while (::waitpid(rank, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 29;
}

TEST(ExecutorStop, TheLaunchersRepeatedSigtermIsOneStop) {
  // As a dying mpirun's threads go: within milliseconds.
  EXPECT_EXIT(std::_Exit(launcher_case(3, 50'000, 1)), testing::ExitedWithCode(0), "");
}

TEST(ExecutorStop, TheLaunchersSigtermASecondLaterIsASecondSignal) {
  EXPECT_EXIT(std::_Exit(launcher_case(2, 1'200'000, 2)), testing::ExitedWithCode(0), "");
}

/// A task that ends by itself, with no stop: as it ended (the control case).
int no_stop_case() {
  OneTask task("echo out; exit 3", 2);
  const auto done = collect_one(task.e, 20s);
  if (done.size() != 1) return 30;
  if (done[0].outcome != Outcome::Ran || done[0].exitval != 3 || done[0].out != "out\n") return 31;
  return 0;
}

TEST(ExecutorStop, WithoutAStopATaskEndsAsItEnded) {
  EXPECT_EXIT(std::_Exit(no_stop_case()), testing::ExitedWithCode(0), "");
}

}  // namespace
