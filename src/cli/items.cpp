#include "cli/items.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/usage_error.hpp"

namespace mpimap::cli {

void read_item_file(const std::string& path, std::vector<std::string>& items) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) throw UsageError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    in = &file;
  }
  std::string line;
  while (std::getline(*in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    items.push_back(std::move(line));
  }
  if (in->bad()) throw UsageError(fmt::format("error reading {}", path));
}

}  // namespace mpimap::cli
