#include "cli/items.hpp"

#include <poll.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>

#include "cli/usage_error.hpp"
#include "farm/error.hpp"
#include "farm/item_source.hpp"

namespace mpimap::cli {

namespace {

/// Every item of `source`, waiting for them as they come (a pipe may be slow).
void read_all(farm::ItemSource& source, std::vector<std::string>& items) {
  std::string item;
  while (true) {
    switch (source.next(item)) {
      case farm::ItemSource::Next::Item:
        items.push_back(std::move(item));
        break;
      case farm::ItemSource::Next::NotYet: {
        pollfd p{source.fd(), POLLIN, 0};
        while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
        }
        break;
      }
      case farm::ItemSource::Next::End:
        if (!source.read_error().empty()) throw UsageError(source.read_error());
        return;
    }
  }
}

}  // namespace

void read_item_file(const std::string& path, std::vector<std::string>& items) {
  std::optional<farm::ItemSource> source;
  try {
    source.emplace(path, '\n');
  } catch (const farm::UsageError& e) {
    throw UsageError(e.what());
  }
  read_all(*source, items);
}

}  // namespace mpimap::cli
