#pragma once
// The executor's registry of tasks. Functions cannot travel between ranks, so
// a task is registered under a name (mpimap::task, task.hpp) and rank 0 sends
// the name's key; a worker looks it up in its own registry. Every rank runs
// the same binary, so registering at namespace scope (static initialisation)
// fills every rank's registry with the same entries before main. This is the
// one piece of global state in mpimap: what it holds is fixed by the program
// text, like the functions themselves.

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

#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/crash_report.hpp"
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

  /// Reads `count` calls' arguments from `in`, runs them (as items begin...,
  /// which name their output and their failures) and writes their outcome to
  /// `out` (chunk.hpp's format).
  virtual void serve(Reader& in, std::uint64_t begin, std::uint64_t count, TaskRunner& runner,
                     Writer& out) const = 0;

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

  void serve(Reader& in, std::uint64_t begin, std::uint64_t count, TaskRunner& runner,
             Writer& out) const override {
    // Reused from segment to segment: fresh large vectors would cost a page
    // fault per page every time (glibc maps large blocks anew).
    auto& args = args_;
    auto& results = results_;
    auto& outputs = outputs_;
    auto& types = types_;
    outputs.clear();
    types.clear();
    ChunkStatus status;
    try {
      args.resize(count);
      in.get_values(count, args.data());
      results.resize(count);
    } catch (...) {  // a type's deserialize threw, or memory ran out
      write_outcome<S>(out, broken_chunk(begin, "receiving the arguments"), nullptr, outputs);
      write_types(out, {});
      return;
    }
    auto invoke_here = [this](const W& w) { return invoke(w); };
    auto call = [&](const W& w) { return call_noting_type(invoke_here, w, types); };
    status = run_chunk(call, args.data(), begin, count, results.data(), runner, outputs);
    write_outcome(out, status, results.data(), outputs);
    write_types(out, types);
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
