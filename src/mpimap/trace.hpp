#pragma once
// A timeline of maps, or of a run of the task farm, recorded on rank 0:
// MapOptions::trace points at one; `mpimap run --trace` fills one.
// A map's tracks are its ranks ("rank N@host"): a chunk is a slice on the
// track of the rank that ran it, and rank 0 also has its dispatch and wait
// slices. A run's tracks are its ranks' slots ("rank N@host slot S"): a job
// is a slice on the track of the slot that ran it. Times are on rank 0's
// clock: each worker's are corrected by its clock's offset, measured at the
// end (a few ping-pongs, the shortest kept). Several maps may go into one
// Trace; write_json writes the Chrome Trace Event format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace mpimap {

class Trace {
 public:
  enum class Kind { Chunk, Dispatch, Wait, Job };
  struct Slice {
    int rank = 0;
    Kind kind = Kind::Chunk;
    std::int64_t start_ns = 0, end_ns = 0;  // since the trace's first map (or run) began
    std::uint64_t begin = 0, items = 0;     // a chunk's items [begin, begin + items); a job's
                                            // seq in begin
    bool failed = false;                    // a chunk whose last item failed; a job that failed
    // A job's (Kind::Job) only:
    bool killed = false;        // by --timeout, --halt now or a stop signal
    int slot = 0;               // its rank's slot, 1-based
    int exit = 0, signal = 0;   // its exit status, or the signal that ended it
    std::uint32_t command = 0;  // commands()[command]: as run
  };

  /// A chunk as a worker notes it, and as it travels: plain 64-bit fields,
  /// no padding. Times on the clock of the rank that ran it.
  struct Note {
    std::uint64_t begin, items;
    std::int64_t start_ns, end_ns;
    std::uint64_t failed;
  };

  const std::vector<Slice>& slices() const {
    settle();
    return slices_;
  }
  /// Track names: "rank N@host" (maps), "rank N@host slot S" (runs).
  const std::vector<std::string>& tracks() const { return tracks_; }
  /// The jobs' commands (kept apart: a slice is plain data).
  const std::vector<std::string>& commands() const { return commands_; }
  void clear() {
    slices_.clear();
    pending_.clear();
    tracks_.clear();
    commands_.clear();
    slot_tracks_.clear();
    origin_ns_ = -1;
  }

  /// The Chrome Trace Event format (JSON object with "traceEvents").
  void write_json(std::ostream& os) const;
  /// write_json to a file; throws std::runtime_error naming it on failure.
  void save(const std::string& path) const;

  // For mpimap's schedulers (rank 0), with times in nanoseconds on one clock
  // of rank 0's (steady_clock for maps): the first map to begin sets the
  // trace's origin.
  void add_track_names(const std::vector<std::string>& hosts);
  /// A run's tracks: slots[r] for rank r.
  void add_slot_tracks(const std::vector<std::string>& hosts, const std::vector<int>& slots);
  void begin_map(std::int64_t clock_ns);
  /// Room for n more slices.
  void reserve(std::size_t n) { slices_.reserve(slices_.size() + n); }
  void add(Slice s);
  /// A worker's chunks (times on rank 0's clock): kept as they came, and made
  /// slices only when the trace is read, so that a map does not pay for it.
  void add_notes(int rank, std::vector<Note>&& notes) {
    pending_.emplace_back(rank, std::move(notes));
  }
  /// A job's slice (Kind::Job), and the command it ran.
  void add_job(Slice s, std::string command);

 private:
  /// The track (thread id in the JSON) of a slice.
  std::size_t track_of(const Slice& s) const;
  /// The pending notes made slices.
  void settle() const;

  mutable std::vector<Slice> slices_;
  mutable std::vector<std::pair<int, std::vector<Note>>> pending_;
  std::vector<std::string> tracks_;
  std::vector<std::string> commands_;
  std::vector<std::size_t> slot_tracks_;  // a run's: rank r's first track
  std::int64_t origin_ns_ = -1;           // when the first map began
};

}  // namespace mpimap
