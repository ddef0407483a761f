#include "farm/results_table.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "farm/error.hpp"
#include "farm/output.hpp"  // write_all

namespace mpimap::farm {

namespace {
bool ends_with_ci(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
      return false;
  return true;
}
}  // namespace

bool is_results_table(const std::string& name) {
  return ends_with_ci(name, ".csv") || ends_with_ci(name, ".tsv") || ends_with_ci(name, ".json");
}

void ResultsTable::open(const std::string& name, std::vector<std::string> names) {
  json_ = ends_with_ci(name, ".json");
  sep_ = ends_with_ci(name, ".tsv") ? '\t' : ',';
  names_ = std::move(names);
  if (name == "-.csv" || name == "-.tsv" || name == "-.json") {
    fd_ = STDOUT_FILENO;
    return;
  }
  owned_.reset(::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (!owned_)
    throw UsageError(fmt::format("cannot write --results {}: {}", name, std::strerror(errno)));
  fd_ = owned_.get();
}

void ResultsTable::field(std::string_view text) {
  if (!first_field_) line_ += sep_;
  first_field_ = false;
  bool quote = false;
  for (const char c : text)
    if (c == '"' || c == sep_ || c == '\0' || std::isspace(static_cast<unsigned char>(c)))
      quote = true;
  if (!quote) {
    line_ += text;
    return;
  }
  line_ += '"';
  for (const char c : text) {
    if (c == '"') line_ += '"';
    line_ += c;
  }
  line_ += '"';
}

void ResultsTable::json_string(std::string_view text) {
  line_ += '"';
  for (const char c : text) {
    if (c == '\\' || c == '"') {
      line_ += '\\';
      line_ += c;
    } else if (static_cast<unsigned char>(c) < 32) {
      line_ += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      line_ += c;
    }
  }
  line_ += '"';
}

void ResultsTable::write(const JoblogRecord& r, const std::vector<std::string>& values,
                         std::string_view out, std::string_view err) {
  if (fd_ < 0) return;
  line_.clear();
  const std::string start = fmt::format("{:.3f}", r.start);
  const std::string runtime = fmt::format("{:.3f}", r.runtime);
  if (json_) {
    line_ += fmt::format("{{ \"Seq\": {}, \"Host\": ", r.seq);
    json_string(r.host);
    line_ += fmt::format(
        ", \"Starttime\": {}, \"JobRuntime\": {}, \"Send\": {}, \"Receive\": {}, \"Exitval\": "
        "{}, \"Signal\": {}, \"Command\": ",
        start, runtime, r.sent, r.received, r.exitval, r.signal);
    json_string(r.command);
    line_ += ", \"V\": [ ";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) line_ += ',';
      json_string(values[i]);
    }
    line_ += " ], \"Stdout\": ";
    json_string(out);
    line_ += ", \"Stderr\": ";
    json_string(err);
    line_ += " }\n";
  } else {
    if (!header_done_) {
      header_done_ = true;
      first_field_ = true;
      for (const char* h : {"Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval",
                            "Signal", "Command"})
        field(h);
      for (std::size_t i = 0; i < values.size(); ++i)
        field(i < names_.size() && !names_[i].empty() ? names_[i] : fmt::format("V{}", i + 1));
      field("Stdout");
      field("Stderr");
      line_ += '\n';
    }
    first_field_ = true;
    for (const auto& v :
         {fmt::to_string(r.seq), std::string(r.host), start, runtime, fmt::to_string(r.sent),
          fmt::to_string(r.received), fmt::to_string(r.exitval), fmt::to_string(r.signal)})
      field(v);
    field(r.command);
    for (const auto& v : values) field(v);
    field(out);
    field(err);
    line_ += '\n';
  }
  if (!write_all(fd_, line_) && !warned_) {
    warned_ = true;
    fmt::print(stderr, "mpimap: cannot write to the --results table: {}\n", std::strerror(errno));
  }
}

}  // namespace mpimap::farm
