#include "mpimap/options.hpp"

namespace mpimap {

std::string_view to_string(Schedule s) {
  switch (s) {
    case Schedule::Static:
      return "static";
    case Schedule::Dynamic:
      return "dynamic";
    case Schedule::Guided:
      return "guided";
  }
  return "?";
}

std::optional<Schedule> parse_schedule(std::string_view name) {
  for (auto s : {Schedule::Static, Schedule::Dynamic, Schedule::Guided})
    if (name == to_string(s)) return s;
  return std::nullopt;
}

}  // namespace mpimap
