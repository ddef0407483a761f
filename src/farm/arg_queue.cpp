#include "farm/arg_queue.hpp"

#include <poll.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "farm/error.hpp"

namespace mpimap::farm {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool blank(const std::string& s) { return std::all_of(s.begin(), s.end(), is_space); }

/// Whether `re` is plain text (no regex syntax): split without std::regex.
bool is_literal(const std::string& re) {
  return re.find_first_of("\\^$.|?*+()[]{}") == std::string::npos;
}

}  // namespace

std::vector<std::string> split_columns(const std::string& line, const std::regex& colsep) {
  if (line.empty()) return {std::string()};
  std::vector<std::string> out;
  std::size_t from = 0;  // start of the current field
  std::size_t pos = 0;   // where to search next
  std::smatch m;
  while (pos < line.size() && std::regex_search(line.cbegin() + static_cast<std::ptrdiff_t>(pos),
                                                line.cend(), m, colsep)) {
    const std::size_t at = pos + static_cast<std::size_t>(m.position(0));
    const std::size_t len = static_cast<std::size_t>(m.length(0));
    if (len == 0) {
      // A zero-width match splits between characters (never at the start
      // or the end of the field).
      if (at == from) {
        pos = at + 1;
        if (pos >= line.size()) break;
        out.push_back(line.substr(from, pos - from));
        from = pos;
        continue;
      }
      if (at >= line.size()) break;
      out.push_back(line.substr(from, at - from));
      from = at;
      pos = at + 1;
      continue;
    }
    out.push_back(line.substr(from, at - from));
    from = pos = at + len;
  }
  out.push_back(line.substr(from));
  return out;
}

/// One source: its records, with -E, -r and -L applied.
class ArgQueue::Reader {
 public:
  Reader(ItemSource source, const ReadOptions& opt) : src_(std::move(source)), opt_(opt) {}

  Next next(std::string& out) {
    std::string line;
    while (true) {
      if (ended_) return Next::End;
      switch (src_.next(line)) {
        case ItemSource::Next::NotYet:
          return Next::NotYet;
        case ItemSource::Next::End:
          ended_ = true;
          return take_prepend(out);
        case ItemSource::Next::Item:
          break;
      }
      if (opt_.eof && line == *opt_.eof) {  // the rest of this source is ignored
        ended_ = true;
        return take_prepend(out);
      }
      if (has_prepend_) {
        line = prepend_ + line;
        has_prepend_ = false;
      }
      if (opt_.skip_blank && blank(line)) continue;
      if (opt_.continue_lines && !line.empty() && is_space(line.back())) {
        prepend_ = std::move(line);
        has_prepend_ = true;
        continue;
      }
      out = std::move(line);
      return Next::Record;
    }
  }

  /// The next raw record (the header), waiting for it; false at the end.
  bool raw(std::string& out) {
    while (true) {
      switch (src_.next(out)) {
        case ItemSource::Next::Item:
          return true;
        case ItemSource::Next::End:
          return false;
        case ItemSource::Next::NotYet:
          wait();
          break;
      }
    }
  }

  /// Every remaining record, waiting for them.
  std::vector<std::string> all() {
    std::vector<std::string> out;
    std::string v;
    while (true) {
      switch (next(v)) {
        case Next::Record:
          out.push_back(std::move(v));
          break;
        case Next::End:
          if (!src_.read_error().empty()) throw UsageError(src_.read_error());
          return out;
        case Next::NotYet:
          wait();
          break;
      }
    }
  }

  int fd() const { return src_.fd(); }
  const std::string& read_error() const { return src_.read_error(); }
  bool in_memory() const { return src_.in_memory(); }

 private:
  Next take_prepend(std::string& out) {
    if (!has_prepend_) return Next::End;
    out = std::move(prepend_);
    has_prepend_ = false;
    return Next::Record;
  }
  void wait() const {
    pollfd p{src_.fd(), POLLIN, 0};
    while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
  }

  ItemSource src_;
  const ReadOptions& opt_;
  bool ended_ = false, has_prepend_ = false;
  std::string prepend_;
};

ArgQueue::~ArgQueue() = default;

ArgQueue::ArgQueue(std::vector<SourceSpec> sources, ReadOptions opt)
    : opt_(std::move(opt)), specs_(std::move(sources)) {
  if (specs_.empty()) specs_.push_back({.is_file = true, .path = "-"});
  if (opt_.colsep) {
    try {
      colsep_.emplace(opt_.colsep->empty() ? std::string("(?:)") : *opt_.colsep);
    } catch (const std::regex_error& e) {
      throw UsageError(
          fmt::format("--colsep {}: bad regular expression: {}", *opt_.colsep, e.what()));
    }
  }
  for (const auto& s : specs_) {
    if (s.is_file) {
      readers_.push_back(std::make_unique<Reader>(ItemSource(s.path, opt_.delimiter), opt_));
    } else {
      std::string text;
      for (const auto& a : s.args) {
        text += a;
        text += opt_.delimiter;
      }
      readers_.push_back(
          std::make_unique<Reader>(ItemSource::from_text(std::move(text), opt_.delimiter), opt_));
    }
  }
  // Column names: the header's, split as the records are (by --colsep, or a
  // tab), numbered across the sources.
  names_.push_back({});
  if (opt_.header) {
    const std::regex tab("\t");
    for (auto& r : readers_) {
      std::string line;
      if (!r->raw(line)) continue;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      for (auto& name : split_columns(line, colsep_ ? *colsep_ : tab)) {
        if (line.empty()) break;
        header_names_.push_back(name);
        names_.push_back(std::move(name));
      }
    }
  }
  if (opt_.name_files) {
    std::size_t id = 1;
    for (const auto& s : specs_)
      if (s.is_file) file_names_.emplace_back(s.path, id++);
  }
  // The sources read whole: all but the first (with --link, all).
  whole_.resize(readers_.size());
  for (std::size_t i = opt_.link ? 0 : 1; i < readers_.size(); ++i) whole_[i] = readers_[i]->all();
}

int ArgQueue::fd() const { return readers_.front()->fd(); }
const std::string& ArgQueue::read_error() const { return readers_.front()->read_error(); }
bool ArgQueue::in_memory() const { return opt_.link || readers_.front()->in_memory(); }

void ArgQueue::unget(std::vector<std::string> record) { unget_.push_front(std::move(record)); }

std::vector<std::string> ArgQueue::finish(std::vector<std::string> values) const {
  for (auto& v : values) {
    if (v.find('\0') == std::string::npos) continue;
    if (!warned_nul_) {
      warned_nul_ = true;
      fmt::print(stderr,
                 "mpimap: warning: a NUL byte in the input was replaced with \\0 (no argument "
                 "can hold one; did you mean --null?)\n");
    }
    std::string out;
    for (const char c : v) out += c == '\0' ? std::string("\\0") : std::string(1, c);
    v = std::move(out);
  }
  if (!colsep_) return values;
  std::vector<std::string> columns;
  for (const auto& v : values) {
    if (is_literal(*opt_.colsep) && !opt_.colsep->empty()) {
      if (v.empty()) {
        columns.emplace_back();
        continue;
      }
      std::size_t from = 0;
      while (true) {
        const auto at = v.find(*opt_.colsep, from);
        columns.push_back(v.substr(from, at == std::string::npos ? std::string::npos : at - from));
        if (at == std::string::npos) break;
        from = at + opt_.colsep->size();
      }
    } else {
      for (auto& c : split_columns(v, *colsep_)) columns.push_back(std::move(c));
    }
  }
  return columns;
}

ArgQueue::Next ArgQueue::next(std::vector<std::string>& record) {
  if (!unget_.empty()) {
    record = std::move(unget_.front());
    unget_.pop_front();
    return Next::Record;
  }
  return opt_.link ? next_linked(record) : next_nested(record);
}

ArgQueue::Next ArgQueue::next_linked(std::vector<std::string>& record) {
  if (!started_) {
    started_ = true;
    for (const auto& w : whole_) linked_count_ = std::max(linked_count_, w.size());
  }
  if (linked_index_ >= linked_count_) return Next::End;
  std::vector<std::string> values;
  for (const auto& w : whole_)
    values.push_back(w.empty() ? std::string() : w[linked_index_ % w.size()]);
  ++linked_index_;
  record = finish(std::move(values));
  return Next::Record;
}

ArgQueue::Next ArgQueue::next_nested(std::vector<std::string>& record) {
  const std::size_t n = readers_.size();
  if (!started_) {
    started_ = true;
    // Groups of linked sources, and how many values each group has (an
    // empty source stands for one empty value).
    bool others_empty = true;
    for (std::size_t i = 1; i < n; ++i) others_empty = others_empty && whole_[i].empty();
    no_records_ = others_empty;  // decided for good once source 0 is known
    for (std::size_t i = 1; i < n; ++i)
      if (whole_[i].empty()) whole_[i].emplace_back();
    for (std::size_t i = 0; i < n; ++i) {
      if (i == 0 || !specs_[i].linked) group_start_.push_back(i);
    }
    for (std::size_t g = 0; g < group_start_.size(); ++g) {
      const std::size_t end = g + 1 < group_start_.size() ? group_start_[g + 1] : n;
      std::size_t len = SIZE_MAX;
      for (std::size_t i = std::max<std::size_t>(group_start_[g], 1); i < end; ++i)
        len = std::min(len, whole_[i].size());
      group_len_.push_back(len);  // group 0: its whole members (SIZE_MAX: none)
    }
    odometer_.assign(group_start_.size(), 0);
  }
  if (first_done_) return Next::End;
  if (first_group_.empty()) {
    std::string v;
    switch (readers_[0]->next(v)) {
      case Next::NotYet:
        return Next::NotYet;
      case Next::End:
        first_done_ = true;
        if (first_index_ > 0 || no_records_) return Next::End;
        v.clear();  // an empty first source: one empty value
        break;
      case Next::Record:
        break;
    }
    if (first_index_ >= group_len_[0]) {
      first_done_ = true;
      return Next::End;
    }
    const std::size_t end = group_start_.size() > 1 ? group_start_[1] : n;
    first_group_.push_back(std::move(v));
    for (std::size_t i = 1; i < end; ++i) first_group_.push_back(whole_[i][first_index_]);
    ++first_index_;
    std::fill(odometer_.begin(), odometer_.end(), 0);
  }
  std::vector<std::string> values = first_group_;
  for (std::size_t g = 1; g < group_start_.size(); ++g) {
    const std::size_t end = g + 1 < group_start_.size() ? group_start_[g + 1] : n;
    for (std::size_t i = group_start_[g]; i < end; ++i) values.push_back(whole_[i][odometer_[g]]);
  }
  // The last group changes fastest.
  std::size_t g = group_start_.size();
  while (g-- > 1) {
    if (++odometer_[g] < group_len_[g]) break;
    odometer_[g] = 0;
  }
  if (g == 0) first_group_.clear();  // every combination with this first value given
  record = finish(std::move(values));
  return Next::Record;
}

}  // namespace mpimap::farm
