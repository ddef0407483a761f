#pragma once
// --stats, --stats-json FILE, --trace FILE: declared alike for `map` and
// `run` (header-only: the options fuzz target compiles run's options alone).

#include <CLI/CLI.hpp>

#include <string>

#include "cli/command.hpp"  // kNonEmpty

namespace mpimap::cli {

/// `what`: "the map" or "the run".
inline void add_stats_options(CLI::App& sub, bool& stats, std::string& stats_json,
                              std::string& trace, const std::string& what) {
  sub.add_flag("--stats", stats,
               "After " + what +
                   ", print on stderr what each rank did: tasks, busy time, imbalance, bytes "
                   "moved, rank 0's time");
  sub.add_option("--stats-json", stats_json, "Write the same statistics to FILE as JSON")
      ->type_name("FILE")
      ->check(kNonEmpty);
  sub.add_option("--trace", trace,
                 "Write a timeline to FILE (Chrome Trace Event JSON: open it in "
                 "ui.perfetto.dev, or draw it with scripts/timeline)")
      ->type_name("FILE")
      ->check(kNonEmpty);
}

}  // namespace mpimap::cli
