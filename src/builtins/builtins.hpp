#pragma once
// The functions `mpimap map` and `mpimap process` can run, by name: the
// seed's (square, print_number, print_numbers) and a few more to try the
// schedules with. The program only parses and prints; these compute.

#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace mpimap::builtins {

using IntToInt = std::int64_t (*)(std::int64_t);
using RealToReal = double (*)(double);
using IntPrinter = void (*)(std::int64_t);  // prints, returns nothing

struct Builtin {
  std::string_view name;
  std::string_view signature;  // e.g. "int -> int"
  std::string_view help;
  std::variant<IntToInt, RealToReal, IntPrinter> fn;
};

std::span<const Builtin> builtins();
/// The builtin called `name`, or nullptr.
const Builtin* find_builtin(std::string_view name);

}  // namespace mpimap::builtins
