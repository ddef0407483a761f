#include "cli/launcher.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

namespace mpimap::cli {
namespace {

std::string_view env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

std::optional<std::string> srun_without_pmi() {
  // srun sets SLURM_STEP_ID in the tasks of a step (a batch script has
  // SLURM_JOB_ID but no step id); a PMI plugin or mpirun adds its own.
  const auto tasks = env("SLURM_STEP_NUM_TASKS");
  if (env("SLURM_STEP_ID").empty() || tasks.empty() || tasks == "1") return std::nullopt;
  for (const char* pmi : {"PMIX_RANK", "PMI_RANK", "PMI_FD", "OMPI_COMM_WORLD_SIZE"})
    if (!env(pmi).empty()) return std::nullopt;
  return fmt::format(
      "mpimap: started by srun without PMI ({} tasks that cannot find each other): "
      "run `srun --mpi=pmix mpimap ...`, or `mpirun mpimap ...` inside the allocation",
      tasks);
}

bool first_slurm_task() { return env("SLURM_PROCID") == "0"; }

}  // namespace mpimap::cli
