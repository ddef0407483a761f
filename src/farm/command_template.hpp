#pragma once
// The command of `mpimap run`, with GNU parallel's replacement strings:
//
//   {}    the item               {/}   its basename
//   {.}   without extension      {//}  its dirname
//   {/.}  basename without ext.  {#}   sequence number (1-based input position)
//   {%}   job slot: rank * slots_per_rank + slot + 1 (1-based, unique in the job)
//
// The command's words are joined with spaces into one shell command line (as
// GNU parallel does), and every value put in is shell-quoted, so an item is
// always one literal word: it can never inject shell code. Without any
// replacement string the item is appended as the last word.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mpimap::farm {

/// `s` as one literal word for /bin/sh: unchanged when it is made only of
/// characters that are never special ([A-Za-z0-9_@%+:,./-]), else in single
/// quotes, each ' written as '\''. The empty string is ''.
/// Appends it to `out`.
void shell_quote(std::string_view s, std::string& out);

// The item transformations, exactly as GNU parallel 20221122 defines them.
std::string_view without_extension(std::string_view s);  // {.}  s:\.[^/.]*$::
std::string basename_of(std::string_view s);             // {/}  s:.*/::  (. is not \n)
std::string dirname_of(std::string_view s);              // {//} File::Basename::dirname

class CommandTemplate {
 public:
  explicit CommandTemplate(const std::vector<std::string>& words);

  /// The command line for one task (out is overwritten; its capacity is reused).
  void render(std::string_view item, std::uint64_t seq, std::int64_t slot, std::string& out) const;

 private:
  enum class Kind { Text, Item, NoExt, Base, Dir, BaseNoExt, Seq, Slot };
  struct Part {
    Kind kind;
    std::string text;  // Text only
  };
  std::vector<Part> parts_;
};

}  // namespace mpimap::farm
