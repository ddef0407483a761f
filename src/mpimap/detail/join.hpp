#pragma once
// Every pool call starts with the ranks agreeing that they are making the
// same call. A map called on rank 0 only (a beginner's mistake that one rank
// hides), or two ranks making different calls, would otherwise hang for ever
// without a word. Each rank names its call to rank 0 (kind, number, and the
// item and result types); rank 0 answers "go" once all have named the same
// one. When they differ, or a rank has not joined within the pool's join
// timeout, the rank that knows prints one line saying which ranks are where,
// and ends the job (MPI_Abort, exit status 3): a rank in another call cannot
// be brought back.
//
// The handshake is one small message each way per worker, and it is the
// static schedule's first meeting anyway (it replaces a barrier there).

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/tags.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::detail {

/// Which public call a rank is in.
enum class CallKind : std::uint32_t {
  Map,
  MapInto,
  ForEach,
  Imap,
  ImapUnordered,
  MapReduce,
  Starmap,
  Close,  // the pool's destructor
};

const char* to_string(CallKind kind);

/// One rank's call: what it is, its number on this pool (from 1), and a
/// fingerprint of its item and result types.
struct Call {
  CallKind kind = CallKind::Map;
  std::uint32_t number = 0;
  std::uint64_t types = 0;
  bool operator==(const Call&) const = default;
};

/// A fingerprint of the types a call moves (FNV-1a of their mangled names):
/// the same program gives the same on every rank.
template <class... Ts>
std::uint64_t types_fingerprint() {
  std::uint64_t h = 14695981039346656037ull;
  for (std::string_view name : {std::string_view(typeid(Ts).name())...}) {
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  return h;
}

/// "map #3", and the types when they are what differs.
std::string describe(const Call& call);

/// The join timeout: $MPIMAP_JOIN_TIMEOUT in seconds when set (0: wait for
/// ever), else 60 s.
std::chrono::milliseconds default_join_timeout();

/// Prints `line` (one line, "mpimap: " first) on stderr and ends the job.
[[noreturn]] void fail_job(const Context& ctx, const std::string& line);

/// Returns once every rank of the pool is making `call` (collective). Ends
/// the job with one line when a rank makes another call, or when ranks have
/// not joined within `timeout` (zero: no limit).
void join_call(const Context& ctx, const Call& call, std::chrono::milliseconds timeout);

}  // namespace mpimap::detail
