#pragma once
// The exception mpimap throws when an MPI call fails. Boost.MPI (and so every
// pool's communicator) sets MPI_ERRORS_RETURN: a failed call returns a code
// and nothing stops, so mpimap checks every call it makes itself.

#include <stdexcept>
#include <string>

namespace mpimap {

class MpiError : public std::runtime_error {
 public:
  /// `call` names the MPI function; `code` is what it returned.
  MpiError(std::string call, int code);

  const std::string& call() const noexcept { return call_; }
  int code() const noexcept { return code_; }

 private:
  std::string call_;
  int code_;
};

}  // namespace mpimap
