#include "mpimap/detail/executor_engine.hpp"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <span>

#include "mpimap/detail/chunking.hpp"
#include "mpimap/detail/tags.hpp"

namespace mpimap::detail {

namespace {

/// A segment's header: key, seq, count, flags, payload bytes; after the
/// payload, for a map's segment (not a call's), its first item's place in
/// its map, for the
/// crash report (Job::reported_index; a call's number is its seq). Calls
/// are the many tiny segments: eight bytes more each measurably slowed
/// 10^5 submits.
constexpr std::size_t kHeaderBytes = 3 * sizeof(std::uint64_t) + 1 + sizeof(std::uint64_t);
/// Header flags beside JobOptions::flags(): the items follow in a message
/// of their own (travels_apart); the segment is a submit's call.
constexpr std::uint8_t kItemsApart = 8;
constexpr std::uint8_t kIsCall = 16;

std::unique_ptr<TaskRunner>& runner_slot(std::array<std::unique_ptr<TaskRunner>, 8>& runners,
                                         std::uint8_t flags, const Context& ctx) {
  auto& r = runners[flags & 7];
  if (!r)
    r = std::make_unique<TaskRunner>((flags & 1) != 0, (flags & 2) ? ctx.tag : "",
                                     (flags & 4) != 0);
  return r;
}

}  // namespace

Engine::Engine(const Context& ctx)
    : ctx_(ctx),
      workers_(static_cast<std::size_t>(ctx.size)),
      window_(window_for(Schedule::Dynamic)),
      sends_(ctx.comm),
      printer_([](Block& b) { *b.os << b.text << std::flush; }) {}

TaskRunner& Engine::runner(std::uint8_t flags) { return *runner_slot(runners_, flags, ctx_); }

void Engine::add(const std::shared_ptr<Job>& job) {
  if (closed_) throw std::logic_error("mpimap::Executor: the executor is shut down");
  job->set_seq(next_seq_);
  next_seq_ += job->size();
  if (job->size() == 0) {
    note_done(job);
  } else {
    queue_.push_back(job);
    queued_ += job->size();
  }
  top_up();
}

bool Engine::may_take(const Rerun& r, int rank) const {
  const bool root = ctx_.size == 1 || r.job->options().root_computes;
  if (rank == 0 && !root) return false;
  const int computing = ctx_.size - (root ? 0 : 1);
  return r.items.failed_on != rank || computing <= 1;
}

bool Engine::has_work_for(int rank) const {
  if (!queue_.empty()) return true;
  return std::any_of(reruns_.begin(), reruns_.end(),
                     [&](const Rerun& r) { return may_take(r, rank); });
}

const Job& Engine::next_job(int rank) const {
  for (const auto& r : reruns_)
    if (may_take(r, rank)) return *r.job;
  return *queue_.front();
}

std::vector<Engine::Segment> Engine::take(std::uint64_t n, int rank) {
  std::vector<Segment> out;
  for (auto it = reruns_.begin(); n > 0 && it != reruns_.end();) {
    if (!may_take(*it, rank)) {
      ++it;
      continue;
    }
    const std::uint64_t count = std::min(n, it->items.count);
    out.push_back({it->job, it->items.first, count});
    n -= count;
    queued_ -= count;
    it->items.first += count;
    it->items.count -= count;
    it = it->items.count == 0 ? reruns_.erase(it) : it + 1;
  }
  while (n > 0 && !queue_.empty()) {
    auto& job = queue_.front();
    std::uint64_t count = n;
    const auto first = job->take(count);
    if (count) out.push_back({job, first, count});
    n -= count;
    queued_ -= count;
    if (job->undispatched() == 0) queue_.pop_front();
  }
  return out;
}

/// The next chunk's size: the front job's chunksize, or as many items as make
/// auto_chunk_nanos of work by the mean so far (one until it is known), within
/// max_chunk_items, and never more than half a fair share of what is queued
/// (ChunkCursor's cap: a worker gets its share in two chunks at least, so it
/// computes one while the next travels).
std::uint64_t Engine::chunk_items(int rank) const {
  const auto& job = next_job(rank);
  const auto ranks = static_cast<std::uint64_t>(ctx_.size);
  const std::uint64_t fair = (queued_ + 2 * ranks - 1) / (2 * ranks);
  if (job.options().chunksize) return job.options().chunksize;
  const std::uint64_t mean = times_.mean();
  std::uint64_t n = mean ? std::max<std::uint64_t>(1, auto_chunk_nanos(ctx_.size) / mean) : 1;
  n = std::min<std::uint64_t>(n, max_chunk_items(job.item_bytes(), ctx_.size - 1, window_));
  return std::max<std::uint64_t>(1, std::min(n, fair));
}

bool Engine::may_send(int w) const {
  if (queued_ == 0 || !has_work_for(w)) return false;
  const Worker& k = workers_[static_cast<std::size_t>(w)];
  if (k.chunks.size() >= static_cast<std::size_t>(window_)) return false;
  if (k.items == 0) return true;
  const auto ranks = static_cast<std::uint64_t>(ctx_.size);
  return k.items < (queued_ + ranks - 1) / ranks;
}

void Engine::send_chunk(int w) {
  Chunk chunk;
  chunk.segments = take(chunk_items(w), w);
  auto& buf = sends_.buffer();
  Writer wr(buf);
  for (const auto& s : chunk.segments) {
    const bool apart = s.job->items_apart(s.count);
    wr.put(s.job->entry().key());
    wr.put(s.job->seq() + s.first);
    wr.put(s.count);
    const bool call = s.job->is_call();
    wr.put(static_cast<std::uint8_t>(s.job->options().flags() | (apart ? kItemsApart : 0) |
                                     (call ? kIsCall : 0)));
    const std::size_t at = buf.size();
    wr.put<std::uint64_t>(0);
    if (!apart) s.job->write_items(wr, s.first, s.count);
    const std::uint64_t bytes = buf.size() - at - sizeof(std::uint64_t);
    std::memcpy(buf.data() + at, &bytes, sizeof bytes);
    if (!call) wr.put(s.job->reported_index(s.first));
    chunk.items += s.count;
  }
  sends_.send(w, kExecTaskTag);
  // The large runs of items follow, in order, from where they are (the job,
  // which the chunk keeps alive, holds them until its answer is in).
  for (const auto& s : chunk.segments)
    if (s.job->items_apart(s.count))
      sends_.send_view(s.job->items_at(s.first), s.count * s.job->item_bytes(), w,
                       kExecTaskValuesTag);
  Worker& k = workers_[static_cast<std::size_t>(w)];
  k.items += chunk.items;
  k.chunks.push_back(std::move(chunk));
  ++in_flight_;
}

void Engine::top_up() {
  for (int w = 1; w < ctx_.size; ++w)
    while (may_send(w)) send_chunk(w);
}

bool Engine::receive(bool block) {
  const MPI_Status st = receive_any(ctx_.comm, MPI_ANY_SOURCE, kExecResultTag, recv_buf_, block);
  if (st.MPI_SOURCE == MPI_PROC_NULL) return false;
  const int w = st.MPI_SOURCE;
  Worker& k = workers_[static_cast<std::size_t>(w)];
  Chunk chunk = std::move(k.chunks.front());
  k.chunks.pop_front();
  k.items -= chunk.items;
  --in_flight_;
  const std::string& host = ctx_.hosts[static_cast<std::size_t>(w)];
  Reader reader(recv_buf_);
  Outputs outputs;
  bool unreadable = false;  // a result's deserialize threw: the rest cannot be found
  for (const auto& s : chunk.segments) {
    outputs.clear();
    std::span<const Job::Rerun> reruns;
    if (unreadable) {
      s.job->fail_segment(s.first, s.count, w, host,
                          "mpimap: receiving the results threw (an earlier result's deserialize)");
    } else {
      try {
        if (reader.get<std::uint8_t>() != 0) {
          const ChunkStatus status =
              s.job->read_outcome(reader, s.first, s.count, w, host, outputs, ctx_.comm);
          times_.add(status.attempted, status.nanos);
          reruns = queue_reruns(s.job);
        } else {
          s.job->fail_segment(s.first, s.count, w, host,
                              "mpimap: task \"" + s.job->entry().name() + "\" (" +
                                  s.job->entry().signature() + ") is not registered on rank " +
                                  std::to_string(w) +
                                  "; register tasks at namespace scope, so that every rank does");
        }
      } catch (...) {
        unreadable = true;
        s.job->fail_segment(s.first, s.count, w, host,
                            "mpimap: receiving the results threw: " + current_exception_message());
      }
    }
    settled(s, outputs, reruns);
  }
  return true;
}

std::span<const Job::Rerun> Engine::queue_reruns(const std::shared_ptr<Job>& job) {
  const auto reruns = job->new_reruns();
  for (const auto& r : reruns) {
    reruns_.push_back({job, r});
    queued_ += r.count;
  }
  return reruns;
}

void Engine::settled(const Segment& s, Outputs& outputs, std::span<const Job::Rerun> reruns) {
  Job& job = *s.job;
  std::ostream* os = job.options().output ? job.options().output : &std::cout;
  for (auto& [index, text] : outputs) printer_.add(index, Block{os, std::move(text)});
  // Items to run again are not done: their output comes with the rerun.
  std::uint64_t from = job.seq() + s.first;
  for (const auto& r : reruns) {  // in item order
    printer_.complete(from, job.seq() + r.first);
    from = job.seq() + r.first + r.count;
  }
  printer_.complete(from, job.seq() + s.first + s.count);
  if (job.stopping()) drop(job);
  if (job.done()) note_done(s.job);
}

void Engine::note_done(const std::shared_ptr<Job>& job) {
  finished_.push_back(job);
  ++finished_count_;
}

void Engine::drop(Job& job) {
  std::erase_if(reruns_, [&](const Rerun& r) {
    if (r.job.get() != &job) return false;
    job.drop_rerun(r.items.count);
    queued_ -= r.items.count;
    printer_.complete(job.seq() + r.items.first, job.seq() + r.items.first + r.items.count);
    return true;
  });
  std::uint64_t n = 0;
  const auto first = job.drop_rest(n);
  if (n == 0) return;
  queued_ -= n;
  printer_.complete(job.seq() + first, job.seq() + first + n);
  std::erase_if(queue_, [&job](const auto& j) { return j.get() == &job; });
}

void Engine::cancel(const std::shared_ptr<Job>& job) {
  const bool reruns =
      std::any_of(reruns_.begin(), reruns_.end(), [&](const Rerun& r) { return r.job == job; });
  if (job->undispatched() == 0 && !reruns) return;
  drop(*job);
  if (job->done()) note_done(job);  // nothing of it was in flight
}

void Engine::cancel_all() {
  while (!reruns_.empty() || !queue_.empty()) {
    auto job = reruns_.empty() ? queue_.front() : reruns_.front().job;
    drop(*job);
    if (job->done()) note_done(job);
  }
}

bool Engine::may_compute() const {
  if (queued_ == 0 || !has_work_for(0)) return false;
  if (ctx_.size == 1) return true;  // no one else will
  // A rerun that failed on the only worker: rank 0 is the other rank.
  for (const auto& r : reruns_)
    if (ctx_.size == 2 && r.items.failed_on == 1 && may_take(r, 0)) return true;
  if (!next_job(0).options().root_computes) return false;
  const std::uint64_t mean = times_.mean();
  // What rank 0 would take is all that is queued: no worker needs it (and a
  // worker busy with a long task may not be back for a while).
  if (queued_ <= local_items()) return true;
  // Every worker has a chunk queued behind the running one, and work for as
  // long as a long task of rank 0's may take.
  const std::uint64_t need =
      std::max<std::uint64_t>(kBusyItems, mean ? times_.long_task() / mean + 1 : 0);
  for (int w = 1; w < ctx_.size; ++w) {
    const Worker& k = workers_[static_cast<std::size_t>(w)];
    if (k.chunks.size() < static_cast<std::size_t>(window_) && k.items < need) return false;
  }
  return true;
}

/// About kLocalChunk of work by the mean task time (one item until known).
std::uint64_t Engine::local_items() const {
  const std::uint64_t mean = times_.mean();
  if (!mean) return 1;
  return std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::chrono::nanoseconds(kLocalChunk).count()) / mean);
}

bool Engine::run_local_slice() {
  const auto ranks = static_cast<std::uint64_t>(ctx_.size);
  const auto n = std::max<std::uint64_t>(1, std::min(local_items(), (queued_ + ranks - 1) / ranks));
  const auto segments = take(n, 0);
  Outputs outputs;
  for (const auto& s : segments) {
    outputs.clear();
    Job& job = *s.job;
    const ChunkStatus st =
        job.run_local(s.first, s.count, runner(job.options().flags()), outputs, ctx_.host);
    times_.add(st.attempted, st.nanos);
    settled(s, outputs, queue_reruns(s.job));
  }
  return !segments.empty();
}

bool Engine::step(bool compute) {
  bool progressed = false;
  while (ctx_.size > 1 && receive(false)) progressed = true;
  top_up();
  if (!progressed && compute && may_compute()) progressed = run_local_slice();
  while (!finished_.empty()) {
    auto job = std::move(finished_.front());
    finished_.pop_front();
    progressed = true;
    job->finish(quiet_);  // callbacks may throw: the engine's state is whole by now
  }
  return progressed;
}

void Engine::close(bool quiet) {
  if (closed_) return;
  quiet_ = quiet_ || quiet;
  wait_until([this] { return idle() && finished_.empty(); });
  closed_ = true;
  for (int w = 1; w < ctx_.size; ++w) {
    sends_.buffer();
    sends_.send(w, kExecStopTag);
  }
  sends_.drain();
}

void serve(const Context& ctx) {
  SendQueue sends(ctx.comm);
  std::vector<char> in;
  std::array<std::unique_ptr<TaskRunner>, 8> runners;
  ValuesApart apart{.comm = ctx.comm, .sends = &sends, .results = {}};
  while (true) {
    const MPI_Status st = receive_any(ctx.comm, 0, MPI_ANY_TAG, in, true);
    if (st.MPI_TAG == kExecStopTag) break;
    std::vector<char>& out = sends.buffer();
    Writer w(out);
    const std::span<const char> msg(in);
    std::size_t pos = 0;
    while (pos + kHeaderBytes <= msg.size()) {
      Reader header(msg.subspan(pos, kHeaderBytes));
      const auto key = header.get<std::uint64_t>();
      const auto begin = header.get<std::uint64_t>();
      const auto count = header.get<std::uint64_t>();
      const auto flags = header.get<std::uint8_t>();
      const auto bytes = header.get<std::uint64_t>();
      pos += kHeaderBytes;
      Reader payload(msg.subspan(pos, bytes));
      pos += bytes;
      const bool call = (flags & kIsCall) != 0;
      std::uint64_t shown = begin;  // a call's number is its seq
      if (!call) {
        shown = Reader(msg.subspan(pos, sizeof(std::uint64_t))).get<std::uint64_t>();
        pos += sizeof(std::uint64_t);
      }
      const TaskEntry* entry = find_task(key);
      w.put<std::uint8_t>(entry != nullptr);
      if (!entry) continue;
      const std::size_t mark = out.size();
      const RunningTaskName named(entry->name().c_str(), begin - shown, call);
      try {
        entry->serve(payload, begin, count, (flags & kItemsApart) != 0,
                     *runner_slot(runners, flags, ctx), w, apart);
      } catch (...) {  // outside the tasks (a result's serialize threw): the segment fails
        out.resize(mark);
        write_outcome<Nothing>(w, broken_chunk(begin, "sending the results"), nullptr, {});
        write_types(w, {});
      }
    }
    sends.send(0, kExecResultTag);
    for (auto& values : apart.results) sends.send(std::move(values), 0, kExecResultValuesTag);
    apart.results.clear();
    if (sends.pending() > 2 * kMaxPendingSends) sends.drain();
  }
  sends.drain();
}

}  // namespace mpimap::detail
