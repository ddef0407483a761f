// Pool.map(square, 1..100) with an installed mpimap; rank 0 checks the result.
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
  std::vector<long> squares = pool.map([](long x) { return x * x; }, items);
  if (!pool.is_root()) return 0;

  for (std::size_t i = 0; i < items.size(); ++i) {
    if (squares.size() != items.size() || squares[i] != items[i] * items[i]) {
      std::fprintf(stderr, "wrong result at item %zu\n", i);
      return 1;
    }
  }
  std::printf("mpimap %s: %zu squares on %d ranks\n", mpimap::version, squares.size(), pool.size());
}
