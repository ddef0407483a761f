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

TaskError::TaskError(std::size_t index, int rank, std::string host, std::string message,
                     std::string exception_type)
    : std::runtime_error(
          exception_type.empty()
              ? fmt::format("task {} failed on rank {}@{}: {}", index, rank, host, message)
              : fmt::format("task {} failed on rank {}@{}: {}: {}", index, rank, host,
                            exception_type, message)),
      index_(index),
      rank_(rank),
      host_(std::move(host)),
      message_(std::move(message)),
      exception_type_(std::move(exception_type)) {}

}  // namespace mpimap
