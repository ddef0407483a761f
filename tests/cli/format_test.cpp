// cli::python_repr and cli::print_results: results printed as Python prints
// them. The expected texts are what Python 3 prints (repr(x), print(list)).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "cli/format.hpp"

namespace {

using mpimap::cli::Format;
using mpimap::cli::print_results;
using mpimap::cli::python_repr;

template <class T>
std::string printed(const std::vector<T>& values, Format format) {
  std::ostringstream os;
  print_results(os, values, format);
  return os.str();
}

TEST(PythonRepr, Integers) {
  EXPECT_EQ(python_repr(std::int64_t{0}), "0");
  EXPECT_EQ(python_repr(std::int64_t{42}), "42");
  EXPECT_EQ(python_repr(std::int64_t{-7}), "-7");
  EXPECT_EQ(python_repr(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(python_repr(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
}

TEST(PythonRepr, RealsAsPythonWritesThem) {
  // python3 -c 'print(repr(X))'
  const std::pair<double, const char*> cases[] = {
      {2.0, "2.0"},
      {-2.5, "-2.5"},
      {100.0, "100.0"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.0 / 3, "0.3333333333333333"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {1e-4, "0.0001"},  // the last fixed one going down
      {0.00012345, "0.00012345"},
      {9.999999999999999e-05, "9.999999999999999e-05"},
      {1e-5, "1e-05"},
      {5e-324, "5e-324"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},  // the last fixed one going up
      {9007199254740992.0, "9007199254740992.0"},
      {1e16, "1e+16"},
      {1e22, "1e+22"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {12345678901234567890.0, "1.2345678901234567e+19"},
      {1.5e300, "1.5e+300"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
  };
  for (const auto& [value, repr] : cases) EXPECT_EQ(python_repr(value), repr) << repr;
}

TEST(PythonRepr, NonFiniteReals) {
  EXPECT_EQ(python_repr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(python_repr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(python_repr(std::nan("")), "nan");
}

TEST(PrintResults, AsAPythonList) {
  EXPECT_EQ(printed(std::vector<std::int64_t>{1, 4, 9, 16, 25}, Format::List),
            "[1, 4, 9, 16, 25]\n");  // tests/cli/expected/q5.txt
  EXPECT_EQ(printed(std::vector<std::int64_t>{-3}, Format::List), "[-3]\n");
  EXPECT_EQ(printed(std::vector<std::int64_t>{}, Format::List), "[]\n");
  EXPECT_EQ(printed(std::vector<double>{2.0, 0.5, 1e16, -0.0}, Format::List),
            "[2.0, 0.5, 1e+16, -0.0]\n");
  EXPECT_EQ(printed(std::vector<double>{std::nan(""), -std::numeric_limits<double>::infinity()},
                    Format::List),
            "[nan, -inf]\n");
}

TEST(PrintResults, OnePerLine) {
  EXPECT_EQ(printed(std::vector<std::int64_t>{1, 4, 9}, Format::Lines), "1\n4\n9\n");
  EXPECT_EQ(printed(std::vector<double>{2.0, 1e-05}, Format::Lines), "2.0\n1e-05\n");
  EXPECT_EQ(printed(std::vector<std::int64_t>{}, Format::Lines), "");
}

TEST(PrintResults, AsJson) {
  EXPECT_EQ(printed(std::vector<std::int64_t>{1, 4, 9, 16, 25}, Format::Json),
            "[1,4,9,16,25]\n");  // tests/cli/expected/q5.json
  EXPECT_EQ(printed(std::vector<std::int64_t>{}, Format::Json), "[]\n");
  // Reals: whatever the digits, they read back as the same numbers.
  const std::vector<double> reals = {2.0, 0.1 + 0.2, -1.5e300, 5e-324, 1e16};
  const std::string text = printed(reals, Format::Json);
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(nlohmann::json::parse(text).get<std::vector<double>>(), reals);
}

}  // namespace
