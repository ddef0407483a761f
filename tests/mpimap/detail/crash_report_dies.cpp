// A program whose task dies (issue 8, defect 9): run by ctest under mpirun,
// which checks the one line detail::crash_report leaves on stderr.
//   crash_report_dies HOW WHERE N
// HOW: segv | abort | exit; WHERE: item (a map over 0..9, item N dies),
// process (process number N of 3 dies), or through the executor: exmap (its
// map over 0..9) or submit (one submit per number 0..9: call N dies).

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

// From the command line, on every rank, before the executor starts.
std::string g_how;
std::int64_t g_n = -1;

const auto die_at = mpimap::task<"crash.die_at">(+[](long x) {
  if (x == g_n) die(g_how);
  return x;
});

}  // namespace

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  if (argc != 4) {
    std::cerr << "usage: crash_report_dies segv|abort|exit item|process N\n";
    return 2;
  }
  const std::string how = argv[1], where = argv[2];
  const std::int64_t n = std::stoll(argv[3]);
  if (where == "exmap" || where == "submit") {
    g_how = how;
    g_n = n;
    std::vector<long> items(10);
    std::iota(items.begin(), items.end(), 0L);
    mpimap::Executor ex;
    ex.run([&] {
      if (where == "exmap") {
        ex.map(die_at, items, {.chunksize = 1});
      } else {
        std::vector<mpimap::Future<long>> calls;
        for (long x : items) calls.push_back(ex.submit(die_at, x));
        for (auto& c : calls) c.get();
      }
    });
    return 0;
  }
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
