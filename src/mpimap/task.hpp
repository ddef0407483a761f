#pragma once
// mpimap::task: a function registered under a name, so that the executor
// (executor.hpp) can run it on any rank.
//
//   inline const auto square = mpimap::task<"square">(+[](long x) { return x * x; });
//
// Register at namespace scope: every rank then registers the same tasks
// before main (static initialisation), and rank 0 sends only the name's key.
// A name registered twice ends the program at start-up with a message.
// A handle can be called like the function itself, here: square(3) is 9.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "mpimap/detail/executor_registry.hpp"

namespace mpimap {

/// A task's name as a template argument: task<"square">.
template <std::size_t N>
struct TaskName {
  char chars[N]{};
  constexpr TaskName(const char (&s)[N]) {  // NOLINT(google-explicit-constructor)
    for (std::size_t i = 0; i < N; ++i) chars[i] = s[i];
  }
  std::string_view view() const { return {chars, N - 1}; }
};

namespace detail {
/// R(A...) of a function pointer or a lambda (one non-template call operator).
template <class F>
struct signature_of : signature_of<decltype(&F::operator())> {};
template <class R, class... A>
struct signature_of<R (*)(A...)> {
  using type = R(A...);
};
template <class R, class... A>
struct signature_of<R (*)(A...) noexcept> {
  using type = R(A...);
};
template <class C, class R, class... A>
struct signature_of<R (C::*)(A...) const> {
  using type = R(A...);
};
template <class C, class R, class... A>
struct signature_of<R (C::*)(A...) const noexcept> {
  using type = R(A...);
};
template <class C, class R, class... A>
struct signature_of<R (C::*)(A...)> {
  using type = R(A...);
};
}  // namespace detail

template <class Signature>
class Task;

/// A registered task taking A... and returning R. Cheap to copy.
template <class R, class... A>
class Task<R(A...)> {
 public:
  using result_type = R;
  /// What one call's arguments travel as (a map's items are these).
  using wire_type = detail::wire_args_t<A...>;
  /// What a result is kept as while it travels.
  using stored_type =
      detail::stored_result_t<std::conditional_t<std::is_void_v<R>, detail::Nothing, R>>;
  using Entry = detail::TypedEntry<stored_type, wire_type>;

  explicit Task(const Entry& entry) : entry_(&entry) {}

  /// Runs the task here, on this rank.
  R operator()(A... args) const {
    if constexpr (std::is_void_v<R>)
      entry_->invoke(wire_type{std::move(args)...});
    else
      return static_cast<R>(entry_->invoke(wire_type{std::move(args)...}));
  }

  const std::string& name() const { return entry_->name(); }
  const Entry& entry() const { return *entry_; }

 private:
  const Entry* entry_;
};

namespace detail {
template <class F, class R, class... A>
Task<R(A...)> make_task(std::string name, F f, R (*)(A...)) {
  (require_sendable<std::decay_t<A>>(), ...);
  if constexpr (!std::is_void_v<R>) require_sendable<R>();
  auto entry = std::make_unique<FunctionEntry<F, R, A...>>(std::move(name), std::move(f));
  const auto& typed = *entry;
  register_task(std::move(entry));
  return Task<R(A...)>(typed);
}
}  // namespace detail

/// Registers `f` (a function pointer, or a lambda with one call operator)
/// under Name; returns its handle.
template <TaskName Name, class F>
auto task(F f) {
  using Signature = typename detail::signature_of<std::decay_t<F>>::type;
  return detail::make_task(std::string(Name.view()), std::move(f),
                           static_cast<std::add_pointer_t<Signature>>(nullptr));
}

}  // namespace mpimap
