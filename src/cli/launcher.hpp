#pragma once
// How mpimap was started, read from the environment before MPI_Init: srun
// without PMI (Slurm's MpiDefault=none) starts N unconnected copies whose
// MPI_Init each fails with Open MPI's long page; mpimap says so in one line.

#include <optional>
#include <string>

namespace mpimap::cli {

/// The one-line advice when this process was started by `srun` without a PMI
/// plugin (a Slurm job step of several tasks, and no PMI/PMIx/mpirun
/// variables); nothing otherwise (mpirun, srun --mpi=pmix, a batch script,
/// no Slurm at all).
std::optional<std::string> srun_without_pmi();

/// Whether this is task 0 of the Slurm step (the one that prints the advice).
bool first_slurm_task();

}  // namespace mpimap::cli
