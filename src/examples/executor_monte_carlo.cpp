// Estimating pi with the executor: 64 batches of random points submitted at
// once, their counts added up as each batch finishes (as_completed). Each
// batch has its own seed, so the estimate is the same whichever rank ran
// what, and in whatever order they finished.
//   mpirun -q -n 4 build/bin/examples/executor_monte_carlo

#include <boost/mpi/environment.hpp>

#include <cstdint>
#include <iomanip>
#include <iostream>
#include <random>
#include <vector>

#include "mpimap/mpimap.hpp"

/// How many of `samples` random points in the unit square fall in the circle.
inline const auto hits = mpimap::task<"hits">(+[](std::uint64_t seed, long samples) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  long in = 0;
  for (long i = 0; i < samples; ++i) {
    const double x = u(rng), y = u(rng);
    in += x * x + y * y <= 1.0;
  }
  return in;
});

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Executor ex;
  ex.run([&] {
    const int batches = 64;
    const long samples = 100'000;
    std::vector<mpimap::Future<long>> futures;
    for (int b = 0; b < batches; ++b) futures.push_back(ex.submit(hits, std::uint64_t(b), samples));
    long in = 0;
    int done = 0;
    for (auto& f : mpimap::as_completed(futures)) {
      in += f.get();
      if (++done % 16 == 0) std::cout << done << " of " << batches << " batches in\n";
    }
    std::cout << std::fixed << std::setprecision(5) << "pi ~ "
              << 4.0 * static_cast<double>(in) / (double(batches) * samples) << '\n';
  });
}
