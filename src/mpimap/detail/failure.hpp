#pragma once
// The outcome of a map that every rank agrees on: the failing task with the
// lowest index, if any, and whether the caller stopped the map (MapOptions::
// stop). Rank 0 learns it from the ranks' chunk outcomes and
// tells the workers (in the dynamic schedule's stop message, by a broadcast
// in the static one), so that every rank throws the same TaskError and the
// ranks' control flow never splits.

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap::detail {

/// The failing task with the lowest index seen so far.
class FirstFailure {
 public:
  void note(const ChunkStatus& st, int rank) {
    if (!st.failed) return;
    const auto index = st.begin + st.attempted - 1;
    if (!failed_ || index < index_) {
      failed_ = true;
      index_ = index;
      rank_ = rank;
      message_ = st.error;
    }
  }
  explicit operator bool() const { return failed_; }
  /// Rank 0 saw MapOptions::stop set to `reason` (nonzero) and handed out no
  /// more work.
  void stop(int reason) { stopped_ = reason; }
  int stopped() const { return stopped_; }
  std::uint64_t index() const { return index_; }
  int rank() const { return rank_; }
  const std::string& message() const { return message_; }
  /// The failing rank's host: set on every rank once the failure is shared.
  const std::string& host() const { return host_; }

  /// On rank 0: the whole failure (host included), for the workers.
  void write(Writer& w, const Context& ctx) const {
    w.put<std::uint8_t>((failed_ ? 1 : 0) | (stopped_ ? 2 : 0));
    if (stopped_) w.put<std::int32_t>(stopped_);
    if (!failed_) return;
    w.put(index_);
    w.put<std::int32_t>(rank_);
    w.put_string(ctx.hosts[static_cast<std::size_t>(rank_)]);
    w.put_string(message_);
  }
  /// On a worker: what rank 0 wrote.
  void read(Reader& r) {
    const auto flags = r.get<std::uint8_t>();
    failed_ = (flags & 1) != 0;
    if (flags & 2) stopped_ = r.get<std::int32_t>();
    if (!failed_) return;
    index_ = r.get<std::uint64_t>();
    rank_ = r.get<std::int32_t>();
    host_ = r.get_string();
    message_ = r.get_string();
  }
  /// On rank 0: fills in the host from the pool's list.
  void name_host(const Context& ctx) {
    if (failed_) host_ = ctx.hosts[static_cast<std::size_t>(rank_)];
  }

 private:
  bool failed_ = false;
  int stopped_ = 0;
  std::uint64_t index_ = 0;
  int rank_ = 0;
  std::string host_;
  std::string message_;
};

/// OnError::Collect: the failures seen on rank 0, in arrival order.
struct CollectedError {
  std::uint64_t index = 0;
  int rank = 0;
  std::string message;
};
using Collected = std::vector<CollectedError>;

/// Adds a chunk's collected failures (run on `rank`).
inline void collect_errors(Collected& into, ChunkStatus& status, int rank) {
  for (auto& [index, message] : status.errors)
    into.push_back({.index = index, .rank = rank, .message = std::move(message)});
}

/// Rank 0's failure to every rank (all ranks call it, after the map's last
/// transfer). One small broadcast when nothing failed.
inline void share_failure(const Context& ctx, FirstFailure& failure) {
  if (ctx.size == 1) return failure.name_host(ctx);
  std::vector<char> bytes;
  if (ctx.is_root()) {
    failure.name_host(ctx);
    Writer w(bytes);
    failure.write(w, ctx);
  }
  std::uint64_t size = bytes.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, 0, ctx.comm), "MPI_Bcast");
  if (size <= 1) return;  // nothing failed, nothing stopped (just the flags)
  bytes.resize(size);
  check(MPI_Bcast(bytes.data(), mpi_count(size, "a failure"), MPI_BYTE, 0, ctx.comm), "MPI_Bcast");
  if (!ctx.is_root()) {
    Reader r(bytes);
    failure.read(r);
  }
}

}  // namespace mpimap::detail
