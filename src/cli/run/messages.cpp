#include "cli/run/messages.hpp"

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <type_traits>

namespace mpimap::cli::run {

namespace {

template <class T>
  requires std::is_trivially_copyable_v<T>
void put(std::vector<char>& buf, const T& v) {
  const auto* p = reinterpret_cast<const char*>(&v);
  buf.insert(buf.end(), p, p + sizeof(T));
}

void put_bytes(std::vector<char>& buf, std::string_view s) {
  put<std::uint64_t>(buf, s.size());
  buf.insert(buf.end(), s.begin(), s.end());
}

class Cursor {
 public:
  explicit Cursor(const std::vector<char>& buf) : buf_(buf) {}
  template <class T>
    requires std::is_trivially_copyable_v<T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, buf_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void get_bytes(std::string& out) {
    const auto n = get<std::uint64_t>();
    need(n);
    out.assign(buf_.data() + pos_, n);
    pos_ += n;
  }

 private:
  void need(std::uint64_t n) const {
    if (buf_.size() - pos_ < n) throw std::logic_error("mpimap run: truncated message");
  }
  const std::vector<char>& buf_;
  std::size_t pos_ = 0;
};

}  // namespace

void encode_task(std::vector<char>& buf, std::uint64_t seq, std::uint32_t attempt,
                 std::string_view item) {
  put(buf, seq);
  put(buf, attempt);
  put_bytes(buf, item);
}

void decode_task(const std::vector<char>& buf, Task& task) {
  Cursor c(buf);
  task.seq = c.get<std::uint64_t>();
  task.attempt = c.get<std::uint32_t>();
  c.get_bytes(task.item);
}

void encode_result(std::vector<char>& buf, const Result& r) {
  buf.reserve(64 + r.out.size() + r.err.size());
  put(buf, r.seq);
  put(buf, r.attempt);
  put(buf, static_cast<std::uint32_t>(r.outcome));
  put(buf, r.slot);
  put(buf, r.exitval);
  put(buf, r.signal);
  put(buf, r.start);
  put(buf, r.runtime);
  put_bytes(buf, r.out);
  put_bytes(buf, r.err);
}

void decode_result(const std::vector<char>& buf, Result& r) {
  Cursor c(buf);
  r.seq = c.get<std::uint64_t>();
  r.attempt = c.get<std::uint32_t>();
  r.outcome = static_cast<Outcome>(c.get<std::uint32_t>());
  r.slot = c.get<std::int32_t>();
  r.exitval = c.get<std::int32_t>();
  r.signal = c.get<std::int32_t>();
  r.start = c.get<double>();
  r.runtime = c.get<double>();
  c.get_bytes(r.out);
  c.get_bytes(r.err);
}

std::vector<char>& SendQueue::buffer() {
  reap();
  if (!free_.empty()) {
    busy_.push_back(std::move(free_.back()));
    free_.pop_back();
  } else {
    busy_.emplace_back();
  }
  busy_.back().bytes.clear();
  return busy_.back().bytes;
}

void SendQueue::send(int dest, int tag) {
  auto& s = busy_.back();
  MPI_Isend(s.bytes.data(), static_cast<int>(s.bytes.size()), MPI_BYTE, dest, tag, comm_,
            &s.request);
}

void SendQueue::reap() {
  while (!busy_.empty()) {
    int done = 0;
    MPI_Test(&busy_.front().request, &done, MPI_STATUS_IGNORE);
    if (!done) break;
    auto slot = std::move(busy_.front());
    busy_.pop_front();
    // Keep a few small buffers for reuse; let big ones (a 10 MB output) go.
    if (free_.size() < 8 && slot.bytes.capacity() <= (1u << 20)) free_.push_back(std::move(slot));
  }
}

void SendQueue::drain() {
  auto pause = std::chrono::microseconds(5);
  const auto spin_end = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  while (true) {
    reap();
    if (busy_.empty()) return;
    if (std::chrono::steady_clock::now() >= spin_end) {
      std::this_thread::sleep_for(pause);
      if (pause < std::chrono::microseconds(500)) pause *= 2;
    }
  }
}

bool try_receive(MPI_Comm comm, int source, int tag, std::vector<char>& buf, MPI_Status& status) {
  MPI_Message msg;
  int found = 0;
  MPI_Improbe(source, tag, comm, &found, &msg, &status);
  if (!found) return false;
  int bytes = 0;
  MPI_Get_count(&status, MPI_BYTE, &bytes);
  buf.resize(static_cast<std::size_t>(bytes));
  MPI_Mrecv(buf.data(), bytes, MPI_BYTE, &msg, &status);
  return true;
}

}  // namespace mpimap::cli::run
