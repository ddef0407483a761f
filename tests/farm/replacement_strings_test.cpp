// {/}, {//}, {.} and {/.}: what farm::basename_of, dirname_of and
// without_extension make of an item, against a table written by GNU parallel
// 20221122 itself:
//
//   printf '%s\0' ITEM... |
//     parallel -0 -k 'printf "%s|%s|%s|%s|%s\0" {} {/} {//} {.} {/.}' | od -c
//
// GNU parallel is not needed to run this test.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

#include "farm/command_template.hpp"

namespace {

using mpimap::farm::basename_of;
using mpimap::farm::dirname_of;
using mpimap::farm::without_extension;

struct Row {
  std::string_view item, base, dir, noext, base_noext;
};

// clang-format off
constexpr Row kGnuParallel[] = {
    // item                    {/}               {//}            {.}                   {/.}
    {"a.txt",                  "a.txt",          ".",            "a",                  "a"},
    {"dir/a.txt",              "a.txt",          "dir",          "dir/a",              "a"},
    {"/abs/dir/file.tar.gz",   "file.tar.gz",    "/abs/dir",     "/abs/dir/file.tar",  "file.tar"},
    {"noext",                  "noext",          ".",            "noext",              "noext"},
    {".hidden",                ".hidden",        ".",            "",                   ""},
    {"dir/.hidden",            ".hidden",        "dir",          "dir/",               ""},
    {"a.b/c",                  "c",              "a.b",          "a.b/c",              "c"},
    {"a.b/c.d",                "c.d",            "a.b",          "a.b/c",              "c"},
    {"dir/",                   "",               ".",            "dir/",               ""},
    {"dir//",                  "",               ".",            "dir//",              ""},
    {"/",                      "",               "/",            "/",                  ""},
    {"//",                     "",               "/",            "//",                 ""},
    {"///a",                   "a",              "/",            "///a",               "a"},
    {"/a",                     "a",              "/",            "/a",                 "a"},
    {"a//b",                   "b",              "a",            "a//b",               "b"},
    {"a/b/",                   "",               "a",            "a/b/",               ""},
    {"a/b//",                  "",               "a",            "a/b//",              ""},
    {"",                       "",               ".",            "",                   ""},
    {".",                      ".",              ".",            "",                   ""},
    {"..",                     "..",             ".",            ".",                  "."},
    {"a.",                     "a.",             ".",            "a",                  "a"},
    {"x/y.",                   "y.",             "x",            "x/y",                "y"},
    {"a.b.c",                  "a.b.c",          ".",            "a.b",                "a.b"},
    {".a.b",                   ".a.b",           ".",            ".a",                 ".a"},
    {"a/.b",                   ".b",             "a",            "a/",                 ""},
    {"a/b.c/",                 "",               "a",            "a/b.c/",             ""},
    {"dir.d/",                 "",               ".",            "dir.d/",             ""},
    {"d.e/f.g/",               "",               "d.e",          "d.e/f.g/",           ""},
    {" sp ace.t",              " sp ace.t",      ".",            " sp ace",            " sp ace"},
    {"a/./b",                  "b",              "a/.",          "a/./b",              "b"},
    // Newlines: Perl's '.' in s:.*/:: stops at one, so {/} cuts only in the
    // first line that holds a '/'; {.} and {//} do not care.
    {"l1/x\nl2/y.z",           "x\nl2/y.z",      "l1/x\nl2",     "l1/x\nl2/y",         "x\nl2/y"},
    {"nl\nb.c",                "nl\nb.c",        ".",            "nl\nb",              "nl\nb"},
    {"a/b\nc",                 "b\nc",           "a",            "a/b\nc",             "b\nc"},
    {"a.b\nc",                 "a.b\nc",         ".",            "a",                  "a"},
    {"a/b\n",                  "b\n",            "a",            "a/b\n",              "b\n"},
    {"a.b\n",                  "a.b\n",          ".",            "a",                  "a"},
    {"/a\n",                   "a\n",            "/",            "/a\n",               "a\n"},
    {"x\n/",                   "x\n",            ".",            "x\n/",               "x\n"},
    {"a/b\nc/d",               "b\nc/d",         "a/b\nc",       "a/b\nc/d",           "b\nc/d"},
    {"a\n/b/c",                "a\nc",           "a\n/b",        "a\n/b/c",            "a\nc"},
    {"p/q\n",                  "q\n",            "p",            "p/q\n",              "q\n"},
    {"d/\n",                   "\n",             "d",            "d/\n",               "\n"},
    {"a/b\n/",                 "b\n/",           "a",            "a/b\n/",             "b\n/"},
};
// clang-format on

// How a failing row shows: its item, newlines written \n.
void PrintTo(const Row& row, std::ostream* os) {
  *os << '"';
  for (const char c : row.item) {
    if (c == '\n')
      *os << "\\n";
    else
      *os << c;
  }
  *os << '"';
}

class GnuParallelTable : public testing::TestWithParam<Row> {};

TEST_P(GnuParallelTable, Basename) { EXPECT_EQ(basename_of(GetParam().item), GetParam().base); }

TEST_P(GnuParallelTable, Dirname) { EXPECT_EQ(dirname_of(GetParam().item), GetParam().dir); }

TEST_P(GnuParallelTable, WithoutExtension) {
  EXPECT_EQ(without_extension(GetParam().item), GetParam().noext);
}

TEST_P(GnuParallelTable, BasenameWithoutExtension) {
  EXPECT_EQ(without_extension(basename_of(GetParam().item)), GetParam().base_noext);
}

std::string name_of(const testing::TestParamInfo<Row>& info) {
  return "row" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(ReplacementStrings, GnuParallelTable, testing::ValuesIn(kGnuParallel),
                         name_of);

}  // namespace
