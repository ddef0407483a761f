#pragma once
// Bad usage or bad input: one line on stderr from rank 0, exit code 2.

#include <stdexcept>
#include <string>

namespace mpimap::cli {

inline constexpr int kExitTaskFailed = 1;
inline constexpr int kExitUsage = 2;

class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace mpimap::cli
