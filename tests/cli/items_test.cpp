// cli::read_item_file: `mpimap map -a FILE` reads through the task farm's
// ItemSource, so its lines are split as `mpimap run -a FILE` splits them (GNU
// parallel's way; see tests/farm/item_source_test.cpp), and its errors are
// cli::UsageError, one line each.

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cli/items.hpp"
#include "cli/parse.hpp"
#include "cli/usage_error.hpp"
#include "farm/fd.hpp"
#include "farm/test_files.hpp"

namespace {

using mpimap::cli::read_item_file;
using mpimap::cli::UsageError;
using mpimap::farm::Fd;
using mpimap::test::TempDir;
using mpimap::test::write_file;
using Items = std::vector<std::string>;

Items read_text(std::string_view bytes) {
  TempDir dir;
  write_file(dir / "items", bytes);
  Items items;
  read_item_file(dir / "items", items);
  return items;
}

std::string error_of(const std::string& path) {
  Items items;
  try {
    read_item_file(path, items);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ReadItemFile, ReadsOneItemPerLine) {
  EXPECT_EQ(read_text("1\n2\n3\n"), (Items{"1", "2", "3"}));
  EXPECT_EQ(read_text("1\n2"), (Items{"1", "2"}));          // no final newline
  EXPECT_EQ(read_text("1\n\n3\n"), (Items{"1", "", "3"}));  // an empty line is an item
  EXPECT_EQ(read_text(""), Items{});
}

TEST(ReadItemFile, KeepsTheCarriageReturnAndNumbersStillParse) {
  const Items items = read_text("1\r\n-2\r\n 3 \r\n");
  EXPECT_EQ(items, (Items{"1\r", "-2\r", " 3 \r"}));
  std::vector<std::int64_t> values;
  for (const auto& text : items) {
    std::int64_t v = 0;
    EXPECT_EQ(mpimap::cli::parse_int(text, v), std::nullopt) << text;
    values.push_back(v);
  }
  EXPECT_EQ(values, (std::vector<std::int64_t>{1, -2, 3}));
}

TEST(ReadItemFile, AppendsToTheItemsGivenBefore) {
  TempDir dir;
  write_file(dir / "items", "3\n4\n");
  Items items = {"1", "2"};
  read_item_file(dir / "items", items);
  EXPECT_EQ(items, (Items{"1", "2", "3", "4"}));
}

TEST(ReadItemFile, ReadsStandardInputForDash) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  Fd read_end(fds[0]), write_end(fds[1]);
  ASSERT_EQ(::write(write_end.get(), "5\r\n6", 4), 4);
  write_end.reset();
  const Fd saved(::dup(STDIN_FILENO));
  ::dup2(read_end.get(), STDIN_FILENO);
  Items items;
  read_item_file("-", items);
  ::dup2(saved.get(), STDIN_FILENO);
  EXPECT_EQ(items, (Items{"5\r", "6"}));
}

TEST(ReadItemFile, SaysInOneLineWhyAFileCannotBeRead) {
  TempDir dir;
  EXPECT_EQ(error_of(dir / "missing"),
            "cannot read " + (dir / "missing") + ": No such file or directory");
  EXPECT_EQ(error_of(dir / ""), "cannot read " + (dir / "") + ": Is a directory");
}

TEST(ReadItemFile, AReadErrorIsAUsageError) {
  TempDir dir;
  const Fd folder(::open((dir / "").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(folder);
  const Fd saved(::dup(STDIN_FILENO));
  ::dup2(folder.get(), STDIN_FILENO);  // read(2) on it fails with EISDIR
  const std::string error = error_of("-");
  ::dup2(saved.get(), STDIN_FILENO);
  EXPECT_EQ(error, "error reading standard input: Is a directory");
}

}  // namespace
