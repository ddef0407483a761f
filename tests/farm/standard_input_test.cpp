// farm::InputDrain and farm::standard_input(): what goes into the source pipe
// comes out of fd() byte for byte, in order, ending where the source ends;
// the writer of the source never waits for the reader (that is the point:
// mpirun must not find its pipe full); the drain stops when told, and when
// its reader goes away, without killing the program. A hang fails on the
// test's timeout; nothing here measures time.

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "farm/fd.hpp"
#include "farm/output.hpp"
#include "farm/standard_input.hpp"

namespace {

using mpimap::farm::Fd;
using mpimap::farm::InputDrain;
using mpimap::farm::open_pipe;
using mpimap::farm::Pipe;
using mpimap::farm::write_all;

/// `n` bytes that differ from any shifted copy of themselves (a lost, doubled
/// or reordered piece shows).
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  std::uint64_t x = 88172645463325252ull;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

/// Everything `fd` gives until its end (blocking reads, waiting out EAGAIN).
std::string read_to_end(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string out;
  char buf[4096 * 3 + 7];  // an odd size: reads cut the drain's pieces anywhere
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

TEST(InputDrain, PassesEverythingOnInOrder) {
  Pipe source;
  ASSERT_EQ(open_pipe(source), 0);
  const std::string data = pattern(20 << 20);  // 20 MiB through a 1 MiB limit
  InputDrain drain(std::move(source.read), 1 << 20);
  ASSERT_GE(drain.fd(), 0);
  std::thread writer([&] {
    EXPECT_TRUE(write_all(source.write.get(), data));
    source.write.reset();
  });
  const std::string got = read_to_end(drain.fd());
  writer.join();
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}

TEST(InputDrain, TakesTheInputAheadOfTheReader) {
  Pipe source;
  ASSERT_EQ(open_pipe(source), 0);
  InputDrain drain(std::move(source.read), 4 << 20);
  // 1 MiB into a 64 KiB pipe, with no one reading fd(): a blocking write that
  // returns only because the drain keeps taking.
  const std::string data = pattern(1 << 20);
  ASSERT_TRUE(write_all(source.write.get(), data));
  source.write.reset();
  EXPECT_TRUE(read_to_end(drain.fd()) == data);
}

TEST(InputDrain, EndsWhereTheSourceEnds) {
  Pipe source;
  ASSERT_EQ(open_pipe(source), 0);
  InputDrain drain(std::move(source.read), 1 << 20);
  source.write.reset();
  EXPECT_EQ(read_to_end(drain.fd()), "");
}

TEST(InputDrain, StopsWhenDestroyedBeforeTheSourceEnds) {
  Pipe source;
  ASSERT_EQ(open_pipe(source), 0);
  {
    InputDrain drain(std::move(source.read), 1 << 20);
    ASSERT_TRUE(write_all(source.write.get(), "never read\n"));
  }  // the source is still open: the destructor must not wait for its end
  SUCCEED();
}

TEST(InputDrain, PutsTheSourceFlagsBack) {
  Pipe source;
  ASSERT_EQ(open_pipe(source), 0);
  const Fd shared(::dup(source.read.get()));  // the same open pipe: the same flags
  ASSERT_EQ(::fcntl(shared.get(), F_GETFL) & O_NONBLOCK, 0);
  {
    InputDrain drain(std::move(source.read), 1 << 20);
    EXPECT_NE(::fcntl(shared.get(), F_GETFL) & O_NONBLOCK, 0);
  }
  EXPECT_EQ(::fcntl(shared.get(), F_GETFL) & O_NONBLOCK, 0);
}

TEST(InputDrain, SurvivesItsReaderGoingAway) {
  Pipe source;
  ASSERT_EQ(open_pipe(source), 0);
  {
    InputDrain drain(std::move(source.read), 1 << 20);
    ::close(drain.release_fd());
    ASSERT_TRUE(write_all(source.write.get(), "for no one\n"));
    // Once the drain has taken the bytes, its next step is the write that
    // fails with EPIPE (a SIGPIPE would end this test); the join below waits
    // for that step.
    int left = 1;
    while (left > 0) {
      ASSERT_EQ(::ioctl(source.write.get(), FIONREAD, &left), 0);
      if (left > 0) std::this_thread::yield();
    }
  }
  SUCCEED();
}

/// The pipe `fd` refers to (its inode).
ino_t pipe_of(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  return st.st_ino;
}

TEST(StandardInput, DrainsAPipeAndReadsAsBefore) {
  Pipe in;
  ASSERT_EQ(open_pipe(in), 0);
  ASSERT_EQ(::dup2(in.read.get(), STDIN_FILENO), STDIN_FILENO);
  in.read.reset();
  const ino_t before = pipe_of(STDIN_FILENO);
  const int size = ::fcntl(STDIN_FILENO, F_GETPIPE_SZ);
  mpimap::farm::widen_standard_input();
  // 1 MiB, unless this system refuses it (then as it was, never narrower).
  const int widened = ::fcntl(STDIN_FILENO, F_GETPIPE_SZ);
  EXPECT_TRUE(widened == 1 << 20 || widened == size) << widened;
  const std::string data = pattern(3 << 20);
  std::thread writer([&] {
    EXPECT_TRUE(write_all(in.write.get(), data));
    in.write.reset();
  });
  ASSERT_EQ(mpimap::farm::standard_input(), STDIN_FILENO);
  EXPECT_NE(pipe_of(STDIN_FILENO), before);                 // now the drain's pipe
  EXPECT_EQ(mpimap::farm::standard_input(), STDIN_FILENO);  // one drain only
  const std::string got = read_to_end(STDIN_FILENO);
  writer.join();
  EXPECT_TRUE(got == data);
}

}  // namespace
