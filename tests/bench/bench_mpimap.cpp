// mpimap's side of every benchmark case: one Pool, K repetitions of one map,
// each timed with MPI_Wtime on rank 0 from after a barrier to when map()
// returns there (results in hand). Pool construction and input generation are
// outside the timed region. Results are checked after every repetition.
//
//   bench_mpimap --case static_map|dispatch|imbalanced|scaling|stream
//                [--items N] [--reps K] [--schedule static|dynamic|guided]
//                [--chunksize C] [--no-capture] [--no-root-computes] [--balance]
//                [--into 1 | --warm 1] [--stats 1] [--trace 1]
//                [--mean-ms M --sigma S --seed X]   (imbalanced)
//                [--iters I]                        (scaling: work per item)
//
// Options are the library defaults unless given (MapOptions{} with only
// schedule/chunksize set). For diagnosis only (the driver uses neither):
// --no-capture turns per-task output capture off; --no-root-computes keeps
// rank 0 to dispatching (dynamic/guided); --balance makes the
// static_map and dispatch cases report where their tasks ran, as the
// imbalanced and scaling cases always do.
//
// --into 1: map_into a result buffer allocated (not zero-filled) per rep, like
// raw_static's default; --warm 1: map_into one buffer allocated before the
// first rep and reused by every rep, like raw_static --warm 1 (the floor: no
// allocation, no first touch).
//
// --stats 1 / --trace 1: MapOptions::stats / trace on (a Trace emptied before
// every rep, never written): what seeing the work costs (scripts/bench watch).

#include <mpi.h>

#include <boost/mpi/environment.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "mpimap/mpimap.hpp"

namespace {

struct Config {
  std::string which;
  std::uint64_t items = 0, reps = 0;
  mpimap::MapOptions options;
  bool into = false;  // map_into a buffer allocated (not zero-filled) per rep
  bool warm = false;  // map_into one buffer reused by every rep
};

/// Where each rank's time went in the last map (imbalanced and scaling only:
/// the tasks there are long enough that counting costs nothing).
struct Balance {
  std::uint64_t tasks = 0;
  double busy_seconds = 0;  // wall time spent inside tasks
  void reset() { *this = {}; }
  /// Wraps a task so that it counts itself.
  template <class F>
  auto counted(F f) {
    return [this, f](const auto& item) {
      const double t0 = MPI_Wtime();
      auto r = f(item);
      busy_seconds += MPI_Wtime() - t0;
      ++tasks;
      return r;
    };
  }
  /// "tasks_per_rank": [...], "busy_seconds_per_rank": [...] on rank 0.
  std::string gather() const {
    const int p = bench::world_size();
    std::vector<double> busy(p);
    std::vector<std::uint64_t> counts(p);
    MPI_Gather(&busy_seconds, 1, MPI_DOUBLE, busy.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Gather(&tasks, 1, MPI_UINT64_T, counts.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::string c = "[", b = "[";
    for (int r = 0; r < p; ++r) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4f", busy[r]);
      c.append(r ? ", " : "").append(std::to_string(counts[r]));
      b.append(r ? ", " : "").append(buf);
    }
    return c.append("]") + "|" + b.append("]");
  }
};

/// Runs `reps` timed maps of f over items and checks each result with check.
/// With a Balance, also reports each rank's task count and busy time.
template <class F, class T, class Check>
void run(mpimap::Pool& pool, const Config& cfg, F f, const std::vector<T>& items, Check check,
         Balance* balance = nullptr) {
  using R = decltype(f(items[0]));
  const std::size_t n = pool.is_root() ? items.size() : 0;
  std::unique_ptr<R[]> buffer;  // map_into: like raw-mpi's result array
  if (cfg.warm) {
    buffer.reset(new R[n]);
    std::fill_n(buffer.get(), n, R{});  // touched once, before the first rep
  }
  for (std::uint64_t rep = 1; rep <= cfg.reps; ++rep) {
    if (balance) balance->reset();
    MPI_Barrier(MPI_COMM_WORLD);
    if (cfg.options.trace) cfg.options.trace->clear();
    const double t0 = MPI_Wtime();
    std::vector<R> mapped;
    if (cfg.into || cfg.warm) {
      if (!cfg.warm) buffer.reset(new R[n]);
      pool.map_into(f, std::span<const T>(items), std::span<R>(buffer.get(), n), cfg.options);
    } else {
      mapped = pool.map(f, items, cfg.options);
    }
    const double seconds = MPI_Wtime() - t0;
    const std::span<const R> results =
        cfg.into || cfg.warm ? std::span<const R>(buffer.get(), n) : std::span<const R>(mapped);
    const std::string spread = balance ? balance->gather() : "";
    if (!pool.is_root()) continue;
    if (results.size() != cfg.items) bench::wrong_result("result count");
    check(results);
    bench::Json line;
    line.add("rep", rep)
        .add("seconds", seconds)
        .add("items", cfg.items)
        .add("ranks", pool.size())
        .add("schedule", std::string(mpimap::to_string(cfg.options.schedule)))
        .add("chunksize", cfg.options.chunksize);
    if (balance) {
      const auto bar = spread.find('|');
      line.raw("tasks_per_rank", spread.substr(0, bar))
          .raw("busy_seconds_per_rank", spread.substr(bar + 1));
    }
    line.print();
  }
}

void square_case(mpimap::Pool& pool, const Config& cfg, bool balance) {
  const std::vector<std::int64_t> items = bench::square_inputs(cfg.items, pool.is_root());
  auto square = [](std::int64_t x) { return bench::square(x); };
  auto check = [&](const auto& r) {
    for (std::uint64_t i = 0; i < cfg.items; ++i)
      if (r[i] != bench::square(bench::square_input(i, cfg.items)))
        bench::wrong_result("square of item " + std::to_string(i));
  };
  if (balance) {  // diagnosis only: where the tasks ran (costs two clock reads a task)
    Balance b;
    run(pool, cfg, b.counted(square), items, check, &b);
  } else {
    run(pool, cfg, square, items, check);
  }
  if (pool.is_root())
    bench::Json()
        .add("peak_rss_kb", bench::peak_rss_kb())
        .add("input_bytes", cfg.items * sizeof(std::int64_t))
        .print();
}

void imbalanced_case(mpimap::Pool& pool, const Config& cfg, const bench::Args& args) {
  const double mean_s = args.num("mean-ms", 1.0) / 1e3, sigma = args.num("sigma", 1.0);
  const auto seed = args.u64("seed", 42);
  // Every rank draws the same table; a task is its index.
  const auto durations = bench::lognormal_durations(cfg.items, mean_s, sigma, seed);
  std::vector<std::int64_t> ns(durations.size());
  for (std::size_t i = 0; i < ns.size(); ++i) ns[i] = static_cast<std::int64_t>(durations[i] * 1e9);
  if (pool.is_root()) {
    double total = 0, longest = 0;
    for (auto d : durations) total += d, longest = std::max(longest, d);
    bench::Json()
        .add("total_work_seconds", total)
        .add("longest_task_seconds", longest)
        .add("lower_bound_seconds", std::max(total / pool.size(), longest))
        .add("ranks", pool.size())
        .print();
  }
  std::vector<std::int64_t> items;
  if (pool.is_root()) {
    items.resize(cfg.items);
    for (std::uint64_t i = 0; i < cfg.items; ++i) items[i] = static_cast<std::int64_t>(i);
  }
  Balance balance;
  run(
      pool, cfg, balance.counted([&ns](std::int64_t i) {
        // A xorshift state never reaches 0, so this adds 0; using the value
        // keeps the spin from being optimised away.
        const std::uint64_t x = bench::spin_ns(ns[static_cast<std::size_t>(i)]);
        return i + static_cast<std::int64_t>(x == 0);
      }),
      items,
      [&](const auto& r) {
        for (std::uint64_t i = 0; i < cfg.items; ++i)
          if (r[i] != static_cast<std::int64_t>(i))
            bench::wrong_result("imbalanced item " + std::to_string(i));
      },
      &balance);
}

void scaling_case(mpimap::Pool& pool, const Config& cfg, const bench::Args& args) {
  const auto iters = args.u64("iters", 950'000);
  std::vector<std::uint64_t> items;
  if (pool.is_root()) {
    items.resize(cfg.items);
    for (std::uint64_t i = 0; i < cfg.items; ++i) items[i] = i;
  }
  Balance balance;
  run(
      pool, cfg,
      balance.counted([iters](std::uint64_t i) { return bench::compute_work(i, iters); }), items,
      [&](const auto& r) {
        // Recomputing all of it would double the run: check ~16 spread items.
        const std::uint64_t step = std::max<std::uint64_t>(1, cfg.items / 16);
        for (std::uint64_t i = 0; i < cfg.items; i += step)
          if (r[i] != bench::compute_work(i, iters))
            bench::wrong_result("scaling item " + std::to_string(i));
        if (r.back() != bench::compute_work(cfg.items - 1, iters))
          bench::wrong_result("scaling last item");
      },
      &balance);
  if (pool.is_root()) bench::Json().add("iters_per_item", iters).print();
}

/// imap over a lazy range (std::views::iota) of cfg.items squares, summed in
/// the callback: rank 0's peak RSS shows whether streaming stays bounded.
void stream_case(mpimap::Pool& pool, const Config& cfg) {
  const std::uint64_t n = cfg.items;
  std::uint64_t expected = 0;
  if (pool.is_root())
    for (std::uint64_t i = 0; i < n; ++i) expected += i * i;
  for (std::uint64_t rep = 1; rep <= cfg.reps; ++rep) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    std::uint64_t sum = 0, count = 0;
    pool.imap([](std::uint64_t x) { return x * x; }, std::views::iota(std::uint64_t{0}, n),
              [&](std::uint64_t v) { sum += v, ++count; }, cfg.options);
    const double seconds = MPI_Wtime() - t0;
    if (!pool.is_root()) continue;
    if (count != n || sum != expected) bench::wrong_result("stream sum");
    bench::Json()
        .add("rep", rep)
        .add("seconds", seconds)
        .add("items", n)
        .add("ranks", pool.size())
        .add("schedule", std::string(mpimap::to_string(cfg.options.schedule)))
        .add("chunksize", cfg.options.chunksize)
        .print();
  }
  if (pool.is_root())
    bench::Json()
        .add("peak_rss_kb", bench::peak_rss_kb())
        .add("input_bytes", n * sizeof(std::uint64_t))
        .print();
}

}  // namespace

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  const bench::Args args(
      argc, argv,
      {"case", "items", "reps", "schedule", "chunksize", "no-capture", "mean-ms", "sigma", "seed",
       "iters", "balance", "no-root-computes", "into", "warm", "stats", "trace"});
  Config cfg;
  cfg.which = args.str("case", "");
  cfg.reps = args.u64("reps", 3);
  const auto schedule = mpimap::parse_schedule(args.str("schedule", "dynamic"));
  if (!schedule) {
    std::fprintf(stderr, "bench_mpimap: unknown --schedule\n");
    return 2;
  }
  cfg.options.schedule = *schedule;
  cfg.options.chunksize = args.u64("chunksize", 0);
  cfg.options.capture_output = args.str("no-capture", "0") != "1";
  cfg.options.root_computes = args.str("no-root-computes", "0") != "1";
  cfg.into = args.str("into", "0") == "1";
  cfg.warm = args.str("warm", "0") == "1";
  mpimap::MapStats stats;
  mpimap::Trace trace;
  if (args.str("stats", "0") == "1") cfg.options.stats = &stats;
  if (args.str("trace", "0") == "1") cfg.options.trace = &trace;

  mpimap::Pool pool;
  if (cfg.which == "static_map") {
    cfg.items = args.u64("items", 10'000'000);
    square_case(pool, cfg, args.str("balance", "0") == "1");
  } else if (cfg.which == "dispatch") {
    cfg.items = args.u64("items", 200'000);
    square_case(pool, cfg, args.str("balance", "0") == "1");
  } else if (cfg.which == "imbalanced") {
    cfg.items = args.u64("items", 2'000);
    imbalanced_case(pool, cfg, args);
  } else if (cfg.which == "scaling") {
    cfg.items = args.u64("items", 1'000);
    scaling_case(pool, cfg, args);
  } else if (cfg.which == "stream") {
    cfg.items = args.u64("items", 100'000'000);
    stream_case(pool, cfg);
  } else {
    if (pool.is_root())
      std::fprintf(stderr, "bench_mpimap: unknown --case '%s'\n", cfg.which.c_str());
    return 2;
  }
  return 0;
}
