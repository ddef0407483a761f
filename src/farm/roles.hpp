#pragma once
// The two sides of the farm: rank 0 (master.cpp) and the others (worker.cpp).

#include <mpi.h>

#include <optional>
#include <string>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/executor.hpp"
#include "farm/options.hpp"

namespace mpimap::farm {

class ArgQueue;
class BlockSource;
struct FilePart;
class Joblog;
class DoneSet;
class ResultsDir;
class ResultsTable;

/// What every rank runs tasks with.
struct RankSetup {
  const CommandTemplate* command;
  int rank = 0;
  int slots = 1;  // this rank's
  std::string host;
  ExecOptions exec;
};

/// Runs tasks until rank 0 says stop.
void run_worker(MPI_Comm comm, const RunOptions& opt, const RankSetup& setup);

/// What rank 0 opened before the run (on rank 0 only).
/// --pipepart: one job's part of a file.
struct PipePart {
  std::string file, header;
  std::uint64_t offset = 0, length = 0;
};

struct MasterInputs {
  ArgQueue* args;                  // null with --pipe, --pipepart
  BlockSource* blocks;             // --pipe: standard input's blocks
  std::vector<PipePart> parts;     // --pipepart
  Joblog* joblog;                  // may be closed
  const DoneSet* done;             // resumed Seq numbers
  ResultsDir* results;             // may be closed
  const CommandTemplate* tag;      // --tag / --tagstring; null: none
  bool merged_output = false;      // stdout and stderr end in the same file
  std::vector<std::string> hosts;  // every rank's
  std::vector<int> slots;          // every rank's
  /// --roundrobin, --bin, --shard: each job's standard input, dealt already.
  std::optional<std::vector<std::string>> dealt;
  std::string tee_input;          // --tee: every job's standard input
  ResultsTable* table = nullptr;  // --results NAME.csv/.tsv/.json; may be closed
};

/// Hands out the tasks, prints, logs; returns the exit code.
int run_master(MPI_Comm comm, const RunOptions& opt, const RankSetup& setup, MasterInputs& in);

}  // namespace mpimap::farm
