#pragma once
// Runs one task on the local rank: calls the user's function, turns an
// exception into a message, and captures what the task wrote to std::cout.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimap/detail/crash_report.hpp"

namespace mpimap::detail {

/// The result type of a task whose function returns void.
struct Nothing {
  template <class Archive>
  void serialize(Archive&, unsigned) {}
};

/// Stands in for bool in result buffers: std::vector<bool> has no data().
struct Bool {
  bool value = false;
  Bool() = default;
  Bool(bool v) : value(v) {}               // NOLINT(google-explicit-constructor)
  operator bool() const { return value; }  // NOLINT(google-explicit-constructor)
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& value;
  }
};

/// How results of type R are stored while a map runs.
template <class R>
using stored_result_t = std::conditional_t<std::is_same_v<R, bool>, Bool, R>;

template <class F, class T>
using task_result_t = std::conditional_t<std::is_void_v<std::invoke_result_t<F&, const T&>>,
                                         Nothing, std::invoke_result_t<F&, const T&>>;

/// map_reduce's accumulator: the common type of init's and f's result types
/// when they have one (int and double: double, never a silent truncation to
/// int), else init's type, which f's result must then convert to.
template <class Init, class R, class = void>
struct accumulator {
  static_assert(std::is_convertible_v<R, Init>,
                "mpimap::Pool::map_reduce: f's result must convert to the type of init");
  using type = Init;
};
template <class Init, class R>
struct accumulator<Init, R, std::void_t<std::common_type_t<Init, R>>> {
  using type = std::common_type_t<Init, R>;
};
template <class Init, class R>
using accumulator_t = typename accumulator<std::decay_t<Init>, std::decay_t<R>>::type;

/// Sparse per-task output: item index and what the task printed.
using Outputs = std::vector<std::pair<std::uint64_t, std::string>>;

class TaskRunner {
 public:
  /// `tag` is put before every captured line ("" for none). With `collect`,
  /// a chunk goes on past a failing task (OnError::Collect).
  /// `retries_here`: how many times a failing task is run again on the spot
  /// (the static schedule's retries: no other rank is free to take it).
  TaskRunner(bool capture, std::string tag, bool collect = false, unsigned retries_here = 0)
      : capture_(capture), collect_(collect), retries_here_(retries_here), tag_(std::move(tag)) {}

  bool collects() const { return collect_; }
  unsigned retries_here() const { return retries_here_; }

  /// While a Scope lives, what tasks write to std::cout goes to `outputs`
  /// (when capturing), one entry per task that printed, under the index of
  /// the task running at the time (crash_report.hpp's RunningTask /
  /// RunningItems say which). So nothing is checked between tasks: a task
  /// that prints nothing costs nothing.
  class Scope {
   public:
    Scope(TaskRunner& r, Outputs& outputs)
        : runner_(r),
          first_(outputs.size()),
          old_(r.capture_ ? std::cout.rdbuf(&r.buffer_) : nullptr) {
      r.buffer_.outputs = &outputs;
    }
    ~Scope() {
      if (!old_) return;
      std::cout.rdbuf(old_);
      Outputs& outputs = *runner_.buffer_.outputs;
      if (!runner_.tag_.empty())
        for (std::size_t k = first_; k < outputs.size(); ++k)
          outputs[k].second = runner_.tagged(outputs[k].second);
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    TaskRunner& runner_;
    std::size_t first_;
    std::streambuf* old_;
  };

  /// Runs f(item), storing its value in *result. On failure returns false and
  /// sets `error`. Inside a Scope.
  template <class F, class T, class R>
  static bool call(F& f, const T& item, R* result, std::string& error) {
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F&, const T&>>) {
        std::invoke(f, item);
      } else {
        *result = std::invoke(f, item);
      }
      return true;
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown exception";
    }
    return false;
  }

  /// One task in a Scope of its own: call(), with what it printed in `output`
  /// (left empty when it printed nothing or capture is off).
  template <class F, class T, class R>
  bool run(F& f, const T& item, R* result, std::string& output, std::string& error) {
    Outputs printed;
    bool ok = false;
    {
      Scope scope(*this, printed);
      ok = call(f, item, result, error);
    }
    for (auto& [index, text] : printed) output += text;
    return ok;
  }

 private:
  std::string tagged(std::string_view text) const;

  /// std::cout's buffer while capturing. It has no put area, so every write
  /// reaches xsputn/overflow, which file it under the running task's index.
  struct Buffer : std::streambuf {
    Outputs* outputs = nullptr;

   protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
      current().append(s, static_cast<std::size_t>(n));
      return n;
    }
    int_type overflow(int_type c) override {
      if (!traits_type::eq_int_type(c, traits_type::eof()))
        current().push_back(traits_type::to_char_type(c));
      return traits_type::not_eof(c);
    }

   private:
    std::string& current() {
      const std::uint64_t index = g_running_index;
      if (outputs->empty() || outputs->back().first != index) outputs->emplace_back(index, "");
      return outputs->back().second;
    }
  };

  bool capture_;
  bool collect_ = false;
  unsigned retries_here_ = 0;
  std::string tag_;
  Buffer buffer_;
};

}  // namespace mpimap::detail
