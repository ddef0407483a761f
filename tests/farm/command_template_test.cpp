// farm::CommandTemplate: the command's words joined with spaces, every
// replacement string filled in (shell-quoted), {} appended when there is none.
// Expected lines are GNU parallel 20221122's own (`parallel --dry-run -k ...`
// with the same words and arguments); /bin/sh runs a few to show that an
// argument stays one word.

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
using mpimap::farm::JobArgs;
using mpimap::farm::JobContext;
using mpimap::farm::TemplateOptions;
using Words = std::vector<std::string>;

std::string render(const Words& words, std::string_view item, std::uint64_t seq = 1,
                   std::int64_t slot = 1) {
  std::string out;
  CommandTemplate(words).render(item, seq, slot, out);
  return out;
}

/// A job of records (each a list of values).
JobArgs job(const std::vector<Words>& records) {
  JobArgs a;
  for (auto r : records) a.add_record(std::move(r));
  return a;
}

std::string render(const Words& words, const JobArgs& args, const TemplateOptions& opt = {},
                   JobContext ctx = {}) {
  std::string out;
  CommandTemplate(words, opt).render(args, ctx, out);
  return out;
}

TemplateOptions context_replace() {
  TemplateOptions o;
  o.context_replace = true;
  return o;
}

TemplateOptions plus() {
  TemplateOptions o;
  o.plus = true;
  return o;
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
  const Words words = {"cmd", "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}"};
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
  EXPECT_EQ(render({"echo", "{x}", "{", "}", "{ }", "{/x}", "{1 }"}, "i"),
            "echo {x} { } { } {/x} {1 } i");
}

TEST(CommandTemplate, RefusesPerlExpressions) {
  for (const std::string word : {"{= s/a/b/ =}", "x{=2 $_ =}y"})
    EXPECT_THROW(CommandTemplate({"echo", word}), mpimap::farm::UsageError) << word;
  EXPECT_EQ(render({"echo", "{=", "{-}", "{1"}, "i"), "echo {= {-} {1 i");
}

TEST(CommandTemplate, QuotesTheTransformedValuesAsGnuParallel) {
  EXPECT_EQ(render({"echo", "{/}", "{//}"}, "it's/a $b"), R"(echo 'a $b' 'it'"'"'s')");
  EXPECT_EQ(render({"echo", "{.}"}, "x.y;z"), "echo x");
  EXPECT_EQ(render({"echo", "{.}"}, "semi;colon.txt"), "echo 'semi;colon'");
}

TEST(CommandTemplate, DoesNotQuoteWhenTheCommandStartsWithAReplacementString) {
  // parallel {} ::: 'echo a b'; parallel my_{}: the argument is the command.
  EXPECT_EQ(render({"{}"}, "echo a b"), "echo a b");
  EXPECT_EQ(render({"my_{}", "x y"}, "z w"), "my_z w x y");
  EXPECT_EQ(render({}, "echo 'hi'"), "echo 'hi'");  // no command: the arguments are
  EXPECT_EQ(render({"V={}", "cmd"}, "a b"), "V='a b' cmd");
}

TEST(CommandTemplate, OverwritesTheOutputString) {
  const CommandTemplate command({"echo", "{}"});
  std::string out = "left over from a longer command line";
  command.render("a", 1, 1, out);
  EXPECT_EQ(out, "echo a");
  command.render("b", 2, 1, out);
  EXPECT_EQ(out, "echo b");
}

// --- Several arguments: positional strings, -N, -m, -X -------------------------------

TEST(CommandTemplate, PositionalStringsPickOneArgument) {
  const auto a = job({{"x.tar.gz", "d/q.r.s"}});
  EXPECT_EQ(render({"echo", "{1}", "{2}"}, a), "echo x.tar.gz d/q.r.s");
  EXPECT_EQ(render({"echo", "{1.}", "{2/}", "{2//}", "{2/.}", "{-1}", "{-2.}"}, a),
            "echo x.tar q.r.s d q.r d/q.r.s x.tar");
  EXPECT_EQ(render({"echo", "{3}x{-3}y"}, a), "echo xy");  // none: empty, unquoted
}

TEST(CommandTemplate, NormalStringsTakeEveryArgument) {
  // parallel -N2 echo {1} {2} {} ::: a b c d e  (the second job: "e" alone)
  EXPECT_EQ(render({"echo", "{1}", "{2}", "{}"}, job({{"a"}, {"b"}}), context_replace()),
            "echo a b a b");
  EXPECT_EQ(render({"echo", "{1}", "{2}", "{3}"}, job({{"c"}}), context_replace()), "echo c  ");
  // parallel -m echo a{}b ::: x y z: the values, space-separated, once.
  EXPECT_EQ(render({"echo", "a{}b"}, job({{"x"}, {"y"}})), "echo ax yb");
}

TEST(CommandTemplate, ContextReplaceRepeatsTheWordPerArgument) {
  // parallel -X echo a{}b {1}c ::: x y z (at 2 slots: x y, then z)
  EXPECT_EQ(render({"echo", "a{}b", "{1}c"}, job({{"x"}, {"y"}}), context_replace()),
            "echo axb ayb xc");
  // parallel -j1 -X echo '{#}{}' {%} ::: a b c
  EXPECT_EQ(render({"echo", "{#}{}", "{%}"}, job({{"a"}, {"b"}, {"c"}}), context_replace()),
            "echo 1a 1b 1c 1");
}

TEST(CommandTemplate, NoArgumentsPutsNothingIn) {
  // parallel -N0 echo foo ::: 1
  auto a = job({{"1"}});
  a.no_args = true;
  EXPECT_EQ(render({"echo", "foo"}, a, context_replace()), "echo foo ");
}

TEST(CommandTemplate, QuoteAllQuotesTheWordsNotTheArguments) {
  // parallel -q echo 'a b' '{}' "x'y" ::: 'q r'
  TemplateOptions o;
  o.quote_all = true;
  EXPECT_EQ(render({"echo", "a b", "{}", "x'y"}, job({{"q r"}}), o),
            R"(echo 'a b' 'q r' 'x'"'"'y')");
}

TEST(CommandTemplate, RenamedReplacementStrings) {
  TemplateOptions o;
  o.names.item = "XX";
  EXPECT_EQ(render({"echo", "XX", "{}"}, job({{"a"}}), o), "echo a {}");
  o.names.item = "{x}";
  EXPECT_EQ(render({"echo", "{x}", "{1x}", "{}"}, job({{"a"}}), o), "echo a a {}");
}

TEST(CommandTemplate, TrimsBeforeTransforming) {
  TemplateOptions o;
  o.trim = 'b';
  EXPECT_EQ(render({"echo", "[{}]"}, job({{" a "}}), o), "echo [a]");
  o.trim = 'l';
  EXPECT_EQ(render({"echo", "[{}]"}, job({{" a "}}), o), "echo ['a ']");
}

// --- --plus ----------------------------------------------------------------------

TEST(CommandTemplate, PlusStrings) {
  // parallel --plus --dry-run echo ... ::: dir/a.b.c.d
  EXPECT_EQ(render({"echo", "{..}", "{+..}", "{/..}", "{+/}", "{+.}", "{...}", "{+...}", "{/...}"},
                   job({{"dir/a.b.c.d"}}), plus()),
            "echo dir/a.b c.d a.b dir d dir/a b.c.d a");
  EXPECT_EQ(render({"echo", "{:-x}", "{:2}", "{:1:2}"}, job({{"abcdef"}}), plus()),
            "echo abcdef cdef bc");
  EXPECT_EQ(render({"echo", "{:-x}", "{:2}", "{:1:2}"}, job({{""}}), plus()), "echo x '' ''");
  EXPECT_EQ(render({"echo", "{:-x}"}, job({{"0"}}), plus()), "echo x");
  EXPECT_EQ(render({"echo", "{#a*}", "{##a*}", "{%c*}", "{%%c*}", "{/b/X}", "{//b/X}", "{/#a/X}",
                    "{/%c/X}", "{^b}", "{^^b}", "{,A}", "{,,A}"},
                   job({{"aAbBcC.abc"}}), plus()),
            "echo aAbBcC.abc AbBcC.abc aAbBcC.abc aAbBcC.ab aAXBcC.abc aAXBcC.aXc XAbBcC.abc "
            "aAbBcC.abX aAbBcC.abc aABBcC.aBc aAbBcC.abc aabBcC.abc");
  EXPECT_EQ(render({"echo", "{2..}", "{-1+.}"}, job({{"x.y.z", "q.r.s"}}), plus()), "echo q s");
  JobContext ctx;
  ctx.seq = 11;
  ctx.slot = 3;
  ctx.total_jobs = 12;
  ctx.slots_total = 3;
  EXPECT_EQ(render({"echo", "{0#}", "{0%}", "{##}"}, job({{"x"}}), plus(), ctx), "echo 11 3 12");
}

TEST(CommandTemplate, UniqAndChooseKSkipJobs) {
  const CommandTemplate uniq({"echo", "{uniq}"}, plus());
  EXPECT_TRUE(uniq.skips(job({{"a", "a"}})));
  EXPECT_FALSE(uniq.skips(job({{"a", "b"}})));
  const CommandTemplate choose({"echo", "{choose_k}"}, plus());
  EXPECT_TRUE(choose.skips(job({{"b", "a"}})));
  EXPECT_FALSE(choose.skips(job({{"a", "b", "c"}})));
}

// --- The length meter (-m, -X, --xargs, -s) --------------------------------------

TEST(CommandTemplate, MeterEstimatesTheRenderedLength) {
  const CommandTemplate t({"echo", "{}"});
  CommandTemplate::Meter m(t);
  m.add({"abc"});
  EXPECT_EQ(m.length(), std::string("echo abc").size());
  m.add({"de"});
  EXPECT_EQ(m.length(), std::string("echo abc de").size());
  m.remove({"de"});
  EXPECT_EQ(m.length(), std::string("echo abc").size());
  m.reset();
  m.add({"a b"});
  EXPECT_EQ(m.length(), std::string("echo 'a b'").size());
}

TEST(CommandTemplate, MeterCountsContextWordsPerArgument) {
  const CommandTemplate t({"echo", "x{}y"}, context_replace());
  CommandTemplate::Meter m(t);
  m.add({"1"});
  m.add({"2"});
  EXPECT_EQ(m.length(), std::string("echo x1y x2y").size());
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
