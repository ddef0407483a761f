#pragma once
// Keeping every rank on the same path when only rank 0 can know something
// (it alone reads the input, and gets the results).

#include <boost/mpi/communicator.hpp>

#include <functional>

namespace mpimap::cli {

/// Runs `on_root` on rank 0; if it throws UsageError, every rank throws one
/// (only rank 0's carries the message, and only rank 0 prints).
void root_checked(const boost::mpi::communicator& comm, const std::function<void()>& on_root);

/// Rank 0's value of `code`, on every rank.
int from_root(const boost::mpi::communicator& comm, int code);

}  // namespace mpimap::cli
