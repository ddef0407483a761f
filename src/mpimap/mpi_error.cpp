#include "mpimap/mpi_error.hpp"

#include <mpi.h>

#include <fmt/format.h>

namespace mpimap {

namespace {
std::string describe(const std::string& call, int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) len = 0;
  return fmt::format("mpimap: {} failed: {}", call,
                     len > 0 ? std::string(text, static_cast<std::size_t>(len))
                             : fmt::format("MPI error {}", code));
}
}  // namespace

MpiError::MpiError(std::string call, int code)
    : std::runtime_error(describe(call, code)), call_(std::move(call)), code_(code) {}

}  // namespace mpimap
