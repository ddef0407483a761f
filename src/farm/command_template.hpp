#pragma once
// The command of `mpimap run`, with GNU parallel 20221122's replacement
// strings, rendered as GNU parallel renders them:
//
//   {}    the argument            {/}   its basename
//   {.}   without extension       {//}  its dirname
//   {/.}  basename without ext.   {#}   the job's sequence number (1-based)
//   {%}   job slot: 1-based, unique in the job (rank r's follow those of ranks < r)
//   {n} {n.} {n/} {n//} {n/.}     argument n (input source n, or the n'th
//                                 argument with -N); {-n}: the n'th last
//   with --plus: {..} {...} {/..} {/...} {+/} {+.} {+..} {+...} {##} {0#} {0%}
//                {:-s} {:n} {:n:m} {#re} {##re} {%re} {%%re} {/re/s} {/#re/s}
//                {/%re/s} {//re/s} {^re} {^^re} {,re} {,,re} {slot} {uniq}
//                {choose_k} (also positional: {2..})
//
// -I, --extensionreplace, --basenamereplace, --dirnamereplace,
// --basenameextensionreplace, --seqreplace and --slotreplace rename them.
//
// A job has one or more arguments (-N, -X, several input sources: its
// records' values, flattened). A positional string is replaced once; any other
// once per argument, the values separated by spaces; with -X (context
// replace) the whole word around it is repeated per argument instead.
//
// The command's words are joined with spaces into one shell command line, and
// every value put in is quoted for the shell (Bourne, csh or rc style, as GNU
// parallel quotes for the shell that runs it), so a value is always one
// literal word -- except where GNU parallel does not quote: when the command
// itself starts with a replacement string (`parallel {} ::: "echo a"`, or no
// command at all), and with -q, which quotes the command's words instead.
// Without any replacement string, {} is appended as the last word.
//
// {= perl =} is refused as a usage error (it needs Perl); any other brace
// text that is no replacement string stays as it is (awk '{print $1}').

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mpimap::farm {

/// How values are quoted: for Bourne shells (sh, bash, zsh, ksh, dash, fish,
/// ...), for csh/tcsh, or for rc, exactly as GNU parallel quotes them.
enum class QuoteStyle { Bourne, Csh, Rc };

/// `s` as one literal word for the shell, appended to `out`: unchanged when it
/// is made only of [-_.+a-zA-Z0-9/], '' when empty, else quoted (Bourne:
/// 'it'"'"'s', as GNU parallel writes it).
void shell_quote(std::string_view s, std::string& out, QuoteStyle style = QuoteStyle::Bourne);

// The value transformations, exactly as GNU parallel 20221122 defines them.
std::string_view without_extension(std::string_view s);  // {.}  s:\.[^/.]*$::
std::string basename_of(std::string_view s);             // {/}  s:.*/::  (. is not \n)
std::string dirname_of(std::string_view s);              // {//} File::Basename::dirname

/// The arguments of one job: the values of its records, flattened (record
/// after record, within a record input source after source, or column after
/// column with --colsep).
struct JobArgs {
  std::vector<std::string> values;
  std::vector<std::uint32_t> ends;  // ends[i]: one past record i's last value
  bool no_args = false;             // -N0: one record read, none put in

  std::size_t records() const { return ends.size(); }
  void clear() {
    values.clear();
    ends.clear();
    no_args = false;
  }
  /// Adds a record (its values).
  void add_record(std::vector<std::string>&& record);
  /// Removes the last record, giving back its values.
  std::vector<std::string> pop_record();
};

/// The names of the replacement strings (GNU parallel's -I and friends).
struct ReplacementNames {
  std::string item = "{}";           // -I
  std::string no_ext = "{.}";        // --extensionreplace
  std::string base = "{/}";          // --basenamereplace
  std::string dir = "{//}";          // --dirnamereplace
  std::string base_no_ext = "{/.}";  // --basenameextensionreplace
  std::string seq = "{#}";           // --seqreplace
  std::string slot = "{%}";          // --slotreplace
};

struct TemplateOptions {
  ReplacementNames names;
  bool plus = false;             // --plus
  bool context_replace = false;  // -X, -N, -L (not with -m / --xargs)
  bool quote_all = false;        // -q: quote the command's words, not the values
  bool append_item = true;       // append {} when there is no replacement string
  bool raw_values = false;       // --cat: the values are shell text ($PARALLEL_TMP), not quoted
  char trim = 'n';               // --trim: n, l, r or b(oth)
  QuoteStyle quote = QuoteStyle::Bourne;
};

/// What a job's command needs besides its arguments.
struct JobContext {
  std::uint64_t seq = 1;
  std::int64_t slot = 1;
  std::uint64_t total_jobs = 0;  // {##}, {0#} (--plus); 0: unknown
  std::int64_t slots_total = 1;  // {0%}: the width of the widest slot number
};

class CommandTemplate {
 public:
  /// Parses the command's words (throws UsageError for {= perl =}).
  explicit CommandTemplate(const std::vector<std::string>& words, const TemplateOptions& opt = {});
  /// A plain text with replacement strings and no quoting (--tagstring,
  /// --results): nothing is appended.
  static CommandTemplate text(const std::string& text, const TemplateOptions& opt);
  ~CommandTemplate();
  CommandTemplate(CommandTemplate&&) noexcept;
  CommandTemplate& operator=(CommandTemplate&&) noexcept;

  /// The command line for one job (out is overwritten; its capacity reused).
  void render(const JobArgs& args, const JobContext& ctx, std::string& out) const;
  /// Convenience: one argument.
  void render(std::string_view item, std::uint64_t seq, std::int64_t slot, std::string& out) const;

  /// Whether it holds any replacement string (before {} was appended).
  bool has_replacements() const;
  /// Whether any replacement string needs the total number of jobs ({##}, {0#}).
  bool needs_total() const;
  /// Whether a job is to be skipped ({uniq}, {choose_k}).
  bool skips(const JobArgs& args) const;

  /// GNU parallel's estimate of the rendered length, built up record by
  /// record, to fill a job up to a command line length (-m, -X, --xargs, -s).
  class Meter {
   public:
    explicit Meter(const CommandTemplate& t);
    void reset();
    void add(const std::vector<std::string>& record);
    void remove(const std::vector<std::string>& record);
    std::size_t length() const;

   private:
    void change(const std::vector<std::string>& record, int sign);
    const CommandTemplate& t_;
    std::vector<std::int64_t> lengths_;  // per distinct replacement
    std::size_t records_ = 0, first_width_ = 0;
  };

  struct Impl;

 private:
  CommandTemplate() = default;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpimap::farm
