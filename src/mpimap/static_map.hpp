#pragma once
// Static schedule: rank r gets the r-th of `size` near-equal contiguous blocks.
// Fast types move with MPI_Scatterv/MPI_Gatherv straight between the caller's
// buffers and each rank's block (rank 0 works in place: no copy at all); other
// types are packed per rank and moved as bytes. Each rank then sends a small
// outcome (outputs, failure) to rank 0.

#include <mpi.h>

#include <climits>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "mpimap/chunk.hpp"
#include "mpimap/chunking.hpp"
#include "mpimap/context.hpp"
#include "mpimap/datatype.hpp"
#include "mpimap/ordered_printer.hpp"
#include "mpimap/wait.hpp"

namespace mpimap::detail {

/// Gathers a byte buffer of any size from every rank to rank 0 (which gets
/// them concatenated, with each rank's offset and size).
struct GatheredBytes {
  std::vector<char> data;
  std::vector<int> sizes, offsets;
};

inline int to_int_count(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw std::length_error("mpimap: a rank's share exceeds 2^31-1 elements");
  return static_cast<int>(n);
}

inline GatheredBytes gather_bytes(const Context& ctx, const std::vector<char>& mine) {
  GatheredBytes g;
  int my_size = to_int_count(mine.size());
  if (ctx.is_root()) g.sizes.resize(ctx.size), g.offsets.resize(ctx.size);
  MPI_Request req;
  MPI_Igather(&my_size, 1, MPI_INT, g.sizes.data(), 1, MPI_INT, 0, ctx.comm, &req);
  wait(req);
  if (ctx.is_root()) {
    std::size_t total = 0;
    for (int r = 0; r < ctx.size; ++r) g.offsets[r] = to_int_count(total), total += g.sizes[r];
    g.data.resize(total);
  }
  MPI_Igatherv(mine.data(), my_size, MPI_BYTE, g.data.data(), g.sizes.data(), g.offsets.data(),
               MPI_BYTE, 0, ctx.comm, &req);
  wait(req);
  return g;
}

/// Runs the map; on rank 0 fills `results` (already sized n) and prints
/// outputs. Returns the first failure (meaningful on rank 0).
template <class F, class T, class R>
FirstFailure static_map(const Context& ctx, F& f, std::span<const T> items, std::vector<R>& results,
                        TaskRunner& runner, std::ostream& os) {
  std::uint64_t n = items.size();
  MPI_Request req;
  MPI_Ibcast(&n, 1, MPI_UINT64_T, 0, ctx.comm, &req);
  wait(req);

  const int p = ctx.size;
  const std::uint64_t begin = block_begin(n, p, ctx.rank);
  const int count = to_int_count(block_begin(n, p, ctx.rank + 1) - begin);
  std::vector<int> counts, displs;
  if (ctx.is_root()) {
    counts.resize(p), displs.resize(p);
    for (int r = 0; r < p; ++r) {
      displs[r] = to_int_count(block_begin(n, p, r));
      counts[r] = to_int_count(block_begin(n, p, r + 1)) - displs[r];
    }
  }

  // Items to every rank's block.
  std::vector<T> local_items;
  const T* my_items = items.data();
  if constexpr (is_fast_v<T>) {
    Datatype<T> dt;
    if (!ctx.is_root()) local_items.resize(count), my_items = local_items.data();
    MPI_Iscatterv(items.data(), counts.data(), displs.data(), dt.get(),
                  ctx.is_root() ? MPI_IN_PLACE : local_items.data(), count, dt.get(), 0,
                  ctx.comm, &req);
    wait(req);
  } else {
    std::vector<char> packed;
    std::vector<int> byte_counts, byte_displs;
    if (ctx.is_root()) {
      byte_counts.assign(p, 0), byte_displs.assign(p, 0);
      Writer w(packed);
      for (int r = 1; r < p; ++r) {
        byte_displs[r] = to_int_count(packed.size());
        w.put_values(items.data() + displs[r], counts[r]);
        byte_counts[r] = to_int_count(packed.size()) - byte_displs[r];
      }
    }
    int my_bytes = 0;
    MPI_Iscatter(byte_counts.data(), 1, MPI_INT, &my_bytes, 1, MPI_INT, 0, ctx.comm, &req);
    wait(req);
    std::vector<char> mine(ctx.is_root() ? 0 : my_bytes);
    MPI_Iscatterv(packed.data(), byte_counts.data(), byte_displs.data(), MPI_BYTE, mine.data(),
                  my_bytes, MPI_BYTE, 0, ctx.comm, &req);
    wait(req);
    if (!ctx.is_root()) {
      local_items.resize(count);
      Reader(mine).get_values(count, local_items.data());
      my_items = local_items.data();
    }
  }

  // Work.
  std::vector<R> local_results;
  R* out = results.data();
  if (!ctx.is_root()) local_results.resize(count), out = local_results.data();
  Outputs outputs;
  const ChunkStatus status = run_chunk(f, my_items, begin, count, out, runner, outputs);

  // Values back (fast path), then each rank's outcome.
  constexpr bool values_apart = is_fast_v<R> && !std::is_empty_v<R>;
  if constexpr (values_apart) {
    Datatype<R> dt;
    MPI_Igatherv(ctx.is_root() ? MPI_IN_PLACE : out, count, dt.get(), results.data(),
                 counts.data(), displs.data(), dt.get(), 0, ctx.comm, &req);
    wait(req);
  }
  std::vector<char> mine;
  if (!ctx.is_root()) {
    Writer w(mine);
    write_outcome(w, status, values_apart ? nullptr : out, outputs);
  }
  const GatheredBytes all = gather_bytes(ctx, mine);

  FirstFailure failure;
  if (ctx.is_root()) {
    failure.note(status, 0);
    for (int r = 1; r < p; ++r) {
      Reader reader(std::span<const char>(all.data).subspan(all.offsets[r], all.sizes[r]));
      failure.note(read_outcome(reader, values_apart ? nullptr : results.data(), outputs), r);
    }
    // Rank order is item order, so `outputs` is sorted.
    OrderedPrinter printer(os);
    for (auto& [index, text] : outputs) printer.add(index, std::move(text));
    printer.flush_below(failure ? failure.index() + 1 : n);
  }
  return failure;
}

}  // namespace mpimap::detail
