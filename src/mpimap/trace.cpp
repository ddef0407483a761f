#include "mpimap/trace.hpp"

#include <fmt/format.h>

#include <fstream>
#include <ostream>
#include <stdexcept>

#include "mpimap/detail/report_text.hpp"

namespace mpimap {

namespace {

using detail::json_escaped;

const char* name_of(Trace::Kind k) {
  switch (k) {
    case Trace::Kind::Chunk:
      return "chunk";
    case Trace::Kind::Dispatch:
      return "dispatch";
    case Trace::Kind::Wait:
      return "wait";
    case Trace::Kind::Job:
      return "job";
  }
  return "?";
}

}  // namespace

void Trace::add_track_names(const std::vector<std::string>& hosts) {
  for (std::size_t r = tracks_.size(); r < hosts.size(); ++r)
    tracks_.push_back(fmt::format("rank {}@{}", r, hosts[r]));
}

void Trace::add_slot_tracks(const std::vector<std::string>& hosts, const std::vector<int>& slots) {
  for (std::size_t r = 0; r < hosts.size() && r < slots.size(); ++r) {
    slot_tracks_.push_back(tracks_.size());
    for (int s = 1; s <= slots[r]; ++s)
      tracks_.push_back(fmt::format("rank {}@{} slot {}", r, hosts[r], s));
  }
}

void Trace::begin_map(std::int64_t clock_ns) {
  if (origin_ns_ < 0) origin_ns_ = clock_ns;
}

void Trace::add(Slice s) {
  s.start_ns -= origin_ns_;
  s.end_ns -= origin_ns_;
  slices_.push_back(s);
}

void Trace::add_job(Slice s, std::string command) {
  s.command = static_cast<std::uint32_t>(commands_.size());
  commands_.push_back(std::move(command));
  add(s);
}

void Trace::settle() const {
  if (pending_.empty()) return;
  std::size_t n = slices_.size();
  for (const auto& [rank, notes] : pending_) n += notes.size();
  slices_.reserve(n);
  for (const auto& [rank, notes] : pending_)
    for (const auto& k : notes)
      slices_.push_back({.rank = rank,
                         .kind = Kind::Chunk,
                         .start_ns = k.start_ns - origin_ns_,
                         .end_ns = k.end_ns - origin_ns_,
                         .begin = k.begin,
                         .items = k.items,
                         .failed = k.failed != 0});
  pending_.clear();
}

std::size_t Trace::track_of(const Slice& s) const {
  const auto rank = static_cast<std::size_t>(s.rank);
  if (s.kind != Kind::Job || rank >= slot_tracks_.size()) return rank;
  return slot_tracks_[rank] + static_cast<std::size_t>(s.slot > 0 ? s.slot - 1 : 0);
}

void Trace::write_json(std::ostream& os) const {
  // One process ("mpimap"), one thread per track: Perfetto draws a track per
  // thread, named by thread_name and ordered by thread_sort_index.
  settle();
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  out += R"({"ph":"M","pid":0,"tid":0,"name":"process_name","args":{"name":"mpimap"}})";
  for (std::size_t r = 0; r < tracks_.size(); ++r) {
    out += fmt::format(
        ",\n{{\"ph\":\"M\",\"pid\":0,\"tid\":{0},\"name\":\"thread_name\",\"args\":{{\"name\":"
        "\"{1}\"}}}},\n{{\"ph\":\"M\",\"pid\":0,\"tid\":{0},\"name\":\"thread_sort_index\","
        "\"args\":{{\"sort_index\":{0}}}}}",
        r, json_escaped(tracks_[r]));
  }
  for (const auto& s : slices_) {
    // Microseconds, as the format wants, with nanoseconds kept as decimals.
    const double ts = static_cast<double>(s.start_ns) / 1e3;
    const double dur = static_cast<double>(s.end_ns - s.start_ns) / 1e3;
    const std::size_t tid = track_of(s);
    if (s.kind == Kind::Chunk) {
      const std::string name = s.items == 1
                                   ? fmt::format("item {}", s.begin)
                                   : fmt::format("items {}-{}", s.begin, s.begin + s.items - 1);
      out += fmt::format(
          ",\n{{\"ph\":\"X\",\"pid\":0,\"tid\":{},\"ts\":{:.3f},\"dur\":{:.3f},\"name\":\"{}\","
          "\"cat\":\"chunk\",\"args\":{{\"begin\":{},\"items\":{},\"outcome\":\"{}\"}}}}",
          tid, ts, dur, name, s.begin, s.items, s.failed ? "failed" : "ok");
    } else if (s.kind == Kind::Job) {
      out += fmt::format(
          ",\n{{\"ph\":\"X\",\"pid\":0,\"tid\":{},\"ts\":{:.3f},\"dur\":{:.3f},\"name\":\"job {}\","
          "\"cat\":\"job\",\"args\":{{\"seq\":{},\"outcome\":\"{}\",\"exit\":{},\"signal\":{},"
          "\"command\":\"{}\"}}}}",
          tid, ts, dur, s.begin, s.begin,
          s.killed   ? "killed"
          : s.failed ? "failed"
                     : "ok",
          s.exit, s.signal, s.command < commands_.size() ? json_escaped(commands_[s.command]) : "");
    } else {
      out += fmt::format(
          ",\n{{\"ph\":\"X\",\"pid\":0,\"tid\":{},\"ts\":{:.3f},\"dur\":{:.3f},\"name\":\"{}\","
          "\"cat\":\"{}\"}}",
          tid, ts, dur, name_of(s.kind), name_of(s.kind));
    }
    if (out.size() > (1 << 20)) {
      os << out;
      out.clear();
    }
  }
  out += "\n]}\n";
  os << out;
}

void Trace::save(const std::string& path) const {
  std::ofstream f(path);
  if (f) write_json(f);
  f.close();
  if (!f) throw std::runtime_error(fmt::format("cannot write the trace {}", path));
}

}  // namespace mpimap
