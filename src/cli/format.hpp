#pragma once
// Printing a map's results the way Python prints a list, one per line, or as
// JSON.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mpimap::cli {

enum class Format { List, Lines, Json };

/// Python's repr of one value: 42, 2.0, 1e+16, inf.
std::string python_repr(std::int64_t v);
std::string python_repr(double v);

template <class T>
void print_results(std::ostream& os, const std::vector<T>& values, Format format);

}  // namespace mpimap::cli
