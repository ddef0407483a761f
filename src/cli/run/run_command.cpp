// mpimap run: the task farm (placeholder until it lands).

#include "cli/command.hpp"
#include "cli/usage_error.hpp"

namespace mpimap::cli {

Command add_run_command(CLI::App& app) {
  auto* sub = app.add_subcommand("run", "Map a shell command over items (task farm)");
  sub->allow_extras();
  return {sub, [](const boost::mpi::communicator&) -> int {
            throw UsageError("run: not implemented yet");
          }};
}

}  // namespace mpimap::cli
