#include "mpimap/stats.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mpimap {

namespace {

std::string bytes_text(std::uint64_t b) {
  if (b >= (std::uint64_t{1} << 30))
    return fmt::format("{:.1f} GiB", static_cast<double>(b) / (1 << 30));
  if (b >= (std::uint64_t{1} << 20))
    return fmt::format("{:.1f} MiB", static_cast<double>(b) / (1 << 20));
  if (b >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(b) / 1024);
  return fmt::format("{} B", b);
}

/// A JSON string's contents.
std::string escaped(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\')
      out += {'\\', ch};
    else if (c < 0x20)
      out += fmt::format("\\u{:04x}", c);
    else
      out += ch;
  }
  return out;
}

/// "512 ms", "3.20 s", "41.0 µs": three significant digits.
std::string seconds_text(double s) {
  if (s >= 1) return fmt::format("{:.3g} s", s);
  if (s >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
  return fmt::format("{:.3g} µs", s * 1e6);
}

}  // namespace

std::string format_stats(const MapStats& s) {
  std::size_t host_width = 4;
  for (const auto& r : s.ranks) host_width = std::max(host_width, r.host.size());
  std::string out =
      fmt::format("mpimap stats: {} items in {} ({:.4g} items/s), {} schedule\n", s.items,
                  seconds_text(s.seconds), s.items_per_second, to_string(s.schedule));
  out += fmt::format("  {:>4}  {:<{}}  {:>10}  {:>7}  {:>9}  {:>6}\n", "rank", "host", host_width,
                     "tasks", "chunks", "busy", "busy %");
  for (std::size_t r = 0; r < s.ranks.size(); ++r) {
    const auto& k = s.ranks[r];
    out += fmt::format("  {:>4}  {:<{}}  {:>10}  {:>7}  {:>9}  {:>6.1f}\n", r, k.host, host_width,
                       k.tasks, k.chunks, seconds_text(k.busy_seconds), k.busy_percent);
  }
  out += fmt::format("  imbalance (max/mean busy): {:.2f}\n", s.imbalance);
  out += fmt::format("  chunks: {}, {} to {} items (mean {:.1f})\n", s.chunks, s.min_chunk,
                     s.max_chunk, s.mean_chunk);
  out += fmt::format("  moved: {} to the workers, {} back\n", bytes_text(s.bytes_sent),
                     bytes_text(s.bytes_received));
  out += fmt::format("  rank 0: dispatching {}, computing {}, waiting {}\n",
                     seconds_text(s.dispatch_seconds), seconds_text(s.compute_seconds),
                     seconds_text(s.wait_seconds));
  return out;
}

std::string stats_json(const MapStats& s) {
  std::string ranks;
  for (std::size_t r = 0; r < s.ranks.size(); ++r) {
    const auto& k = s.ranks[r];
    ranks += fmt::format(
        "{}{{\"rank\":{},\"host\":\"{}\",\"tasks\":{},\"chunks\":{},\"busy_seconds\":{:.9f},"
        "\"busy_percent\":{:.3f}}}",
        r ? "," : "", r, escaped(k.host), k.tasks, k.chunks, k.busy_seconds, k.busy_percent);
  }
  return fmt::format(
      "{{\"schedule\":\"{}\",\"items\":{},\"seconds\":{:.9f},\"items_per_second\":{:.3f},"
      "\"imbalance\":{:.6f},\"chunks\":{},\"min_chunk\":{},\"max_chunk\":{},\"mean_chunk\":{:.3f},"
      "\"bytes_sent\":{},\"bytes_received\":{},\"rank0\":{{\"dispatch_seconds\":{:.9f},"
      "\"compute_seconds\":{:.9f},\"wait_seconds\":{:.9f}}},\"ranks\":[{}]}}\n",
      to_string(s.schedule), s.items, s.seconds, s.items_per_second, s.imbalance, s.chunks,
      s.min_chunk, s.max_chunk, s.mean_chunk, s.bytes_sent, s.bytes_received, s.dispatch_seconds,
      s.compute_seconds, s.wait_seconds, ranks);
}

}  // namespace mpimap
