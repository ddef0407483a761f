#pragma once
// `mpimap map --isolate`: each task runs in a child process of its rank
// (fork), so a task that crashes (a signal, abort(), exit()) fails only its
// item, reported like any failed task ("the task died: SIGSEGV (signal 11)"),
// and the ranks, the pool and the job live on. What the task prints on
// std::cout comes back with its value. A fork per task costs about a
// hundred microseconds: a switch for tasks that may crash, not the default.
// The child never calls MPI (it only computes, writes to a pipe and leaves
// with _exit), which is what MPI implementations allow after fork().

#include <cstring>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace mpimap::cli {

/// Runs `work` in a child process: it returns the value's bytes, and what it
/// prints on std::cout is captured there. Returns the bytes and writes the
/// output to std::cout here. An exception in the child is rethrown here as a
/// std::runtime_error with its message; a child that dies throws one that
/// says how.
std::string run_isolated(const std::function<std::string()>& work);

/// fn(x), run by run_isolated: for the plain values of the built-in functions.
template <class Out, class In>
Out isolated(Out (*fn)(In), In x) {
  static_assert(std::is_trivially_copyable_v<In>);
  const std::string bytes = run_isolated([&] {
    if constexpr (std::is_void_v<Out>) {
      fn(x);
      return std::string();
    } else {
      static_assert(std::is_trivially_copyable_v<Out>);
      const Out value = fn(x);
      return std::string(reinterpret_cast<const char*>(&value), sizeof value);
    }
  });
  if constexpr (!std::is_void_v<Out>) {
    Out value{};
    if (bytes.size() != sizeof value) throw std::runtime_error("mpimap: a malformed task result");
    std::memcpy(&value, bytes.data(), sizeof value);
    return value;
  }
}

}  // namespace mpimap::cli
