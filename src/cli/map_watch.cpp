#include "cli/map_watch.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/command.hpp"
#include "cli/stats_options.hpp"
#include "cli/usage_error.hpp"
#include "mpimap/detail/report_text.hpp"
#include "mpimap/progress.hpp"

namespace mpimap::cli {

void add_watch_options(CLI::App& sub, WatchArgs& args) {
  sub.add_flag("--progress", args.progress,
               "Show done/total, rate and ETA on stderr (redrawn in place on a terminal, a "
               "line every 5 s otherwise)");
  add_stats_options(sub, args.stats, args.stats_json, args.trace, "the map");
}

MapWatch::MapWatch(const WatchArgs& args) : args_(args), progress_(args.progress) {}

void MapWatch::check_files() const {
  for (const std::string* path : {&args_.stats_json, &args_.trace}) {
    if (path->empty()) continue;
    std::ofstream f(*path);
    if (!f) throw UsageError(fmt::format("cannot write {}: {}", *path, std::strerror(errno)));
  }
}

void MapWatch::apply(MapOptions& options, bool root) {
  if (!root) return;
  if (args_.progress)
    options.progress = [this](const MapProgress& p) {
      const farm::ProgressCounts c{
          .done = p.done, .failed = p.failed, .running = p.running, .total = p.total};
      if (p.finished)
        progress_.finish(c);
      else
        progress_.update([&] { return c; });
    };
  if (args_.stats || !args_.stats_json.empty()) options.stats = &stats_;
  if (!args_.trace.empty()) options.trace = &trace_;
}

bool MapWatch::report() {
  if (args_.stats) {
    std::cout.flush();
    std::cerr << format_stats(stats_) << std::flush;
  }
  try {
    if (!args_.stats_json.empty()) detail::write_file(args_.stats_json, stats_json(stats_));
    if (!args_.trace.empty()) trace_.save(args_.trace);
  } catch (const std::runtime_error& e) {
    std::cerr << "mpimap: " << e.what() << '\n';
    return false;
  }
  return true;
}

}  // namespace mpimap::cli
