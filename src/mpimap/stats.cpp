#include "mpimap/stats.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "mpimap/detail/report_text.hpp"

namespace mpimap {

using detail::bytes_text;
using detail::json_escaped;
using detail::seconds_text;

namespace {

/// A map's ranks show their chunks, a run's their slots: the one column in
/// which the two tables differ.
enum class Column { Chunks, Slots };

std::uint64_t column_value(const RankStats& k, Column c) {
  return c == Column::Chunks ? k.chunks : static_cast<std::uint64_t>(k.slots);
}

/// The per-rank table: a heading and a line per rank.
std::string rank_table(const std::vector<RankStats>& ranks, Column c) {
  std::size_t host_width = 4;
  for (const auto& r : ranks) host_width = std::max(host_width, r.host.size());
  std::string out =
      fmt::format("  {:>4}  {:<{}}  {:>10}  {:>7}  {:>9}  {:>6}\n", "rank", "host", host_width,
                  "tasks", c == Column::Chunks ? "chunks" : "slots", "busy", "busy %");
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    const auto& k = ranks[r];
    out += fmt::format("  {:>4}  {:<{}}  {:>10}  {:>7}  {:>9}  {:>6.1f}\n", r, k.host, host_width,
                       k.tasks, column_value(k, c), seconds_text(k.busy_seconds), k.busy_percent);
  }
  return out;
}

/// The per-rank table as a JSON array.
std::string ranks_json(const std::vector<RankStats>& ranks, Column c) {
  std::string out = "[";
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    const auto& k = ranks[r];
    out += fmt::format(
        "{}{{\"rank\":{},\"host\":\"{}\",\"tasks\":{},\"{}\":{},\"busy_seconds\":{:.9f},"
        "\"busy_percent\":{:.3f}}}",
        r ? "," : "", r, json_escaped(k.host), k.tasks, c == Column::Chunks ? "chunks" : "slots",
        column_value(k, c), k.busy_seconds, k.busy_percent);
  }
  return out + "]";
}

std::string moved_text(std::uint64_t sent, std::uint64_t received) {
  return fmt::format("  moved: {} to the workers, {} back\n", bytes_text(sent),
                     bytes_text(received));
}

}  // namespace

namespace detail {

double fill_busy(std::vector<RankStats>& ranks, double seconds, bool root_idle) {
  double max_busy = 0, sum_busy = 0;
  int computing = 0;
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    RankStats& k = ranks[r];
    const double slots = std::max(1, k.slots);
    k.busy_percent =
        seconds > 0 ? std::clamp(100 * k.busy_seconds / (slots * seconds), 0.0, 100.0) : 0;
    if (r == 0 && root_idle) continue;
    max_busy = std::max(max_busy, k.busy_seconds / slots);
    sum_busy += k.busy_seconds / slots;
    ++computing;
  }
  return sum_busy > 0 ? max_busy / (sum_busy / computing) : 0;
}

}  // namespace detail

std::string format_stats(const MapStats& s) {
  std::string out =
      fmt::format("mpimap stats: {} items in {} ({:.4g} items/s), {} schedule\n", s.items,
                  seconds_text(s.seconds), s.items_per_second, to_string(s.schedule));
  out += rank_table(s.ranks, Column::Chunks);
  out += fmt::format("  imbalance (max/mean busy): {:.2f}\n", s.imbalance);
  out += fmt::format("  chunks: {}, {} to {} items (mean {:.1f})\n", s.chunks, s.min_chunk,
                     s.max_chunk, s.mean_chunk);
  out += moved_text(s.bytes_sent, s.bytes_received);
  out += fmt::format("  rank 0: dispatching {}, computing {}, waiting {}\n",
                     seconds_text(s.dispatch_seconds), seconds_text(s.compute_seconds),
                     seconds_text(s.wait_seconds));
  return out;
}

std::string stats_json(const MapStats& s) {
  return fmt::format(
      "{{\"schedule\":\"{}\",\"items\":{},\"seconds\":{:.9f},\"items_per_second\":{:.3f},"
      "\"imbalance\":{:.6f},\"chunks\":{},\"min_chunk\":{},\"max_chunk\":{},\"mean_chunk\":{:.3f},"
      "\"bytes_sent\":{},\"bytes_received\":{},\"rank0\":{{\"dispatch_seconds\":{:.9f},"
      "\"compute_seconds\":{:.9f},\"wait_seconds\":{:.9f}}},\"ranks\":{}}}\n",
      to_string(s.schedule), s.items, s.seconds, s.items_per_second, s.imbalance, s.chunks,
      s.min_chunk, s.max_chunk, s.mean_chunk, s.bytes_sent, s.bytes_received, s.dispatch_seconds,
      s.compute_seconds, s.wait_seconds, ranks_json(s.ranks, Column::Chunks));
}

std::string format_stats(const RunStats& s) {
  int slots = 0;
  for (const auto& k : s.ranks) slots += k.slots;
  std::string out =
      fmt::format("mpimap stats: {} jobs in {} ({:.4g} jobs/s), {} ranks, {} slots\n", s.jobs,
                  seconds_text(s.seconds), s.jobs_per_second, s.ranks.size(), slots);
  out += rank_table(s.ranks, Column::Slots);
  out += fmt::format("  imbalance (max/mean busy per slot): {:.2f}\n", s.imbalance);
  out += moved_text(s.bytes_sent, s.bytes_received);
  out += fmt::format("  rank 0: dispatching {}, waiting {}\n", seconds_text(s.dispatch_seconds),
                     seconds_text(s.wait_seconds));
  return out;
}

std::string stats_json(const RunStats& s) {
  return fmt::format(
      "{{\"jobs\":{},\"seconds\":{:.9f},\"jobs_per_second\":{:.3f},\"imbalance\":{:.6f},"
      "\"bytes_sent\":{},\"bytes_received\":{},\"rank0\":{{\"dispatch_seconds\":{:.9f},"
      "\"wait_seconds\":{:.9f}}},\"ranks\":{}}}\n",
      s.jobs, s.seconds, s.jobs_per_second, s.imbalance, s.bytes_sent, s.bytes_received,
      s.dispatch_seconds, s.wait_seconds, ranks_json(s.ranks, Column::Slots));
}

}  // namespace mpimap
