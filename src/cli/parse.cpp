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
/// The length of the well-formed UTF-8 character of 2 to 4 bytes that `s`
/// starts with (no overlong form, surrogate or code point over U+10FFFF), or 0.
std::size_t utf8_length(std::string_view s) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(0);
  const std::size_t n = c >= 0xc2 && c <= 0xdf   ? 2
                        : c >= 0xe0 && c <= 0xef ? 3
                        : c >= 0xf0 && c <= 0xf4 ? 4
                                                 : 0;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if (byte(k) < 0x80 || byte(k) > 0xbf) return 0;
  const unsigned char c1 = byte(1);
  if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
      (c == 0xf4 && c1 > 0x8f))
    return 0;
  return n;
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
  std::size_t i = 0;
  while (i < text.size() && i < kMax) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\', out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c >= 0x80) {  // a whole UTF-8 character as it is, else the byte as \xNN
      const auto n = utf8_length(text.substr(i));
      if (n == 0) {
        out += fmt::format("\\x{:02x}", c);
      } else {
        out.append(text.substr(i, n));
        i += n;
        continue;
      }
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  if (i < text.size()) out += "...";
  return out + "\"";
}

}  // namespace mpimap::cli
