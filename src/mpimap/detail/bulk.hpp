#pragma once
// Moving arrays of any length between two ranks. An MPI count is an int, and
// single messages of gigabytes strain some transports, so an array goes as
// pieces of at most `limit` bytes. Both sides cut the same pieces from the
// element count alone, and messages between two ranks with one tag arrive in
// order, so the pieces match up without any header.

#include <mpi.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/wait.hpp"

namespace mpimap::detail {

/// Elements per piece: as many as fit in `limit` bytes (at least one).
inline std::size_t piece_elements(std::size_t element_size, std::size_t limit) {
  return std::max<std::size_t>(1, std::min<std::size_t>(limit / element_size, INT32_MAX));
}

/// Posts non-blocking sends (Send = true) or receives of n elements at data.
template <bool Send>
void post_pieces(std::conditional_t<Send, const void*, void*> data, std::size_t n,
                 MPI_Datatype type, std::size_t element_size, int peer, int tag, MPI_Comm comm,
                 std::size_t limit, std::vector<MPI_Request>& requests) {
  const std::size_t per = piece_elements(element_size, limit);
  auto* bytes = static_cast<std::conditional_t<Send, const char*, char*>>(data);
  for (std::size_t done = 0; done < n; done += per) {
    const int count = mpi_count(std::min(per, n - done), "a piece");
    requests.emplace_back();
    if constexpr (Send)
      check(MPI_Isend(bytes + done * element_size, count, type, peer, tag, comm, &requests.back()),
            "MPI_Isend");
    else
      check(MPI_Irecv(bytes + done * element_size, count, type, peer, tag, comm, &requests.back()),
            "MPI_Irecv");
  }
}

/// Waits for all requests, politely (see wait.hpp), and clears them: for
/// waits that may be long (a peer that has not arrived yet).
inline void wait_all(std::vector<MPI_Request>& requests) {
  wait_until([&] {
    int done = 0;
    check(MPI_Testall(mpi_count(requests.size(), "a request list"), requests.data(), &done,
                      MPI_STATUSES_IGNORE),
          "MPI_Testall");
    return done != 0;
  });
  requests.clear();
}

/// Waits for all requests in MPI_Waitall, which drives them flat out, and
/// clears them: for transfers between ranks that are all known to be there
/// (after meet()), so that the wait lasts only as long as the transfer. (A
/// polite wait would sleep between polls while a large message, which moves
/// only when polled, is half-way.)
inline void complete_all(std::vector<MPI_Request>& requests) {
  check(MPI_Waitall(mpi_count(requests.size(), "a request list"), requests.data(),
                    MPI_STATUSES_IGNORE),
        "MPI_Waitall");
  requests.clear();
}

/// Returns once every rank of `comm` has called it, waiting politely: the
/// meeting point before transfers that complete_all() drives.
inline void meet(MPI_Comm comm) {
  std::vector<MPI_Request> requests(1);
  check(MPI_Ibarrier(comm, &requests[0]), "MPI_Ibarrier");
  wait_all(requests);
}

}  // namespace mpimap::detail
