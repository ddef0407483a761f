// farm::Fd: owns one descriptor, closes it once (on destruction, reset or
// assignment), never after release() or a move. Whether the write end of a
// pipe is closed shows at the read end: read(2) returns 0 (end of file) once
// no write end is left open.

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <type_traits>
#include <utility>

#include "farm/fd.hpp"

namespace {

using mpimap::farm::Fd;
using mpimap::farm::open_pipe;
using mpimap::farm::Pipe;

static_assert(!std::is_copy_constructible_v<Fd> && !std::is_copy_assignable_v<Fd>);
static_assert(std::is_nothrow_move_constructible_v<Fd> && std::is_nothrow_move_assignable_v<Fd>);

/// True when every write end of the pipe `read_end` reads from is closed.
bool writer_closed(const Fd& read_end) {
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
  char c;
  return ::read(read_end.get(), &c, 1) == 0;  // -1 (EAGAIN) while a writer is open
}

TEST(Fd, IsEmptyByDefault) {
  const Fd fd;
  EXPECT_FALSE(fd);
  EXPECT_EQ(fd.get(), -1);
}

TEST(Fd, ClosesOnDestruction) {
  Pipe p;
  ASSERT_EQ(open_pipe(p), 0);
  ASSERT_TRUE(p.read);
  ASSERT_TRUE(p.write);
  EXPECT_FALSE(writer_closed(p.read));
  { const Fd owner = std::move(p.write); }
  EXPECT_FALSE(p.write);
  EXPECT_TRUE(writer_closed(p.read));
}

TEST(Fd, ResetClosesAndTakesTheNewOne) {
  Pipe a, b;
  ASSERT_EQ(open_pipe(a), 0);
  ASSERT_EQ(open_pipe(b), 0);
  const int b_write = b.write.release();
  a.write.reset(b_write);
  EXPECT_TRUE(writer_closed(a.read));
  EXPECT_EQ(a.write.get(), b_write);
  EXPECT_FALSE(writer_closed(b.read));
  a.write.reset();
  EXPECT_FALSE(a.write);
  EXPECT_TRUE(writer_closed(b.read));
}

TEST(Fd, ReleaseGivesUpOwnership) {
  Pipe p;
  ASSERT_EQ(open_pipe(p), 0);
  int raw = -1;
  {
    Fd owner = std::move(p.write);
    raw = owner.release();
    EXPECT_FALSE(owner);
  }
  EXPECT_FALSE(writer_closed(p.read));  // still open: ours to close
  ::close(raw);
  EXPECT_TRUE(writer_closed(p.read));
}

TEST(Fd, MovingHandsOverOwnershipAndAssignmentClosesTheOld) {
  Pipe a, b;
  ASSERT_EQ(open_pipe(a), 0);
  ASSERT_EQ(open_pipe(b), 0);
  const int a_write = a.write.get();
  Fd moved(std::move(a.write));
  EXPECT_EQ(moved.get(), a_write);
  EXPECT_FALSE(a.write);
  EXPECT_FALSE(writer_closed(a.read));
  moved = std::move(b.write);  // closes a's write end, owns b's
  EXPECT_TRUE(writer_closed(a.read));
  EXPECT_FALSE(writer_closed(b.read));
  Fd& alias = moved;
  moved = std::move(alias);  // self-assignment keeps it
  EXPECT_FALSE(writer_closed(b.read));
}

TEST(Fd, PipesAreCloseOnExec) {
  Pipe p;
  ASSERT_EQ(open_pipe(p), 0);
  EXPECT_TRUE(::fcntl(p.read.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(p.write.get(), F_GETFD) & FD_CLOEXEC);
}

}  // namespace
