#include "cli/format.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace mpimap::cli {

std::string python_repr(std::int64_t v) { return std::to_string(v); }

// Python's repr(float): the shortest digits that round-trip, in fixed notation
// when the decimal exponent is in [-4, 16), else as d.ddde+XX; fixed values
// always show a fractional part ("2.0").
std::string python_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, sci.ptr);
  const int exponent = std::stoi(s.substr(s.find('e') + 1));
  if (exponent < -4 || exponent >= 16) return s;
  auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  s.assign(buf, fixed.ptr);
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

template <class T>
void print_results(std::ostream& os, const std::vector<T>& values, Format format) {
  switch (format) {
    case Format::List: {
      os << '[';
      for (std::size_t i = 0; i < values.size(); ++i)
        os << (i ? ", " : "") << python_repr(values[i]);
      os << "]\n";
      break;
    }
    case Format::Lines:
      for (const auto& v : values) os << python_repr(v) << '\n';
      break;
    case Format::Json:
      os << nlohmann::json(values).dump() << '\n';
      break;
  }
  os.flush();
}

template void print_results(std::ostream&, const std::vector<std::int64_t>&, Format);
template void print_results(std::ostream&, const std::vector<double>&, Format);

}  // namespace mpimap::cli
