#pragma once
// The tasks the executor tests run, registered at namespace scope (so every
// rank has them), and what the tests share.

#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "mpimap/mpimap.hpp"

namespace executor_test {

inline const auto square = mpimap::task<"test.square">(+[](long x) { return x * x; });
inline const auto add = mpimap::task<"test.add">(+[](long a, long b) { return a + b; });
inline const auto answer = mpimap::task<"test.answer">(+[] { return 42; });
inline const auto is_even = mpimap::task<"test.is_even">(+[](long x) { return x % 2 == 0; });
inline const auto length =
    mpimap::task<"test.length">(+[](std::string s) { return static_cast<long>(s.size()); });
/// Throws for multiples of 7 (but not 0), with where it ran in the message.
inline const auto fails_on_sevens = mpimap::task<"test.fails_on_sevens">(+[](long x) {
  if (x != 0 && x % 7 == 0) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    throw std::runtime_error("bad item " + std::to_string(x) + " on rank " + std::to_string(rank));
  }
  return x * x;
});
inline const auto print_number =
    mpimap::task<"test.print_number">(+[](int x) { std::cout << "Number: " << x << '\n'; });
/// Blocks until `path` exists (the test creates it to release the task);
/// gives up after 60 s so that a broken test fails instead of hanging.
inline const auto wait_for_file = mpimap::task<"test.wait_for_file">(+[](std::string path) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(path)) {
    if (std::chrono::steady_clock::now() > until) throw std::runtime_error("never released");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return 1;
});

/// A path no other test run uses (rank 0's pid), removed when it goes.
struct ReleaseFile {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("mpimap_executor_release_" + std::to_string(::getpid()) + "_" +
                       std::to_string(counter()++)))
                         .string();
  ~ReleaseFile() { std::filesystem::remove(path); }
  void release() const { std::ofstream(path) << "go\n"; }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

inline int world_size() {
  int n = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

/// How many ranks got here (every one must, after each executor's scope).
inline int ranks_here() {
  int one = 1, all = 0;
  MPI_Allreduce(&one, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return all;
}

}  // namespace executor_test
