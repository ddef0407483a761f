#include "builtins/builtins.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace mpimap::builtins {

namespace {

std::int64_t square(std::int64_t x) {
  std::int64_t r;
  if (__builtin_mul_overflow(x, x, &r))
    throw std::overflow_error(fmt::format("integer overflow: {}**2", x));
  return r;
}

std::int64_t cube(std::int64_t x) {
  std::int64_t r;
  if (__builtin_mul_overflow(square(x), x, &r))
    throw std::overflow_error(fmt::format("integer overflow: {}**3", x));
  return r;
}

// Steps of the Collatz sequence from x down to 1: cheap to state, uneven to run.
std::int64_t collatz(std::int64_t x) {
  if (x < 1) throw std::domain_error(fmt::format("collatz needs a positive integer, got {}", x));
  std::int64_t steps = 0;
  for (std::uint64_t n = static_cast<std::uint64_t>(x); n != 1; ++steps) {
    if (n % 2 == 0) {
      n /= 2;
    } else {
      if (n > (UINT64_MAX - 1) / 3) throw std::overflow_error("integer overflow in collatz");
      n = 3 * n + 1;
    }
  }
  return steps;
}

// A task that dies, to see what a crash does (and what `map --isolate` does
// about it): x > 0 raises signal x, x < 0 calls exit(-x), 0 returns 0.
std::int64_t crash(std::int64_t x) {
  if (x > 0) std::raise(static_cast<int>(x));
  if (x < 0) std::exit(static_cast<int>(-x));
  return x;  // or a signal that did not end the process
}

void print_number(std::int64_t n) { std::cout << "Number: " << n << '\n'; }

void print_numbers(std::int64_t n) {
  for (std::int64_t i = 1; i <= n; ++i) std::cout << i << '\n';
}

std::chrono::nanoseconds from_ms(double ms) {
  if (ms < 0) throw std::domain_error(fmt::format("a duration cannot be negative: {}", ms));
  // Beyond that, ms * 1e6 would not fit the nanoseconds (and a huge duration
  // came out negative: no wait at all).
  if (ms > 1e12) throw std::domain_error(fmt::format("a duration longer than 1e12 ms: {}", ms));
  return std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1e6));
}

// Burns CPU (no sleeping) for `ms` milliseconds: a stand-in for real work.
double spin_ms(double ms) {
  const auto end = std::chrono::steady_clock::now() + from_ms(ms);
  while (std::chrono::steady_clock::now() < end) {
  }
  return ms;
}

double sleep_ms(double ms) {
  std::this_thread::sleep_for(from_ms(ms));
  return ms;
}

constexpr std::array kBuiltins{
    Builtin{"square", "int -> int", "x**2 (overflow is an error)", &square},
    Builtin{"cube", "int -> int", "x**3 (overflow is an error)", &cube},
    Builtin{"collatz", "int -> int", "steps of the Collatz sequence from x to 1", &collatz},
    Builtin{"crash", "int -> int", "x > 0: raises signal x (11: SIGSEGV); x < 0: exit(-x)", &crash},
    Builtin{"print_number", "int -> None", "prints \"Number: x\" (the seed's Q-6)", &print_number},
    Builtin{"print_numbers", "int -> None", "prints 1 to x, one per line (the seed's Q-3)",
            &print_numbers},
    Builtin{"spin_ms", "real -> real", "burns CPU for x milliseconds, returns x", &spin_ms},
    Builtin{"sleep_ms", "real -> real", "sleeps x milliseconds, returns x", &sleep_ms},
};

}  // namespace

std::span<const Builtin> builtins() { return kBuiltins; }

const Builtin* find_builtin(std::string_view name) {
  for (const auto& b : kBuiltins)
    if (b.name == name) return &b;
  return nullptr;
}

}  // namespace mpimap::builtins
