#pragma once
// The two sides of the farm: rank 0 (master.cpp) and the others (worker.cpp).

#include <mpi.h>

#include <string>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/options.hpp"

namespace mpimap::farm {

class ItemSource;
class Joblog;
class DoneSet;
class ResultsDir;

/// Runs tasks until rank 0 says stop.
void run_worker(MPI_Comm comm, const RunOptions& opt, const CommandTemplate& command, int rank,
                const std::string& host);

/// What rank 0 opened before the run (on rank 0 only).
struct MasterInputs {
  ItemSource* source;
  Joblog* joblog;                  // may be closed
  const DoneSet* done;             // resumed Seq numbers
  ResultsDir* results;             // may be closed
  std::vector<std::string> hosts;  // every rank's
};

/// Hands out the tasks, prints, logs; returns the exit code.
int run_master(MPI_Comm comm, const RunOptions& opt, const CommandTemplate& command,
               MasterInputs& in);

}  // namespace mpimap::farm
