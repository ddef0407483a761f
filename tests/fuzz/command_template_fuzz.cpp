// Fuzz target: command templates (farm::CommandTemplate, with GNU parallel's
// replacement strings) and the quoting of what goes into them. The input is
// the command's words and, last, the item, separated by NUL bytes. Checked:
// shell_quote gives back the exact bytes when /bin/sh would read the word
// (unquoted here by sh's rules), {.} is a prefix of the item, and a command
// without replacement strings gets the item appended as its last word.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/error.hpp"
#include "fuzz_input.hpp"

namespace {

/// One word as /bin/sh reads it, for what shell_quote writes: plain bytes,
/// '...' and \'. Checks that the whole of `word` is one such word.
std::string unquote(std::string_view word) {
  std::string out;
  for (std::size_t i = 0; i < word.size();) {
    if (word[i] == '\'') {
      const auto close = word.find('\'', i + 1);
      MPIMAP_FUZZ_CHECK(close != std::string_view::npos);
      out.append(word.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (word[i] == '\\') {
      MPIMAP_FUZZ_CHECK(i + 1 < word.size());
      out += word[i + 1];
      i += 2;
    } else {
      const auto c = static_cast<unsigned char>(word[i]);
      MPIMAP_FUZZ_CHECK(std::string_view("_@%+:,./-").find(static_cast<char>(c)) !=
                            std::string_view::npos ||
                        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
      out += word[i++];
    }
  }
  return out;
}

std::string quoted(std::string_view s) {
  std::string out;
  mpimap::farm::shell_quote(s, out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mpimap::farm;
  auto words = mpimap::fuzz::split(mpimap::fuzz::bytes(data, size), '\0');
  const std::string item = words.back();
  words.pop_back();

  const std::string q = quoted(item);
  MPIMAP_FUZZ_CHECK(!q.empty());
  MPIMAP_FUZZ_CHECK(unquote(q) == item);

  const auto no_ext = without_extension(item);
  MPIMAP_FUZZ_CHECK(std::string_view(item).substr(0, no_ext.size()) == no_ext);
  MPIMAP_FUZZ_CHECK(basename_of(item).size() <= item.size());
  MPIMAP_FUZZ_CHECK(!dirname_of(item).empty());
  MPIMAP_FUZZ_CHECK(without_extension(basename_of(item)).size() <= item.size());

  std::optional<CommandTemplate> parsed;
  try {
    parsed.emplace(words);
  } catch (const mpimap::farm::UsageError&) {
    return 0;  // a replacement string mpimap does not support ({1}, {= =}): refused
  }
  const CommandTemplate& command = *parsed;
  std::string line;
  command.render(item, 1 + size, static_cast<std::int64_t>(size % 1000), line);
  std::string joined;
  for (std::size_t i = 0; i < words.size(); ++i) joined += (i ? " " : "") + words[i];
  const bool has_token = [&] {
    for (const char* t : {"{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}"})
      if (joined.find(t) != std::string::npos) return true;
    return false;
  }();
  if (!has_token) MPIMAP_FUZZ_CHECK(line == joined + " " + q);
  // Rendering again into the same string gives the same line.
  std::string again = "leftover";
  command.render(item, 1 + size, static_cast<std::int64_t>(size % 1000), again);
  MPIMAP_FUZZ_CHECK(again == line);
  return 0;
}
