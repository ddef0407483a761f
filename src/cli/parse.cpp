#include "cli/parse.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <system_error>

namespace mpimap::cli {

namespace {
std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}
/// A leading '+' dropped (from_chars takes only '-'), as Python's int() and
/// float() accept it; a second sign after it ("+-1") is left to fail.
std::string_view without_plus(std::string_view s) {
  if (s.size() >= 2 && s.front() == '+' && (s[1] == '-' || s[1] == '+')) return s;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  return s;
}
}  // namespace

std::optional<std::string> parse_int(std::string_view text, std::int64_t& out) {
  const auto s = without_plus(trim(text));
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || end != s.data() + s.size()) return "not an integer";
  if (ec == std::errc::result_out_of_range) return "out of range for a 64-bit integer";
  if (ec != std::errc()) return "not an integer";
  return std::nullopt;
}

std::optional<std::string> parse_real(std::string_view text, double& out) {
  const auto s = without_plus(trim(text));
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || end != s.data() + s.size() || ec == std::errc::invalid_argument)
    return "not a number";
  if (ec == std::errc::result_out_of_range || !std::isfinite(out)) return "not a finite number";
  return std::nullopt;
}

std::string quote_item(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\')
      out += '\\', out += static_cast<char>(c);
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  if (text.size() > kMax) out += "...";
  return out + "\"";
}

}  // namespace mpimap::cli
