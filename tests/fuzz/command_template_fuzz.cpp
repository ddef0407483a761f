// Fuzz target: command templates (farm::CommandTemplate, with GNU parallel's
// replacement strings, --plus's too) and the quoting of what goes into them.
// The input is the command's words and, last, the item, separated by NUL
// bytes. Checked: shell_quote gives back the exact bytes when /bin/sh would
// read the word (unquoted here by sh's rules), {.} is a prefix of the item, a
// command without replacement strings gets the item appended as its last
// word, and rendering is repeatable, with --plus and -X too.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/error.hpp"
#include "fuzz_input.hpp"

namespace {

/// One word as /bin/sh reads it, for what shell_quote writes (GNU parallel's
/// form): plain bytes, '...', and "'" between them. Checks that the whole of
/// `word` is one such word.
std::string unquote(std::string_view word) {
  std::string out;
  for (std::size_t i = 0; i < word.size();) {
    if (word[i] == '\'' || word[i] == '"') {
      const char q = word[i];
      const auto close = word.find(q, i + 1);
      MPIMAP_FUZZ_CHECK(close != std::string_view::npos);
      const auto inside = word.substr(i + 1, close - i - 1);
      if (q == '"') MPIMAP_FUZZ_CHECK(inside == "'");  // only ever "'"
      out.append(inside);
      i = close + 1;
    } else {
      const auto c = static_cast<unsigned char>(word[i]);
      MPIMAP_FUZZ_CHECK(std::string_view("_+./-").find(static_cast<char>(c)) !=
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
    return 0;  // a replacement string mpimap refuses ({= perl =}, {2#}): refused
  }
  const CommandTemplate& command = *parsed;
  std::string line;
  command.render(item, 1 + size, static_cast<std::int64_t>(size % 1000), line);
  std::string joined;
  for (std::size_t i = 0; i < words.size(); ++i) joined += (i ? " " : "") + words[i];
  if (!command.has_replacements() && !words.empty()) MPIMAP_FUZZ_CHECK(line == joined + " " + q);
  // Rendering again into the same string gives the same line.
  std::string again = "leftover";
  command.render(item, 1 + size, static_cast<std::int64_t>(size % 1000), again);
  MPIMAP_FUZZ_CHECK(again == line);

  // --plus and -X, on a job of two records of two values: no crash, and
  // repeatable (a bad regular expression in a --plus form is a usage error).
  mpimap::farm::TemplateOptions opt;
  opt.plus = true;
  opt.context_replace = (size & 1) != 0;
  std::optional<CommandTemplate> plus;
  try {
    plus.emplace(words, opt);
  } catch (const mpimap::farm::UsageError&) {
    return 0;
  }
  mpimap::farm::JobArgs args;
  args.add_record({item, "x"});
  args.add_record({"", item});
  mpimap::farm::JobContext ctx;
  ctx.total_jobs = 3;
  std::string a, b;
  plus->render(args, ctx, a);
  plus->render(args, ctx, b);
  MPIMAP_FUZZ_CHECK(a == b);
  CommandTemplate::Meter meter(*plus);
  meter.add({item, "x"});
  meter.remove({item, "x"});
  return 0;
}
