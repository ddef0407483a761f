// The map journal on its own: records read back exactly, a torn last line is
// dropped (and cut off the file), and a journal of another map, a file that
// is not a journal, or records out of order are bad input.

#include "cli/journal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/usage_error.hpp"

namespace {

using mpimap::cli::journal_fingerprint;
using mpimap::cli::MapJournal;
using mpimap::cli::UsageError;

class Journal : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mpimap_journal_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "journal").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string read() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void write(const std::string& text) const { std::ofstream(path_, std::ios::binary) << text; }

  const std::vector<std::string> items_{"1", "2", "3"};
  const std::string fp_ = journal_fingerprint("square", items_, false);
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(Journal, RecordsReadBackExactlyOnResume) {
  {
    MapJournal j(path_, false, "square", 3, fp_);
    EXPECT_TRUE(j.done().empty());
    j.append(0, {.value = "1", .output = ""});
    j.append(1, {.value = std::nullopt, .output = "line\n\ttab \"q\" \\"});
    j.append(2, {.value = "9", .output = std::string("\xff\xfe bytes\n", 9)});
  }
  MapJournal j(path_, true, "square", 3, fp_);
  ASSERT_EQ(j.done().size(), 3u);
  EXPECT_EQ(j.done()[0].value, "1");
  EXPECT_EQ(j.done()[0].output, "");
  EXPECT_FALSE(j.done()[1].value.has_value());
  EXPECT_EQ(j.done()[1].output, "line\n\ttab \"q\" \\");
  EXPECT_EQ(j.done()[2].output, std::string("\xff\xfe bytes\n", 9));
}

TEST_F(Journal, WithoutResumeAnOldJournalIsReplaced) {
  {
    MapJournal j(path_, false, "square", 3, fp_);
    j.append(0, {.value = "1"});
  }
  MapJournal j(path_, false, "square", 3, fp_);
  EXPECT_TRUE(j.done().empty());
  EXPECT_EQ(read().find("\"i\""), std::string::npos);
}

TEST_F(Journal, ResumeWithoutAFileStartsANewOne) {
  MapJournal j(path_, true, "square", 3, fp_);
  EXPECT_TRUE(j.done().empty());
  EXPECT_NE(read().find("mpimap_journal"), std::string::npos);
}

TEST_F(Journal, ATornLastLineIsDroppedAndCutOff) {
  {
    MapJournal j(path_, false, "square", 3, fp_);
    j.append(0, {.value = "1"});
    j.append(1, {.value = "4"});
  }
  const std::string whole = read();
  write(whole + "{\"i\":2,\"v\":\"");  // killed half-way through a write
  {
    MapJournal j(path_, true, "square", 3, fp_);
    ASSERT_EQ(j.done().size(), 2u);
    EXPECT_EQ(read(), whole);
    j.append(2, {.value = "9"});
  }
  MapJournal j(path_, true, "square", 3, fp_);
  ASSERT_EQ(j.done().size(), 3u);
  EXPECT_EQ(j.done()[2].value, "9");
}

TEST_F(Journal, ATornHeaderStartsAgain) {
  write("{\"function\":\"squ");
  MapJournal j(path_, true, "square", 3, fp_);
  EXPECT_TRUE(j.done().empty());
  j.append(0, {.value = "1"});
  EXPECT_EQ(MapJournal(path_, true, "square", 3, fp_).done().size(), 1u);
}

TEST_F(Journal, AnotherMapsJournalIsBadInput) {
  { MapJournal j(path_, false, "square", 3, fp_); }
  const auto other_items = journal_fingerprint("square", {"1", "2", "4"}, false);
  EXPECT_THROW(MapJournal(path_, true, "square", 3, other_items), UsageError);
  const auto tagged = journal_fingerprint("square", items_, true);
  EXPECT_THROW(MapJournal(path_, true, "square", 3, tagged), UsageError);
  EXPECT_THROW(MapJournal(path_, true, "cube", 3, journal_fingerprint("cube", items_, false)),
               UsageError);
  try {
    MapJournal(path_, true, "square", 3, other_items);
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "journal " + path_ +
                  " was written for another map (function, items or --tag differ); remove it, or "
                  "drop --resume to start again");
  }
}

TEST_F(Journal, FilesThatAreNotJournalsAreBadInput) {
  for (const std::string text : {"1\n2\n3\n", "{\"a\":1}\n", "not json\n"}) {
    write(text);
    EXPECT_THROW(MapJournal(path_, true, "square", 3, fp_), UsageError) << text;
  }
}

TEST_F(Journal, BadRecordsAreBadInput) {
  std::string header;
  { MapJournal j(path_, false, "square", 3, fp_); }
  header = read();
  for (const std::string rec :
       {"{\"i\":1,\"v\":\"4\"}\n",                         // a gap: item 0 is missing
        "{\"i\":0,\"v\":\"1\"}\n{\"i\":0,\"v\":\"1\"}\n",  // twice
        "{\"i\":-1}\n", "{\"v\":\"1\"}\n", "{\"i\":0,\"v\":1}\n", "[0]\n", "garbage\n",
        "{\"i\":0,\"ox\":\"zz\"}\n",
        "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n{\"i\":3}\n"}) {  // more records than items
    write(header + rec);
    EXPECT_THROW(MapJournal(path_, true, "square", 3, fp_), UsageError) << rec;
  }
}

TEST(JournalFingerprint, DependsOnEveryPartAndTheirBoundaries) {
  const auto fp = journal_fingerprint("f", {"ab", "c"}, false);
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(fp, journal_fingerprint("f", {"ab", "c"}, false));
  EXPECT_NE(fp, journal_fingerprint("f", {"a", "bc"}, false));
  EXPECT_NE(fp, journal_fingerprint("g", {"ab", "c"}, false));
  EXPECT_NE(fp, journal_fingerprint("f", {"ab", "c"}, true));
  EXPECT_NE(fp, journal_fingerprint("f", {"ab", "c", ""}, false));
}

}  // namespace
