// mpimap demo: the seed's three programs, over MPI.

#include <cstdint>
#include <iostream>
#include <vector>

#include "builtins/builtins.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "mpimap/mpimap.hpp"

namespace mpimap::cli {

namespace {

void heading(const Pool& pool, const char* text) {
  if (pool.is_root()) std::cout << text << '\n' << std::flush;
}

int demo(const boost::mpi::communicator& comm) {
  Pool pool(comm);
  const auto fn = [](const char* name) {
    return std::get<builtins::IntPrinter>(builtins::find_builtin(name)->fn);
  };

  heading(pool, "== Q-3: Process(target=print_numbers, args=(10,)), start(), join() ==");
  auto p = pool.process(fn("print_numbers"), std::int64_t{10});
  p.start();
  p.join();
  if (pool.is_root()) std::cout << "Process completed\n";

  heading(pool, "\n== Q-5: Pool.map(square, [1, 2, 3, 4, 5]) ==");
  const auto square = std::get<builtins::IntToInt>(builtins::find_builtin("square")->fn);
  const auto squares = pool.map(square, std::vector<std::int64_t>{1, 2, 3, 4, 5});
  if (pool.is_root()) print_results(std::cout, squares, Format::List);

  heading(pool, "\n== Q-6: one Process per number in [1, 2, 3, 4] ==");
  std::vector<Process> processes;
  for (std::int64_t n : {1, 2, 3, 4}) processes.push_back(pool.process(fn("print_number"), n));
  for (auto& q : processes) q.start();
  for (auto& q : processes) q.join();
  return 0;
}

}  // namespace

Command add_demo_command(CLI::App& app) {
  auto* sub = app.add_subcommand("demo", "Run the three programs of the Python seed over MPI");
  return {sub, demo};
}

}  // namespace mpimap::cli
