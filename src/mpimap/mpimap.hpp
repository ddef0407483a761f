#pragma once
// Everything a user of mpimap needs.

#include "mpimap/executor.hpp"    // IWYU pragma: export
#include "mpimap/future.hpp"      // IWYU pragma: export
#include "mpimap/mpi_error.hpp"   // IWYU pragma: export
#include "mpimap/options.hpp"     // IWYU pragma: export
#include "mpimap/pool.hpp"        // IWYU pragma: export
#include "mpimap/process.hpp"     // IWYU pragma: export
#include "mpimap/progress.hpp"    // IWYU pragma: export
#include "mpimap/spawn.hpp"       // IWYU pragma: export
#include "mpimap/stats.hpp"       // IWYU pragma: export
#include "mpimap/stopped.hpp"     // IWYU pragma: export
#include "mpimap/task.hpp"        // IWYU pragma: export
#include "mpimap/task_error.hpp"  // IWYU pragma: export
#include "mpimap/trace.hpp"       // IWYU pragma: export
#include "mpimap/version.hpp"     // IWYU pragma: export
