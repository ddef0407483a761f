#pragma once
// What every C++ bench program shares: the task functions (so that every
// system runs exactly the same work), the inputs, argument parsing, timing
// output, and rank 0's peak RSS. Plain C++ and the MPI C API only: the raw-MPI
// baselines include this header too, so nothing here may use mpimap.
//
// Every program prints one JSON object per line on rank 0 (and only there):
//   {"rep": k, "seconds": s, ...}    one per repetition (the driver keeps the best)
//   {"peak_rss_kb": ...}             fields of the final line, after the last rep
// and exits non-zero when a result is wrong.

#include <mpi.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

// ---------------------------------------------------------------- tasks ----

/// The function of the static_map and dispatch cases.
inline std::int64_t square(std::int64_t x) { return x * x; }

/// The input of the static_map and dispatch cases: item i is i - n/2, so
/// that signs vary and squares stay far from overflow (|x| <= 5e6 at 1e7).
inline std::int64_t square_input(std::uint64_t i, std::uint64_t n) {
  return static_cast<std::int64_t>(i) - static_cast<std::int64_t>(n / 2);
}

/// The n inputs of the square cases on rank 0 (inputs matter there only);
/// empty elsewhere.
inline std::vector<std::int64_t> square_inputs(std::uint64_t n, bool root) {
  std::vector<std::int64_t> items(root ? n : 0);
  for (std::uint64_t i = 0; i < items.size(); ++i) items[i] = square_input(i, n);
  return items;
}

/// Burns `ns` nanoseconds of wall time spinning (never sleeping), so the CPU
/// is busy the whole time. Wall time rather than the thread's CPU time: a
/// task then lasts exactly its drawn duration, so the lower bound computed
/// from the durations is exact and exactly reachable by a perfect scheduler,
/// and other load on the machine cannot stretch the tasks (it can only steal
/// the work they do, which nothing measures). Returns a value that depends on
/// the work done, so the loop cannot be optimised away.
inline std::uint64_t spin_ns(std::int64_t ns) {
  auto now = [] {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  };
  const std::int64_t end = now() + ns;
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  do {
    for (int k = 0; k < 64; ++k) x ^= x << 13, x ^= x >> 7, x ^= x << 17;
  } while (now() < end);
  return x;
}

/// The imbalanced case's task durations: log-normal with the given mean and
/// sigma (of the underlying normal), drawn from a fixed seed. mu is chosen so
/// that the mean is `mean_s`: mean = exp(mu + sigma^2 / 2). The normal
/// deviates come from our own Box-Muller, so the draw does not depend on the
/// standard library's distribution implementation.
inline std::vector<double> lognormal_durations(std::size_t n, double mean_s, double sigma,
                                               std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  auto uniform = [&] { return (static_cast<double>(gen() >> 11) + 0.5) * 0x1.0p-53; };
  const double mu = std::log(mean_s) - sigma * sigma / 2;
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double z = std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform());
    d[i] = std::exp(mu + sigma * z);
  }
  return d;
}

/// The scaling case's task: `iters` steps of a xorshift chain seeded by the
/// item (a dependency chain: compute-bound, no memory traffic).
inline std::uint64_t compute_work(std::uint64_t item, std::uint64_t iters) {
  std::uint64_t x = item * 0x9E3779B97F4A7C15ull + 1;
  for (std::uint64_t k = 0; k < iters; ++k) x ^= x << 13, x ^= x >> 7, x ^= x << 17;
  return x;
}

// ------------------------------------------------------------ arguments ----

/// `--name value` pairs (and bare `--flag`s, stored as "1").
class Args {
 public:
  Args(int argc, char** argv, std::vector<std::string> known) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a.rfind("--", 0) != 0) fail("unexpected argument " + a);
      a = a.substr(2);
      std::string value = "1";
      if (auto eq = a.find('='); eq != std::string::npos) {
        value = a.substr(eq + 1), a = a.substr(0, eq);
      } else if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
        value = argv[++i];
      }
      if (std::find(known.begin(), known.end(), a) == known.end()) fail("unknown option --" + a);
      values_[a] = value;
    }
  }
  std::string str(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  std::uint64_t u64(const std::string& name, std::uint64_t fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : std::stoull(it->second);
  }
  double num(const std::string& name, double fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : std::stod(it->second);
  }

 private:
  [[noreturn]] static void fail(const std::string& why) {
    std::fprintf(stderr, "bench: %s\n", why.c_str());
    std::exit(2);
  }
  std::map<std::string, std::string> values_;
};

// --------------------------------------------------------------- output ----

/// Rank 0's peak resident set size so far, in KiB (Linux reports KiB).
inline long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

inline int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
inline int world_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

/// Builds one JSON line: Json().add("seconds", 1.5).print().
class Json {
 public:
  Json& add(const char* key, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return raw(key, buf);
  }
  Json& add(const char* key, std::uint64_t v) { return raw(key, std::to_string(v)); }
  Json& add(const char* key, int v) { return raw(key, std::to_string(v)); }
  Json& add(const char* key, long v) { return raw(key, std::to_string(v)); }
  Json& add(const char* key, const std::string& v) {
    std::string quoted = "\"";
    quoted.append(v).append("\"");
    return raw(key, quoted);
  }
  Json& add(const char* key, const char* v) { return add(key, std::string(v)); }
  void print() const {
    std::printf("{%s}\n", body_.c_str());
    std::fflush(stdout);
  }

  /// A value that is JSON already (an array, say).
  Json& raw(const char* key, const std::string& v) {
    // append() rather than operator+: GCC 12 at -O3 warns falsely about the
    // latter (-Wrestrict, GCC bug 105329).
    if (!body_.empty()) body_.append(", ");
    body_.append("\"").append(key).append("\": ").append(v);
    return *this;
  }

 private:
  std::string body_;
};

/// Rank 0 reports a wrong result and the whole job fails.
[[noreturn]] inline void wrong_result(const std::string& what) {
  std::fprintf(stderr, "bench: WRONG RESULT: %s\n", what.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 3);
  std::abort();
}

}  // namespace bench
