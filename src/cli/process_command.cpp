// mpimap process FUNCTION ARG...: one Process per argument, like the seed's
// Process(target=f, args=(x,)).start() ... join().

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <type_traits>
#include <vector>

#include "builtins/builtins.hpp"
#include "cli/command.hpp"
#include "cli/parse.hpp"
#include "cli/usage_error.hpp"
#include "mpimap/detail/collective.hpp"
#include "mpimap/mpimap.hpp"

namespace mpimap::cli {

namespace {

struct ProcessArgs {
  std::string function;
  std::vector<std::string> args;
  bool tag = false;
};

// Every rank parses the arguments (each needs the value it may have to run),
// so a bad argument is found the same way everywhere.
template <class In, class Out>
int run_processes(const boost::mpi::communicator& comm, Out (*fn)(In), const ProcessArgs& a) {
  std::vector<In> values(a.args.size());
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    std::optional<std::string> why;
    if constexpr (std::is_same_v<In, double>)
      why = parse_real(a.args[i], values[i]);
    else
      why = parse_int(a.args[i], values[i]);
    if (why)
      throw UsageError(fmt::format("argument {} ({}): {}", i + 1, quote_item(a.args[i]), *why));
  }
  Pool pool(comm);
  pool.tag_process_output(a.tag);
  std::vector<Process> processes;
  for (auto v : values) processes.push_back(pool.process([fn](In x) { fn(x); }, v));
  for (auto& p : processes) p.start();
  int failed = 0;
  for (auto& p : processes) {
    p.join();
    if (pool.is_root() && p.exitcode() != 0) ++failed;
  }
  if (pool.is_root()) {
    if (processes.size() == 1)
      std::cout << "Process completed\n";
    else
      std::cout << processes.size() << " processes completed\n";
    std::cout.flush();
  }
  return detail::from_root(comm, failed ? kExitTaskFailed : 0);
}

}  // namespace

Command add_process_command(CLI::App& app) {
  auto a = std::make_shared<ProcessArgs>();
  auto* sub = app.add_subcommand(
      "process", "Run a built-in function as one Process per argument (start all, join all)");
  sub->add_option("function", a->function, "A built-in function (see `mpimap functions`)")
      ->required();
  sub->add_option("args", a->args, "One argument per process")->required();
  sub->add_flag("--tag", a->tag, "Prefix printed lines with [rank R@host]");
  return {sub, [a](const boost::mpi::communicator& comm) {
            const builtins::Builtin* b = builtins::find_builtin(a->function);
            if (!b)
              throw UsageError(
                  fmt::format("unknown function '{}' (see `mpimap functions`)", a->function));
            return std::visit([&](auto fn) { return run_processes(comm, fn, *a); }, b->fn);
          }};
}

}  // namespace mpimap::cli
