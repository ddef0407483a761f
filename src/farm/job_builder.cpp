#include "farm/job_builder.hpp"

#include <utility>

namespace mpimap::farm {

JobBuilder::JobBuilder(ArgQueue& queue, const CommandTemplate& command, BatchOptions opt)
    : queue_(queue), opt_(opt), meter_(command) {
  if (!opt_.fill && !opt_.max_args) opt_.max_args = 1;
}

JobBuilder::Next JobBuilder::next(JobArgs& job) {
  bool at_end = false;
  while (true) {
    if (opt_.max_args && current_.records() >= std::max<std::size_t>(*opt_.max_args, 1)) break;
    const auto got = queue_.next(record_);
    if (got == ArgQueue::Next::NotYet) return Next::NotYet;
    if (got == ArgQueue::Next::End) {
      at_end = true;
      break;
    }
    meter_.add(record_);
    current_.add_record(std::move(record_));
    record_.clear();
    if (opt_.max_args && *opt_.max_args == 0) {
      current_.no_args = true;
      break;
    }
    if (current_.records() > 1 && meter_.length() >= opt_.max_length) {
      // Too long with this record: it starts the next job.
      auto last = current_.pop_record();
      meter_.remove(last);
      queue_.unget(std::move(last));
      break;
    }
  }
  if (at_end && opt_.spread && !spread_done_) {
    // -m / -X at the end of the input: spread over every job slot.
    spread_done_ = true;
    const std::size_t n = current_.records();
    if (n > 1) {
      const std::size_t per =
          (n + opt_.slots_total - 1) / std::max<std::size_t>(opt_.slots_total, 1);
      opt_.max_args = per;
      std::vector<std::vector<std::string>> records;
      while (current_.records() > 0) records.push_back(current_.pop_record());
      for (auto& r : records) queue_.unget(std::move(r));  // back in order
      meter_.reset();
      while (current_.records() < per) {
        if (queue_.next(record_) != ArgQueue::Next::Record) break;
        meter_.add(record_);
        current_.add_record(std::move(record_));
        record_.clear();
      }
    }
  }
  if (current_.records() == 0) return Next::End;
  job = std::move(current_);
  current_.clear();
  meter_.reset();
  return Next::Job;
}

}  // namespace mpimap::farm
