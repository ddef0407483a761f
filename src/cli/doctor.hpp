#pragma once
// mpimap doctor: what each rank sees of its environment (facts), and what
// rank 0 concludes from all of them (findings, each with its fix). The
// conclusions are a pure function of the facts, so that every problem can be
// tested without the machine that has it.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mpimap::cli::doctor {

/// What one rank sees.
struct RankFacts {
  int rank = 0;
  std::string host;
  unsigned cores = 0;                      // CPUs online on its host
  bool root = false;                       // effective user id 0
  std::string library;                     // MPI_Get_library_version, first line
  std::int64_t shm_bytes = -1;             // size of /dev/shm; -1: none
  std::map<std::string, std::string> env;  // the variables that matter (see kEnvVars)
};

/// What rank 0 alone needs to know (the same on every rank).
struct JobFacts {
  int size = 1;
  int universe = 0;                             // MPI_UNIVERSE_SIZE (slots), 0: not given
  int version = 0, subversion = 0;              // MPI_Get_version
  int built_version = 0, built_subversion = 0;  // MPI_VERSION of mpi.h
  std::string built_library;                    // "Open MPI 4.1.4" from mpi.h
  std::string thread_level;                     // MPI_Query_thread, by name
  std::int64_t tag_ub = 0;                      // MPI_TAG_UB
  int highest_tag = 0;                          // the highest mpimap itself uses
};

enum class Level { Ok, Note, Warn, Problem };

struct Finding {
  Level level = Level::Ok;
  std::string topic;  // "MPI library", "launcher", ...
  std::string what;
  std::string fix;  // empty for Ok and Note
};

/// The environment variables a rank reports: launchers, Open MPI's root
/// permission, and every OMPI_MCA_* setting.
bool reported_variable(const std::string& name);

std::vector<Finding> diagnose(const JobFacts& job, const std::vector<RankFacts>& ranks);

/// "ok", "note", "warn", "PROBLEM".
const char* label(Level level);

}  // namespace mpimap::cli::doctor
