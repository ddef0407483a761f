// The executor's calls one after another, as a Python user would try them:
// apply, submit, starmap, imap with break, get with a timeout, an error
// callback, and a map whose task fails.
//   mpirun -q -n 3 build/bin/examples/executor_tour

#include <boost/mpi/environment.hpp>

#include <chrono>
#include <iostream>
#include <ranges>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "mpimap/mpimap.hpp"

using namespace std::chrono_literals;

inline const auto square = mpimap::task<"square">(+[](long x) { return x * x; });
inline const auto add = mpimap::task<"add">(+[](long a, long b) { return a + b; });
inline const auto inverse = mpimap::task<"inverse">(+[](double x) {
  if (x == 0) throw std::domain_error("division by zero");
  return 1 / x;
});
inline const auto nap = mpimap::task<"nap">(+[](int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
});

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Executor ex;
  ex.run([&] {
    std::cout << "apply: " << ex.apply(add, 2L, 3L) << '\n';

    mpimap::Future<long> f = ex.submit(square, 12L);
    std::cout << "submit: " << f.get() << '\n';

    std::vector<std::pair<long, long>> pairs{{1, 2}, {3, 4}, {5, 6}};
    std::cout << "starmap:";
    for (long v : ex.starmap(add, pairs)) std::cout << ' ' << v;
    std::cout << '\n';

    std::cout << "imap:";
    for (long v : ex.imap(square, std::views::iota(1L, 1'000'000L))) {
      if (v > 50) break;  // the rest is cancelled
      std::cout << ' ' << v;
    }
    std::cout << '\n';

    auto slow = ex.submit(nap, 200);
    try {
      slow.get(10ms);
    } catch (const mpimap::TimeoutError& e) {
      std::cout << "timeout: " << e.what() << '\n';
    }
    std::cout << "then: " << slow.get() << '\n';

    auto bad = ex.submit(inverse, 0.0)
                   .then([](double v) { std::cout << "callback: " << v << '\n'; },
                         [](const mpimap::TaskError& e) {
                           std::cout << "error_callback: " << e.message() << '\n';
                         });
    bad.wait();

    try {
      ex.map(inverse, {4.0, 2.0, 0.0, 1.0});
    } catch (const mpimap::TaskError& e) {
      std::cout << "map: item " << e.index() << " failed: " << e.message() << '\n';
    }
  });
}
