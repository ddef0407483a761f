// farm::CommandTemplate: the command's words joined with spaces, every
// replacement string filled in (shell-quoted), the item appended when there is
// none. Expected lines are GNU parallel's (`parallel --dry-run ...` where the
// quoting agrees); /bin/sh runs a few to show an item stays one word.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "farm/command_template.hpp"
#include "farm/error.hpp"

namespace {

using mpimap::farm::CommandTemplate;

std::string render(const std::vector<std::string>& words, std::string_view item,
                   std::uint64_t seq = 1, std::int64_t slot = 1) {
  std::string out;
  CommandTemplate(words).render(item, seq, slot, out);
  return out;
}

TEST(CommandTemplate, AppendsTheItemWhenThereIsNoReplacementString) {
  EXPECT_EQ(render({"echo"}, "x"), "echo x");
  EXPECT_EQ(render({"gzip", "-9"}, "a b.txt"), "gzip -9 'a b.txt'");
  EXPECT_EQ(render({"echo"}, ""), "echo ''");
}

TEST(CommandTemplate, JoinsTheWordsWithSpacesUnquoted) {
  // As GNU parallel: the words are shell code, only values are quoted.
  EXPECT_EQ(render({"awk", "{print $1}"}, "f"), "awk {print $1} f");
  EXPECT_EQ(render({"echo a | tr a b", ";", "true"}, "x"), "echo a | tr a b ; true x");
}

TEST(CommandTemplate, FillsInTheItem) {
  EXPECT_EQ(render({"echo", "{}"}, "x"), "echo x");
  EXPECT_EQ(render({"echo", "{}", "{}"}, "x"), "echo x x");
  EXPECT_EQ(render({"cp", "{}", "/backup/"}, "my file"), "cp 'my file' /backup/");
}

TEST(CommandTemplate, FillsInEveryReplacementString) {
  const std::vector<std::string> words = {"cmd", "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}"};
  EXPECT_EQ(render(words, "dir/sub/a b.tar.gz", 7, 3),
            "cmd 'dir/sub/a b.tar.gz' 'dir/sub/a b.tar' 'a b.tar.gz' dir/sub 'a b.tar' 7 3");
  EXPECT_EQ(render(words, "plain", 1, 1), "cmd plain plain plain . plain 1 1");
}

TEST(CommandTemplate, FillsInReplacementStringsInsideAWord) {
  EXPECT_EQ(render({"echo", "{.}.gz", "x{}y"}, "a.txt"), "echo a.gz xa.txty");
  EXPECT_EQ(render({"mv", "{}", "{//}/new_{/}"}, "d/f"), "mv d/f d/new_f");
  EXPECT_EQ(render({"echo", "{{}}"}, "x"), "echo {x}");
  EXPECT_EQ(render({"echo", "{#}-{%}"}, "x", 12, 5), "echo 12-5");
}

TEST(CommandTemplate, SeqAndSlotAreOnlyNumbersAndNeverAppendTheItem) {
  // {#} and {%} count as replacement strings: the item is not appended.
  EXPECT_EQ(render({"echo", "{#}"}, "item", 1099511627776, 1), "echo 1099511627776");
  EXPECT_EQ(render({"echo", "{%}"}, "item", 1, 4096), "echo 4096");
}

TEST(CommandTemplate, LeavesOtherBracesAlone) {
  EXPECT_EQ(render({"echo", "{x}", "{", "}", "{ }", "{/x}"}, "i"), "echo {x} { } { } {/x} i");
}

TEST(CommandTemplate, RefusesGnuParallelsReplacementStringsThatItLacks) {
  // Left as text, {1} would run "echo {1} i" where GNU parallel runs "echo i".
  for (const std::string word : {"{1}", "x{2.}y", "{-1/}", "{10//}", "{3/.}", "{= s/a/b/ =}"})
    EXPECT_THROW(CommandTemplate({"echo", word}), mpimap::farm::UsageError) << word;
  EXPECT_EQ(render({"echo", "{1x}", "{=", "{-}", "{1"}, "i"), "echo {1x} {= {-} {1 i");
}

TEST(CommandTemplate, QuotesTheTransformedValues) {
  EXPECT_EQ(render({"echo", "{/}", "{//}"}, "it's/a $b"), "echo 'a $b' 'it'\\''s'");
  EXPECT_EQ(render({"echo", "{.}"}, "x.y;z"), "echo x");
  EXPECT_EQ(render({"echo", "{.}"}, "semi;colon.txt"), "echo 'semi;colon'");
}

TEST(CommandTemplate, OverwritesTheOutputString) {
  const CommandTemplate command({"echo", "{}"});
  std::string out = "left over from a longer command line";
  command.render("a", 1, 1, out);
  EXPECT_EQ(out, "echo a");
  command.render("b", 2, 1, out);
  EXPECT_EQ(out, "echo b");
}

TEST(CommandTemplate, EmptyCommandLineStillGetsTheItem) {
  // finish_options refuses an empty command; the template itself copes.
  EXPECT_EQ(render({}, "x"), " x");
}

/// What /bin/sh prints for a command line.
std::string run_sh(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return "<popen failed>";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST(CommandTemplate, AnItemIsOneLiteralWordForTheShell) {
  for (const std::string item : {"a b", "$(echo injected)", "`echo injected`", "x; echo injected",
                                 "'", "\"", "*", "dir/a b.c", "-n", "new\nline"}) {
    const std::string words_out = run_sh(render({"printf", "'[%s]'"}, item));
    EXPECT_EQ(words_out, "[" + item + "]") << item;
    EXPECT_EQ(run_sh(render({"printf", "'[%s][%s]'", "{/}", "{.}"}, item)),
              "[" + mpimap::farm::basename_of(item) + "][" +
                  std::string(mpimap::farm::without_extension(item)) + "]")
        << item;
  }
}

}  // namespace
