#pragma once
// The exception every rank throws when a map was stopped (MapOptions::stop).

#include <stdexcept>
#include <string>

namespace mpimap {

class Stopped : public std::runtime_error {
 public:
  explicit Stopped(int reason)
      : std::runtime_error("mpimap: the map was stopped (" + std::to_string(reason) + ")"),
        reason_(reason) {}
  /// The value MapOptions::stop held (a signal number, say).
  int reason() const noexcept { return reason_; }

 private:
  int reason_;
};

}  // namespace mpimap
