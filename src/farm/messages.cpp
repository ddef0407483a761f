#include "farm/messages.hpp"

#include "mpimap/detail/wire.hpp"

namespace mpimap::farm {

using mpimap::detail::Reader;
using mpimap::detail::Writer;

void encode_task(std::vector<char>& buf, const Task& task) {
  const JobArgs& args = task.args;
  Writer w(buf);
  w.put(task.seq);
  w.put(task.attempt);
  w.put(task.timeout);
  w.put(task.total);
  w.put(static_cast<std::uint8_t>(args.no_args));
  w.put<std::uint64_t>(args.ends.size());
  w.put_values(args.ends.data(), args.ends.size());
  w.put<std::uint64_t>(args.values.size());
  for (const auto& v : args.values) w.put_string(v);
  w.put_string(task.input);
  w.put_string(task.input_file);
  w.put(task.input_offset);
  w.put(task.input_length);
}

void decode_task(const std::vector<char>& buf, Task& task) {
  Reader r(buf);
  task.seq = r.get<std::uint64_t>();
  task.attempt = r.get<std::uint32_t>();
  task.timeout = r.get<double>();
  task.total = r.get<std::uint64_t>();
  task.args.no_args = r.get<std::uint8_t>() != 0;
  task.args.ends.resize(r.get<std::uint64_t>());
  r.get_values(task.args.ends.size(), task.args.ends.data());
  task.args.values.resize(r.get<std::uint64_t>());
  for (auto& v : task.args.values) v = r.get_string();
  task.input = r.get_string();
  task.input_file = r.get_string();
  task.input_offset = r.get<std::uint64_t>();
  task.input_length = r.get<std::uint64_t>();
}

void encode_result(std::vector<char>& buf, const Result& res) {
  buf.reserve(64 + res.out.size() + res.err.size());
  Writer w(buf);
  w.put(res.seq);
  w.put(res.attempt);
  w.put(static_cast<std::uint32_t>(res.outcome));
  w.put(res.slot);
  w.put(res.exitval);
  w.put(res.signal);
  w.put(res.start);
  w.put(res.runtime);
  w.put_string(res.out);
  w.put_string(res.err);
}

void decode_result(const std::vector<char>& buf, Result& res) {
  Reader r(buf);
  res.seq = r.get<std::uint64_t>();
  res.attempt = r.get<std::uint32_t>();
  res.outcome = static_cast<Outcome>(r.get<std::uint32_t>());
  res.slot = r.get<std::int32_t>();
  res.exitval = r.get<std::int32_t>();
  res.signal = r.get<std::int32_t>();
  res.start = r.get<double>();
  res.runtime = r.get<double>();
  res.out = r.get_string();
  res.err = r.get_string();
}

}  // namespace mpimap::farm
