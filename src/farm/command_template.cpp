#include "farm/command_template.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

#include "farm/error.hpp"

namespace mpimap::farm {

namespace {

bool is_plain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '%' || c == '+' || c == ':' || c == ',' || c == '.' || c == '/' ||
         c == '-';
}

/// The length of the replacement string of GNU parallel's that `s` starts
/// with and that is not supported here, or 0: positional ones ({1}, {2.},
/// {-1/}, ...; there is one input source) and Perl expressions ({= ... =}).
/// Left as text, they would silently run another command than GNU parallel's.
std::size_t unsupported_token(std::string_view s) {
  if (s.starts_with("{=")) {
    const auto end = s.find("=}", 2);
    return end == std::string_view::npos ? 0 : end + 2;
  }
  std::size_t k = 1;
  if (k < s.size() && s[k] == '-') ++k;
  const auto digits = k;
  while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
  if (k == digits) return 0;
  for (const std::string_view suffix : {"}", ".}", "/}", "//}", "/.}"})
    if (s.substr(k).starts_with(suffix)) return k + suffix.size();
  return 0;
}

void append_number(std::int64_t v, std::string& out) {
  std::array<char, 24> buf;
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), end);
}

}  // namespace

void shell_quote(std::string_view s, std::string& out) {
  bool plain = !s.empty();
  for (const char c : s) plain = plain && is_plain(static_cast<unsigned char>(c));
  if (plain) {
    out.append(s);
    return;
  }
  out += '\'';
  for (const char c : s) {
    if (c == '\'')
      out.append("'\\''");
    else
      out += c;
  }
  out += '\'';
}

std::string_view without_extension(std::string_view s) {
  const auto dot = s.rfind('.');
  if (dot == std::string_view::npos || s.find('/', dot) != std::string_view::npos) return s;
  return s.substr(0, dot);
}

std::string basename_of(std::string_view s) {
  // Perl's s:.*/:: where '.' does not match a newline: the match starts at the
  // first line holding a '/' and ends at the last '/' of that line.
  std::size_t line = 0;
  while (line <= s.size()) {
    auto end = s.find('\n', line);
    if (end == std::string_view::npos) end = s.size();
    const auto slash = s.substr(line, end - line).rfind('/');
    if (slash != std::string_view::npos) {
      std::string out(s.substr(0, line));
      out.append(s.substr(line + slash + 1));
      return out;
    }
    line = end + 1;
  }
  return std::string(s);
}

std::string dirname_of(std::string_view s) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  const auto slash = s.rfind('/');
  if (slash == std::string_view::npos) return ".";
  auto dir = s.substr(0, slash);
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return dir.empty() ? "/" : std::string(dir);
}

CommandTemplate::CommandTemplate(const std::vector<std::string>& words) {
  static constexpr std::array<std::pair<std::string_view, Kind>, 7> kTokens{{
      {"{}", Kind::Item},
      {"{.}", Kind::NoExt},
      {"{/}", Kind::Base},
      {"{//}", Kind::Dir},
      {"{/.}", Kind::BaseNoExt},
      {"{#}", Kind::Seq},
      {"{%}", Kind::Slot},
  }};
  std::string line;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) line += ' ';
    line += words[i];
  }
  bool any = false;
  std::string text;
  for (std::size_t i = 0; i < line.size();) {
    bool matched = false;
    if (line[i] == '{') {
      for (const auto& [token, kind] : kTokens) {
        if (std::string_view(line).substr(i, token.size()) != token) continue;
        if (!text.empty()) parts_.push_back({Kind::Text, std::move(text)});
        text.clear();
        parts_.push_back({kind, {}});
        any = matched = true;
        i += token.size();
        break;
      }
      const auto n = matched ? 0 : unsupported_token(std::string_view(line).substr(i));
      if (n)
        throw UsageError(fmt::format(
            "run: replacement string {} is not supported (only {{}} {{.}} {{/}} {{//}} {{/.}} "
            "{{#}} {{%}})",
            line.substr(i, n)));
    }
    if (!matched) text += line[i++];
  }
  if (!any) {
    text += ' ';
    parts_.push_back({Kind::Text, std::move(text)});
    parts_.push_back({Kind::Item, {}});
  } else if (!text.empty()) {
    parts_.push_back({Kind::Text, std::move(text)});
  }
}

void CommandTemplate::render(std::string_view item, std::uint64_t seq, std::int64_t slot,
                             std::string& out) const {
  out.clear();
  for (const auto& p : parts_) {
    switch (p.kind) {
      case Kind::Text:
        out += p.text;
        break;
      case Kind::Item:
        shell_quote(item, out);
        break;
      case Kind::NoExt:
        shell_quote(without_extension(item), out);
        break;
      case Kind::Base:
        shell_quote(basename_of(item), out);
        break;
      case Kind::Dir:
        shell_quote(dirname_of(item), out);
        break;
      case Kind::BaseNoExt:
        shell_quote(without_extension(basename_of(item)), out);
        break;
      case Kind::Seq:
        append_number(static_cast<std::int64_t>(seq), out);
        break;
      case Kind::Slot:
        append_number(slot, out);
        break;
    }
  }
}

}  // namespace mpimap::farm
