#include "cli/run/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>

#include "cli/usage_error.hpp"

namespace mpimap::cli::run {

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
    throw UsageError(fmt::format(
        "--halt {}: expected never, now,fail=N or soon,fail=N (N >= 1)", h));
  opt.halt_mode = when == "now" ? HaltMode::Now : HaltMode::Soon;
  opt.halt_fails = n;
}
/// What CLI11 2.1 makes of a word given to a vector option: "[a,b]" becomes
/// "a" and "b" (recursively, empty parts dropped); any other word is itself.
void cli11_expand(const std::string& word, std::vector<std::string>& out) {
  if (word.size() < 2 || word.front() != '[' || word.back() != ']') {
    out.push_back(word);
    return;
  }
  const std::string inner = word.substr(1, word.size() - 2);
  std::size_t start = 0;
  while (start <= inner.size()) {
    auto comma = inner.find(',', start);
    if (comma == std::string::npos) comma = inner.size();
    if (comma > start) cli11_expand(inner.substr(start, comma - start), out);
    start = comma + 1;
  }
}

/// CLI11 splits a word like "[{}]" or "[a,b]" into a list, which would change
/// the command and the items. The words run to the end of the command line
/// (positionals_at_end), so the exact ones are the last arguments of this
/// process: found by matching them, from the end, against what CLI11 made of
/// them. Linux only; elsewhere (or on any doubt) CLI11's words stay.
void recover_exact_words(std::vector<std::string>& words) {
  if (words.empty()) return;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  if (!in) return;
  const std::string all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::string> argv;
  for (std::size_t start = 0; start < all.size();) {
    auto end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    argv.emplace_back(all, start, end - start);
    start = end + 1;
  }
  std::size_t i = argv.size(), j = words.size();
  std::vector<std::string> expanded;
  while (j > 0 && i > 1) {
    expanded.clear();
    cli11_expand(argv[i - 1], expanded);
    if (expanded.size() > j) return;
    const auto at = words.begin() + static_cast<std::ptrdiff_t>(j - expanded.size());
    if (!std::equal(expanded.begin(), expanded.end(), at)) return;
    j -= expanded.size();
    --i;
  }
  if (j == 0) words.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
}

}  // namespace

void add_run_options(CLI::App& sub, RunOptions& opt) {
  sub.add_option("-a,--arg-file", opt.arg_file,
                 "Read items from FILE, one per line ('-': standard input)")
      ->type_name("FILE");
  sub.add_flag("-0,--null", opt.null, "Items are separated by NUL bytes, not newlines");
  sub.add_option("-j,--jobs", opt.jobs, "Slots per rank: tasks each rank runs at once")
      ->type_name("K")
      ->default_str("1");
  sub.add_flag("-k,--keep-order", opt.keep_order,
               "Print outputs in input order (default: as tasks finish)");
  sub.add_flag("--tag", opt.tag, "Prefix each output line with the item and a tab");
  sub.add_option("--results", opt.results_dir,
                 "Also write each task's output to DIR/<seq>/stdout and DIR/<seq>/stderr")
      ->type_name("DIR");
  sub.add_option("--joblog", opt.joblog,
                 "Log each finished task to FILE (GNU parallel's joblog format)")
      ->type_name("FILE");
  sub.add_flag("--resume", opt.resume, "Skip the items whose Seq is in the joblog");
  sub.add_flag("--resume-failed", opt.resume_failed,
               "Like --resume, but run again the items that failed");
  sub.add_option("--retries", opt.retries,
                 "Run a failing task up to N times in all, on another rank each time "
                 "where there is one (GNU parallel's meaning)")
      ->type_name("N")
      ->default_str("1");
  sub.add_option("--timeout", opt.timeout,
                 "Kill a task's process group after SECONDS (fractional; SIGTERM, then "
                 "SIGKILL 1 s later)")
      ->type_name("SECONDS");
  sub.add_option("--halt", opt.halt,
                 "never | now,fail=N (kill running tasks) | soon,fail=N (let them finish): "
                 "stop starting tasks after N failures")
      ->type_name("WHEN")
      ->default_str("never");
  sub.add_flag("--progress", opt.progress,
               "Show done/total, running, failed, rate and ETA on stderr");
  sub.add_option("command", opt.words, "COMMAND [ARG...] [::: ITEM...] (after --)")
      ->type_name("WORD");
  // Everything from the command on is the command's (mpimap run -j2 grep -k ...).
  sub.positionals_at_end();
}

void finish_options(RunOptions& opt) {
  recover_exact_words(opt.words);
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
    throw UsageError("run: missing command (usage: mpimap run [OPTIONS] -- COMMAND [ARG...] "
                     "[::: ITEM...])");
  if (opt.items_given && !opt.arg_file.empty())
    throw UsageError("give the items with ::: or with -a, not both");
  if (opt.jobs < 1 || opt.jobs > kMaxJobs)
    throw UsageError(fmt::format("--jobs {}: expected 1 to {}", opt.jobs, kMaxJobs));
  if (opt.retries < 0) throw UsageError(fmt::format("--retries {}: expected N >= 0", opt.retries));
  opt.max_attempts = static_cast<std::uint32_t>(std::max(opt.retries, 1));
  if (!std::isfinite(opt.timeout) || opt.timeout < 0)
    throw UsageError("--timeout: expected a number of seconds >= 0");
  if ((opt.resume || opt.resume_failed) && opt.joblog.empty())
    throw UsageError("--resume and --resume-failed need --joblog FILE");
  parse_halt(opt);
}

}  // namespace mpimap::cli::run
