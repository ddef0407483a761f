#pragma once
// What a caller can choose about one map.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace mpimap {

struct MapProgress;  // progress.hpp
struct MapStats;     // stats.hpp
class Trace;         // trace.hpp

/// How items are divided among ranks.
enum class Schedule {
  /// One contiguous block per rank, moved by MPI_Scatterv/MPI_Gatherv.
  /// Cheapest when every item costs the same; `chunksize` is ignored.
  Static,
  /// Rank 0 hands out chunks of `chunksize` items on demand.
  Dynamic,
  /// Like Dynamic, but chunks shrink as the work runs out:
  /// chunk = max(chunksize, ceil(remaining / (2 * ranks))).
  Guided,
};

/// What a failing task does to its map.
enum class OnError {
  /// The map stops: no new work goes out, the work in flight drains, and
  /// every rank throws TaskError for the failing item with the lowest index.
  Stop,
  /// The map goes on: every item runs, a failed item's result is left
  /// value-initialised (R{}), and the failures are listed, in item order, by
  /// Pool::failures() on rank 0. For map, map_into, for_each and starmap.
  Collect,
};

std::string_view to_string(Schedule s);
std::optional<Schedule> parse_schedule(std::string_view name);

struct MapOptions {
  Schedule schedule = Schedule::Dynamic;
  /// Items per chunk for Dynamic, the smallest chunk for Guided; 0 picks one
  /// (see `auto_chunksize`).
  std::size_t chunksize = 0;
  /// Capture what each task writes to std::cout and print it on rank 0 as one
  /// block per task, in item order.
  bool capture_output = true;
  /// Prefix every captured line with "[rank R@host] ".
  bool tag_output = false;
  /// Where rank 0 prints captured output; nullptr means std::cout.
  std::ostream* output = nullptr;
  /// Whether rank 0 also runs tasks between dispatches (Dynamic/Guided). It
  /// always does in Static and when it is the only rank.
  bool root_computes = true;
  /// The largest single message a static map sends, in bytes; larger blocks
  /// go in pieces (MPI counts are ints, and some transports dislike messages
  /// of gigabytes).
  std::size_t message_limit = std::size_t{1} << 30;
  /// Stop at the first failing task (the default), or collect the failures.
  OnError on_error = OnError::Stop;
  /// How many times a failing task is run again before it counts as failed
  /// (Python's retry loops; GNU parallel's --retries counts the first run
  /// too). Dynamic and Guided rerun it on another rank than the one where it
  /// last failed, where there is one (and rank 0 keeps a copy of the items in
  /// flight to do so); Static reruns it at once on the same rank. Only the
  /// last attempt's value and printing count.
  unsigned retries = 0;
  /// A journal (map, for_each and starmap; a path on rank 0): each result
  /// is appended to this file as it reaches rank 0, so that a map killed at
  /// any point keeps what it had finished. With `resume`, the results the
  /// file holds are taken from it and only the other items run; resuming
  /// with other items or types is an error (std::runtime_error on every
  /// rank). A journaled map schedules dynamically. What journaled tasks
  /// printed is not printed again.
  std::string journal;
  bool resume = false;
  /// A graceful stop (Dynamic and Guided; read on rank 0 only): once *stop is
  /// nonzero, rank 0 hands out no more work, the work in flight drains (imap
  /// still delivers every result before the first unfinished item), and
  /// every rank throws mpimap::Stopped with that value. A signal handler may
  /// set it (std::atomic<int> is lock-free). A static map, one block per rank
  /// sent at once, runs to its end.
  const std::atomic<int>* stop = nullptr;
  /// Rank 0: called with how far along the map is, at most every
  /// `progress_every` (as chunks come in), and once when it is over. A static
  /// map knows only its end.
  std::function<void(const MapProgress&)> progress;
  std::chrono::milliseconds progress_every{200};
  /// Rank 0: filled with what the map did (stats.hpp).
  MapStats* stats = nullptr;
  /// Rank 0: the map's timeline is added to it (trace.hpp). Costs a clock
  /// read per chunk on every rank, and a few messages after the map.
  Trace* trace = nullptr;
};

}  // namespace mpimap
