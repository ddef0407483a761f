#pragma once
// The executor's registry of tasks. Functions cannot travel between ranks, so
// a task is registered under a name (mpimap::task, task.hpp) and rank 0 sends
// the name's key; a worker looks it up in its own registry. Every rank runs
// the same binary, so registering at namespace scope (static initialisation)
// fills every rank's registry with the same entries before main. This is the
// one piece of global state in mpimap: what it holds is fixed by the program
// text, like the functions themselves.

#include <mpi.h>

#include <boost/core/demangle.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/crash_report.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/detail/scratch.hpp"
#include "mpimap/detail/tags.hpp"
#include "mpimap/detail/task_runner.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap::detail {

/// What travels for one call of a task taking A...: nothing, the one
/// argument itself (so a map's items are sent as they are), or a tuple.
template <class... A>
struct wire_args {
  using type = std::tuple<std::decay_t<A>...>;
};
template <>
struct wire_args<> {
  using type = Nothing;
};
template <class A>
struct wire_args<A> {
  using type = std::decay_t<A>;
};
template <class... A>
using wire_args_t = typename wire_args<A...>::type;

/// The types of the exceptions that tasks threw (demangled), by item (seq):
/// they follow a segment's outcome, for TaskError::exception_type.
using ExceptionTypes = std::vector<std::pair<std::uint64_t, std::string>>;

/// Calls invoke(args), noting the type of an exception it throws (under the
/// running item's number, crash_report.hpp) before it goes on to run_chunk.
template <class Invoke, class W>
auto call_noting_type(const Invoke& invoke, const W& args, ExceptionTypes& types) {
  try {
    return invoke(args);
  } catch (const std::exception& e) {
    types.emplace_back(g_running_index, boost::core::demangle(typeid(e).name()));
    throw;
  }
}

inline void write_types(Writer& w, const ExceptionTypes& types) {
  w.put<std::uint64_t>(types.size());
  for (const auto& [index, type] : types) {
    w.put(index);
    w.put_string(type);
  }
}

inline ExceptionTypes read_types(Reader& r) {
  ExceptionTypes types(r.get<std::uint64_t>());
  for (auto& [index, type] : types) {
    index = r.get<std::uint64_t>();
    type = r.get_string();
  }
  return types;
}

/// Whether `count` values of T travel in a message of their own, straight
/// from and into the vectors that hold them, as a dynamic map's large chunks
/// do (kValuesApartBytes, chunk.hpp): plain values, enough of them.
template <class T>
constexpr bool travels_apart(std::uint64_t count) {
  if constexpr (is_fast_v<T> && is_scratch_v<T> && !std::is_empty_v<T> &&
                alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__)
    return count * sizeof(T) >= kValuesApartBytes;
  else
    return false;
}

/// A worker's side of values that travel apart: where they come from, and
/// the result buffers to send after the chunk's answer, in order.
struct ValuesApart {
  MPI_Comm comm = MPI_COMM_NULL;
  SendQueue* sends = nullptr;
  std::vector<std::vector<char>> results;
};

/// One registered task, as a worker sees it: a name, a key, and how to run a
/// segment of calls that arrive as bytes.
class TaskEntry {
 public:
  /// `mangled_signature`: typeid(R(A...)).name().
  TaskEntry(std::string name, const char* mangled_signature);
  virtual ~TaskEntry() = default;
  TaskEntry(const TaskEntry&) = delete;
  TaskEntry& operator=(const TaskEntry&) = delete;

  const std::string& name() const { return name_; }
  /// "long(long)": for error messages.
  const std::string& signature() const { return signature_; }
  /// FNV-1a of the name and the signature's mangled name: what travels.
  std::uint64_t key() const { return key_; }
  /// Its place in the order of registration (see Registry::registered).
  std::size_t serial() const { return serial_; }

  /// Reads `count` calls' arguments from `in` (or, `items_apart`, from a
  /// message of their own), runs them (as items begin..., which name their
  /// output and their failures) and writes their outcome to `out` (chunk.hpp's
  /// format); large plain results go to apart.results.
  virtual void serve(Reader& in, std::uint64_t begin, std::uint64_t count, bool items_apart,
                     TaskRunner& runner, Writer& out, ValuesApart& apart) const = 0;

 private:
  friend void register_task(std::unique_ptr<TaskEntry> entry);
  std::string name_, signature_;
  std::uint64_t key_;
  std::size_t serial_ = 0;
};

/// A task whose calls take W on the wire and store S as their result.
template <class S, class W>
class TypedEntry : public TaskEntry {
 public:
  using TaskEntry::TaskEntry;
  virtual S invoke(const W& args) const = 0;

  void serve(Reader& in, std::uint64_t begin, std::uint64_t count, bool items_apart,
             TaskRunner& runner, Writer& out, ValuesApart& apart) const override {
    // Reused from segment to segment: fresh large vectors would cost a page
    // fault per page every time (glibc maps large blocks anew).
    auto& args = args_;
    auto& results = results_;
    auto& outputs = outputs_;
    auto& types = types_;
    outputs.clear();
    types.clear();
    ChunkStatus status;
    const bool results_apart = travels_apart<S>(count);
    std::vector<char> apart_results;
    S* dest = nullptr;
    try {
      args.resize(count);
      if constexpr (travels_apart<W>(~std::uint64_t{0})) {
        if (items_apart)
          check(MPI_Recv(args.data(), mpi_count(count * sizeof(W), "a message"), MPI_BYTE, 0,
                         kExecTaskValuesTag, apart.comm, MPI_STATUS_IGNORE),
                "MPI_Recv");
      }
      if (!items_apart) in.get_values(count, args.data());
      if (results_apart) {
        apart_results = apart.sends->take_buffer();
        apart_results.resize(count * sizeof(S));
        dest = reinterpret_cast<S*>(apart_results.data());
      } else {
        results.resize(count);
        dest = results.data();
      }
    } catch (...) {  // a type's deserialize threw, or memory ran out
      write_outcome<S>(out, broken_chunk(begin, "receiving the arguments"), nullptr, outputs);
      write_types(out, {});
      return;
    }
    auto invoke_here = [this](const W& w) { return invoke(w); };
    auto call = [&](const W& w) { return call_noting_type(invoke_here, w, types); };
    status = run_chunk(call, args.data(), begin, count, dest, runner, outputs);
    write_outcome(out, status, dest, outputs, results_apart);
    write_types(out, types);
    if (results_apart) {  // last: nothing may throw once it is queued
      apart_results.resize(status.succeeded() * sizeof(S));
      apart.results.push_back(std::move(apart_results));
    }
  }

 private:
  // A worker's scratch (one thread serves; entries live as long as the process).
  mutable std::vector<W> args_;
  mutable std::vector<S> results_;
  mutable Outputs outputs_;
  mutable ExceptionTypes types_;
};

/// The entry of a callable F taking A... and returning R.
template <class F, class R, class... A>
class FunctionEntry final
    : public TypedEntry<stored_result_t<std::conditional_t<std::is_void_v<R>, Nothing, R>>,
                        wire_args_t<A...>> {
  using S = stored_result_t<std::conditional_t<std::is_void_v<R>, Nothing, R>>;
  using W = wire_args_t<A...>;

 public:
  FunctionEntry(std::string name, F f)
      : TypedEntry<S, W>(std::move(name), typeid(R(A...)).name()), f_(std::move(f)) {}

  S invoke(const W& w) const override {
    auto call = [this](const auto&... a) -> S {
      if constexpr (std::is_void_v<R>) {
        f_(a...);
        return S{};
      } else {
        return f_(a...);
      }
    };
    if constexpr (sizeof...(A) == 0)
      return call();
    else if constexpr (sizeof...(A) == 1)
      return call(w);
    else
      return std::apply(call, w);
  }

 private:
  F f_;
};

/// Adds an entry to this process's registry. A name registered twice (or a
/// key that collides) ends the program with a message: it is a mistake in
/// the program text, found at start-up on every rank alike.
void register_task(std::unique_ptr<TaskEntry> entry);
/// The entry with this key, or nullptr.
const TaskEntry* find_task(std::uint64_t key);
/// How many tasks are registered so far.
std::size_t registered_tasks();

}  // namespace mpimap::detail
