#include "farm/options.hpp"

#include <signal.h>
#include <string.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>

#include "farm/error.hpp"
#include "farm/walltime.hpp"

namespace mpimap::farm {

namespace {
constexpr int kMaxJobs = 1024;

bool parse_number(const std::string& s, double& out) {
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

bool parse_count(const std::string& s, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

/// GNU parallel's --halt: never | now|soon , fail|success|done = N | N%; the
/// short forms 0 1 2 -1 -2 and N%.
void parse_halt(RunOptions& opt) {
  std::string h = opt.halt;
  if (h == "0") h = "never";
  if (h == "1") h = "soon,fail=1";
  if (h == "2") h = "now,fail=1";
  if (h == "-1") h = "soon,success=1";
  if (h == "-2") h = "now,success=1";
  static const std::regex pct_only(R"(^(\d+)%$)");
  if (std::regex_match(h, pct_only)) h = "soon,fail=" + h;
  const auto bad = [&] {
    return UsageError(
        fmt::format("--halt {}: expected never, or now|soon,fail|success|done=N (N >= 1) or =N% "
                    "(GNU parallel's forms 0, 1, 2, -1, -2 and N% too)",
                    opt.halt));
  };
  if (h == "never") {
    opt.halt_mode = HaltMode::Never;
    return;
  }
  static const std::regex form(R"(^(now|soon),(fail|success|done)=(\d+)(%?)$)");
  std::smatch m;
  if (!std::regex_match(h, m, form)) throw bad();
  opt.halt_mode = m[1] == "now" ? HaltMode::Now : HaltMode::Soon;
  opt.halt_on = m[2] == "fail" ? HaltOn::Fail : m[2] == "success" ? HaltOn::Success : HaltOn::Done;
  std::uint64_t n = 0;
  if (!parse_count(m[3].str(), n) || n < 1) throw bad();
  if (m[4].length()) {
    if (n > 100) throw bad();
    opt.halt_percent = static_cast<double>(n) / 100;
    opt.halt_count = 0;
  } else {
    opt.halt_count = n;
    opt.halt_percent = 0;
  }
}

JobsSpec parse_jobs(const std::string& j) {
  JobsSpec spec;
  std::string s = j;
  if (s.starts_with("+")) {
    spec.kind = JobsSpec::Plus;
    s.erase(0, 1);
  } else if (s.starts_with("-")) {
    spec.kind = JobsSpec::Minus;
    s.erase(0, 1);
  } else if (s.ends_with("%")) {
    spec.kind = JobsSpec::Percent;
    s.pop_back();
  }
  double v = 0;
  static const std::regex integral(R"(^\d+$)"), decimal(R"(^\d+(\.\d+)?$)");
  if (!std::regex_match(s, spec.kind == JobsSpec::Percent ? decimal : integral) ||
      !parse_number(s, v) || (spec.kind == JobsSpec::Count && v > kMaxJobs))
    throw UsageError(fmt::format(
        "--jobs {}: expected N (1 to {}; 0: as many as the rank can run), N% of the rank's "
        "cores, +N or -N",
        j, kMaxJobs));
  spec.value = v;
  return spec;
}

/// Replaces {name} (and {name/} {name//} {name.} {name/.}) by {id...}.
void rename_columns(std::vector<std::string>& words, const std::string& name, std::size_t id) {
  for (auto& w : words) {
    for (const char* suffix : {"", "/", "//", ".", "/."}) {
      const std::string from = "{" + name + suffix + "}";
      const std::string to = fmt::format("{{{}{}}}", id, suffix);
      for (std::size_t at = w.find(from); at != std::string::npos;
           at = w.find(from, at + to.size()))
        w.replace(at, from.size(), to);
    }
  }
}

}  // namespace

int slots_for(const JobsSpec& spec, int cores, int max_slots) {
  double n = 0;
  switch (spec.kind) {
    case JobsSpec::Count:
      n = spec.value == 0 ? max_slots : spec.value;
      break;
    case JobsSpec::Percent:
      n = std::ceil(cores * spec.value / 100);
      break;
    case JobsSpec::Plus:
      n = cores + spec.value;
      break;
    case JobsSpec::Minus:
      n = cores - spec.value;
      break;
  }
  return static_cast<int>(std::clamp(n, 1.0, static_cast<double>(std::max(1, max_slots))));
}

double parse_duration(const std::string& text, const std::string& what) {
  if (double plain = 0; parse_number(text, plain)) return plain;
  double seconds = 0;
  static const std::regex unit(R"((\d+(?:\.\d+)?)([dhmsDHMS]))");
  static const std::regex whole(R"(^(\d+(\.\d+)?[dhmsDHMS])+$)");
  if (!std::regex_match(text, whole))
    throw UsageError(fmt::format("{} {}: expected seconds, or units as 1d2h3m4.5s", what, text));
  for (std::sregex_iterator m(text.begin(), text.end(), unit), end; m != end; ++m) {
    double v = 0;
    parse_number((*m)[1].str(), v);
    switch (std::tolower(static_cast<unsigned char>((*m)[2].str()[0]))) {
      case 'd':
        v *= 86400;
        break;
      case 'h':
        v *= 3600;
        break;
      case 'm':
        v *= 60;
        break;
      default:
        break;
    }
    seconds += v;
  }
  return seconds;
}

std::uint64_t parse_size(const std::string& text, const std::string& what) {
  static const std::regex re(R"(^(\d+(?:\.\d+)?)([kKmMgGtTpP]i?)?$)");
  std::smatch m;
  double v = 0;
  if (!std::regex_match(text, m, re) || !parse_number(m[1].str(), v))
    throw UsageError(fmt::format("{} {}: expected a size such as 100, 10k, 1M or 2G", what, text));
  if (m[2].length()) {
    const std::string u = m[2].str();
    const bool binary = std::isupper(static_cast<unsigned char>(u[0])) || u.size() == 2;
    const int power = std::string("kmgtp").find(static_cast<char>(std::tolower(u[0]))) + 1;
    v *= std::pow(binary ? 1024.0 : 1000.0, power);
  }
  if (v > 9e18) throw UsageError(fmt::format("{} {}: too large", what, text));
  return static_cast<std::uint64_t>(v);
}

std::vector<std::pair<int, double>> parse_term_seq(const std::string& text) {
  std::vector<std::pair<int, double>> steps;
  const auto bad = [&] {
    return UsageError(fmt::format(
        "--term-seq {}: expected signals and waits in milliseconds, as TERM,200,TERM,100,KILL,25",
        text));
  };
  std::vector<std::string> parts;
  for (std::size_t at = 0;;) {
    const auto comma = text.find(',', at);
    parts.push_back(text.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  for (std::size_t i = 0; i < parts.size(); i += 2) {
    std::string name = parts[i];
    if (name.starts_with("SIG")) name.erase(0, 3);
    int sig = 0;
    std::uint64_t number = 0;
    if (parse_count(name, number)) {
      if (number >= 1 && number < NSIG) sig = static_cast<int>(number);
    } else {
      for (int n = 1; n < NSIG && sig == 0; ++n)
        if (const char* abbrev = sigabbrev_np(n); abbrev && name == abbrev) sig = n;
    }
    if (sig == 0) throw bad();
    double wait = 0;
    if (i + 1 < parts.size() && (!parse_number(parts[i + 1], wait) || wait < 0)) throw bad();
    steps.emplace_back(sig, wait);
  }
  return steps;
}

std::string unescape_delimiter(const std::string& t) {
  // GNU parallel's unquote_printf: \t \n \r, \NNN and \N (octal).
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\' || i + 1 == t.size()) {
      out += t[i];
      continue;
    }
    const char c = t[i + 1];
    if (c == 't' || c == 'n' || c == 'r') {
      out += c == 't' ? '\t' : c == 'n' ? '\n' : '\r';
      ++i;
      continue;
    }
    std::size_t digits = 0;
    while (digits < 3 && i + 1 + digits < t.size() &&
           std::isdigit(static_cast<unsigned char>(t[i + 1 + digits])))
      ++digits;
    if (digits == 3 || digits == 1) {
      int v = 0;
      for (std::size_t k = 0; k < digits; ++k) v = v * 8 + (t[i + 1 + k] - '0');
      out += static_cast<char>(v & 0xff);
      i += digits;
      continue;
    }
    out += t[i];
  }
  return out;
}

void finish_options(RunOptions& opt) {
  if (!opt.unsupported.empty()) {
    const std::string& o = opt.unsupported.front();
    const bool remote = o == "-S" || o.starts_with("--sshlogin") || o == "--slf" ||
                        o.starts_with("--transfer") || o == "--tf" || o == "--return" ||
                        o == "--trc" || o.starts_with("--basefile") || o == "--bf" ||
                        o == "--cleanup" || o == "--onall" || o == "--nonall" ||
                        o == "--filter-hosts" || o == "--controlmaster" || o == "-M" ||
                        o == "--ssh" || o == "--sshdelay" || o == "--hostgroups";
    throw UsageError(fmt::format(
        "run: {} is not supported{}", o,
        remote ? ": MPI ranks are mpimap's remote execution (run mpimap under mpirun or srun "
                 "across the hosts; see the README)"
               : " (see the README's table of GNU parallel's options)"));
  }
  if (opt.cat && opt.fifo) throw UsageError("run: --cat and --fifo do not go together");
  // GNU parallel: --cat and --fifo imply --pipe.
  if ((opt.cat || opt.fifo) && !opt.pipepart) opt.pipe = true;
  opt.command.clear();
  opt.sources.clear();
  for (const auto& f : opt.arg_files) opt.sources.push_back({.is_file = true, .path = f});
  // COMMAND ::: ARGS :::: FILES :::+ ARGS ::::+ FILES (GNU parallel's order:
  // -a first, then the groups as given).
  const std::string& as = opt.arg_sep;
  const std::string& fs = opt.arg_file_sep;
  bool in_groups = false;
  bool is_file = false, linked = false;
  for (const auto& w : opt.words) {
    if (w == as || w == as + "+" || w == fs || w == fs + "+") {
      in_groups = true;
      is_file = w.starts_with(fs) && (w == fs || w == fs + "+");
      linked = w.ends_with("+");
      if (!is_file) opt.sources.push_back({.is_file = false, .linked = linked});
      continue;
    }
    if (!in_groups) {
      opt.command.push_back(w);
    } else if (is_file) {
      opt.sources.push_back({.is_file = true, .path = w, .linked = linked});
    } else {
      opt.sources.back().args.push_back(w);
    }
  }
  if (std::count_if(opt.sources.begin(), opt.sources.end(),
                    [](const SourceSpec& s) { return s.is_file && s.path == "-"; }) > 1)
    throw UsageError("run: standard input ('-') can be only one input source");
  for (const auto& s : opt.sources)
    if (s.is_file && s.path.empty()) throw UsageError("run: an input file name is empty");

  // How the sources are read.
  opt.read = {};
  if (opt.null) opt.read.delimiter = std::string(1, '\0');
  if (opt.delimiter) {
    opt.read.delimiter = unescape_delimiter(*opt.delimiter);
    if (opt.read.delimiter.empty()) throw UsageError("-d: expected a delimiter, got ''");
  }
  opt.read.eof = opt.eof;
  opt.read.skip_blank = opt.skip_blank;
  opt.read.link = opt.link;
  opt.read.colsep = opt.colsep;
  if (opt.header && !opt.pipe && !opt.pipepart) {
    opt.read.header = *opt.header != "0";
    opt.read.name_files = true;
    if (!opt.read.colsep) opt.read.colsep = "\t";
  }

  // How records make jobs.
  opt.batch = {};
  opt.templ = {};
  auto count_of = [](const std::optional<std::string>& v, const char* name) {
    return static_cast<std::size_t>(parse_size(*v, name));
  };
  if (opt.max_args) opt.batch.max_args = count_of(opt.max_args, "-n");
  std::optional<std::size_t> lines;
  if (opt.max_lines_1) lines = 1;
  if (opt.max_lines) lines = std::max<std::size_t>(count_of(opt.max_lines, "--max-lines"), 1);
  if (opt.max_lines_L) lines = count_of(opt.max_lines_L, "-L");
  if (lines && !opt.pipe && !opt.pipepart) {
    opt.read.continue_lines = true;
    if (!opt.batch.max_args) opt.batch.max_args = *lines;
  }
  if (opt.max_replace_args) {
    opt.batch.max_args = count_of(opt.max_replace_args, "-N");
    opt.templ.context_replace = true;
  }
  if ((opt.max_lines_L || opt.max_replace_args) && !(opt.xargs || opt.multiple))
    opt.templ.context_replace = true;
  if (opt.context) opt.templ.context_replace = true;
  opt.batch.fill = opt.multiple || opt.context || opt.xargs;
  opt.batch.spread = opt.multiple || opt.context;
  if (opt.max_chars) {
    opt.batch.max_length = count_of(opt.max_chars, "-s");
    if (opt.batch.max_length < 1) throw UsageError("-s: expected at least 1");
    opt.batch.max_length = std::min(opt.batch.max_length, kGnuMaxCommandLine);
  }
  auto& names = opt.templ.names;
  const auto rename = [](const std::optional<std::string>& v, std::string& name, const char* what) {
    if (!v) return;
    if (v->empty())
      throw UsageError(fmt::format("{}: expected a replacement string, got ''", what));
    name = *v;
  };
  rename(opt.replace_item, names.item, "-I");
  rename(opt.replace_ext, names.no_ext, "--extensionreplace");
  rename(opt.replace_base, names.base, "--basenamereplace");
  rename(opt.replace_dir, names.dir, "--dirnamereplace");
  rename(opt.replace_base_ext, names.base_no_ext, "--basenameextensionreplace");
  rename(opt.replace_seq, names.seq, "--seqreplace");
  rename(opt.replace_slot, names.slot, "--slotreplace");
  opt.templ.plus = opt.plus;
  opt.templ.quote_all = opt.quote;
  // --cat, --fifo: {} is the input's file, $PARALLEL_TMP (appended when missing).
  opt.templ.append_item = !(opt.pipe || opt.pipepart) || opt.cat || opt.fifo;
  opt.templ.raw_values = opt.cat || opt.fifo;
  // --colsep trims both ends by default (GNU parallel); --trim says otherwise.
  opt.templ.trim = opt.colsep ? 'b' : 'n';
  if (opt.trim) {
    const auto& t = *opt.trim;
    if (t == "n")
      opt.templ.trim = 'n';
    else if (t == "l" || t == "r")
      opt.templ.trim = t[0];
    else if (t == "lr" || t == "rl")
      opt.templ.trim = 'b';
    else
      throw UsageError(fmt::format("--trim {}: expected n, l, r, lr or rl", t));
  }

  if (opt.command.empty() && (opt.pipe || opt.pipepart))
    throw UsageError("run: --pipe needs a command to pipe into (e.g. 'wc -l')");
  opt.jobs_spec = parse_jobs(opt.jobs);
  if (opt.retries < 0) throw UsageError(fmt::format("--retries {}: expected N >= 0", opt.retries));
  opt.max_attempts = static_cast<std::uint32_t>(std::max(opt.retries, 1));
  opt.timeout_seconds = opt.timeout_percent = 0;
  if (!opt.timeout.empty()) {
    if (opt.timeout.ends_with("%")) {
      double pct = 0;
      if (!parse_number(opt.timeout.substr(0, opt.timeout.size() - 1), pct) || pct <= 0)
        throw UsageError(fmt::format(
            "--timeout {}: expected seconds, units as 1m30s, or N% of the median runtime",
            opt.timeout));
      opt.timeout_percent = pct / 100;
    } else {
      opt.timeout_seconds = parse_duration(opt.timeout, "--timeout");
    }
  }
  if (!std::isfinite(opt.grace) || opt.grace < 0)
    throw UsageError("--grace: expected a number of seconds >= 0");
  opt.delay_seconds = opt.delay.empty() ? 0 : parse_duration(opt.delay, "--delay");
  opt.walltime_end = walltime_deadline(opt.walltime_margin);
  opt.nice_value = 0;
  if (!opt.nice.empty()) {
    const auto [end, ec] =
        std::from_chars(opt.nice.data(), opt.nice.data() + opt.nice.size(), opt.nice_value);
    if (ec != std::errc() || end != opt.nice.data() + opt.nice.size())
      throw UsageError(fmt::format("--nice {}: expected a niceness (-20 to 19)", opt.nice));
  }
  opt.blocks = {};
  opt.block_given = !opt.block.empty();
  if (opt.block_given) {
    opt.blocks.block = parse_size(opt.block, "--block");
    if (opt.blocks.block < 1) throw UsageError("--block: expected at least 1 byte");
  }
  opt.deal.reset();
  if (opt.roundrobin || opt.bin || opt.shard) {
    const char* which = opt.bin ? "--bin" : opt.shard ? "--shard" : "--roundrobin";
    if (!opt.pipe) throw UsageError(fmt::format("run: {} needs --pipe", which));
    if ((opt.bin && opt.shard) || opt.tee)
      throw UsageError(
          fmt::format("run: {} and {} do not go together", which, opt.tee ? "--tee" : "--shard"));
    if (opt.header) throw UsageError(fmt::format("run: {} with --header is not supported", which));
    DealOptions d;
    if (opt.bin || opt.shard) {
      d.mode = opt.bin ? DealOptions::Bin : DealOptions::Shard;
      d.column = parse_deal_column(opt.bin ? *opt.bin : *opt.shard, which);
      d.colsep = opt.colsep.value_or(",");
      try {
        const std::regex check(d.colsep);
      } catch (const std::regex_error&) {
        throw UsageError(fmt::format("--colsep {}: not a regular expression", d.colsep));
      }
    }
    opt.deal = d;
  }
  if (opt.tee && !opt.pipe) throw UsageError("run: --tee needs --pipe");
  opt.block_timeout_seconds = 0;
  if (!opt.block_timeout.empty()) {
    if (!opt.pipe) throw UsageError("run: --block-timeout is for --pipe");
    opt.block_timeout_seconds = parse_duration(opt.block_timeout, "--block-timeout");
    if (opt.block_timeout_seconds < 1)
      throw UsageError("--block-timeout: expected at least 1 second (as GNU parallel)");
  }
  opt.group_by_column = 0;
  if (opt.group_by) {
    if (!opt.pipe || opt.pipepart)
      throw UsageError("run: --group-by is supported with --pipe only");
    if (opt.header) throw UsageError("run: --group-by with --header is not supported");
    opt.group_by_column = parse_deal_column(*opt.group_by, "--group-by");
    if (opt.recstart || opt.recend || opt.regexp)
      throw UsageError("run: --group-by makes its own records: no --recstart, --recend, --regexp");
  }
  if (opt.skip_first_line && !opt.pipe)
    throw UsageError("run: --skip-first-line is supported with --pipe only");
  if (opt.pipe || opt.pipepart) {
    auto& b = opt.blocks;
    b.regexp = opt.regexp;
    // GNU parallel: given one, the other is ""; given none, records end at \n.
    b.recstart = opt.recstart.value_or("");
    b.recend = opt.recend ? *opt.recend : opt.recstart ? std::string() : std::string("\n");
    if (!b.regexp) {
      b.recstart = unescape_record_separator(b.recstart);
      b.recend = unescape_record_separator(b.recend);
    } else if (b.recend.empty() && !opt.recstart) {
      b.recend = "[\\s\\S]";
    }
    b.remove_separators = opt.remove_recsep;
    b.skip_blank = opt.skip_blank;
    b.header = opt.header;
    if (opt.batch.max_args) b.records = std::max<std::uint64_t>(*opt.batch.max_args, 1);
    if (lines) b.lines = *lines;
    if (opt.pipepart) {
      if (std::any_of(opt.sources.begin(), opt.sources.end(),
                      [](const SourceSpec& s) { return !s.is_file || s.path == "-"; }) ||
          opt.sources.empty())
        throw UsageError("run: --pipepart needs files: -a FILE or :::: FILE (not standard input)");
    } else if (opt.tee) {
      if (opt.sources.empty())
        throw UsageError("run: --tee needs arguments (:::, ::::, -a): one job for each");
      if (std::any_of(opt.sources.begin(), opt.sources.end(),
                      [](const SourceSpec& s) { return s.is_file && s.path == "-"; }))
        throw UsageError("run: --tee reads standard input: its arguments cannot come from it");
    } else if (!opt.sources.empty()) {
      throw UsageError("run: --pipe reads standard input: no -a, ::: or :::: (or use --pipepart)");
    }
  }
  if (opt.retry_failed && opt.joblog.empty())
    throw UsageError("--retry-failed needs --joblog FILE");
  opt.joblog_append = opt.joblog.starts_with("+");
  opt.joblog_path = opt.joblog_append ? opt.joblog.substr(1) : opt.joblog;
  if (opt.joblog_append && opt.joblog_path.empty())
    throw UsageError("--joblog +: expected a file name after the +");
  if ((opt.resume || opt.resume_failed) && opt.joblog.empty() && opt.results_dir.empty())
    throw UsageError("--resume and --resume-failed need --joblog FILE or --results");
  parse_halt(opt);
  // --ctag and --ctagstring are --tag and --tagstring in colour.
  if (opt.ctag || opt.ctagstring) opt.color = true;
  if (opt.ctag) opt.tag = true;
  if (opt.ctagstring && !opt.tagstring) opt.tagstring = opt.ctagstring;
  if (opt.tag && !opt.tagstring) opt.tagstring = "{}";
  opt.term_steps.clear();
  if (!opt.term_seq.empty()) opt.term_steps = parse_term_seq(opt.term_seq);
  opt.total_jobs_value.reset();
  if (opt.total_jobs) {
    std::uint64_t n = 0;
    if (!parse_count(*opt.total_jobs, n))
      throw UsageError(fmt::format("--total-jobs {}: expected a number of jobs", *opt.total_jobs));
    opt.total_jobs_value = n;
  }
  static const std::regex var_name(R"(^[A-Za-z_][A-Za-z0-9_]*$)");
  if (!opt.process_slot_var.empty() && !std::regex_match(opt.process_slot_var, var_name))
    throw UsageError(
        fmt::format("--process-slot-var {}: expected a variable name", opt.process_slot_var));
  if (opt.files && opt.ungroup)
    throw UsageError("run: --files and -u: with -u the output is not captured");
}

void rename_header_columns(std::vector<std::string>& words,
                           const std::vector<std::string>& header_names,
                           const std::vector<std::pair<std::string, std::size_t>>& file_names) {
  for (std::size_t i = 0; i < header_names.size(); ++i)
    rename_columns(words, header_names[i], i + 1);
  for (const auto& [name, id] : file_names) rename_columns(words, name, id);
}

}  // namespace mpimap::farm
