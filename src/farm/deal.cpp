#include "farm/deal.hpp"

#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <regex>

#include "farm/arg_queue.hpp"  // split_columns
#include "farm/error.hpp"

namespace mpimap::farm {

namespace {

void wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

/// Perl's integer value of a column (its leading number, truncated; 0 for
/// text), modulo n as Perl's % takes it (never negative).
std::size_t perl_bin(const std::string& text, std::size_t n) {
  const char* s = text.c_str();
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || !std::isfinite(v)) v = 0;
  const auto i = static_cast<long long>(std::trunc(std::clamp(v, -9e18, 9e18)));
  const auto m = static_cast<long long>(n);
  return static_cast<std::size_t>(((i % m) + m) % m);
}

}  // namespace

std::size_t parse_deal_column(const std::string& text, const char* option) {
  static const std::regex number(R"(^[1-9][0-9]{0,8}$)");
  if (!std::regex_match(text, number))
    throw UsageError(fmt::format(
        "{} {}: expected a column number (1, 2, ...; column names and Perl expressions are not "
        "supported)",
        option, text));
  return static_cast<std::size_t>(std::stoul(text));
}

std::vector<std::string> deal_lines(const std::string& lines, std::size_t jobs,
                                    const DealOptions& opt) {
  std::vector<std::string> inputs(jobs);
  const std::regex colsep(opt.colsep);
  const std::hash<std::string> hash;
  for (std::size_t pos = 0; pos < lines.size();) {
    auto end = lines.find('\n', pos);
    end = end == std::string::npos ? lines.size() : end + 1;
    std::string line = lines.substr(pos, end - pos);
    pos = end;
    std::string body = line;
    if (!body.empty() && body.back() == '\n') body.pop_back();
    const auto columns = split_columns(body, colsep);
    const std::string value = opt.column <= columns.size() ? columns[opt.column - 1] : "";
    std::size_t job = 0;
    if (opt.mode == DealOptions::Bin) {
      // GNU parallel's binner: bin 0 is the last job.
      const std::size_t bin = perl_bin(value, jobs);
      job = bin == 0 ? jobs - 1 : bin - 1;
    } else {
      job = hash(value) % jobs;
    }
    inputs[job] += line;
  }
  return inputs;
}

std::vector<std::string> deal_input(BlockSource& blocks, std::size_t jobs, const DealOptions& opt,
                                    std::string& error) {
  jobs = std::max<std::size_t>(jobs, 1);
  std::vector<std::string> inputs;
  std::string all, block;
  for (std::size_t i = 0;;) {
    const auto got = blocks.next(block);
    if (got == BlockSource::Next::End) break;
    if (got == BlockSource::Next::NotYet) {
      wait_readable(blocks.fd());
      continue;
    }
    if (opt.mode != DealOptions::RoundRobin) {
      all += block;
      continue;
    }
    if (inputs.size() < jobs) inputs.emplace_back();
    inputs[i++ % jobs] += block;
  }
  error = blocks.read_error();
  if (opt.mode != DealOptions::RoundRobin) return deal_lines(all, jobs, opt);
  return inputs;
}

std::string read_all(int fd, std::string& error) {
  std::string all;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      all.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_readable(fd);
    } else {
      error = fmt::format("cannot read standard input: {}", std::strerror(errno));
      break;
    }
  }
  return all;
}

}  // namespace mpimap::farm
