#pragma once
// A chunk is a run of consecutive items [begin, begin + count). This file runs
// one on the local rank and moves its outcome through a message.
//
// Result message: begin, attempted, failed, the values of the items that
// succeeded, the outputs (sparse: index + text), and the error if failed.
// A rank stops a chunk at its first failing task; later items of the input
// are never needed, since rank 0 reports the failure with the lowest index.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mpimap/detail/crash_report.hpp"
#include "mpimap/detail/task_runner.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap::detail {

struct ChunkStatus {
  std::uint64_t begin = 0;
  std::uint64_t attempted = 0;  // tasks run, the failing one included
  bool failed = false;
  std::string error;          // when failed: the message of task begin + attempted - 1
  std::uint64_t nanos = 0;    // how long the chunk took (feeds automatic chunk sizes)
  std::int64_t ended_ns = 0;  // steady_clock when it ended, on this rank (not sent)
  bool values_apart = false;  // read side: the values follow in a message of their own
  /// OnError::Collect: the tasks that failed (index, message); the chunk went
  /// on past them, their values left as R{}, and `failed` stays false.
  std::vector<std::pair<std::uint64_t, std::string>> errors;
  std::uint64_t succeeded() const { return attempted - (failed ? 1 : 0); }
};

/// What the exception being handled says (inside a catch block).
inline std::string current_exception_message() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

/// A chunk that mpimap itself could not run or send back, because of an
/// exception outside the tasks (a type's serialize threw, memory ran out):
/// it fails at its first item, with `step` saying what was being done. So
/// such an exception on any rank ends the map like a failed task, on every
/// rank, instead of leaving the others waiting.
inline ChunkStatus broken_chunk(std::uint64_t begin, const std::string& step) {
  return ChunkStatus{.begin = begin,
                     .attempted = 1,
                     .failed = true,
                     .error = "mpimap: " + step + " threw: " + current_exception_message()};
}

/// Forgets what item `index` printed (outputs are in item order: it is last,
/// if anywhere).
inline void drop_output(Outputs& outputs, std::uint64_t index) {
  if (!outputs.empty() && outputs.back().first == index) outputs.pop_back();
}

/// Runs items[0..count) (global indices begin...), writing values to results
/// and appending what tasks printed to `outputs`; stops at the first failure.
template <class F, class T, class R>
ChunkStatus run_chunk(F& f, const T* items, std::uint64_t begin, std::uint64_t count, R* results,
                      TaskRunner& runner, Outputs& outputs) {
  ChunkStatus st{.begin = begin};
  const auto start = std::chrono::steady_clock::now();
  {
    const TaskRunner::Scope scope(runner, outputs);
    RunningItems running(begin);
    std::uint64_t i = 0;
    while (i < count) {
      running.at(begin + i);
      bool ok = TaskRunner::call(f, items[i], results + i, st.error);
      for (unsigned again = 0; !ok && again < runner.retries_here(); ++again) {
        drop_output(outputs, begin + i);  // only the last attempt's printing counts
        ok = TaskRunner::call(f, items[i], results + i, st.error);
      }
      ++i;
      if (!ok) {
        if (runner.collects()) {
          results[i - 1] = R{};
          st.errors.emplace_back(begin + i - 1, std::move(st.error));
          st.error.clear();
          continue;
        }
        st.failed = true;
        break;
      }
    }
    st.attempted = i;
  }
  const auto end = std::chrono::steady_clock::now();
  st.nanos = static_cast<std::uint64_t>(std::chrono::nanoseconds(end - start).count());
  st.ended_ns = std::chrono::nanoseconds(end.time_since_epoch()).count();
  return st;
}

/// Large chunks of fast values travel in a message of their own, straight
/// from and into the buffers where they live (no copy into or out of a
/// message); small ones inline, so that one task costs one message.
inline constexpr std::size_t kValuesApartBytes = std::size_t{16} << 10;

/// Writes an outcome; with results == nullptr the values are left out (the
/// static schedule gathers fast values separately with MPI_Gatherv; with
/// `values_apart` they follow in a kResultValuesTag message).
template <class R>
void write_outcome(Writer& w, const ChunkStatus& st, const R* results, const Outputs& outputs,
                   bool values_apart = false) {
  w.put(st.begin);
  w.put(st.attempted);
  w.put<std::uint8_t>(st.failed);
  w.put(st.nanos);
  w.put<std::uint8_t>(values_apart);
  w.put<std::uint64_t>(outputs.size());
  if (results && !values_apart && !std::is_empty_v<R>) w.put_values(results, st.succeeded());
  for (const auto& [index, text] : outputs) {
    w.put(index);
    w.put_string(text);
  }
  w.put<std::uint64_t>(st.errors.size());
  for (const auto& [index, text] : st.errors) {
    w.put(index);
    w.put_string(text);
  }
  if (st.failed) w.put_string(st.error);
}

/// Reads an outcome. The values (if written inline) go to dest(begin,
/// succeeded), which returns where to put them (nullptr: they were not
/// written); when they come apart, st.values_apart says so and the caller
/// receives them. Outputs are appended.
template <class R, class Dest>
ChunkStatus read_outcome(Reader& r, Dest&& dest, Outputs& outputs) {
  ChunkStatus st;
  st.begin = r.get<std::uint64_t>();
  st.attempted = r.get<std::uint64_t>();
  st.failed = r.get<std::uint8_t>() != 0;
  st.nanos = r.get<std::uint64_t>();
  st.values_apart = r.get<std::uint8_t>() != 0;
  const auto n_outputs = r.get<std::uint64_t>();
  if constexpr (!std::is_empty_v<R>) {
    if (!st.values_apart)
      if (R* out = dest(st.begin, st.succeeded())) r.get_values(st.succeeded(), out);
  }
  for (std::uint64_t i = 0; i < n_outputs; ++i) {
    const auto index = r.get<std::uint64_t>();
    outputs.emplace_back(index, r.get_string());
  }
  const auto n_errors = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n_errors; ++i) {
    const auto index = r.get<std::uint64_t>();
    st.errors.emplace_back(index, r.get_string());
  }
  if (st.failed) st.error = r.get_string();
  return st;
}

/// read_outcome into results_base[begin...], or skipping values if nullptr.
template <class R>
ChunkStatus read_outcome(Reader& r, R* results_base, Outputs& outputs) {
  return read_outcome<R>(
      r,
      [results_base](std::uint64_t begin, std::uint64_t) -> R* {
        return results_base ? results_base + begin : nullptr;
      },
      outputs);
}

}  // namespace mpimap::detail
