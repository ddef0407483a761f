#pragma once
// How values travel between ranks. The one decision that matters for speed is
// made here, in `is_fast_v`: a type that Boost.MPI maps to an MPI datatype, or
// any trivially copyable type, is copied as raw bytes (and static maps hand it
// to MPI_Scatterv/MPI_Gatherv untouched). Every other type goes through
// Boost.Serialization's binary archive, which costs a stream and an archive
// per message plus a walk over the value.

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/mpi/datatype.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ranges>
#include <span>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mpimap/detail/tuple_serialization.hpp"

namespace mpimap {

namespace detail {
template <class T>
inline constexpr bool is_span_v = false;
template <class T, std::size_t N>
inline constexpr bool is_span_v<std::span<T, N>> = true;
}  // namespace detail

/// True when a value of T only refers to memory it does not own: a pointer,
/// std::string_view, std::span or any other view. Its bytes mean nothing on
/// another rank, so such types are refused at compile time (see sendable).
template <class T>
inline constexpr bool is_view_v =
    std::is_pointer_v<T> || std::is_member_pointer_v<T> || std::is_null_pointer_v<T> ||
    detail::is_span_v<T> || std::ranges::view<T>;

/// True when values of T are sent as their bytes, never through an archive.
template <class T>
inline constexpr bool is_fast_v =
    !is_view_v<T> && (boost::mpi::is_mpi_datatype<T>::value || std::is_trivially_copyable_v<T>);

namespace detail {

/// Compiles only for types whose values may travel between ranks: every item
/// and result type goes through here (Pool's entry points). A trivially
/// copyable struct of yours that holds a pointer is sent as its bytes too, and
/// the pointer is then garbage on the receiving rank: give it owning members.
template <class T>
constexpr void require_sendable() {
  static_assert(!is_view_v<std::remove_cvref_t<T>>,
                "mpimap: items and results travel between ranks, but this type only refers to "
                "memory on the rank that made it (a pointer, std::string_view, std::span or "
                "another view); use an owning type such as std::string or std::vector");
}

}  // namespace detail

namespace detail {

/// A streambuf that appends to a byte vector (for the archive path).
class ByteSink : public std::streambuf {
 public:
  explicit ByteSink(std::vector<char>& out) : out_(out) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.insert(out_.end(), s, s + n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }

 private:
  std::vector<char>& out_;
};

/// A streambuf that reads a byte range in place (for the archive path).
class ByteSource : public std::streambuf {
 public:
  explicit ByteSource(std::span<const char> in) {
    char* p = const_cast<char*>(in.data());  // never written through
    setg(p, p, p + in.size());
  }
  std::size_t consumed() const { return static_cast<std::size_t>(gptr() - eback()); }
};

inline constexpr auto archive_flags = boost::archive::no_header | boost::archive::no_codecvt;

/// Appends values to a message buffer.
class Writer {
 public:
  explicit Writer(std::vector<char>& buf) : buf_(buf) {}

  template <class T>
  requires std::is_trivially_copyable_v<T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    buf_.insert(buf_.end(), p, p + sizeof(T));
  }

  void put_string(std::string_view s) {
    put<std::uint64_t>(s.size());
    buf_.insert(buf_.end(), s.begin(), s.end());
  }

  /// A run of values: their bytes on the fast path, one archive otherwise.
  template <class T>
  void put_values(const T* first, std::size_t n) {
    if constexpr (is_fast_v<T>) {
      const auto* p = reinterpret_cast<const char*>(first);
      buf_.insert(buf_.end(), p, p + n * sizeof(T));
    } else {
      ByteSink sink(buf_);
      boost::archive::binary_oarchive ar(sink, archive_flags);
      for (std::size_t i = 0; i < n; ++i) ar << first[i];
    }
  }

 private:
  std::vector<char>& buf_;
};

/// Reads values back in the order a Writer appended them.
class Reader {
 public:
  explicit Reader(std::span<const char> in) : in_(in) {}

  template <class T>
  requires std::is_trivially_copyable_v<T> T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string get_string() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s(in_.data() + pos_, n);
    pos_ += n;
    return s;
  }

  /// Reads n values written by put_values, appending them to out.
  template <class T>
  void get_values(std::size_t n, T* out) {
    if constexpr (is_fast_v<T>) {
      need(n * sizeof(T));
      if (n) std::memcpy(static_cast<void*>(out), in_.data() + pos_, n * sizeof(T));
      pos_ += n * sizeof(T);
    } else {
      if (n == 0) return;
      ByteSource source(in_.subspan(pos_));
      boost::archive::binary_iarchive ar(source, archive_flags);
      for (std::size_t i = 0; i < n; ++i) ar >> out[i];
      pos_ += source.consumed();
    }
  }

  bool done() const { return pos_ == in_.size(); }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) throw std::logic_error("mpimap: truncated message");
  }
  std::span<const char> in_;
  std::size_t pos_ = 0;
};

}  // namespace detail
}  // namespace mpimap
