#pragma once
// Keeping every rank on the same path when only rank 0 can know something
// (it alone reads the input, opens the files, gets the results). Used by the
// mpimap program and the task farm.

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/string.hpp>

#include <string>

namespace mpimap::detail {

/// Runs `on_root` on rank 0. When it throws an `Error`, every rank throws an
/// `Error` with the same message (only rank 0 should print it). Collective.
template <class Error, class F>
void root_checked(const boost::mpi::communicator& comm, F&& on_root) {
  std::string error;
  int failed = 0;
  if (comm.rank() == 0) {
    try {
      on_root();
    } catch (const Error& e) {
      error = e.what();
      failed = 1;
    }
  }
  boost::mpi::broadcast(comm, failed, 0);
  if (!failed) return;
  boost::mpi::broadcast(comm, error, 0);
  throw Error(error);
}

/// Rank 0's value of `value`, on every rank. Collective.
inline int from_root(const boost::mpi::communicator& comm, int value) {
  boost::mpi::broadcast(comm, value, 0);
  return value;
}

}  // namespace mpimap::detail
