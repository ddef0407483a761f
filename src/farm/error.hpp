#pragma once
// The task farm's one error type: bad usage or input (an option, a file that
// cannot be opened), found before any task runs. A failing task is not an
// error: it is counted and logged.

#include <stdexcept>

namespace mpimap::farm {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mpimap::farm
