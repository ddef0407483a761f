// The wire format: which types take the fast path (raw bytes, is_fast_v) and
// which go through a Boost archive, and round trips through detail::Writer and
// detail::Reader for both, mixed with the scalars and strings of a message.

#include <gtest/gtest.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <cstdint>
#include <cstring>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "mpimap/detail/wire.hpp"

namespace {

using mpimap::is_fast_v;
using mpimap::detail::Reader;
using mpimap::detail::Writer;

struct Plain {  // trivially copyable, with padding
  std::int32_t a = 0;
  double b = 0;
  char c = 0;
  bool operator==(const Plain&) const = default;
};

struct WithSerialize {  // must go through the archive
  std::string name;
  std::vector<double> values;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& name& values;
  }
  bool operator==(const WithSerialize&) const = default;
};

// The fast path.
static_assert(is_fast_v<std::int64_t>);
static_assert(is_fast_v<std::uint8_t>);
static_assert(is_fast_v<double>);
static_assert(is_fast_v<char>);
static_assert(is_fast_v<bool>);
static_assert(is_fast_v<Plain>);
// The archive path.
static_assert(!is_fast_v<std::string>);

// Issue 8, defect 2: views are trivially copyable, but their bytes are
// pointers into the sending rank's memory. They are never fast, and Pool's
// entry points refuse them at compile time (detail::require_sendable).
using mpimap::is_view_v;
static_assert(is_view_v<std::string_view>);
static_assert(is_view_v<std::span<const int>>);
static_assert(is_view_v<std::span<int, 3>>);
static_assert(is_view_v<const char*>);
static_assert(is_view_v<int Plain::*>);
static_assert(is_view_v<std::ranges::iota_view<int, int>>);
static_assert(!is_fast_v<std::string_view>);
static_assert(!is_fast_v<std::span<const int>>);
static_assert(!is_view_v<std::string>);
static_assert(!is_view_v<std::vector<int>>);
static_assert(!is_view_v<std::int64_t>);
static_assert(!is_view_v<Plain>);
static_assert(!is_fast_v<WithSerialize>);
static_assert(!is_fast_v<std::vector<std::int64_t>>);
static_assert(!is_fast_v<std::tuple<int, std::string>>);
// Pointers are never sent as bytes.
static_assert(!is_fast_v<int*>);
static_assert(!is_fast_v<const char*>);

template <class T>
std::vector<char> write_values(const std::vector<T>& v) {
  std::vector<char> buf;
  Writer(buf).put_values(v.data(), v.size());
  return buf;
}

template <class T>
std::vector<T> read_values(const std::vector<char>& buf, std::size_t n) {
  std::vector<T> out(n);
  Reader r(buf);
  r.get_values(n, out.data());
  EXPECT_TRUE(r.done()) << "the reader did not consume the whole buffer";
  return out;
}

template <class T>
void expect_fast_round_trip(const std::vector<T>& v) {
  static_assert(is_fast_v<T>);
  const auto buf = write_values(v);
  // Fast: exactly the values' bytes, nothing else.
  ASSERT_EQ(buf.size(), v.size() * sizeof(T));
  if (!v.empty()) {
    EXPECT_EQ(std::memcmp(buf.data(), v.data(), buf.size()), 0);
  }
  EXPECT_EQ(read_values<T>(buf, v.size()), v);
}

TEST(Wire, FastTypesTravelAsTheirBytes) {
  expect_fast_round_trip(std::vector<std::int64_t>{0, -1, INT64_MIN, INT64_MAX, 42});
  expect_fast_round_trip(std::vector<double>{0.0, -0.5, 1e300, 3.25});
  expect_fast_round_trip(std::vector<Plain>{{1, 2.5, 'x'}, {-7, -0.25, '\0'}});
  expect_fast_round_trip(std::vector<std::int64_t>{});
}

TEST(Wire, ArchiveTypesRoundTrip) {
  const std::vector<std::string> strings{"", "a", std::string("nul\0inside", 10),
                                         std::string(5000, 'z')};
  const auto sbuf = write_values(strings);
  EXPECT_NE(sbuf.size(), strings.size() * sizeof(std::string));
  EXPECT_EQ(read_values<std::string>(sbuf, strings.size()), strings);

  const std::vector<WithSerialize> records{{"one", {1.0, 2.0}}, {"", {}}, {"three", {3.5}}};
  EXPECT_EQ(read_values<WithSerialize>(write_values(records), records.size()), records);

  const std::vector<std::tuple<int, std::string>> tuples{{1, "x"}, {-2, ""}, {3, "zzz"}};
  EXPECT_EQ((read_values<std::tuple<int, std::string>>(write_values(tuples), tuples.size())),
            tuples);

  const std::vector<std::vector<std::int64_t>> nested{
      {}, {1, 2, 3}, std::vector<std::int64_t>(1000, 7)};
  EXPECT_EQ(read_values<std::vector<std::int64_t>>(write_values(nested), nested.size()), nested);
}

TEST(Wire, AMessageMixesScalarsStringsAndValueRuns) {
  // The layout of a chunk message: header, values, then more fields after.
  const std::vector<WithSerialize> records{{"r1", {0.5}}, {"r2", {}}};
  const std::vector<Plain> plains{{1, 1.5, 'a'}, {2, 2.5, 'b'}, {3, 3.5, 'c'}};
  std::vector<char> buf;
  Writer w(buf);
  w.put<std::uint64_t>(17);
  w.put_values(records.data(), records.size());
  w.put_string("between");
  w.put_values(plains.data(), plains.size());
  w.put_values(records.data(), 0);  // empty runs write nothing that matters
  w.put_values(plains.data(), 0);
  w.put<std::uint8_t>(1);
  w.put_string("");
  w.put_string(std::string("tail\0\n", 6));

  Reader r(buf);
  EXPECT_EQ(r.get<std::uint64_t>(), 17u);
  std::vector<WithSerialize> got_records(records.size());
  r.get_values(records.size(), got_records.data());
  EXPECT_EQ(got_records, records);
  EXPECT_EQ(r.get_string(), "between");
  std::vector<Plain> got_plains(plains.size());
  r.get_values(plains.size(), got_plains.data());
  EXPECT_EQ(got_plains, plains);
  r.get_values<WithSerialize>(0, nullptr);
  r.get_values<Plain>(0, nullptr);
  EXPECT_EQ(r.get<std::uint8_t>(), 1);
  EXPECT_EQ(r.get_string(), "");
  EXPECT_EQ(r.get_string(), std::string("tail\0\n", 6));
  EXPECT_TRUE(r.done());
}

TEST(Wire, ReadingPastTheEndThrows) {
  std::vector<char> buf;
  Writer w(buf);
  w.put<std::uint32_t>(5);
  w.put_string("abcdef");
  {
    Reader r(buf);
    EXPECT_EQ(r.get<std::uint32_t>(), 5u);
    EXPECT_EQ(r.get_string(), "abcdef");
    EXPECT_TRUE(r.done());
    EXPECT_THROW(r.get<std::uint8_t>(), std::logic_error);
  }
  {
    // A string whose length says more than the message holds.
    const std::vector<char> cut(buf.begin(), buf.end() - 1);
    Reader r(cut);
    r.get<std::uint32_t>();
    EXPECT_THROW(r.get_string(), std::logic_error);
  }
  {
    Reader r(std::span<const char>(buf.data(), 2));
    EXPECT_THROW(r.get<std::uint32_t>(), std::logic_error);
  }
  {
    const std::vector<std::int64_t> v{1, 2, 3};
    const auto vb = write_values(v);
    Reader r(std::span<const char>(vb.data(), vb.size() - 1));
    std::vector<std::int64_t> out(3);
    EXPECT_THROW(r.get_values(3, out.data()), std::logic_error);
  }
}

}  // namespace
