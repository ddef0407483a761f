#include "mpimap/process.hpp"
#include "mpimap/detail/check.hpp"

#include <fmt/format.h>

#include <iostream>
#include <stdexcept>
#include <utility>

#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/crash_report.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/detail/task_runner.hpp"
#include "mpimap/detail/wait.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap {

struct Process::State {
  State(const detail::Context* c, int r, int i, std::function<void()> t, bool tg)
      : ctx(c), rank(r), id(i), target(std::move(t)), tag(tg) {}
  const detail::Context* ctx;
  int rank;
  int id;
  std::function<void()> target;
  bool tag;
  bool started = false;
  bool joined = false;
  std::optional<int> exitcode;
  std::string output, error;
  std::vector<char> send_buf;
  MPI_Request send = MPI_REQUEST_NULL;

  // Tags stay far below MPI_TAG_UB (at least 32767 by the standard).
  int mpi_tag() const { return detail::kProcessTagBase + id % 30000; }
};

Process::Process(const detail::Context& ctx, int rank, int id, std::function<void()> target,
                 bool tag)
    : s_(std::make_unique<State>(&ctx, rank, id, std::move(target), tag)) {}
Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    join_if_started();
    s_ = std::move(other.s_);
  }
  return *this;
}
Process::~Process() { join_if_started(); }

// As Python joins the processes left running at exit: a started process is
// joined when it goes away (every rank destroys the same processes in the same
// order), so its output is printed, never dropped, and its rank is never left
// waiting to hand it over.
void Process::join_if_started() noexcept {
  if (!s_ || !s_->started || s_->joined) return;
  try {
    join();
  } catch (...) {  // nothing may leave a destructor; join() only prints
  }
}

int Process::rank() const { return s_->rank; }
std::optional<int> Process::exitcode() const { return s_->exitcode; }
const std::string& Process::error() const { return s_->error; }

void Process::start() {
  auto& s = *s_;
  if (s.started) throw std::logic_error("mpimap::Process: start() called twice");
  s.started = true;
  if (s.ctx->rank != s.rank) return;
  detail::TaskRunner runner(true, s.tag ? s.ctx->tag : "");
  auto call = [&s](int) { s.target(); };
  detail::Nothing none;
  bool ok = false;
  {
    const detail::RunningTask running(detail::TaskKind::Process, static_cast<std::uint64_t>(s.id));
    ok = runner.run(call, 0, &none, s.output, s.error);
  }
  s.exitcode = ok ? 0 : 1;
  if (s.rank == 0) return;
  // Rank 0's join() waits for this message whatever happens: when the output
  // cannot be sent (too large for one message, no memory), the process fails
  // with a message that says so instead.
  int count = 0;
  try {
    detail::Writer w(s.send_buf);
    w.put<std::uint8_t>(ok);
    w.put_string(s.output);
    w.put_string(s.error);
    count = detail::mpi_count(s.send_buf.size(), "a process's output");
  } catch (...) {
    s.exitcode = 1;
    s.send_buf.clear();
    detail::Writer w(s.send_buf);
    w.put<std::uint8_t>(0);
    w.put_string("");
    w.put_string("mpimap: sending the process's output threw: " +
                 detail::current_exception_message());
    count = static_cast<int>(s.send_buf.size());
  }
  detail::check(MPI_Isend(s.send_buf.data(), count, MPI_BYTE, 0, s.mpi_tag(), s.ctx->comm, &s.send),
                "MPI_Isend");
}

void Process::join() {
  auto& s = *s_;
  if (!s.started) throw std::logic_error("mpimap::Process: join() before start()");
  if (s.joined) return;
  s.joined = true;
  if (s.send != MPI_REQUEST_NULL) detail::wait(s.send);
  if (!s.ctx->is_root()) return;
  if (s.rank != 0) {
    std::vector<char> buf;
    detail::receive_any(s.ctx->comm, s.rank, s.mpi_tag(), buf, true);
    detail::Reader r(buf);
    s.exitcode = r.get<std::uint8_t>() ? 0 : 1;
    s.output = r.get_string();
    s.error = r.get_string();
  }
  std::cout << s.output << std::flush;
  if (*s.exitcode != 0)
    std::cerr << fmt::format("mpimap: process {} failed on rank {}@{}: {}\n", s.id + 1, s.rank,
                             s.ctx->hosts[s.rank], s.error);
}

}  // namespace mpimap
