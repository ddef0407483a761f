#pragma once
// The exception rank 0 sees when a task threw on some rank.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace mpimap {

class TaskError : public std::runtime_error {
 public:
  TaskError(std::size_t index, int rank, std::string host, std::string message);
  /// With the type of the task's exception ("std::domain_error"), which
  /// what() then names before the message (the executor knows it).
  TaskError(std::size_t index, int rank, std::string host, std::string message,
            std::string exception_type);

  /// 0-based position of the failing item in the input.
  std::size_t index() const noexcept { return index_; }
  int rank() const noexcept { return rank_; }
  const std::string& host() const noexcept { return host_; }
  /// The task's own exception message, without the location.
  const std::string& message() const noexcept { return message_; }
  /// The task's exception's type, demangled; "" when not known.
  const std::string& exception_type() const noexcept { return exception_type_; }

 private:
  std::size_t index_;
  int rank_;
  std::string host_;
  std::string message_;
  std::string exception_type_;
};

}  // namespace mpimap
