#include "mpimap/task_error.hpp"

#include <fmt/format.h>

#include <utility>

namespace mpimap {

TaskError::TaskError(std::size_t index, int rank, std::string host, std::string message)
    : std::runtime_error(
          fmt::format("task {} failed on rank {}@{}: {}", index, rank, host, message)),
      index_(index),
      rank_(rank),
      host_(std::move(host)),
      message_(std::move(message)) {}

}  // namespace mpimap
