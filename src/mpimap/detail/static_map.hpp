#pragma once
// Static schedule: rank r gets the r-th of `size` near-equal contiguous blocks.
// Fast types move with MPI_Scatterv/MPI_Gatherv straight between the caller's
// buffers and each rank's block (rank 0 works in place: no copy at all). When
// a block is larger than MapOptions::message_limit bytes (or the counts do not
// fit MPI's int), the same moves are made point to point in pieces instead
// (bulk.hpp): split, never truncated. Other types are packed per rank and sent
// as bytes, also in pieces. Each rank then sends rank 0 a small outcome
// (outputs, failure; values too for types that are not fast).
//
// Waiting: ranks may arrive far apart (rank 0 still reading input, a slow
// block), and a rank blocked inside MPI spins on its core. So every rank
// first meets the others politely (wait.hpp: it sleeps when the wait is
// long), and only then moves the blocks, waiting in MPI_Waitall, which drives
// the transfer flat out for just as long as it lasts. Polling the transfer
// politely instead made a warm 10^7-item map several times slower than raw
// MPI: large messages move only while polled, and a polite poller sleeps.

#include <mpi.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimap/detail/bulk.hpp"
#include "mpimap/detail/check.hpp"
#include "mpimap/detail/chunk.hpp"
#include "mpimap/detail/chunking.hpp"
#include "mpimap/detail/context.hpp"
#include "mpimap/detail/datatype.hpp"
#include "mpimap/detail/failure.hpp"
#include "mpimap/detail/ordered_printer.hpp"
#include "mpimap/detail/scratch.hpp"
#include "mpimap/detail/wait.hpp"
#include "mpimap/detail/watch.hpp"

namespace mpimap::detail {

/// An allocator that default-initialises: a buffer that MPI or the tasks will
/// overwrite is not zero-filled first (tens of ms for 10^7 items).
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class T>
using UninitializedVector = std::vector<T, UninitializedAllocator<T>>;

/// The blocks of a static map, the same on every rank.
struct Blocks {
  Blocks(std::uint64_t items, int ranks) : n(items), p(ranks) {}
  std::uint64_t begin(int r) const { return block_begin(n, p, r); }
  std::uint64_t count(int r) const { return begin(r + 1) - begin(r); }
  /// Whether MPI_Scatterv/Gatherv can move the blocks in one go.
  bool collective(std::size_t element_size, std::size_t limit) const {
    return n <= static_cast<std::uint64_t>(INT_MAX) && count(0) * element_size <= limit;
  }
  std::vector<int> counts() const {
    std::vector<int> c(p);
    for (int r = 0; r < p; ++r) c[r] = mpi_count(count(r), "a block");
    return c;
  }
  std::vector<int> displs() const {
    std::vector<int> d(p);
    for (int r = 0; r < p; ++r) d[r] = mpi_count(begin(r), "a block offset");
    return d;
  }
  std::uint64_t n;
  int p;
};

/// Bytes from rank 0 to every other rank (root: one buffer per rank; the
/// others: returns theirs). A size first, then the bytes in pieces. Every
/// rank must be there (after a meeting).
inline std::vector<char> scatter_bytes(const Context& ctx,
                                       const std::vector<std::vector<char>>& out,
                                       std::size_t limit) {
  std::vector<MPI_Request> reqs;
  std::vector<char> mine;
  if (ctx.is_root()) {
    std::vector<std::uint64_t> sizes(ctx.size);
    for (int r = 1; r < ctx.size; ++r) {
      sizes[r] = out[r].size();
      reqs.emplace_back();
      check(MPI_Isend(&sizes[r], 1, MPI_UINT64_T, r, kBulkTag, ctx.comm, &reqs.back()),
            "MPI_Isend");
      post_pieces<true>(out[r].data(), out[r].size(), MPI_BYTE, 1, r, kBulkTag, ctx.comm, limit,
                        reqs);
    }
    complete_all(reqs);
  } else {
    std::uint64_t size = 0;
    reqs.emplace_back();
    check(MPI_Irecv(&size, 1, MPI_UINT64_T, 0, kBulkTag, ctx.comm, &reqs.back()), "MPI_Irecv");
    complete_all(reqs);
    mine.resize(size);
    post_pieces<false>(mine.data(), size, MPI_BYTE, 1, 0, kBulkTag, ctx.comm, limit, reqs);
    complete_all(reqs);
  }
  return mine;
}

/// Bytes from every rank to rank 0, which gets one buffer per rank. Every
/// rank must be there (after a meeting).
inline std::vector<std::vector<char>> gather_bytes(const Context& ctx,
                                                   const std::vector<char>& mine,
                                                   std::size_t limit) {
  std::vector<MPI_Request> reqs;
  std::vector<std::vector<char>> all;
  if (ctx.is_root()) {
    std::vector<std::uint64_t> sizes(ctx.size);
    for (int r = 1; r < ctx.size; ++r) {
      reqs.emplace_back();
      check(MPI_Irecv(&sizes[r], 1, MPI_UINT64_T, r, kBulkTag, ctx.comm, &reqs.back()),
            "MPI_Irecv");
    }
    complete_all(reqs);
    all.resize(ctx.size);
    for (int r = 1; r < ctx.size; ++r) {
      all[r].resize(sizes[r]);
      post_pieces<false>(all[r].data(), sizes[r], MPI_BYTE, 1, r, kBulkTag, ctx.comm, limit, reqs);
    }
  } else {
    std::uint64_t size = mine.size();
    reqs.emplace_back();
    check(MPI_Isend(&size, 1, MPI_UINT64_T, 0, kBulkTag, ctx.comm, &reqs.back()), "MPI_Isend");
    post_pieces<true>(mine.data(), mine.size(), MPI_BYTE, 1, 0, kBulkTag, ctx.comm, limit, reqs);
  }
  complete_all(reqs);
  return all;
}

/// Moves fast values between rank 0's array and every rank's block:
/// Scatter = true sends root's blocks out, false brings them in. Every rank
/// must be there (after a meeting). `meanwhile` runs on rank 0 while the
/// blocks move (the items' scatter: workers copy their blocks straight out of
/// rank 0's memory, so rank 0 is free to prepare the results' buffer).
template <bool Scatter, class T, class Meanwhile = void (*)()>
void move_blocks(
    const Context& ctx, const Blocks& blocks, T* root_data, T* mine, std::size_t limit,
    Meanwhile&& meanwhile = [] {}) {
  Datatype<T> dt;
  std::vector<MPI_Request> reqs;
  if (blocks.collective(sizeof(T), limit)) {
    const auto counts = ctx.is_root() ? blocks.counts() : std::vector<int>{};
    const auto displs = ctx.is_root() ? blocks.displs() : std::vector<int>{};
    const int count = mpi_count(blocks.count(ctx.rank), "a block");
    reqs.emplace_back();
    if constexpr (Scatter)
      check(MPI_Iscatterv(root_data, counts.data(), displs.data(), dt.get(),
                          ctx.is_root() ? MPI_IN_PLACE : mine, count, dt.get(), 0, ctx.comm,
                          &reqs.back()),
            "MPI_Iscatterv");
    else
      check(MPI_Igatherv(ctx.is_root() ? MPI_IN_PLACE : mine, count, dt.get(), root_data,
                         counts.data(), displs.data(), dt.get(), 0, ctx.comm, &reqs.back()),
            "MPI_Igatherv");
  } else if (ctx.is_root()) {
    for (int r = 1; r < ctx.size; ++r)
      post_pieces<Scatter>(root_data + blocks.begin(r), blocks.count(r), dt.get(), sizeof(T), r,
                           kBulkTag, ctx.comm, limit, reqs);
  } else {
    post_pieces<!Scatter>(mine, blocks.count(ctx.rank), dt.get(), sizeof(T), 0, kBulkTag, ctx.comm,
                          limit, reqs);
  }
  if (ctx.is_root()) meanwhile();
  complete_all(reqs);
}

/// Room for a worker's block of n values: the kept scratch memory for plain
/// types, else `fallback` resized (types that need constructing).
template <class U>
U* block_room(Scratch& scratch, UninitializedVector<U>& fallback, std::size_t n) {
  if constexpr (is_scratch_v<U>) {
    return scratch.get<U>(n);
  } else {
    fallback.resize(n);
    return fallback.data();
  }
}

/// Runs the map; on rank 0 fills the results, at results_at() (which rank 0
/// calls once, while the items move: it may allocate them), and prints
/// outputs. Returns the first failure, the same on every rank. A worker's
/// block of items and of results lives in `room`, kept between maps. `watch`
/// (rank 0, optional) sees every block.
template <class F, class T, class ResultsAt>
FirstFailure static_map(const Context& ctx, BlockRoom& room, F& f, std::span<const T> items,
                        ResultsAt&& results_at, TaskRunner& runner, std::ostream& os,
                        std::size_t limit, Collected& collected, Watch* watch = nullptr) {
  using R = std::remove_pointer_t<decltype(results_at())>;
  R* results = nullptr;
  // Every rank is here: the call began with the pool's join (join.hpp), where
  // the workers usually wait for rank 0.
  // The item count, and whether the workers note their block for the trace.
  std::uint64_t head[2] = {items.size(), watch && watch->tracing()};
  check(MPI_Bcast(head, 2, MPI_UINT64_T, 0, ctx.comm), "MPI_Bcast");
  const std::uint64_t n = head[0];
  const bool tracing = head[1] != 0;
  const Blocks blocks(n, ctx.size);
  const std::uint64_t begin = blocks.begin(ctx.rank);
  const std::uint64_t count = blocks.count(ctx.rank);

  // Items to every rank's block; rank 0 reads its own in place.
  UninitializedVector<T> local_items;  // for types that need constructing
  std::optional<ChunkStatus> broken;   // this rank's block could not be run
  T* mine = ctx.is_root() ? nullptr : block_room(room.items, local_items, count);
  const T* my_items = ctx.is_root() ? items.data() : mine;
  if constexpr (is_fast_v<T>) {
    move_blocks<true>(ctx, blocks, const_cast<T*>(items.data()), mine, limit,
                      [&] { results = results_at(); });
  } else {
    std::vector<std::vector<char>> packed(ctx.is_root() ? ctx.size : 0);
    for (int r = 1; r < static_cast<int>(packed.size()); ++r)
      Writer(packed[r]).put_values(items.data() + blocks.begin(r), blocks.count(r));
    if (watch)
      for (int r = 1; r < static_cast<int>(packed.size()); ++r)
        watch->handed(r, blocks.count(r), packed[r].size());
    const auto packed_mine = scatter_bytes(ctx, packed, limit);
    if (!ctx.is_root()) {
      try {
        Reader(packed_mine).get_values(count, mine);
      } catch (...) {
        broken = broken_chunk(begin, "receiving the items");
      }
    }
    if (ctx.is_root()) results = results_at();
  }

  // Work.
  UninitializedVector<R> local_results;
  R* out = ctx.is_root() ? results : block_room(room.results, local_results, count);
  Outputs outputs;
  ChunkStatus status =
      broken ? *broken : run_chunk(f, my_items, begin, count, out, runner, outputs);
  ChunkNotes notes;
  if (tracing && !ctx.is_root()) notes.add(status);
  if (watch) {
    if constexpr (is_fast_v<T>)
      for (int r = 1; r < ctx.size; ++r)
        watch->handed(r, blocks.count(r), blocks.count(r) * sizeof(T));
    watch->handed(0, count);
    watch->done(0, status);
  }
  const std::int64_t since = watch ? clock_ns() : 0;

  // Values back (fast path), then each rank's outcome, once all are done.
  meet(ctx.comm);
  constexpr bool values_apart = is_fast_v<R> && !std::is_empty_v<R>;
  if constexpr (values_apart) move_blocks<false>(ctx, blocks, results, out, limit);
  std::vector<char> outcome;
  if (!ctx.is_root()) {
    try {
      Writer w(outcome);
      write_outcome(w, status, values_apart ? nullptr : out, outputs);
    } catch (...) {  // a result's serialize threw: the block fails at its first item
      outcome.clear();
      Writer w(outcome);
      write_outcome<R>(w, broken_chunk(begin, "sending the results"), nullptr, {});
    }
  }
  const auto all = gather_bytes(ctx, outcome, limit);
  if (watch) watch->waited(since);
  room.items.trim();
  room.results.trim();

  FirstFailure failure;
  if (ctx.is_root()) {
    failure.note(status, 0);
    collect_errors(collected, status, 0);
    for (int r = 1; r < ctx.size; ++r) {
      try {
        Reader reader(all[r]);
        ChunkStatus theirs = read_outcome(reader, values_apart ? nullptr : results, outputs);
        if (watch) {
          watch->received(all[r].size() + (values_apart ? theirs.succeeded() * sizeof(R) : 0));
          watch->done(r, theirs);
        }
        failure.note(theirs, r);
        collect_errors(collected, theirs, r);
      } catch (...) {
        failure.note(broken_chunk(blocks.begin(r), "receiving the results"), r);
      }
    }
  }
  share_failure(ctx, failure);
  if (watch) watch->stop_clock();
  if (tracing) {
    if (!ctx.is_root()) send_notes(ctx, notes.notes());
    for (int r = 1; r < ctx.size && ctx.is_root(); ++r) watch->notes(r, receive_notes(ctx, r));
  }
  if (ctx.is_root()) {
    // Rank order is item order, so `outputs` is sorted.
    OrderedPrinter printer(os);
    for (auto& [index, text] : outputs) printer.add(index, std::move(text));
    printer.flush_below(failure ? failure.index() + 1 : n);
    if (watch) watch->finish();
  }
  return failure;
}

}  // namespace mpimap::detail
