// mpimap functions: what `map` and `process` can run.

#include <fmt/format.h>

#include <iostream>

#include "builtins/builtins.hpp"
#include "cli/command.hpp"

namespace mpimap::cli {

Command add_functions_command(CLI::App& app) {
  auto* sub = app.add_subcommand("functions", "List the built-in functions");
  return {sub, [](const boost::mpi::communicator& comm) {
            if (comm.rank() == 0)
              for (const auto& b : builtins::builtins())
                std::cout << fmt::format("{:<14} {:<13} {}\n", b.name, b.signature, b.help);
            return 0;
          }};
}

}  // namespace mpimap::cli
