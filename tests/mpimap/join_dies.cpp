// Pool calls that the ranks do not all make, on purpose: the job must end
// within seconds with one line that says which ranks are in which call
// (detail/join.hpp), never hang. Run by ctest (label "faults") under mpirun:
//   join_dies root-only | workers-only | other-types | worker-missing | root-missing
// The "missing" cases park the absent ranks in a barrier that the others
// never reach; run them with MPIMAP_JOIN_TIMEOUT=1.

#include <mpi.h>

#include <boost/mpi/environment.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "mpimap/mpimap.hpp"

namespace {

std::int64_t square(std::int64_t x) { return x * x; }
double half(double x) { return x / 2; }

}  // namespace

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  const std::string how = argc > 1 ? argv[1] : "";
  mpimap::Pool pool;
  const std::vector<std::int64_t> items{1, 2, 3, 4, 5};
  const std::vector<double> reals{1, 2, 3};
  if (how == "root-only") {
    // The beginner's mistake: the workers go straight on to the pool's
    // destructor.
    if (pool.is_root()) pool.map(square, items);
  } else if (how == "workers-only") {
    if (!pool.is_root()) pool.map(square, items);
  } else if (how == "other-types") {
    if (pool.is_root())
      pool.map(square, items);
    else
      pool.map(half, reals);
  } else if (how == "worker-missing") {
    if (pool.is_root())
      pool.map(square, items);
    else
      MPI_Barrier(MPI_COMM_WORLD);  // rank 0 never comes
  } else if (how == "root-missing") {
    if (pool.is_root())
      MPI_Barrier(MPI_COMM_WORLD);  // the workers never come
    else
      pool.map(square, items);
  } else {
    std::fprintf(stderr, "join_dies: unknown case '%s'\n", how.c_str());
    return 2;
  }
  std::printf("join_dies: not detected\n");
  return 0;
}
