// farm::shell_quote: a value becomes one literal word for /bin/sh. Checked two
// ways: the exact text for chosen values, and by /bin/sh itself, which must
// hand every value back byte for byte (so no value can inject shell code).

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "farm/command_template.hpp"

namespace {

using mpimap::farm::shell_quote;

std::string as_word(std::string_view s) {
  std::string out;
  shell_quote(s, out);
  return out;
}

/// What /bin/sh prints for `printf %s WORD`.
std::string through_sh(const std::string& word) {
  const std::string command = "printf %s " + word;
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
  EXPECT_EQ(as_word("user@host:dir,a+b%c-d_e"), "user@host:dir,a+b%c-d_e");
  EXPECT_EQ(as_word("ABCXYZabcxyz0123456789"), "ABCXYZabcxyz0123456789");
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

TEST(ShellQuote, WritesASingleQuoteAsQuoteBackslashQuoteQuote) {
  EXPECT_EQ(as_word("it's"), "'it'\\''s'");
  EXPECT_EQ(as_word("'"), "''\\'''");
  EXPECT_EQ(as_word("''"), "''\\'''\\'''");
}

TEST(ShellQuote, MakesTheEmptyStringAnEmptyWord) { EXPECT_EQ(as_word(""), "''"); }

TEST(ShellQuote, AppendsToWhatIsThere) {
  std::string out = "echo ";
  shell_quote("a b", out);
  shell_quote("c", out);
  EXPECT_EQ(out, "echo 'a b'c");
}

TEST(ShellQuote, ShHandsEveryValueBackUnchanged) {
  std::vector<std::string> values = {
      "plain",  "",     "a b", "it's", "'",     "\"",       "\\",       "$HOME", "${x:-y}",
      "$(id)",  "`id`", "*",   "?",    "[a]",   "~root",    "#comment", "a;b",   "a&b",
      "a|b",    "a>b",  "a<b", "(a)",  "{a,b}", "!x",       "a\nb",     "\t",    " lead",
      "trail ", "-n",   "--",  "%s%d", "x=1",   "'a'\\''b'"};
  std::string every_byte;  // 1..255: the shell cannot carry NUL
  for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
  values.push_back(every_byte);
  for (const auto& v : values) EXPECT_EQ(through_sh(as_word(v)), v) << "value: " << v;
}

}  // namespace
