#pragma once
// map --progress, --stats, --stats-json FILE, --trace FILE: the library's
// MapOptions::progress, stats and trace, on the program's side. The progress
// line is the task farm's (farm/progress.hpp), so that map and run look alike.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "farm/progress.hpp"
#include "mpimap/options.hpp"
#include "mpimap/stats.hpp"
#include "mpimap/trace.hpp"

namespace mpimap::cli {

struct WatchArgs {
  bool progress = false;
  bool stats = false;
  std::string stats_json;
  std::string trace;
};

void add_watch_options(CLI::App& sub, WatchArgs& args);

/// On rank 0: what the options asked for, hooked into a map's options.
class MapWatch {
 public:
  explicit MapWatch(const WatchArgs& args);
  /// Rank 0, before the map: the files can be written (UsageError if not).
  void check_files() const;
  /// Sets options.progress, stats and trace as asked (on rank 0 only).
  void apply(MapOptions& options, bool root);
  /// Rank 0, after the map: the stats block on stderr, the files written;
  /// false when a file could not be written (said on stderr).
  bool report();

 private:
  WatchArgs args_;
  farm::Progress progress_;
  MapStats stats_;
  Trace trace_;
};

}  // namespace mpimap::cli
