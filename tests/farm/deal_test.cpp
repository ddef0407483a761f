// farm::deal_input / deal_lines: --roundrobin, --bin and --shard deal
// standard input out to one job per slot. The --bin expectations are GNU
// parallel 20221122's own outputs (its binner script: Perl's integer of the
// column, mod the jobs, bin 0 the last job).

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "farm/deal.hpp"
#include "farm/error.hpp"

namespace {

using mpimap::farm::BlockOptions;
using mpimap::farm::BlockSource;
using mpimap::farm::deal_input;
using mpimap::farm::deal_lines;
using mpimap::farm::DealOptions;
using mpimap::farm::parse_deal_column;
using mpimap::farm::UsageError;
using Inputs = std::vector<std::string>;

DealOptions bin(std::size_t column, std::string colsep = ",") {
  return {.mode = DealOptions::Bin, .column = column, .colsep = std::move(colsep)};
}

TEST(DealLines, BinsAsGnuParallel) {
  // seq 10 | parallel -k -j3 --pipe --bin 1 'echo ==; cat'
  EXPECT_EQ(deal_lines("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 3, bin(1)),
            (Inputs{"1\n4\n7\n10\n", "2\n5\n8\n", "3\n6\n9\n"}));
  // Perl's integers: -1 % 3 is 2, 2.7 is 2, text is 0 (the last job).
  EXPECT_EQ(deal_lines("1,a\n-1,b\n2.7,c\nx,d\n", 3, bin(1)),
            (Inputs{"1,a\n", "-1,b\n2.7,c\n", "x,d\n"}));
  // A missing column is 0; every job gets an input, empty or not.
  EXPECT_EQ(deal_lines("1 a\n2 b\n3 c\n", 2, bin(2, " ")), (Inputs{"", "1 a\n2 b\n3 c\n"}));
  // The last line may lack its newline.
  EXPECT_EQ(deal_lines("1\n2", 2, bin(1)), (Inputs{"1\n", "2"}));
}

TEST(DealLines, ShardsKeepEqualValuesTogether) {
  const DealOptions shard{.mode = DealOptions::Shard, .column = 2, .colsep = "\t"};
  std::string input;
  for (int i = 0; i < 200; ++i) input += std::to_string(i) + "\tkey" + std::to_string(i % 7) + "\n";
  const auto inputs = deal_lines(input, 3, shard);
  ASSERT_EQ(inputs.size(), 3u);
  std::size_t lines = 0;
  std::set<std::string> seen;
  for (const auto& in : inputs) {
    std::set<std::string> keys;
    for (std::size_t pos = 0; pos < in.size(); ++lines) {
      const auto tab = in.find('\t', pos), end = in.find('\n', pos);
      keys.insert(in.substr(tab + 1, end - tab - 1));
      pos = end + 1;
    }
    for (const auto& k : keys) EXPECT_TRUE(seen.insert(k).second) << k << " in two jobs";
  }
  EXPECT_EQ(lines, 200u);
  EXPECT_EQ(seen.size(), 7u);
}

TEST(DealInput, RoundRobinDealsTheBlocksInTurn) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string text = "aa\nbb\ncc\ndd\nee\n";
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  BlockOptions blocks;
  blocks.records = 1;  // -N1: one line per block
  BlockSource source(fds[0], blocks);
  std::string error;
  EXPECT_EQ(deal_input(source, 2, {}, error), (Inputs{"aa\ncc\nee\n", "bb\ndd\n"}));
  EXPECT_EQ(error, "");
  ::close(fds[0]);
}

TEST(DealInput, RoundRobinMakesNoMoreJobsThanBlocks) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "x\n", 2), 2);
  ::close(fds[1]);
  BlockSource source(fds[0], BlockOptions{});
  std::string error;
  EXPECT_EQ(deal_input(source, 4, {}, error), (Inputs{"x\n"}));
  ::close(fds[0]);
}

TEST(ParseDealColumn, TakesColumnNumbersOnly) {
  EXPECT_EQ(parse_deal_column("1", "--bin"), 1u);
  EXPECT_EQ(parse_deal_column("12", "--shard"), 12u);
  for (const char* bad : {"0", "-1", "", "name", "1 $_%=3", "1e3"}) {
    try {
      parse_deal_column(bad, "--bin");
      ADD_FAILURE() << bad;
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(std::string("--bin ") + bad + ":", 0), 0u) << e.what();
    }
  }
}

}  // namespace
