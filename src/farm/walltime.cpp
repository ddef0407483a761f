#include "farm/walltime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "farm/error.hpp"
#include "farm/options.hpp"

namespace mpimap::farm {

std::optional<std::chrono::steady_clock::time_point> walltime_deadline(const std::string& margin) {
  if (margin.empty()) return std::nullopt;
  const double seconds = parse_duration(margin, "--walltime-margin");
  if (!std::isfinite(seconds) || seconds < 0)
    throw UsageError(fmt::format("--walltime-margin {}: expected a duration >= 0", margin));
  const char* end_time = std::getenv("SLURM_JOB_END_TIME");
  if (!end_time || !*end_time) return std::nullopt;
  const std::string_view text(end_time);
  std::int64_t end = 0;
  const auto [at, ec] = std::from_chars(text.data(), text.data() + text.size(), end);
  if (ec != std::errc() || at != text.data() + text.size() || end < 0)
    throw UsageError(
        fmt::format("SLURM_JOB_END_TIME={}: expected seconds since the epoch", end_time));
  // From the wall clock (the epoch) to the steady one, which waits and
  // compares without jumps. Clamped to a century either way: no overflow.
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double left = std::clamp(static_cast<double>(end) - now - seconds, -3e9, 3e9);
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(left));
}

std::string suggested_file(const std::string& ext) {
  const char* job = std::getenv("SLURM_JOB_ID");
  if (!job || !*job) return "FILE";
  return fmt::format("mpimap-{}.{}", job, ext);
}

}  // namespace mpimap::farm
