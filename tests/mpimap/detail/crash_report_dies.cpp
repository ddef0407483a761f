// A program whose task dies (issue 8, defect 9): run by ctest under mpirun,
// which checks the one line detail::crash_report leaves on stderr.
//   crash_report_dies HOW WHERE N
// HOW: segv | abort | exit; WHERE: item (a map over 0..9, item N dies) or
// process (process number N of 3 dies).

#include <boost/mpi/environment.hpp>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "mpimap/mpimap.hpp"

namespace {

[[noreturn]] void die(const std::string& how) {
  if (how == "segv") std::raise(SIGSEGV);
  if (how == "abort") std::abort();
  std::exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  if (argc != 4) {
    std::cerr << "usage: crash_report_dies segv|abort|exit item|process N\n";
    return 2;
  }
  const std::string how = argv[1], where = argv[2];
  const std::int64_t n = std::stoll(argv[3]);
  mpimap::Pool pool;
  if (where == "item") {
    std::vector<std::int64_t> items(10);
    std::iota(items.begin(), items.end(), 0);
    pool.map(
        [&](std::int64_t x) {
          if (x == n) die(how);
          return x;
        },
        items, {.chunksize = 1});
  } else {
    std::vector<mpimap::Process> ps;
    for (std::int64_t k = 1; k <= 3; ++k)
      ps.push_back(pool.process(
          [&](std::int64_t id) {
            if (id == n) die(how);
          },
          k));
    for (auto& p : ps) p.start();
    for (auto& p : ps) p.join();
  }
  return 0;  // not reached on the rank that ran the dying task
}
