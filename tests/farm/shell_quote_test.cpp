// farm::shell_quote: a value becomes one literal word for the shell, written
// exactly as GNU parallel 20221122 writes it (so joblogs and -v lines agree).
// Checked two ways: the exact text for chosen values, and by the shell itself,
// which must hand every value back byte for byte (so no value can inject shell
// code): /bin/sh and bash for the Bourne style, csh/tcsh where installed.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "farm/command_template.hpp"

namespace {

using mpimap::farm::QuoteStyle;
using mpimap::farm::shell_quote;

std::string as_word(std::string_view s, QuoteStyle style = QuoteStyle::Bourne) {
  std::string out;
  shell_quote(s, out, style);
  return out;
}

bool installed(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

/// What `printf %s WORD` prints, run by /bin/sh, or by `shell -c`.
std::string through_sh(const std::string& word, const std::string& shell = "") {
  std::string command = "printf %s " + word;
  if (!shell.empty()) {
    std::string q;
    shell_quote(command, q);
    command = shell + " -c " + q;
  }
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return "<popen failed>";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  if (status != 0) out += "<sh exit status " + std::to_string(status) + ">";
  return out;
}

TEST(ShellQuote, LeavesWordsOfPlainCharactersAlone) {
  EXPECT_EQ(as_word("abc"), "abc");
  EXPECT_EQ(as_word("file.tar.gz"), "file.tar.gz");
  EXPECT_EQ(as_word("/usr/local/bin"), "/usr/local/bin");
  EXPECT_EQ(as_word("a+b-d_e.f/g"), "a+b-d_e.f/g");
  EXPECT_EQ(as_word("ABCXYZabcxyz0123456789"), "ABCXYZabcxyz0123456789");
}

TEST(ShellQuote, QuotesWhatGnuParallelQuotes) {
  // GNU parallel leaves only [-_.+a-zA-Z0-9/] alone: @ : , % are quoted too.
  EXPECT_EQ(as_word("user@host:dir,a%c"), "'user@host:dir,a%c'");
}

TEST(ShellQuote, PutsEverythingElseInSingleQuotes) {
  EXPECT_EQ(as_word("a b"), "'a b'");
  EXPECT_EQ(as_word("$HOME"), "'$HOME'");
  EXPECT_EQ(as_word("`id`"), "'`id`'");
  EXPECT_EQ(as_word("a;rm -rf x"), "'a;rm -rf x'");
  EXPECT_EQ(as_word("*"), "'*'");
  EXPECT_EQ(as_word("~"), "'~'");
  EXPECT_EQ(as_word("a=b"), "'a=b'");
  EXPECT_EQ(as_word("line1\nline2"), "'line1\nline2'");
  EXPECT_EQ(as_word("back\\slash"), "'back\\slash'");
  EXPECT_EQ(as_word("caf\xc3\xa9"), "'caf\xc3\xa9'");  // bytes >= 0x80 are not "plain"
}

TEST(ShellQuote, WritesASingleQuoteAsGnuParallelDoes) {
  // '"'"' for each ', and no '' left at either end.
  EXPECT_EQ(as_word("it's"), R"('it'"'"'s')");
  EXPECT_EQ(as_word("'"), R"("'")");
  EXPECT_EQ(as_word("''"), R"("'"''"'")");
  EXPECT_EQ(as_word("'a"), R"("'"'a')");
}

TEST(ShellQuote, MakesTheEmptyStringAnEmptyWord) {
  EXPECT_EQ(as_word(""), "''");
  EXPECT_EQ(as_word("", QuoteStyle::Csh), "''");
  EXPECT_EQ(as_word("", QuoteStyle::Rc), "''");
}

TEST(ShellQuote, CshStyleEscapesEachSpecialByte) {
  EXPECT_EQ(as_word("a b", QuoteStyle::Csh), R"(a\ b)");
  EXPECT_EQ(as_word("it's $x!", QuoteStyle::Csh), R"(it\'s\ \$x\!)");
  EXPECT_EQ(as_word("a\nb", QuoteStyle::Csh), "a\"\\\n\"b");
}

TEST(ShellQuote, RcStyleQuotesRunsOfSpecialBytes) {
  EXPECT_EQ(as_word("a b", QuoteStyle::Rc), "a' 'b");
  EXPECT_EQ(as_word("it's", QuoteStyle::Rc), "it''''s");
}

TEST(ShellQuote, AppendsToWhatIsThere) {
  std::string out = "echo ";
  shell_quote("a b", out);
  shell_quote("c", out);
  EXPECT_EQ(out, "echo 'a b'c");
}

TEST(ShellQuote, ShHandsEveryValueBackUnchanged) {
  std::vector<std::string> values = {
      "plain",  "",     "a b", "it's", "'",     "\"",        "\\",       "$HOME", "${x:-y}",
      "$(id)",  "`id`", "*",   "?",    "[a]",   "~root",     "#comment", "a;b",   "a&b",
      "a|b",    "a>b",  "a<b", "(a)",  "{a,b}", "!x",        "a\nb",     "\t",    " lead",
      "trail ", "-n",   "--",  "%s%d", "x=1",   "'a'\\''b'", "''"};
  std::string every_byte;  // 1..255: the shell cannot carry NUL
  for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
  values.push_back(every_byte);
  for (const auto& v : values) EXPECT_EQ(through_sh(as_word(v)), v) << "value: " << v;
  if (installed("bash")) {
    for (const auto& v : values) EXPECT_EQ(through_sh(as_word(v), "bash"), v) << "bash: " << v;
  }
}

TEST(ShellQuote, CshHandsEveryValueBackUnchanged) {
  // Where csh or tcsh is installed (GNU parallel's csh quoting).
  for (const char* shell : {"tcsh", "csh"}) {
    if (!installed(shell)) continue;
    for (const std::string v : {"plain", "a b", "it's", "$HOME", "*", "a;b", "`id`", "x=1"})
      EXPECT_EQ(through_sh(as_word(v, QuoteStyle::Csh), shell), v) << shell << ": " << v;
  }
}

}  // namespace
