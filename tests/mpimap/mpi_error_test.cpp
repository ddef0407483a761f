// Issue 8, defect 7: MPI's return codes were never checked (Boost.MPI sets
// MPI_ERRORS_RETURN, so a send to a rank that does not exist returned an
// error and the program went on). Every call now goes through detail::check,
// every count through detail::mpi_count.

#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/mpi/communicator.hpp>

#include <climits>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/messaging.hpp"
#include "mpimap/mpimap.hpp"

namespace {

std::string mpi_error_string(int code) {  // the oracle: MPI's own text
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(code, text, &len);
  return std::string(text, static_cast<std::size_t>(len));
}

TEST(MpiError, CheckPassesSuccessAndNamesTheFailingCall) {
  EXPECT_NO_THROW(mpimap::detail::check(MPI_SUCCESS, "MPI_Send"));
  try {
    mpimap::detail::check(MPI_ERR_RANK, "MPI_Send");
    ADD_FAILURE() << "no exception";
  } catch (const mpimap::MpiError& e) {
    EXPECT_EQ(e.call(), "MPI_Send");
    EXPECT_EQ(e.code(), MPI_ERR_RANK);
    EXPECT_EQ(std::string(e.what()), "mpimap: MPI_Send failed: " + mpi_error_string(MPI_ERR_RANK));
  }
}

TEST(MpiError, CountsThatDoNotFitAnIntAreErrors) {
  EXPECT_EQ(mpimap::detail::mpi_count(0, "x"), 0);
  EXPECT_EQ(mpimap::detail::mpi_count(static_cast<std::size_t>(INT_MAX), "x"), INT_MAX);
  EXPECT_THROW(mpimap::detail::mpi_count(static_cast<std::size_t>(INT_MAX) + 1, "a message"),
               std::length_error);
}

TEST(MpiError, ASendToARankThatDoesNotExistThrows) {
  const boost::mpi::communicator world;
  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Comm_dup(world, &comm);
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);  // as Boost.MPI sets it
  {
    mpimap::detail::SendQueue sends(comm);
    sends.buffer().assign(8, 'x');
    try {
      sends.send(world.size() + 5, 1);
      ADD_FAILURE() << "the send went on";
    } catch (const mpimap::MpiError& e) {
      EXPECT_EQ(e.call(), "MPI_Isend");
    }
  }
  MPI_Comm_free(&comm);
}

}  // namespace
