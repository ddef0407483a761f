#include "farm/messages.hpp"

#include "mpimap/detail/wire.hpp"

namespace mpimap::farm {

using mpimap::detail::Reader;
using mpimap::detail::Writer;

void encode_task(std::vector<char>& buf, std::uint64_t seq, std::uint32_t attempt,
                 std::string_view item) {
  Writer w(buf);
  w.put(seq);
  w.put(attempt);
  w.put_string(item);
}

void decode_task(const std::vector<char>& buf, Task& task) {
  Reader r(buf);
  task.seq = r.get<std::uint64_t>();
  task.attempt = r.get<std::uint32_t>();
  task.item = r.get_string();
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
