// mpimap map FUNCTION [ITEM...] [-a FILE]: Pool.map of a built-in function.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "builtins/builtins.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "cli/isolate.hpp"
#include "cli/items.hpp"
#include "cli/journal.hpp"
#include "cli/map_watch.hpp"
#include "cli/parse.hpp"
#include "cli/stop_signals.hpp"
#include "cli/usage_error.hpp"
#include "farm/error.hpp"
#include "farm/walltime.hpp"
#include "mpimap/detail/collective.hpp"
#include "mpimap/mpimap.hpp"

namespace mpimap::cli {

namespace {

struct MapArgs {
  std::string function;
  std::vector<std::string> items;
  std::string item_file;
  Format format = Format::List;
  Schedule schedule = Schedule::Dynamic;
  std::size_t chunksize = 0;
  bool tag = false;
  bool isolate = false;
  unsigned attempts = 1;  // --retries: attempts in all
  std::string journal;
  bool resume = false;
  std::string walltime_margin;  // --walltime-margin DURATION
  WatchArgs watch;              // --progress, --stats, --stats-json, --trace
};

/// A value as the journal keeps it (Python's repr, which reads back exactly)
/// and back.
template <class Out>
std::string journal_value(const Out& v) {
  return python_repr(v);
}
template <class Out>
Out journal_value_back(const std::string& text, const std::string& path) {
  Out v{};
  std::optional<std::string> why;
  if constexpr (std::is_same_v<Out, double>)
    why = parse_real(text, v);
  else
    why = parse_int(text, v);
  if (why)
    throw UsageError(fmt::format("journal {}: a value {}: {}", path, quote_item(text), *why));
  return v;
}

/// Runs the rest of a journaled map: items [done, n) through imap, each
/// result journaled as it reaches rank 0 (in item order), then printed.
/// What a task prints is captured by the task itself (and tagged), so that
/// the journal can keep it and a resumed run can print it again.
template <class In, class Out, class Task,
          class Value = std::conditional_t<std::is_void_v<Out>, char, Out>>
void map_journaled(Pool& pool, Task& task, std::span<const In> items, const MapArgs& args,
                   const MapOptions& options, std::vector<Value>& values,
                   std::optional<MapJournal>& journal) {
  const std::string tag = fmt::format("[rank {}@{}] ", pool.rank(), pool.host());
  auto captured = [&task, &tag, tagged = args.tag](const In& x) {
    std::ostringstream out;
    std::streambuf* old = std::cout.rdbuf(out.rdbuf());
    struct Restore {
      std::streambuf* old;
      ~Restore() { std::cout.rdbuf(old); }
    } restore{old};
    std::pair<Value, std::string> r;
    if constexpr (std::is_void_v<Out>)
      task(x);
    else
      r.first = task(x);
    r.second = out.str();
    if (tagged && !r.second.empty()) {
      std::string t;
      for (std::size_t start = 0; start < r.second.size();) {
        const auto nl = r.second.find('\n', start);
        const auto end = nl == std::string::npos ? r.second.size() : nl + 1;
        t += tag;
        t.append(r.second, start, end - start);
        start = end;
      }
      r.second = std::move(t);
    }
    return r;
  };
  const std::size_t done = journal ? journal->done().size() : 0;
  pool.imap(
      captured, items,
      [&](std::size_t i, std::pair<Value, std::string> r) {
        MapJournal::Record rec{.output = r.second};
        if constexpr (!std::is_void_v<Out>) rec.value = journal_value(r.first);
        journal->append(done + i, rec);
        std::cout << r.second;
        if constexpr (!std::is_void_v<Out>) values.push_back(r.first);
      },
      options);
}

/// The one line a stopped map leaves on stderr; `by`: what stopped it
/// (empty: the signal).
std::string stop_summary(int signal, std::uint64_t kept, std::size_t items,
                         const std::string& journal, std::string by) {
  const char* name = sigabbrev_np(signal);
  if (by.empty()) by = name ? fmt::format("SIG{}", name) : fmt::format("signal {}", signal);
  if (journal.empty())
    return fmt::format(
        "mpimap: stopped by {} before the map ended; nothing is kept (--journal {} keeps "
        "every finished result)\n",
        by, farm::suggested_file("journal"));
  return fmt::format(
      "mpimap: stopped by {}: {} of {} items done, kept in {}; --resume runs "
      "the other {}\n",
      by, kept, items, journal, items - kept);
}

template <class In>
std::vector<In> parse_items(const std::vector<std::string>& texts) {
  std::vector<In> values(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::optional<std::string> why;
    if constexpr (std::is_same_v<In, double>)
      why = parse_real(texts[i], values[i]);
    else
      why = parse_int(texts[i], values[i]);
    if (why) throw UsageError(fmt::format("item {} ({}): {}", i + 1, quote_item(texts[i]), *why));
  }
  return values;
}

template <class In, class Out>
int map_builtin(const boost::mpi::communicator& comm, Out (*fn)(In), const MapArgs& args) {
  std::vector<std::string> texts;
  std::vector<In> items;
  std::optional<MapJournal> journal;  // rank 0's, with --journal
  using Value = std::conditional_t<std::is_void_v<Out>, char, Out>;
  std::vector<Value> values;  // with --journal: the results so far
  MapWatch watch(args.watch);
  std::optional<std::chrono::steady_clock::time_point> walltime_end;  // rank 0's
  detail::root_checked<UsageError>(comm, [&] {
    watch.check_files();
    try {
      walltime_end = farm::walltime_deadline(args.walltime_margin);
    } catch (const farm::UsageError& e) {
      throw UsageError(e.what());
    }
    if (args.resume && args.journal.empty()) throw UsageError("--resume needs --journal FILE");
    texts = args.items;
    if (!args.item_file.empty()) read_item_file(args.item_file, texts);
    items = parse_items<In>(texts);
    if (args.journal.empty()) return;
    journal.emplace(args.journal, args.resume, args.function, texts.size(),
                    journal_fingerprint(args.function, texts, args.tag));
    // What the journal holds is printed again, as an uninterrupted run would.
    for (const auto& rec : journal->done()) {
      std::cout << rec.output;
      if constexpr (!std::is_void_v<Out>) {
        if (!rec.value)
          throw UsageError(fmt::format("journal {}: a record without a value", args.journal));
        values.push_back(journal_value_back<Out>(*rec.value, args.journal));
      }
    }
  });
  const bool journaled = detail::from_root(comm, journal.has_value() ? 1 : 0) != 0;
  Pool pool(comm);
  const StopSignals signals;
  const StopAt walltime(walltime_end, farm::kWalltimeStop);
  MapOptions options{.schedule = args.schedule,
                     .chunksize = args.chunksize,
                     .tag_output = args.tag,
                     .retries = args.attempts - 1,
                     .stop = &StopSignals::flag()};
  watch.apply(options, pool.is_root());
  int code = 0;
  auto task = [fn, isolate = args.isolate](In x) -> Out {
    return isolate ? isolated(fn, x) : fn(x);
  };
  try {
    if (journaled) {
      const std::size_t done = journal ? journal->done().size() : 0;
      const auto rest = std::span<const In>(items).subspan(done);
      if constexpr (std::is_void_v<Out>) {
        std::vector<char> none;
        map_journaled<In, Out>(pool, task, rest, args, options, none, journal);
      } else {
        map_journaled<In, Out>(pool, task, rest, args, options, values, journal);
        if (pool.is_root()) print_results(std::cout, values, args.format);
      }
    } else if constexpr (std::is_void_v<Out>) {
      pool.for_each(task, items, options);
    } else {
      const auto results = pool.map(task, items, options);
      if (pool.is_root()) print_results(std::cout, results, args.format);
    }
  } catch (const Stopped& e) {  // on every rank
    code = 128 + e.reason();
    if (pool.is_root()) {
      std::cout.flush();
      std::cerr << stop_summary(
          e.reason(), journal ? journal->records() : 0, texts.size(), args.journal,
          walltime.fired() ? "--walltime-margin " + args.walltime_margin : std::string());
    }
  } catch (const TaskError& e) {  // on every rank; rank 0 has the item's text
    code = kExitTaskFailed;
    if (!pool.is_root()) return detail::from_root(comm, code);
    std::cout.flush();
    std::cerr << fmt::format("mpimap: item {} ({}) failed on rank {}@{}: {}\n", e.index() + 1,
                             quote_item(texts[e.index()]), e.rank(), e.host(), e.message());
  }
  if (pool.is_root() && !watch.report()) code = kExitUsage;
  return detail::from_root(comm, code);
}

/// An integer >= 0, checked here, not by CLI11: its NonNegativeNumber names a
/// range up to DBL_MAX and it converts a number too big for size_t to
/// SIZE_MAX silently.
CLI::Validator count_check() {
  return CLI::Validator(
      [](const std::string& s) {
        std::int64_t n = 0;
        const auto why = parse_int(s, n);
        if (!why && n >= 0) return std::string();
        if (why && *why != "not an integer") return fmt::format("{} is {}", s, *why);
        return fmt::format("expected an integer >= 0, got {}", s);
      },
      "INT>=0");
}
/// The value of an option that count_check() has passed.
std::int64_t count_of(const std::string& s) {
  std::int64_t n = 0;
  parse_int(s, n);
  return n;
}

}  // namespace

Command add_map_command(CLI::App& app) {
  auto args = std::make_shared<MapArgs>();
  auto* sub = app.add_subcommand("map",
                                 "Apply a built-in function to every item, in parallel, "
                                 "and print the results in item order");
  sub->add_option("function", args->function, "A built-in function (see `mpimap functions`)")
      ->required();
  sub->add_option("items", args->items, "Items (more may come from -a)");
  sub->add_option("-a,--arg-file", args->item_file,
                  "Read items from FILE, one per line ('-': stdin)")
      ->check(kNonEmpty);
  sub->add_option_function<std::string>(
         "--format",
         [args](const std::string& s) {
           args->format = s == "json" ? Format::Json : s == "lines" ? Format::Lines : Format::List;
         },
         "How to print the results: a Python list, one per line, or JSON")
      ->check(CLI::IsMember({"list", "lines", "json"}))
      ->default_str("list");
  sub->add_option_function<std::string>(
         "--schedule", [args](const std::string& s) { args->schedule = *parse_schedule(s); },
         "How items are divided among ranks")
      ->check(CLI::IsMember({"static", "dynamic", "guided"}))
      ->default_str("dynamic");
  sub->add_option_function<std::string>(
         "--chunksize",
         [args](const std::string& s) { args->chunksize = static_cast<std::size_t>(count_of(s)); },
         "Items per chunk (0: automatic)")
      ->check(count_check())
      ->default_str("0");
  sub->add_option_function<std::string>(
         "--retries",
         [args](const std::string& s) {
           args->attempts =
               static_cast<unsigned>(std::clamp<std::int64_t>(count_of(s), 1, UINT32_MAX));
         },
         "Run a failing task up to N times in all (as `run --retries`), each time on another "
         "rank than the last, where there is one")
      ->check(count_check())
      ->default_str("1");
  sub->add_flag("--tag", args->tag, "Prefix printed lines with [rank R@host]");
  sub->add_option("--journal", args->journal,
                  "Write each result to FILE as it is done, so that --resume can go on "
                  "after a kill")
      ->check(kNonEmpty);
  sub->add_flag("--resume", args->resume,
                "Go on from the --journal FILE of an earlier run: print what it holds, "
                "run the rest");
  sub->add_option("--walltime-margin", args->walltime_margin,
                  "In a Slurm job: from SLURM_JOB_END_TIME minus DURATION on, hand out no "
                  "more items and stop as on SIGUSR1 (exit status 138; with --journal, "
                  "--resume runs the rest)")
      ->type_name("DURATION");
  sub->add_flag("--isolate", args->isolate,
                "Run each task in a child process: a task that crashes fails only its item");
  add_watch_options(*sub, args->watch);
  return {sub, [args](const boost::mpi::communicator& comm) {
            const builtins::Builtin* b = builtins::find_builtin(args->function);
            if (!b)
              throw UsageError(
                  fmt::format("unknown function '{}' (see `mpimap functions`)", args->function));
            return std::visit([&](auto fn) { return map_builtin(comm, fn, *args); }, b->fn);
          }};
}

}  // namespace mpimap::cli
