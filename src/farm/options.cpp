#include "farm/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "farm/error.hpp"

namespace mpimap::farm {

namespace {
constexpr int kMaxJobs = 1024;

/// "never", "now,fail=N", "soon,fail=N".
void parse_halt(RunOptions& opt) {
  const std::string& h = opt.halt;
  if (h == "never") {
    opt.halt_mode = HaltMode::Never;
    return;
  }
  const auto comma = h.find(',');
  const std::string when = h.substr(0, comma);
  const std::string rest = comma == std::string::npos ? "" : h.substr(comma + 1);
  std::uint64_t n = 0;
  const bool count_ok = rest.rfind("fail=", 0) == 0 && [&] {
    const char* b = rest.data() + 5;
    const char* e = rest.data() + rest.size();
    const auto [end, ec] = std::from_chars(b, e, n);
    return ec == std::errc() && end == e && b != e && n >= 1;
  }();
  if ((when != "now" && when != "soon") || !count_ok)
    throw UsageError(
        fmt::format("--halt {}: expected never, now,fail=N or soon,fail=N (N >= 1)", h));
  opt.halt_mode = when == "now" ? HaltMode::Now : HaltMode::Soon;
  opt.halt_fails = n;
}
}  // namespace

void finish_options(RunOptions& opt) {
  opt.command.clear();
  opt.items.clear();
  opt.items_given = false;
  for (const auto& w : opt.words) {
    if (w == ":::") {
      if (opt.items_given)
        throw UsageError("only one ::: list is supported (GNU parallel's combinations are not)");
      opt.items_given = true;
    } else if (w == "::::" || w == ":::+" || w == "::::+") {
      throw UsageError(fmt::format("{} is not supported; use -a FILE", w));
    } else if (opt.items_given) {
      opt.items.push_back(w);
    } else {
      opt.command.push_back(w);
    }
  }
  if (opt.command.empty())
    throw UsageError(
        "run: missing command (usage: mpimap run [OPTIONS] -- COMMAND [ARG...] "
        "[::: ITEM...])");
  if (opt.items_given && !opt.arg_file.empty())
    throw UsageError("give the items with ::: or with -a, not both");
  if (opt.jobs < 1 || opt.jobs > kMaxJobs)
    throw UsageError(fmt::format("--jobs {}: expected 1 to {}", opt.jobs, kMaxJobs));
  if (opt.retries < 0) throw UsageError(fmt::format("--retries {}: expected N >= 0", opt.retries));
  opt.max_attempts = static_cast<std::uint32_t>(std::max(opt.retries, 1));
  if (!std::isfinite(opt.timeout) || opt.timeout < 0)
    throw UsageError("--timeout: expected a number of seconds >= 0");
  if (!std::isfinite(opt.grace) || opt.grace < 0)
    throw UsageError("--grace: expected a number of seconds >= 0");
  if ((opt.resume || opt.resume_failed) && opt.joblog.empty())
    throw UsageError("--resume and --resume-failed need --joblog FILE");
  parse_halt(opt);
}

}  // namespace mpimap::farm
