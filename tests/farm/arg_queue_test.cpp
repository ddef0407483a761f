// farm::ArgQueue: several input sources combined into records as GNU parallel
// 20221122 combines them (every combination, :::+ linking, --link wrapping,
// an empty source), and per source -d, -E, -r and -L; --colsep and --header.
// The expected records are what `parallel -k echo {1}..{n}` shows for the
// same sources. GNU parallel is not needed to run this test.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "farm/arg_queue.hpp"
#include "farm/error.hpp"
#include "test_files.hpp"

namespace {

using mpimap::farm::ArgQueue;
using mpimap::farm::ReadOptions;
using mpimap::farm::SourceSpec;
using mpimap::farm::split_columns;
using mpimap::test::TempDir;
using mpimap::test::write_file;
using Words = std::vector<std::string>;
using Records = std::vector<Words>;

SourceSpec args(Words values, bool linked = false) {
  return {.is_file = false, .args = std::move(values), .linked = linked};
}
SourceSpec file(std::string path, bool linked = false) {
  return {.is_file = true, .path = std::move(path), .linked = linked};
}

Records all(std::vector<SourceSpec> sources, ReadOptions opt = {}) {
  ArgQueue q(std::move(sources), std::move(opt));
  Records out;
  Words r;
  while (q.next(r) == ArgQueue::Next::Record) out.push_back(r);
  return out;
}

TEST(ArgQueue, OneSourceGivesItsValues) {
  EXPECT_EQ(all({args({"a", "b"})}), (Records{{"a"}, {"b"}}));
  EXPECT_EQ(all({args({})}), Records{});
}

TEST(ArgQueue, SeveralSourcesGiveEveryCombinationFirstSourceSlowest) {
  // parallel -k echo ::: a b ::: 1 2 3 ::: X
  EXPECT_EQ(all({args({"a", "b"}), args({"1", "2", "3"}), args({"X"})}),
            (Records{{"a", "1", "X"},
                     {"a", "2", "X"},
                     {"a", "3", "X"},
                     {"b", "1", "X"},
                     {"b", "2", "X"},
                     {"b", "3", "X"}}));
}

TEST(ArgQueue, LinkedSourcesAdvanceTogetherShortestFirst) {
  // parallel -k echo ::: a b c :::+ 1 2 ::: X Y
  EXPECT_EQ(all({args({"a", "b", "c"}), args({"1", "2"}, true), args({"X", "Y"})}),
            (Records{{"a", "1", "X"}, {"a", "1", "Y"}, {"b", "2", "X"}, {"b", "2", "Y"}}));
  // ::: X Y :::+ 11 22 after an unlinked source
  EXPECT_EQ(all({args({"a"}), args({"X", "Y"}), args({"11", "22"}, true)}),
            (Records{{"a", "X", "11"}, {"a", "Y", "22"}}));
}

TEST(ArgQueue, LinkWrapsTheShorterSources) {
  // parallel -k --link echo ::: a b c ::: x y
  ReadOptions o;
  o.link = true;
  EXPECT_EQ(all({args({"a", "b", "c"}), args({"x", "y"})}, o),
            (Records{{"a", "x"}, {"b", "y"}, {"c", "x"}}));
}

TEST(ArgQueue, AnEmptySourceIsOneEmptyValueUnlessAllAreEmpty) {
  // parallel -k echo ::: a b :::: /dev/null  ->  "a ", "b "
  EXPECT_EQ(all({args({"a", "b"}), args({})}), (Records{{"a", ""}, {"b", ""}}));
  EXPECT_EQ(all({args({}), args({"x"})}), (Records{{"", "x"}}));
  EXPECT_EQ(all({args({}), args({})}), Records{});
}

TEST(ArgQueue, ArgumentsAreSplitAtTheDelimiterToo) {
  // GNU parallel writes ::: arguments to a file: -d splits them, newlines too.
  EXPECT_EQ(all({args({"a\nb", "c"})}), (Records{{"a"}, {"b"}, {"c"}}));
  ReadOptions o;
  o.delimiter = ",";
  EXPECT_EQ(all({args({"a,b", "c"})}, o), (Records{{"a"}, {"b"}, {"c"}}));
}

TEST(ArgQueue, EofStringEndsItsSource) {
  ReadOptions o;
  o.eof = "stop";
  EXPECT_EQ(all({args({"a", "stop", "b"})}, o), (Records{{"a"}}));
}

TEST(ArgQueue, SkipsBlankRecords) {
  ReadOptions o;
  o.skip_blank = true;
  EXPECT_EQ(all({args({"a", "", " \t", "b"})}, o), (Records{{"a"}, {"b"}}));
}

TEST(ArgQueue, ATrailingBlankContinuesTheLineWithMaxLines) {
  // printf 'a \nb\nc\n' | parallel -L1 echo '[{}]'  ->  [a b], [c]
  ReadOptions o;
  o.continue_lines = true;
  EXPECT_EQ(all({args({"a ", "b", "c"})}, o), (Records{{"a b"}, {"c"}}));
}

TEST(ArgQueue, ReplacesNulWithBackslashZero) {
  ReadOptions o;
  o.delimiter = "\n";
  TempDir dir;
  write_file(dir / "f", std::string("a\0b\n", 4));
  EXPECT_EQ(all({file(dir / "f")}, o), (Records{{"a\\0b"}}));
}

TEST(ArgQueue, ColsepSplitsEachValueIntoColumns) {
  ReadOptions o;
  o.colsep = ",";
  EXPECT_EQ(all({args({"a,b,,c", ""}), args({"x,y"})}, o),
            (Records{{"a", "b", "", "c", "x", "y"}, {"", "x", "y"}}));
  o.colsep = " +";
  EXPECT_EQ(all({args({"a  b c"})}, o), (Records{{"a", "b", "c"}}));
}

TEST(ArgQueue, HeaderNamesTheColumns) {
  ReadOptions o;
  o.header = true;
  o.colsep = "\t";
  o.name_files = true;
  TempDir dir;
  write_file(dir / "t", "name\tsize\nalpha\t1\n");
  ArgQueue q({file(dir / "t"), args({"h", "v"})}, o);
  EXPECT_EQ(q.header_names(), (Words{"name", "size", "h"}));
  Words r;
  ASSERT_EQ(q.next(r), ArgQueue::Next::Record);
  EXPECT_EQ(r, (Words{"alpha", "1", "v"}));
  ASSERT_EQ(q.file_names().size(), 1u);
  EXPECT_EQ(q.file_names()[0].second, 1u);
}

TEST(ArgQueue, UngotRecordsComeBackFirst) {
  ArgQueue q({args({"a", "b"})}, {});
  Words r;
  ASSERT_EQ(q.next(r), ArgQueue::Next::Record);
  q.unget(r);
  ASSERT_EQ(q.next(r), ArgQueue::Next::Record);
  EXPECT_EQ(r, Words{"a"});
}

TEST(ArgQueue, AMissingFileIsAUsageError) {
  TempDir dir;
  EXPECT_THROW(ArgQueue({file(dir / "missing")}, {}), mpimap::farm::UsageError);
}

TEST(SplitColumns, AsPerlSplitWithLimitMinusOne) {
  EXPECT_EQ(split_columns("a,b,", std::regex(",")), (Words{"a", "b", ""}));
  EXPECT_EQ(split_columns(",a", std::regex(",")), (Words{"", "a"}));
  EXPECT_EQ(split_columns("", std::regex(",")), Words{""});
  EXPECT_EQ(split_columns("a1b22c", std::regex("\\d+")), (Words{"a", "b", "c"}));
  EXPECT_EQ(split_columns("abc", std::regex("")), (Words{"a", "b", "c"}));
}

}  // namespace
