#pragma once
// Runs one task on the local rank: calls the user's function, turns an
// exception into a message, and captures what the task wrote to std::cout.

#include <cstddef>
#include <exception>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

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

class TaskRunner {
 public:
  /// `tag` is put before every captured line ("" for none).
  TaskRunner(bool capture, std::string tag) : capture_(capture), tag_(std::move(tag)) {}

  /// While a Scope lives, std::cout writes into the runner's buffer (when
  /// capturing). Redirecting once per chunk rather than once per task keeps
  /// the per-task cost of capture to a length check.
  class Scope {
   public:
    explicit Scope(TaskRunner& r) : old_(r.capture_ ? std::cout.rdbuf(&r.buffer_) : nullptr) {}
    ~Scope() {
      if (old_) std::cout.rdbuf(old_);
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    std::streambuf* old_;
  };

  /// Runs f(item), storing its value in *result. On failure returns false and
  /// sets `error`. `output` receives what the task printed (left empty when it
  /// printed nothing or capture is off).
  template <class F, class T, class R>
  bool run(F& f, const T& item, R* result, std::string& output, std::string& error) {
    Scope scope(*this);
    return run_in_scope(f, item, result, output, error);
  }

  /// run() for a caller that holds a Scope around many tasks.
  template <class F, class T, class R>
  bool run_in_scope(F& f, const T& item, R* result, std::string& output, std::string& error) {
    bool ok = true;
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F&, const T&>>) {
        std::invoke(f, item);
      } else {
        *result = std::invoke(f, item);
      }
    } catch (const std::exception& e) {
      error = e.what();
      ok = false;
    } catch (...) {
      error = "unknown exception";
      ok = false;
    }
    if (capture_ && !buffer_.view().empty()) {
      output = tag_.empty() ? buffer_.str() : tagged(buffer_.view());
      buffer_.str({});
    }
    return ok;
  }

 private:
  std::string tagged(std::string_view text) const;

  bool capture_;
  std::string tag_;
  std::stringbuf buffer_;
};

}  // namespace mpimap::detail
