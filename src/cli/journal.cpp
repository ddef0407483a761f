#include "cli/journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/usage_error.hpp"
#include "farm/output.hpp"

namespace mpimap::cli {

namespace {

constexpr int kVersion = 1;

std::uint64_t fnv(std::uint64_t h, const std::string& s) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return (h ^ 0xff) * 1099511628211ull;  // a separator: "ab","c" differs from "a","bc"
}

void write_all(int fd, const std::string& bytes, const std::string& path) {
  if (!farm::write_all(fd, bytes))
    throw std::runtime_error(
        fmt::format("cannot write journal {}: {}", path, std::strerror(errno)));
}

/// Hex digits back to bytes; false when they are not.
bool unhex(const std::string& hex, std::string& out) {
  if (hex.size() % 2) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    for (char c : {hex[i], hex[i + 1]}) {
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else
        return false;
    }
    out += static_cast<char>(v);
  }
  return true;
}

std::string header_line(const std::string& function, std::size_t items,
                        const std::string& fingerprint) {
  nlohmann::json h = {{"mpimap_journal", kVersion},
                      {"function", function},
                      {"items", items},
                      {"input", fingerprint}};
  return h.dump() + '\n';
}

}  // namespace

std::string journal_fingerprint(const std::string& function, const std::vector<std::string>& items,
                                bool tag) {
  std::uint64_t h = 14695981039346656037ull;
  h = fnv(h, function);
  h = fnv(h, tag ? "tag" : "");
  for (const auto& item : items) h = fnv(h, item);
  return fmt::format("{:016x}", h);
}

MapJournal::MapJournal(const std::string& path, bool resume, const std::string& function,
                       std::size_t items, const std::string& fingerprint)
    : path_(path) {
  const std::string header = header_line(function, items, fingerprint);
  std::string text;
  bool exists = false;
  if (resume) {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      exists = true;
      std::ostringstream all;
      all << in.rdbuf();
      text = all.str();
    }
  }
  // Whole lines only: a kill can tear the last one, which is dropped (and cut
  // off the file below, so that the next record starts a line of its own).
  std::size_t keep = text.rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  if (exists && keep > 0) {
    std::size_t pos = 0, line_no = 0;
    while (pos < keep) {
      const std::size_t nl = text.find('\n', pos);
      const std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (line_no == 1) {
        if (line + '\n' == header) continue;
        nlohmann::json h = nlohmann::json::parse(line, nullptr, false);
        if (h.is_discarded() || !h.is_object() || !h.contains("mpimap_journal"))
          throw UsageError(fmt::format("journal {}: not an mpimap journal", path));
        throw UsageError(
            fmt::format("journal {} was written for another map (function, items or --tag differ); "
                        "remove it, or drop --resume to start again",
                        path));
      }
      nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
      std::string rec_bytes;
      const bool ok = r.is_object() && r.contains("i") && r["i"].is_number_unsigned() &&
                      (!r.contains("v") || r["v"].is_string()) &&
                      (!r.contains("o") || r["o"].is_string()) &&
                      (!r.contains("ox") || (r["ox"].is_string() && unhex(r["ox"], rec_bytes)));
      if (!ok)
        throw UsageError(fmt::format("journal {} line {}: not a journal record", path, line_no));
      if (r["i"].get<std::uint64_t>() != done_.size() || done_.size() >= items)
        throw UsageError(fmt::format("journal {} line {}: item {} out of order", path, line_no,
                                     r["i"].get<std::uint64_t>()));
      Record rec;
      if (r.contains("v")) rec.value = r["v"].get<std::string>();
      if (r.contains("o")) rec.output = r["o"].get<std::string>();
      if (r.contains("ox")) rec.output = std::move(rec_bytes);
      done_.push_back(std::move(rec));
    }
  }
  const bool fresh = !exists || keep == 0;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (fresh ? O_TRUNC : 0), 0644);
  if (fd_ < 0)
    throw UsageError(fmt::format("cannot write journal {}: {}", path, std::strerror(errno)));
  if (fresh) {
    write_all(fd_, header, path);
  } else if (keep < text.size()) {
    if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0)
      throw UsageError(fmt::format("cannot write journal {}: {}", path, std::strerror(errno)));
  }
  if (::lseek(fd_, 0, SEEK_END) < 0)
    throw UsageError(fmt::format("cannot write journal {}: {}", path, std::strerror(errno)));
  next_ = done_.size();
}

MapJournal::~MapJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void MapJournal::append(std::uint64_t index, const Record& record) {
  if (index != next_) throw std::logic_error("mpimap: journal records out of order");
  nlohmann::json r = {{"i", index}};
  if (record.value) r["v"] = *record.value;
  if (!record.output.empty()) r["o"] = record.output;
  std::string line;
  try {
    line = r.dump();
  } catch (const nlohmann::json::type_error&) {  // not UTF-8: the bytes go as hex
    r.erase("o");
    std::string hex;
    for (unsigned char c : record.output) hex += fmt::format("{:02x}", c);
    r["ox"] = hex;
    line = r.dump();
  }
  // One write per record: a kill leaves whole records and at most one torn
  // last line.
  write_all(fd_, line + '\n', path_);
  ++next_;
}

}  // namespace mpimap::cli
