// farm::ItemSource: items from the command line, a file, a pipe or standard
// input, split exactly as GNU parallel 20221122 splits them:
//
//   printf 'a\r\nb\n' | parallel -k 'printf %s {} | od -c'    # "a \r", "b"
//   printf 'a\n\nb'   | parallel -k 'echo "[{}]"'             # [a] [''] [b]
//   printf ''         | parallel 'echo {}'                    # runs nothing
//
// so a \r before the newline stays in the item, an empty line is an empty
// item, a last line without its newline is an item, an empty file has none.

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "farm/error.hpp"
#include "farm/fd.hpp"
#include "farm/item_source.hpp"
#include "test_files.hpp"

namespace {

using mpimap::farm::Fd;
using mpimap::farm::ItemSource;
using mpimap::farm::Pipe;
using mpimap::farm::UsageError;
using mpimap::test::TempDir;
using mpimap::test::write_file;
using Items = std::vector<std::string>;
using Next = ItemSource::Next;

/// Every item. A source that never has to wait (a file, a closed pipe) must
/// never say NotYet; one that may (standard input that is a pipe is read
/// through a drain: farm/standard_input.hpp) is waited for with poll.
enum class Waits { Never, Maybe };
Items read_all(ItemSource& source, Waits waits = Waits::Never) {
  Items items;
  std::string item;
  while (true) {
    const Next n = source.next(item);
    if (n == Next::End) break;
    if (n == Next::NotYet) {
      if (waits == Waits::Never) {
        ADD_FAILURE() << "NotYet from a source that has all its bytes";
        break;
      }
      pollfd p{source.fd(), POLLIN, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    items.push_back(item);
  }
  EXPECT_EQ(source.next(item), Next::End);  // and stays at the end
  EXPECT_EQ(source.read_error(), "");
  return items;
}

/// The items of a file holding `bytes`.
Items split(std::string_view bytes, char delimiter = '\n') {
  TempDir dir;
  write_file(dir / "items", bytes);
  ItemSource source(dir / "items", delimiter);
  EXPECT_FALSE(source.in_memory());
  EXPECT_GE(source.fd(), 0);
  return read_all(source);
}

using namespace std::string_literals;

// --- Command-line items (:::) --------------------------------------------------

TEST(ItemSource, GivesCommandLineItemsInOrder) {
  ItemSource source(Items{"a", "", "b c", "a\nb"});
  EXPECT_TRUE(source.in_memory());
  EXPECT_EQ(source.fd(), -1);
  EXPECT_EQ(read_all(source), (Items{"a", "", "b c", "a\nb"}));
}

TEST(ItemSource, NoCommandLineItemsIsAnEmptySource) {
  ItemSource source(Items{});
  EXPECT_TRUE(source.in_memory());
  EXPECT_EQ(read_all(source), Items{});
}

// --- Lines -----------------------------------------------------------------------

TEST(ItemSource, SplitsLinesAtNewlines) {
  EXPECT_EQ(split("a\nb\nc\n"), (Items{"a", "b", "c"}));
  EXPECT_EQ(split("one item with spaces\n\ttab\n"), (Items{"one item with spaces", "\ttab"}));
}

TEST(ItemSource, ALastLineWithoutNewlineIsAnItem) {
  EXPECT_EQ(split("a\nb"), (Items{"a", "b"}));
  EXPECT_EQ(split("only"), (Items{"only"}));
}

TEST(ItemSource, AnEmptyLineIsAnEmptyItem) {
  EXPECT_EQ(split("a\n\nb\n"), (Items{"a", "", "b"}));
  EXPECT_EQ(split("\n"), (Items{""}));
  EXPECT_EQ(split("\n\n"), (Items{"", ""}));
  EXPECT_EQ(split("a\n\n"), (Items{"a", ""}));
}

TEST(ItemSource, AnEmptyFileHasNoItems) { EXPECT_EQ(split(""), Items{}); }

TEST(ItemSource, KeepsTheCarriageReturnOfCrLfLines) {
  // GNU parallel keeps it too; `mpimap map` trims it when it parses numbers.
  EXPECT_EQ(split("a\r\nb\n"), (Items{"a\r", "b"}));
  EXPECT_EQ(split("1\r\n2\r\n3"), (Items{"1\r", "2\r", "3"}));
  EXPECT_EQ(split("\r\n"), (Items{"\r"}));
  EXPECT_EQ(split("a\rb\n"), (Items{"a\rb"}));  // a lone \r is no line end
}

TEST(ItemSource, PassesAnyByteThrough) {
  EXPECT_EQ(split("caf\xc3\xa9\n\xff\xfe\n"), (Items{"caf\xc3\xa9", "\xff\xfe"}));
  EXPECT_EQ(split("a\0b\n"s), (Items{"a\0b"s}));  // NUL is an ordinary byte here
}

// --- NUL-separated (-0) -------------------------------------------------------------

TEST(ItemSource, SplitsAtNulWithDashZero) {
  EXPECT_EQ(split("a\0b\0"s, '\0'), (Items{"a", "b"}));
  EXPECT_EQ(split("line1\nline2\0x\r\n\0"s, '\0'), (Items{"line1\nline2", "x\r\n"}));
  EXPECT_EQ(split("a\0b"s, '\0'), (Items{"a", "b"}));  // no final NUL
  EXPECT_EQ(split("a\0\0b\0"s, '\0'), (Items{"a", "", "b"}));
  EXPECT_EQ(split("\n"s, '\0'), (Items{"\n"}));
  EXPECT_EQ(split(""s, '\0'), Items{});
}

// --- Big inputs: read in 64 kB blocks -------------------------------------------------

TEST(ItemSource, ItemsCrossingBlockBoundariesComeOutWhole) {
  Items expected;
  std::string bytes;
  for (int i = 0; i < 50000; ++i) {  // ~1 MB of lines of 0 to 40 bytes
    expected.push_back(std::string(static_cast<std::size_t>(i * 7919 % 41), 'a' + i % 26));
    bytes += expected.back() + '\n';
  }
  EXPECT_EQ(split(bytes), expected);
}

TEST(ItemSource, AnItemLongerThanABlockComesOutWhole) {
  std::string big(300 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 1000) big[i] = 'y';
  EXPECT_EQ(split("a\n" + big + "\nb\n" + big), (Items{"a", big, "b", big}));
}

// --- Errors -------------------------------------------------------------------------

TEST(ItemSource, AMissingFileIsAUsageError) {
  TempDir dir;
  try {
    ItemSource source(dir / "missing", '\n');
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read " + (dir / "missing") + ": No such file or directory");
  }
}

TEST(ItemSource, AFolderIsAUsageError) {
  TempDir dir;
  try {
    ItemSource source(dir / "", '\n');
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read " + (dir / "") + ": Is a directory");
  }
}

// --- Pipes and standard input -------------------------------------------------------

/// A pipe's read end by name (/dev/fd/N opens the same pipe).
std::string path_of(const Fd& fd) { return "/dev/fd/" + std::to_string(fd.get()); }

void put(const Fd& fd, std::string_view bytes) {
  ASSERT_EQ(::write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

TEST(ItemSource, SaysNotYetWhileAPipeHoldsNoWholeItem) {
  Pipe pipe;
  ASSERT_EQ(mpimap::farm::open_pipe(pipe), 0);
  ItemSource source(path_of(pipe.read), '\n');
  std::string item;
  EXPECT_EQ(source.next(item), Next::NotYet);  // nothing written yet
  put(pipe.write, "first\nsec");
  ASSERT_EQ(source.next(item), Next::Item);
  EXPECT_EQ(item, "first");
  EXPECT_EQ(source.next(item), Next::NotYet);  // "sec" is half an item
  put(pipe.write, "ond\r\nthird");
  ASSERT_EQ(source.next(item), Next::Item);
  EXPECT_EQ(item, "second\r");
  EXPECT_EQ(source.next(item), Next::NotYet);
  pipe.write.reset();  // the writer is done: "third" is the last item
  ASSERT_EQ(source.next(item), Next::Item);
  EXPECT_EQ(item, "third");
  EXPECT_EQ(source.next(item), Next::End);
  EXPECT_EQ(source.read_error(), "");
}

TEST(ItemSource, AnEmptyPipeHasNoItems) {
  Pipe pipe;
  ASSERT_EQ(mpimap::farm::open_pipe(pipe), 0);
  ItemSource source(path_of(pipe.read), '\0');
  pipe.write.reset();
  EXPECT_EQ(read_all(source), Items{});
}

/// Puts `fd` on standard input for a while; puts the old one back after.
class StdinFrom {
 public:
  explicit StdinFrom(int fd) : saved_(::dup(STDIN_FILENO)) { ::dup2(fd, STDIN_FILENO); }
  ~StdinFrom() { ::dup2(saved_.get(), STDIN_FILENO); }
  StdinFrom(const StdinFrom&) = delete;
  StdinFrom& operator=(const StdinFrom&) = delete;

 private:
  Fd saved_;
};

TEST(ItemSource, DashReadsStandardInputAndLeavesItOpen) {
  Pipe pipe;
  ASSERT_EQ(mpimap::farm::open_pipe(pipe), 0);
  put(pipe.write, "x\ny\n");
  pipe.write.reset();
  StdinFrom stdin_from(pipe.read.get());
  {
    ItemSource source("-", '\n');
    EXPECT_EQ(source.fd(), STDIN_FILENO);
    EXPECT_EQ(read_all(source, Waits::Maybe), (Items{"x", "y"}));
  }
  EXPECT_NE(::fcntl(STDIN_FILENO, F_GETFD), -1) << "standard input was closed";
}

TEST(ItemSource, AReadErrorEndsTheInputAndSaysWhy) {
  // A folder on standard input: poll says readable, read(2) says EISDIR.
  TempDir dir;
  const Fd folder(::open((dir / "").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(folder);
  StdinFrom stdin_from(folder.get());
  ItemSource source("-", '\n');
  std::string item;
  EXPECT_EQ(source.next(item), Next::End);
  EXPECT_EQ(source.read_error(), "error reading standard input: Is a directory");
}

// --- Text (::: arguments, as GNU parallel reads them back) and -d ----------------

TEST(ItemSource, SplitsTextAtTheDelimiter) {
  auto source = ItemSource::from_text("a,b,,c", ",");
  EXPECT_TRUE(source.in_memory());
  EXPECT_EQ(read_all(source), (Items{"a", "b", "", "c"}));
  auto trailing = ItemSource::from_text("x\ny\n", "\n");
  EXPECT_EQ(read_all(trailing), (Items{"x", "y"}));
  auto none = ItemSource::from_text("", "\n");
  EXPECT_EQ(read_all(none), Items{});
}

TEST(ItemSource, ADelimiterMayBeSeveralBytes) {
  auto source = ItemSource::from_text("a<>b<<>>c<>", "<>");
  EXPECT_EQ(read_all(source), (Items{"a", "b<", ">c"}));
}

TEST(ItemSource, ASeveralByteDelimiterAcrossReadBlocksIsFound) {
  // The delimiter straddles the 64 kB block boundary of a file.
  TempDir dir;
  std::string bytes(65535, 'x');
  bytes += "::y::";
  write_file(dir / "items", bytes);
  ItemSource source(dir / "items", std::string("::"));
  EXPECT_EQ(read_all(source), (Items{std::string(65535, 'x'), "y"}));
}

}  // namespace
