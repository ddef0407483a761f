#pragma once
// Where the items of `mpimap run` come from, read lazily on rank 0: the words
// after `:::`, or the lines (NUL-terminated records with -0) of a file or of
// standard input. A file is read in 64 kB blocks as tasks are handed out, so a
// million-line file never has to fit in memory, and a slow pipe never blocks
// rank 0: when no whole item has arrived yet, next() says so and rank 0 goes on
// serving results (it waits on fd() alongside its children).
//
// Items are bytes: invalid UTF-8 passes through untouched. A last line without
// its newline is an item; an empty line is an (empty) item, as in GNU parallel.

#include <cstddef>
#include <string>
#include <vector>

namespace mpimap::farm {

class ItemSource {
 public:
  enum class Next { Item, NotYet, End };

  /// Items given on the command line.
  explicit ItemSource(std::vector<std::string> items);
  /// Items read from `path` ("-" is standard input), separated by `delimiter`.
  /// Throws UsageError when the file cannot be opened.
  ItemSource(const std::string& path, char delimiter);
  ~ItemSource();
  ItemSource(const ItemSource&) = delete;
  ItemSource& operator=(const ItemSource&) = delete;

  /// The next item, when one is ready. Never blocks.
  Next next(std::string& item);
  /// The descriptor to wait on after NotYet (-1 when there is none).
  int fd() const { return fd_; }
  /// The number of items, when known before reading them (command line).
  bool count_known() const { return fd_ < 0; }
  std::size_t count() const { return items_.size(); }

 private:
  bool fill();  // reads what is there; false when nothing came

  std::vector<std::string> items_;
  std::size_t next_ = 0;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool eof_ = false;
  char delimiter_ = '\n';
  std::string buf_;
  std::size_t pos_ = 0;  // start of the unread part of buf_
  std::string path_;
};

}  // namespace mpimap::farm
