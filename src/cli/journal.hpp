#pragma once
// `mpimap map --journal FILE [--resume]`: every result is written to FILE as
// it reaches rank 0, so a map that is killed (walltime, a crash, Ctrl-C)
// loses nothing it had finished, and `--resume` runs only the rest.
//
// The file is JSON lines. The first is a header naming the function and a
// fingerprint of the items and of the options that change what is printed;
// then one record per item, in item order (results reach rank 0 in order),
// each written with one write(2) as soon as its result is in:
//
//   {"mpimap_journal":1,"function":"square","items":5,"input":"5c1d0a3e9b7f2d41"}
//   {"i":0,"v":"1"}
//   {"i":1,"o":"Number: 2\n"}
//
// "v" is the value as Python prints it (exact: it reads back to the same
// number), "o" what the task printed. A kill can tear only the last line
// (no newline at its end); resuming drops it and runs that item again.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpimap::cli {

/// The header's fingerprint of the input: FNV-1a over the function's name,
/// each item's text and the printing options.
std::string journal_fingerprint(const std::string& function, const std::vector<std::string>& items,
                                bool tag);

class MapJournal {
 public:
  struct Record {
    std::optional<std::string> value;  // as printed; none for functions that return nothing
    std::string output;                // what the task printed
  };

  /// Opens `path`: a new journal (an existing file is replaced) or, with
  /// `resume`, the one there (a missing file starts a new one), whose
  /// records are read back and whose torn last line is cut off. Throws
  /// UsageError when the file cannot be written, is not a journal, or was
  /// written for another function or input.
  MapJournal(const std::string& path, bool resume, const std::string& function, std::size_t items,
             const std::string& fingerprint);
  ~MapJournal();
  MapJournal(const MapJournal&) = delete;
  MapJournal& operator=(const MapJournal&) = delete;

  /// The records read back (items 0..done-1).
  const std::vector<Record>& done() const { return done_; }

  /// How many records the file holds: those read back and those appended.
  std::uint64_t records() const { return next_; }

  /// Appends item `index`'s record (index == every earlier record's count).
  void append(std::uint64_t index, const Record& record);

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t next_ = 0;
  std::vector<Record> done_;
};

}  // namespace mpimap::cli
