#pragma once
// Where the items of `mpimap run` come from, read lazily on rank 0: the words
// after `:::`, or the lines (NUL-terminated records with -0) of a file or of
// standard input. A file is read in 64 kB blocks as tasks are handed out, so a
// million-line file never has to fit in memory, and a slow pipe never blocks
// rank 0: when no whole item has arrived yet, next() says so and rank 0 goes on
// serving results (it waits on fd() alongside its children).
//
// Items are bytes, split at the delimiter (any string: -d, or NUL with -0)
// and nothing else, as GNU parallel
// splits them: invalid UTF-8 passes through untouched, a last line without its
// newline is an item, an empty line is an (empty) item, an empty file has no
// items, and a line ending in \r\n keeps its \r (GNU parallel keeps it too:
// `printf 'a\r\nb\n' | parallel 'printf %s {} | od -c'` shows "a \r"). With
// -0 a newline is an ordinary byte of an item.

#include <cstddef>
#include <string>
#include <vector>

#include "farm/fd.hpp"

namespace mpimap::farm {

class ItemSource {
 public:
  enum class Next { Item, NotYet, End };

  /// Items given on the command line, as they are.
  explicit ItemSource(std::vector<std::string> items);
  /// Items read from `path` ("-" is standard input, which stays open),
  /// separated by `delimiter` (one or more bytes). Throws UsageError when the
  /// file cannot be opened.
  ItemSource(const std::string& path, std::string delimiter);
  ItemSource(const std::string& path, char delimiter)
      : ItemSource(path, std::string(1, delimiter)) {}
  /// Items split out of `text` at `delimiter`, as from a file holding it
  /// (GNU parallel writes ::: arguments to a file, each followed by the
  /// delimiter, and reads them back: -d splits them too).
  static ItemSource from_text(std::string text, std::string delimiter);
  ItemSource(const ItemSource&) = delete;
  ItemSource& operator=(const ItemSource&) = delete;
  ItemSource(ItemSource&&) = default;
  ItemSource& operator=(ItemSource&&) = default;

  /// The next item, when one is ready. Never blocks. A read error ends the
  /// input (see read_error()); the items read before it are still given.
  Next next(std::string& item);
  /// The descriptor to wait on after NotYet (-1 when there is none).
  int fd() const { return fd_; }
  /// Why the input ended early ("error reading PATH: ..."), or empty.
  const std::string& read_error() const { return read_error_; }
  /// Whether every item is in memory already (no reading can block).
  bool in_memory() const { return fd_ < 0; }

 private:
  ItemSource() = default;
  bool fill();  // reads what is there; false when nothing came

  std::vector<std::string> items_;
  std::size_t next_ = 0;
  Fd owned_;     // the file opened, if any (not standard input)
  int fd_ = -1;  // what is read: owned_ or standard input
  bool eof_ = false;
  bool text_ = false;  // from_text: buf_ holds everything
  std::string delimiter_ = "\n";
  std::string buf_;
  std::size_t pos_ = 0;  // start of the unread part of buf_
  std::string path_;
  std::string read_error_;
};

}  // namespace mpimap::farm
