// mpimap map FUNCTION [ITEM...] [-a FILE]: Pool.map of a built-in function.

#include <fmt/format.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "builtins/builtins.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "cli/isolate.hpp"
#include "cli/items.hpp"
#include "cli/parse.hpp"
#include "cli/usage_error.hpp"
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
};

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
  detail::root_checked<UsageError>(comm, [&] {
    texts = args.items;
    if (!args.item_file.empty()) read_item_file(args.item_file, texts);
    items = parse_items<In>(texts);
  });
  Pool pool(comm);
  const MapOptions options{
      .schedule = args.schedule, .chunksize = args.chunksize, .tag_output = args.tag};
  int code = 0;
  auto task = [fn, isolate = args.isolate](In x) -> Out {
    return isolate ? isolated(fn, x) : fn(x);
  };
  try {
    if constexpr (std::is_void_v<Out>) {
      pool.for_each(task, items, options);
    } else {
      const auto results = pool.map(task, items, options);
      if (pool.is_root()) print_results(std::cout, results, args.format);
    }
  } catch (const TaskError& e) {  // on every rank; rank 0 has the item's text
    code = kExitTaskFailed;
    if (!pool.is_root()) return detail::from_root(comm, code);
    std::cout.flush();
    std::cerr << fmt::format("mpimap: item {} ({}) failed on rank {}@{}: {}\n", e.index() + 1,
                             quote_item(texts[e.index()]), e.rank(), e.host(), e.message());
  }
  return detail::from_root(comm, code);
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
  // Checked here, not by CLI11: its NonNegativeNumber names a range up to
  // DBL_MAX and it converts a number too big for size_t to SIZE_MAX silently.
  sub->add_option_function<std::string>(
         "--chunksize",
         [args](const std::string& s) {
           std::int64_t n = 0;
           parse_int(s, n);  // the check below has passed
           args->chunksize = static_cast<std::size_t>(n);
         },
         "Items per chunk (0: automatic)")
      ->check(CLI::Validator(
          [](const std::string& s) {
            std::int64_t n = 0;
            const auto why = parse_int(s, n);
            if (!why && n >= 0) return std::string();
            if (why && *why != "not an integer") return fmt::format("{} is {}", s, *why);
            return fmt::format("expected an integer >= 0, got {}", s);
          },
          "INT>=0"))
      ->default_str("0");
  sub->add_flag("--tag", args->tag, "Prefix printed lines with [rank R@host]");
  sub->add_flag("--isolate", args->isolate,
                "Run each task in a child process: a task that crashes fails only its item");
  return {sub, [args](const boost::mpi::communicator& comm) {
            const builtins::Builtin* b = builtins::find_builtin(args->function);
            if (!b)
              throw UsageError(
                  fmt::format("unknown function '{}' (see `mpimap functions`)", args->function));
            return std::visit([&](auto fn) { return map_builtin(comm, fn, *args); }, b->fn);
          }};
}

}  // namespace mpimap::cli
