// Must not compile: the executor cannot send a plain lambda to another rank;
// it takes only tasks registered with mpimap::task<"name">(fn) (issue 11).
#include <vector>

#include "mpimap/mpimap.hpp"

void map_a_lambda(mpimap::Executor& ex) {
  ex.map([](long x) { return x * x; }, std::vector<long>{1, 2});
}
