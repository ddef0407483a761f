// mpimap demo: the seed's three programs, over MPI: collectively with a Pool
// (every rank runs them), or with --executor through an Executor (rank 0
// runs them, the other ranks serve), so that the two shapes can be compared.

#include <cstdint>
#include <iostream>
#include <memory>
#include <vector>

#include "builtins/builtins.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "mpimap/mpimap.hpp"

namespace mpimap::cli {

namespace {

// The executor's tasks: the same built-ins, registered by name (looked up
// when called, so that no static initialisation order matters).
template <class Fn>
Fn builtin(const char* name) {
  return std::get<Fn>(builtins::find_builtin(name)->fn);
}
inline const auto print_numbers_task = mpimap::task<"demo.print_numbers">(
    +[](std::int64_t n) { builtin<builtins::IntPrinter>("print_numbers")(n); });
inline const auto square_task = mpimap::task<"demo.square">(
    +[](std::int64_t x) { return builtin<builtins::IntToInt>("square")(x); });
inline const auto print_number_task = mpimap::task<"demo.print_number">(
    +[](std::int64_t n) { builtin<builtins::IntPrinter>("print_number")(n); });

int demo_executor(const boost::mpi::communicator& comm) {
  Executor ex(comm);  // ranks 1.. serve here until rank 0 is done
  ex.run([&] {
    std::cout << "== Q-3: ex.apply(print_numbers, 10) ==\n" << std::flush;
    ex.apply(print_numbers_task, std::int64_t{10});
    std::cout << "Process completed\n";

    std::cout << "\n== Q-5: ex.map(square, [1, 2, 3, 4, 5]) ==\n" << std::flush;
    print_results(std::cout, ex.map(square_task, std::vector<std::int64_t>{1, 2, 3, 4, 5}),
                  Format::List);

    std::cout << "\n== Q-6: one ex.submit(print_number, n) per number in [1, 2, 3, 4] ==\n"
              << std::flush;
    std::vector<Future<void>> calls;
    for (std::int64_t n : {1, 2, 3, 4}) calls.push_back(ex.submit(print_number_task, n));
    for (auto& c : calls) c.get();
  });
  return 0;
}

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
  auto executor = std::make_shared<bool>(false);
  sub->add_flag("--executor", *executor,
                "Run them through an Executor: rank 0 runs them, the other ranks serve");
  return {sub, [executor](const boost::mpi::communicator& comm) {
            return *executor ? demo_executor(comm) : demo(comm);
          }};
}

}  // namespace mpimap::cli
