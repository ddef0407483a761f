// detail::SendQueue: a buffer() being filled is not a send yet, so reaping
// (take_buffer, a later buffer()) leaves it alone; receive_any gets what it
// sends, byte for byte.

#include <gtest/gtest.h>
#include <mpi.h>

#include <string>
#include <vector>

#include "mpimap/detail/messaging.hpp"

namespace {

using mpimap::detail::receive_any;
using mpimap::detail::SendQueue;

constexpr int kTag = 7;

std::string as_string(const std::vector<char>& v) { return std::string(v.begin(), v.end()); }

TEST(SendQueue, ABufferBeingFilledSurvivesReaping) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::vector<char> in;
  {
    SendQueue sends(MPI_COMM_WORLD);
    // A finished send first, so that the queue has a buffer to recycle.
    sends.buffer().assign({'o', 'n', 'e'});
    sends.send(rank, kTag);
    receive_any(MPI_COMM_WORLD, rank, kTag, in, true);
    EXPECT_EQ(as_string(in), "one");
    std::vector<char>& buf = sends.buffer();
    buf.assign({'t', 'w', 'o'});
    // take_buffer reaps: the finished send goes, the unsent buffer stays.
    std::vector<char> mine = sends.take_buffer();
    EXPECT_EQ(sends.pending(), 1u);
    buf.push_back('!');
    sends.send(rank, kTag);
    mine.assign({'3'});
    sends.send(std::move(mine), rank, kTag);
  }  // the destructor drains
  receive_any(MPI_COMM_WORLD, rank, kTag, in, true);
  EXPECT_EQ(as_string(in), "two!");
  receive_any(MPI_COMM_WORLD, rank, kTag, in, true);
  EXPECT_EQ(as_string(in), "3");
}

}  // namespace
