#include "mpimap/detail/executor_registry.hpp"

#include <boost/core/demangle.hpp>

#include <cstdio>
#include <cstdlib>
#include <unordered_map>

namespace mpimap::detail {

namespace {

std::uint64_t fnv1a(std::string_view a, std::string_view b) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : a) h = (h ^ c) * 1099511628211ull;
  h = (h ^ 0xff) * 1099511628211ull;
  for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
  return h;
}

struct Registry {
  std::unordered_map<std::uint64_t, std::unique_ptr<TaskEntry>> by_key;
  std::unordered_map<std::string, const TaskEntry*> by_name;
};

// A function-local static: registrations run during static initialisation,
// in whatever order the translation units come.
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

TaskEntry::TaskEntry(std::string name, const char* mangled_signature)
    : name_(std::move(name)),
      signature_(boost::core::demangle(mangled_signature)),
      key_(fnv1a(name_, mangled_signature)) {}

void register_task(std::unique_ptr<TaskEntry> entry) {
  auto& r = registry();
  if (r.by_name.contains(entry->name()) || r.by_key.contains(entry->key())) {
    std::fprintf(stderr,
                 "mpimap: the task name \"%s\" is registered twice; register each task once, at "
                 "namespace scope (inline const auto t = mpimap::task<\"name\">(fn);), with a "
                 "name of its own\n",
                 entry->name().c_str());
    std::abort();
  }
  entry->serial_ = r.by_key.size();
  r.by_name.emplace(entry->name(), entry.get());
  const auto key = entry->key();
  r.by_key.emplace(key, std::move(entry));
}

const TaskEntry* find_task(std::uint64_t key) {
  auto& r = registry();
  const auto it = r.by_key.find(key);
  return it == r.by_key.end() ? nullptr : it->second.get();
}

std::size_t registered_tasks() { return registry().by_key.size(); }

}  // namespace mpimap::detail
