#include "mpimap/detail/task_runner.hpp"

namespace mpimap::detail {

std::string TaskRunner::tagged(std::string_view text) const {
  std::string out;
  out.reserve(text.size() + tag_.size() * 4);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const auto end = nl == std::string_view::npos ? text.size() : nl + 1;
    out += tag_;
    out += text.substr(start, end - start);
    start = end;
  }
  return out;
}

}  // namespace mpimap::detail
