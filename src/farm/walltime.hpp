#pragma once
// --walltime-margin DURATION (`mpimap run` and `mpimap map`): a batch job is
// killed at its time limit, and Slurm puts that time in the job's
// environment (SLURM_JOB_END_TIME, seconds since the epoch). From that time
// minus the margin on, mpimap hands out no more work and stops as on SIGUSR1
// (the graceful stop: finished work logged or journalled, one line, exit
// status 138), so that the job script can submit itself again and --resume.
// Without the variable (not in a Slurm job) the option does nothing.
//
// And the job id, for the names of files mpimap suggests (a joblog, a
// journal): unique to the job, so concurrent jobs never share one.

#include <signal.h>

#include <chrono>
#include <optional>
#include <string>

namespace mpimap::farm {

/// What a walltime stop counts as: SIGUSR1, so 128 + 10 = 138 is the exit
/// status, as when Slurm's --signal=B:USR1@N warning stops the run.
inline constexpr int kWalltimeStop = SIGUSR1;

/// The time from which to stop: SLURM_JOB_END_TIME - margin, on the steady
/// clock; nullopt when `margin` is empty or the variable is unset. Throws
/// UsageError for a bad margin (parse_duration's units) or a variable that
/// is not a number of seconds.
std::optional<std::chrono::steady_clock::time_point> walltime_deadline(const std::string& margin);

/// A file name to suggest: "mpimap-JOBID.EXT" in a Slurm job
/// ($SLURM_JOB_ID), else "FILE".
std::string suggested_file(const std::string& ext);

}  // namespace mpimap::farm
