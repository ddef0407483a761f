#pragma once
// Every MPI call mpimap makes goes through check(), and every count that
// reaches MPI through mpi_count(): a failure is an MpiError naming the call,
// never a silent wrong turn, and a count that does not fit MPI's int is an
// error, never a truncation.

#include <mpi.h>

#include <climits>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "mpimap/mpi_error.hpp"

namespace mpimap::detail {

/// Throws MpiError when an MPI call did not return MPI_SUCCESS.
inline void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw MpiError(call, code);
}

/// `n` as an MPI count (an int); throws std::length_error when it does not fit.
inline int mpi_count(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw std::length_error(std::string("mpimap: ") + what + " is too large for an MPI count (" +
                            std::to_string(n) + " > INT_MAX)");
  return static_cast<int>(n);
}

}  // namespace mpimap::detail
