// Fuzz target: item text to numbers (cli::parse_int, cli::parse_real) and item
// text for error messages (cli::quote_item). Either a number comes back that
// the text really spells, or one of the documented error messages.

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/parse.hpp"
#include "fuzz_input.hpp"

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// What std::to_string writes for the integer `t` spells ("+007" -> "7",
/// "-0" -> "0"), or "" when `t` is not a sign and digits.
std::string canonical_int(std::string_view t) {
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  bool minus = false;
  if (!t.empty() && (t.front() == '+' || t.front() == '-')) {
    minus = t.front() == '-';
    t.remove_prefix(1);
  }
  if (t.empty()) return "";
  for (const char c : t)
    if (!is_digit(c)) return "";
  while (t.size() > 1 && t.front() == '0') t.remove_prefix(1);
  return (minus && t != "0" ? "-" : "") + std::string(t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mpimap::cli;
  const auto text = mpimap::fuzz::bytes(data, size);

  std::int64_t i = 0;
  if (const auto why = parse_int(text, i)) {
    MPIMAP_FUZZ_CHECK(*why == "not an integer" || *why == "out of range for a 64-bit integer");
    if (*why != "not an integer") MPIMAP_FUZZ_CHECK(!canonical_int(text).empty());
  } else {
    MPIMAP_FUZZ_CHECK(std::to_string(i) == canonical_int(text));
  }

  double d = 0;
  if (const auto why = parse_real(text, d))
    MPIMAP_FUZZ_CHECK(*why == "not a number" || *why == "not a finite number");
  else
    MPIMAP_FUZZ_CHECK(std::isfinite(d));

  const std::string q = quote_item(text);
  MPIMAP_FUZZ_CHECK(q.size() >= 2 && q.front() == '"' && q.back() == '"');
  MPIMAP_FUZZ_CHECK(q.size() <= 2 + 60 * 4 + 3);
  for (const char c : q) MPIMAP_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  return 0;
}
