#include "farm/watch.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "farm/output.hpp"
#include "mpimap/detail/report_text.hpp"
#include "mpimap/detail/trace_exchange.hpp"

namespace mpimap::farm {

namespace {

std::int64_t to_ns(double seconds) { return std::llround(seconds * 1e9); }

}  // namespace

RunWatch::RunWatch(const RunOptions& opt, const std::vector<std::string>& hosts,
                   const std::vector<int>& slots)
    : opt_(opt),
      hosts_(hosts),
      slots_(slots),
      started_wall_ns_(detail::wall_clock_ns()),
      tasks_(hosts.size()),
      busy_(hosts.size()) {
  slots_before_.resize(slots_.size());
  std::exclusive_scan(slots_.begin(), slots_.end(), slots_before_.begin(), 0);
}

void RunWatch::ran(int rank, const Result& r, std::string command) {
  const auto k = static_cast<std::size_t>(rank);
  ++tasks_[k];
  busy_[k] += r.runtime;
  if (!tracing()) return;
  // The Executor numbers rank r's slots after those of ranks 0..r-1 ({%}).
  const int slot = std::clamp(r.slot - slots_before_[k], 1, slots_[k]);
  const bool killed = r.outcome == Outcome::Halted || r.outcome == Outcome::Stopped ||
                      r.exitval == -1;  // --timeout
  runs_.push_back({.rank = rank,
                   .kind = Trace::Kind::Job,
                   .start_ns = to_ns(r.start),
                   .end_ns = to_ns(r.start) + to_ns(r.runtime),
                   .begin = r.seq,
                   .items = 1,
                   .failed = r.failed(),
                   .killed = killed,
                   .slot = slot,
                   .exit = r.exitval,
                   .signal = r.signal});
  commands_.push_back(std::move(command));
}

bool RunWatch::finish(MPI_Comm comm, std::uint64_t jobs) {
  using std::chrono::duration;
  const double seconds = duration<double>(std::chrono::steady_clock::now() - started_).count();
  RunStats s;
  s.jobs = jobs;
  s.seconds = seconds;
  for (std::size_t r = 0; r < hosts_.size(); ++r)
    s.ranks.push_back(
        {.host = hosts_[r], .tasks = tasks_[r], .slots = slots_[r], .busy_seconds = busy_[r]});
  s.imbalance = detail::fill_busy(s.ranks, seconds, false);
  s.jobs_per_second = seconds > 0 ? static_cast<double>(jobs) / seconds : 0;
  s.bytes_sent = bytes_sent_;
  s.bytes_received = bytes_received_;
  s.wait_seconds = std::min(seconds, duration<double>(slept_).count());
  s.dispatch_seconds = seconds - s.wait_seconds;

  Trace trace;
  if (tracing()) {
    // Every worker's offset (0 on rank 0's host, measured elsewhere).
    std::vector<std::int64_t> offset(hosts_.size(), 0);
    for (std::size_t w = 1; w < hosts_.size(); ++w)
      offset[w] = detail::clock_offset(comm, static_cast<int>(w), hosts_[w] != hosts_[0],
                                       detail::wall_clock_ns);
    // The origin: when the run began, or the first job if a clock's offset
    // was measured a little short (no negative times).
    std::int64_t origin = started_wall_ns_;
    for (auto& j : runs_) {
      j.start_ns -= offset[static_cast<std::size_t>(j.rank)];
      j.end_ns -= offset[static_cast<std::size_t>(j.rank)];
      origin = std::min(origin, j.start_ns);
    }
    trace.add_slot_tracks(hosts_, slots_);
    trace.begin_map(origin);
    trace.reserve(runs_.size());
    for (std::size_t i = 0; i < runs_.size(); ++i) trace.add_job(runs_[i], std::move(commands_[i]));
  }

  if (opt_.stats) write_all(STDERR_FILENO, format_stats(s));
  try {
    if (!opt_.stats_json.empty()) detail::write_file(opt_.stats_json, stats_json(s));
    if (tracing()) trace.save(opt_.trace);
  } catch (const std::runtime_error& e) {
    write_all(STDERR_FILENO, fmt::format("mpimap: {}\n", e.what()));
    return false;
  }
  return true;
}

void answer_watch_pings(MPI_Comm comm) { detail::answer_clock_pings(comm, detail::wall_clock_ns); }

}  // namespace mpimap::farm
