#pragma once
// A timeline of maps, recorded on rank 0: MapOptions::trace points at one.
// Every rank is a track ("rank N@host"); a chunk is a slice on the track of
// the rank that ran it; rank 0 also has its dispatch and wait slices. Times
// are on rank 0's clock: each worker's are corrected by its clock's offset,
// measured at the end of each map (a few ping-pongs, the shortest kept).
// Several maps may go into one Trace; write_json writes the Chrome Trace
// Event format, which Perfetto (ui.perfetto.dev) and chrome://tracing open.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace mpimap {

class Trace {
 public:
  enum class Kind { Chunk, Dispatch, Wait };
  struct Slice {
    int rank = 0;
    Kind kind = Kind::Chunk;
    std::int64_t start_ns = 0, end_ns = 0;  // since the trace's first map began
    std::uint64_t begin = 0, items = 0;     // a chunk's items [begin, begin + items)
    bool failed = false;                    // a chunk whose last item failed
  };

  const std::vector<Slice>& slices() const { return slices_; }
  /// Track names by rank: "rank N@host".
  const std::vector<std::string>& tracks() const { return tracks_; }
  void clear() {
    slices_.clear();
    tracks_.clear();
    origin_ns_ = -1;
  }

  /// The Chrome Trace Event format (JSON object with "traceEvents").
  void write_json(std::ostream& os) const;
  /// write_json to a file; throws std::runtime_error naming it on failure.
  void save(const std::string& path) const;

  // For mpimap's schedulers (rank 0), with times in steady_clock nanoseconds
  // (rank 0's clock): the first map to begin sets the trace's origin.
  void add_track_names(const std::vector<std::string>& hosts);
  void begin_map(std::int64_t clock_ns);
  void add(Slice s);

 private:
  std::vector<Slice> slices_;
  std::vector<std::string> tracks_;
  std::int64_t origin_ns_ = -1;  // steady_clock when the first map began
};

}  // namespace mpimap
