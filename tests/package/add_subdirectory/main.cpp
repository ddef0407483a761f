// Pool.map(square, 1..100) with every schedule, compiled with the parent's
// -Wall -Wextra -Wpedantic -Wshadow -Werror: mpimap's templates are
// instantiated here, and its headers must not warn.
#include <boost/mpi/environment.hpp>

#include <cstdio>
#include <numeric>
#include <vector>

#include "mpimap/mpimap.hpp"

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Pool pool;

  std::vector<long> items(100);
  std::iota(items.begin(), items.end(), 1L);
  for (mpimap::Schedule schedule :
       {mpimap::Schedule::Static, mpimap::Schedule::Dynamic, mpimap::Schedule::Guided}) {
    mpimap::MapOptions options;
    options.schedule = schedule;
    std::vector<long> squares = pool.map([](long x) { return x * x; }, items, options);
    if (!pool.is_root()) continue;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (squares.size() != items.size() || squares[i] != items[i] * items[i]) {
        std::fprintf(stderr, "wrong result at item %zu\n", i);
        return 1;
      }
    }
  }
  if (pool.is_root()) std::printf("squares: ok on %d ranks\n", pool.size());
}
