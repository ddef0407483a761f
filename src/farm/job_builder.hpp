#pragma once
// Records into jobs, as GNU parallel 20221122 fills a command line (on rank 0):
//
//   default      one record per job
//   -N n, -n n   up to n records per job (-N0: one record read, none put in)
//   -L n         up to n records (lines) per job
//   -m, -X       as many records as fit in a command line; and when the input
//                ends, the records of the job being filled are spread evenly
//                over every job slot (ceil(records / slots) per job from then on)
//   --xargs      as many as fit, not spread
//   -s n         the command line limit (default 63664, GNU parallel's on Linux)
//
// The length of a command line is GNU parallel's estimate of it
// (CommandTemplate::Meter). A job holding more than one record never goes past
// the limit; a single record longer than it still runs (GNU parallel refuses
// it; here a long command runs from a script file).

#include <cstddef>
#include <optional>

#include "farm/arg_queue.hpp"
#include "farm/command_template.hpp"

namespace mpimap::farm {

/// GNU parallel's usable command line length on Linux: it measures the
/// longest one by a binary search that stops within 1% (130329 bytes for
/// MAX_ARG_STRLEN, 128 KiB) and keeps (that - 3000) / 2.
inline constexpr std::size_t kGnuMaxCommandLine = (130329 - 3000) / 2;

struct BatchOptions {
  std::optional<std::size_t> max_args;  // records per job; 0: -N0
  bool fill = false;                    // -m, -X, --xargs: up to max_length
  bool spread = false;                  // -m, -X
  std::size_t max_length = kGnuMaxCommandLine;
  std::size_t slots_total = 1;  // every rank's slots together
};

class JobBuilder {
 public:
  enum class Next { Job, NotYet, End };

  JobBuilder(ArgQueue& queue, const CommandTemplate& command, BatchOptions opt);
  /// The next job, when its records are in. Never blocks.
  Next next(JobArgs& job);

 private:
  ArgQueue& queue_;
  BatchOptions opt_;
  CommandTemplate::Meter meter_;
  JobArgs current_;
  bool spread_done_ = false;
  std::vector<std::string> record_;
};

}  // namespace mpimap::farm
