#include "mpimap/detail/join.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <thread>

namespace mpimap::detail {

namespace {

/// A Call as it travels: plain bytes of fixed size.
struct WireCall {
  std::uint32_t kind = 0;
  std::uint32_t number = 0;
  std::uint64_t types = 0;
};

WireCall to_wire(const Call& c) { return {static_cast<std::uint32_t>(c.kind), c.number, c.types}; }
Call from_wire(const WireCall& w) { return {static_cast<CallKind>(w.kind), w.number, w.types}; }

/// "1-3, 5": ranks (ascending) as runs.
std::string rank_runs(const std::vector<int>& ranks) {
  std::string out;
  for (std::size_t i = 0; i < ranks.size();) {
    std::size_t j = i;
    while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{}", ranks[i]) : fmt::format("{}-{}", ranks[i], ranks[j]);
    i = j + 1;
  }
  return out;
}

constexpr const char* kRule = "every rank must make the same pool calls in the same order";

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

const char* to_string(CallKind kind) {
  switch (kind) {
    case CallKind::Map:
      return "map";
    case CallKind::MapInto:
      return "map_into";
    case CallKind::ForEach:
      return "for_each";
    case CallKind::Imap:
      return "imap";
    case CallKind::ImapUnordered:
      return "imap_unordered";
    case CallKind::MapReduce:
      return "map_reduce";
    case CallKind::Starmap:
      return "starmap";
    case CallKind::Close:
      return "the pool's destructor";
  }
  return "an unknown call";
}

std::string describe(const Call& call) {
  return fmt::format("{} (call #{} on the pool)", to_string(call.kind), call.number);
}

std::chrono::milliseconds default_join_timeout() {
  if (const char* s = std::getenv("MPIMAP_JOIN_TIMEOUT")) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (end != s && *end == '\0' && v >= 0 && v < 1e9)
      return std::chrono::milliseconds(static_cast<long long>(v * 1000));
  }
  return std::chrono::seconds(60);
}

void fail_job(const Context& ctx, const std::string& line) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  MPI_Abort(ctx.comm, 3);
  std::_Exit(3);  // MPI_Abort does not return; should it, the job still ends
}

void join_call(const Context& ctx, const Call& call, std::chrono::milliseconds timeout) {
  if (ctx.size == 1) return;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  Backoff backoff(kPoolBackoff);
  auto pause = [&] {
    const auto p = backoff.next();
    if (p.length.count() > 0)
      std::this_thread::sleep_for(p.length);
    else if (p.yield)
      std::this_thread::yield();
  };
  if (ctx.is_root()) {
    const auto workers = static_cast<std::size_t>(ctx.size - 1);
    std::vector<WireCall> theirs(workers);
    std::vector<MPI_Request> requests(workers);
    for (std::size_t i = 0; i < workers; ++i)
      check(MPI_Irecv(&theirs[i], sizeof(WireCall), MPI_BYTE, static_cast<int>(i + 1), kJoinTag,
                      ctx.comm, &requests[i]),
            "MPI_Irecv");
    std::size_t left = workers;  // a joined rank's request is MPI_REQUEST_NULL
    while (left > 0) {
      int index = MPI_UNDEFINED, flag = 0;
      check(
          MPI_Testany(static_cast<int>(workers), requests.data(), &index, &flag, MPI_STATUS_IGNORE),
          "MPI_Testany");
      if (flag && index != MPI_UNDEFINED) {
        const auto i = static_cast<std::size_t>(index);
        --left;
        const Call other = from_wire(theirs[i]);
        if (other.kind != call.kind || other.number != call.number)
          fail_job(ctx, fmt::format("mpimap: ranks are making different pool calls: rank 0 is in "
                                    "{}, rank {} in {}; {}",
                                    describe(call), i + 1, describe(other), kRule));
        if (other.types != call.types)
          fail_job(ctx, fmt::format("mpimap: ranks are making different pool calls: rank 0 is in "
                                    "{} and rank {} too, but with other item or result types; {}",
                                    describe(call), i + 1, kRule));
        backoff.reset();
        continue;
      }
      const auto waited = Clock::now() - start;
      if (timeout.count() > 0 && waited > timeout) {
        std::vector<int> missing;
        for (std::size_t i = 0; i < workers; ++i)
          if (requests[i] != MPI_REQUEST_NULL) missing.push_back(static_cast<int>(i + 1));
        fail_job(ctx, fmt::format("mpimap: rank 0 has waited {:.0f} s in {} for rank{} {} to join "
                                  "it; {} (MPIMAP_JOIN_TIMEOUT=seconds waits longer)",
                                  seconds(waited), describe(call), missing.size() > 1 ? "s" : "",
                                  rank_runs(missing), kRule));
      }
      pause();
    }
    std::vector<MPI_Request> go(workers);
    const char byte = 1;
    for (std::size_t i = 0; i < workers; ++i)
      check(MPI_Isend(&byte, 1, MPI_BYTE, static_cast<int>(i + 1), kJoinTag, ctx.comm, &go[i]),
            "MPI_Isend");
    check(MPI_Waitall(static_cast<int>(workers), go.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
    return;
  }
  // A worker: names its call, then waits for rank 0's go. Rank 0 is the one
  // that judges; a worker speaks only when rank 0 has said nothing well past
  // the timeout (rank 1 first, so that one line is printed, not one per rank).
  const WireCall mine = to_wire(call);
  char byte = 0;
  MPI_Request requests[2];
  check(MPI_Isend(&mine, sizeof mine, MPI_BYTE, 0, kJoinTag, ctx.comm, &requests[0]), "MPI_Isend");
  check(MPI_Irecv(&byte, 1, MPI_BYTE, 0, kJoinTag, ctx.comm, &requests[1]), "MPI_Irecv");
  const auto patience = timeout + std::chrono::seconds(ctx.rank == 1 ? 2 : 5);
  while (true) {
    int done = 0;
    check(MPI_Testall(2, requests, &done, MPI_STATUSES_IGNORE), "MPI_Testall");
    if (done) return;
    const auto waited = Clock::now() - start;
    if (timeout.count() > 0 && waited > patience)
      fail_job(ctx, fmt::format("mpimap: rank {} has waited {:.0f} s in {}, which rank 0 has not "
                                "joined; {} (MPIMAP_JOIN_TIMEOUT=seconds waits longer)",
                                ctx.rank, seconds(waited), describe(call), kRule));
    pause();
  }
}

}  // namespace mpimap::detail
