#include "farm/command_template.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <regex>
#include <utility>

#include "farm/error.hpp"

namespace mpimap::farm {

namespace {

bool is_plain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '+' || c == '/';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void append_number(std::int64_t v, std::string& out) {
  std::array<char, 24> buf;
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), end);
}

/// csh: a backslash before each special byte, a newline as "\\\n" (GNU's
/// shell_quote_scalar_csh).
void quote_csh(std::string_view s, std::string& out) {
  static constexpr std::string_view kSpecial = "\\#?`(){}[]^*<=>~|; \"!$&'";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\"\\\n\"";
    } else if ((c >= 0x02 && c <= 0x09) || (c >= 0x0b && c <= 0x1a) || c >= 0x82 ||
               kSpecial.find(ch) != std::string_view::npos) {
      out += '\\';
      out += ch;
    } else {
      out += ch;
    }
  }
}

/// rc: ' doubled, each run of special bytes in '...' (GNU's shell_quote_scalar_rc).
void quote_rc(std::string_view s, std::string& out) {
  static constexpr std::string_view kSpecial = "\\#?`(){}[]^*<=>~|; \"!$&'";
  const auto special = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\n' || (c >= 0x02 && c <= 0x09) || (c >= 0x0b && c <= 0x1a) || c >= 0x82 ||
           kSpecial.find(ch) != std::string_view::npos;
  };
  for (std::size_t i = 0; i < s.size();) {
    if (!special(s[i])) {
      out += s[i++];
      continue;
    }
    out += '\'';
    while (i < s.size() && special(s[i])) {
      if (s[i] == '\'') out += "''";
      out += s[i] == '\'' ? "" : std::string(1, s[i]);
      ++i;
    }
    out += '\'';
  }
}

}  // namespace

void shell_quote(std::string_view s, std::string& out, QuoteStyle style) {
  if (s.empty()) {
    out += "''";
    return;
  }
  if (style == QuoteStyle::Csh) return quote_csh(s, out);
  if (style == QuoteStyle::Rc) return quote_rc(s, out);
  bool plain = true;
  for (const char c : s) plain = plain && is_plain(static_cast<unsigned char>(c));
  if (plain) {
    out.append(s);
    return;
  }
  // 'it'"'"'s', without a leading or trailing '' (GNU parallel's exact form).
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'')
      q += "'\"'\"'";
    else
      q += c;
  }
  q += '\'';
  std::string_view v(q);
  if (v.starts_with("''")) v.remove_prefix(2);
  if (v.ends_with("''")) v.remove_suffix(2);
  out.append(v);
}

std::string_view without_extension(std::string_view s) {
  const auto dot = s.rfind('.');
  if (dot == std::string_view::npos || s.find('/', dot) != std::string_view::npos) return s;
  return s.substr(0, dot);
}

std::string basename_of(std::string_view s) {
  // Perl's s:.*/:: where '.' does not match a newline: the match starts at the
  // first line holding a '/' and ends at the last '/' of that line.
  std::size_t line = 0;
  while (line <= s.size()) {
    auto end = s.find('\n', line);
    if (end == std::string_view::npos) end = s.size();
    const auto slash = s.substr(line, end - line).rfind('/');
    if (slash != std::string_view::npos) {
      std::string out(s.substr(0, line));
      out.append(s.substr(line + slash + 1));
      return out;
    }
    line = end + 1;
  }
  return std::string(s);
}

std::string dirname_of(std::string_view s) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  const auto slash = s.rfind('/');
  if (slash == std::string_view::npos) return ".";
  auto dir = s.substr(0, slash);
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return dir.empty() ? "/" : std::string(dir);
}

void JobArgs::add_record(std::vector<std::string>&& record) {
  for (auto& v : record) values.push_back(std::move(v));
  ends.push_back(static_cast<std::uint32_t>(values.size()));
}

std::vector<std::string> JobArgs::pop_record() {
  const std::size_t begin = ends.size() > 1 ? ends[ends.size() - 2] : 0;
  std::vector<std::string> record(std::make_move_iterator(values.begin() + begin),
                                  std::make_move_iterator(values.end()));
  values.resize(begin);
  ends.pop_back();
  return record;
}

// ---------------------------------------------------------------------------
// The parsed template.

namespace {

enum class Op {
  Whole,
  NoExt,
  Base,
  Dir,
  BaseNoExt,
  Seq,
  Slot,
  // --plus
  PlusDir,
  PlusExt,
  PlusExt2,
  PlusExt3,
  NoExt2,
  NoExt3,
  BaseNoExt2,
  BaseNoExt3,
  Total,
  SeqPadded,
  SlotPadded,
  SlotVar,
  Uniq,
  ChooseK,
  Default,
  Skip,
  Substr,
  PrefixShort,
  PrefixLong,
  SuffixShort,
  SuffixLong,
  Subst,
  SubstStart,
  SubstEnd,
  SubstAll,
  UpperFirst,
  UpperAll,
  LowerFirst,
  LowerAll,
};

/// Ops GNU parallel defines as "1 $_=...": replaced once, as argument 1.
bool is_job_value(Op op) {
  return op == Op::Seq || op == Op::Slot || op == Op::Total || op == Op::SeqPadded ||
         op == Op::SlotPadded || op == Op::SlotVar;
}

struct Repl {
  Op op = Op::Whole;
  int position = 0;  // 0: every argument; n > 0: the n'th; n < 0: the n'th last
  std::string a, b;  // the --plus forms' parts
  std::optional<std::regex> re;
  std::string key;  // what GNU parallel counts as the same replacement string
};

struct Token {
  enum Kind { Text, Blank, Sep, Rep } kind;
  std::string text;  // Text, Blank
  int repl = -1;     // Rep
};

/// One entry of the table of replacement strings: a literal name, or one of
/// --plus's forms with parts ({:-str}, {/re/str}, ...).
struct Pattern {
  std::string name;  // literal, or the GNU key for a form with parts
  Op op;
  // Forms with parts: how they read after the prefix.
  enum Form { Literal, Text1, Digits1, Digits2, NotHash1, Slash2, NotSpecialSlash2 } form = Literal;
  std::string prefix;  // for forms with parts: "{:-", "{#", ...
};

/// A part of a --plus form: up to (not including) the first '}' (non-empty
/// when `nonempty`); for Slash2, the first part stops at the first '/'.
/// Returns the match length from `s` (which starts after the prefix), or 0.
std::size_t match_form(const Pattern& p, std::string_view s, std::string& a, std::string& b) {
  const auto close = s.find('}');
  if (close == std::string_view::npos) return 0;
  const auto body = s.substr(0, close);
  switch (p.form) {
    case Pattern::Literal:
      return 0;
    case Pattern::Text1:
      if (body.empty()) return 0;
      a = std::string(body);
      return close + 1;
    case Pattern::NotHash1:
      if (body.empty() || body[0] == '#') return 0;
      a = std::string(body);
      return close + 1;
    case Pattern::Digits1:
      if (body.empty() ||
          !std::all_of(body.begin(), body.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return 0;
      a = std::string(body);
      return close + 1;
    case Pattern::Digits2: {
      const auto colon = body.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == body.size()) return 0;
      const auto digits = [](std::string_view d) {
        return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
      };
      if (!digits(body.substr(0, colon)) || !digits(body.substr(colon + 1))) return 0;
      a = std::string(body.substr(0, colon));
      b = std::string(body.substr(colon + 1));
      return close + 1;
    }
    case Pattern::Slash2:
    case Pattern::NotSpecialSlash2: {
      const auto slash = body.find('/', 1);
      if (body.empty() || slash == std::string_view::npos) return 0;
      if (p.form == Pattern::NotSpecialSlash2 &&
          body.substr(0, slash).find_first_of("#%/") != std::string_view::npos)
        return 0;
      a = std::string(body.substr(0, slash));
      b = std::string(body.substr(slash + 1));
      return close + 1;
    }
  }
  return 0;
}

std::vector<Pattern> patterns_for(const TemplateOptions& opt) {
  const auto& n = opt.names;
  std::vector<Pattern> ps = {
      {n.item, Op::Whole}, {n.no_ext, Op::NoExt},          {n.base, Op::Base},
      {n.dir, Op::Dir},    {n.base_no_ext, Op::BaseNoExt}, {n.seq, Op::Seq},
      {n.slot, Op::Slot},
  };
  if (opt.plus) {
    // GNU parallel's %Global::plus, with its keys (their length orders them).
    const std::vector<Pattern> plus = {
        {"{+/}", Op::PlusDir},
        {"{+.}", Op::PlusExt},
        {"{+..}", Op::PlusExt2},
        {"{+...}", Op::PlusExt3},
        {"{..}", Op::NoExt2},
        {"{...}", Op::NoExt3},
        {"{/..}", Op::BaseNoExt2},
        {"{/...}", Op::BaseNoExt3},
        {"{choose_k}", Op::ChooseK},
        {"{uniq}", Op::Uniq},
        {"{##}", Op::Total},
        {"{0%}", Op::SlotPadded},
        {"{0#}", Op::SeqPadded},
        {"{:-([^}]+?)}", Op::Default, Pattern::Text1, "{:-"},
        {"{:(\\d+?)}", Op::Skip, Pattern::Digits1, "{:"},
        {"{:(\\d+?):(\\d+?)}", Op::Substr, Pattern::Digits2, "{:"},
        {"{#([^#}][^}]*?)}", Op::PrefixShort, Pattern::NotHash1, "{#"},
        {"{##([^#}][^}]*?)}", Op::PrefixLong, Pattern::NotHash1, "{##"},
        {"{%([^}]+?)}", Op::SuffixShort, Pattern::Text1, "{%"},
        {"{%%([^}]+?)}", Op::SuffixLong, Pattern::Text1, "{%%"},
        {"{/([^#%}/]+?)/([^}]*?)}", Op::Subst, Pattern::NotSpecialSlash2, "{/"},
        {"{/#([^}]+?)/([^}]*?)}", Op::SubstStart, Pattern::Slash2, "{/#"},
        {"{/%([^}]+?)/([^}]*?)}", Op::SubstEnd, Pattern::Slash2, "{/%"},
        {"{//([^}]+?)/([^}]*?)}", Op::SubstAll, Pattern::Slash2, "{//"},
        {"{^([^}]+?)}", Op::UpperFirst, Pattern::Text1, "{^"},
        {"{^^([^}]+?)}", Op::UpperAll, Pattern::Text1, "{^^"},
        {"{,([^}]+?)}", Op::LowerFirst, Pattern::Text1, "{,"},
        {"{,,([^}]+?)}", Op::LowerAll, Pattern::Text1, "{,,"},
        {"{slot}", Op::SlotVar},
    };
    // The user's names win over --plus's (GNU: %rpl = (%plus, %rpl)).
    for (const auto& p : plus)
      if (std::none_of(ps.begin(), ps.end(), [&](const Pattern& q) { return q.name == p.name; }))
        ps.push_back(p);
  }
  // Longer keys first, as GNU parallel replaces them ({//} before {/}).
  std::stable_sort(ps.begin(), ps.end(), [](const Pattern& x, const Pattern& y) {
    return x.name.size() > y.name.size();
  });
  return ps;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Perl's ungreedy form of a pattern for {#re} and {%re}: * + ? {n,m} made lazy.
std::string ungreedy(std::string_view re) {
  std::string out;
  for (std::size_t i = 0; i < re.size(); ++i) {
    out += re[i];
    if (re[i] == '\\' && i + 1 < re.size()) {
      out += re[++i];
      continue;
    }
    if ((re[i] == '*' || re[i] == '+' || re[i] == '?' || re[i] == '}') &&
        !(i + 1 < re.size() && re[i + 1] == '?'))
      out += '?';
  }
  return out;
}

}  // namespace

struct CommandTemplate::Impl {
  TemplateOptions opt;
  std::vector<Token> tokens;
  std::vector<Repl> repls;
  bool any = false;          // a replacement string was given
  bool quote_values = true;  // false: the command starts with one, or -q
  bool needs_total = false;
  bool skips = false;
  // For the length meter (GNU parallel's CommandLine::len).
  std::size_t word_count = 0, noncontext = 0, context = 0, context_groups = 0;
  std::vector<std::size_t> distinct;  // a repl index per distinct key
  std::vector<std::size_t> counts;    // how often each distinct key occurs

  void parse(const std::vector<std::string>& words, bool text_only);
  /// The replacement string at s (a position of a word), or 0.
  std::size_t match(std::string_view s, const std::vector<Pattern>& ps, Repl& out) const;
  void value(const Repl& r, std::string_view arg, const JobContext& ctx, bool quote,
             std::string& out) const;
  void measure(const std::vector<std::string>& words);
};

std::size_t CommandTemplate::Impl::match(std::string_view s, const std::vector<Pattern>& ps,
                                         Repl& out) const {
  // {= perl =} (and {=n perl =}): GNU parallel evaluates Perl there.
  if (s.starts_with("{=")) {
    const auto end = s.find("=}", 2);
    if (end != std::string_view::npos)
      throw UsageError(fmt::format(
          "run: replacement string {} is a Perl expression, which mpimap does not evaluate "
          "(see --plus for the common ones)",
          s.substr(0, end + 2)));
  }
  for (const auto& p : ps) {
    std::string a, b;
    std::size_t n = 0;
    if (p.form == Pattern::Literal) {
      if (!p.name.empty() && s.starts_with(p.name)) n = p.name.size();
    } else if (s.starts_with(p.prefix)) {
      const auto m = match_form(p, s.substr(p.prefix.size()), a, b);
      if (m) n = p.prefix.size() + m;
    }
    if (n) {
      out = Repl{p.op, 0, std::move(a), std::move(b), std::nullopt, p.name};
      out.key = std::string(s.substr(0, n));
      return n;
    }
  }
  // Positional: {n...} / {-n...} for every name that starts with '{'.
  if (!s.starts_with("{")) return 0;
  std::size_t k = 1;
  if (k < s.size() && s[k] == '-') ++k;
  const auto digits = k;
  while (k < s.size() && is_digit(s[k])) ++k;
  if (k == digits) return 0;
  int position = 0;
  if (std::from_chars(s.data() + 1, s.data() + k, position).ec != std::errc()) return 0;
  const auto rest = k;
  for (const auto& p : ps) {
    if (!p.name.starts_with("{")) continue;
    std::string a, b;
    std::size_t n = 0;
    const auto tail = s.substr(rest);
    if (p.form == Pattern::Literal) {
      if (tail.starts_with(std::string_view(p.name).substr(1))) n = p.name.size() - 1;
    } else if (tail.starts_with(std::string_view(p.prefix).substr(1))) {
      const auto m = match_form(p, tail.substr(p.prefix.size() - 1), a, b);
      if (m) n = p.prefix.size() - 1 + m;
    }
    if (!n) continue;
    if (is_job_value(p.op) || position == 0)
      throw UsageError(
          fmt::format("run: replacement string {} is not supported", s.substr(0, rest + n)));
    out = Repl{p.op, position, std::move(a), std::move(b), std::nullopt, {}};
    out.key = std::string(s.substr(0, rest + n));
    return rest + n;
  }
  return 0;
}

void CommandTemplate::Impl::parse(const std::vector<std::string>& words_in, bool text_only) {
  const auto ps = patterns_for(opt);
  auto add_text = [&](std::string_view t) {
    for (const char c : t) {
      if (is_space(c)) {
        tokens.push_back({Token::Blank, std::string(1, c)});
      } else if (!tokens.empty() && tokens.back().kind == Token::Text) {
        tokens.back().text += c;
      } else {
        tokens.push_back({Token::Text, std::string(1, c)});
      }
    }
  };
  std::vector<std::string> words = words_in;
  const auto scan = [&](const std::vector<std::string>& ws) {
    tokens.clear();
    repls.clear();
    for (std::size_t w = 0; w < ws.size(); ++w) {
      if (w) tokens.push_back({Token::Sep, {}});
      const std::string_view word = ws[w];
      std::size_t text_from = 0;
      for (std::size_t i = 0; i < word.size();) {
        Repl r;
        const auto n = match(word.substr(i), ps, r);
        if (!n) {
          ++i;
          continue;
        }
        add_text(word.substr(text_from, i - text_from));
        tokens.push_back({Token::Rep, {}, static_cast<int>(repls.size())});
        repls.push_back(std::move(r));
        i += n;
        text_from = i;
      }
      add_text(word.substr(text_from));
    }
  };
  scan(words);
  any = !repls.empty();
  // No replacement string: {} goes last (alone when there is no command: the
  // arguments are the commands).
  if (!text_only && !any && opt.append_item) {
    words.push_back(opt.names.item);
    scan(words);
  }
  // GNU parallel quotes nothing when the command itself (its first word, up
  // to a blank or '=') is or holds a replacement string: "{}", "my_{2}".
  quote_values = !opt.quote_all && !text_only && !opt.raw_values;
  if (quote_values) {
    for (const auto& t : tokens) {
      if (t.kind == Token::Rep) {
        quote_values = false;
        break;
      }
      if (t.kind != Token::Text || t.text.find('=') != std::string::npos) break;
    }
  }
  for (auto& r : repls) {
    if (is_job_value(r.op)) r.position = 1;
    // Perl reads a quantifier right after the ^ that these forms put first as
    // quantifying the anchor ({##*.} is s/^*.//): it matches nothing.
    if (r.op == Op::PrefixShort || r.op == Op::PrefixLong || r.op == Op::SubstStart)
      while (!r.a.empty() && (r.a[0] == '*' || r.a[0] == '+' || r.a[0] == '?')) r.a.erase(0, 1);
    if (r.op == Op::Total || r.op == Op::SeqPadded) needs_total = true;
    if (r.op == Op::Uniq || r.op == Op::ChooseK) skips = true;
    try {
      switch (r.op) {
        case Op::PrefixShort:
        case Op::SuffixShort:
          r.re.emplace(ungreedy(r.a));
          break;
        case Op::SuffixLong:
        case Op::SubstEnd:
          r.re.emplace("(?:" + r.a + ")$");
          break;
        case Op::SubstStart:
          r.re.emplace("^(?:" + r.a + ")");
          break;
        case Op::PrefixLong:
        case Op::Subst:
        case Op::SubstAll:
        case Op::UpperFirst:
        case Op::UpperAll:
        case Op::LowerFirst:
        case Op::LowerAll:
          r.re.emplace(r.a);
          break;
        default:
          break;
      }
    } catch (const std::regex_error& e) {
      throw UsageError(fmt::format("run: replacement string {}: bad regular expression {}: {}",
                                   r.key, r.a, e.what()));
    }
    // The replacement text is literal (a Perl variable interpolated once).
    std::string literal;
    for (const char c : r.b) literal += c == '$' ? std::string("$$") : std::string(1, c);
    r.b = std::move(literal);
  }
  measure(words);
}

void CommandTemplate::Impl::measure(const std::vector<std::string>& ws) {
  word_count = ws.size();
  // Per word: the runs of non-blanks around a replacement string are its
  // context groups; the rest is non-context (GNU's replacement_counts_and_lengths).
  std::size_t t = 0;
  for (std::size_t w = 0; w < ws.size(); ++w) {
    // The tokens of word w run up to the next Sep.
    std::string group;
    bool group_has_repl = false;
    const auto close_group = [&] {
      if (group_has_repl) {
        context += group.size();
        ++context_groups;
      } else {
        noncontext += group.size();
      }
      group.clear();
      group_has_repl = false;
    };
    for (; t < tokens.size() && tokens[t].kind != Token::Sep; ++t) {
      const auto& tok = tokens[t];
      if (tok.kind == Token::Blank) {
        close_group();
        noncontext += 1;
      } else if (tok.kind == Token::Text) {
        group += tok.text;
      } else {
        group_has_repl = true;
      }
    }
    close_group();
    if (t < tokens.size()) ++t;  // the Sep
  }
  for (std::size_t i = 0; i < repls.size(); ++i) {
    bool seen = false;
    for (std::size_t d = 0; d < distinct.size(); ++d) {
      if (repls[distinct[d]].key == repls[i].key) {
        ++counts[d];
        seen = true;
        break;
      }
    }
    if (!seen) {
      distinct.push_back(i);
      counts.push_back(1);
    }
  }
}

namespace {

std::string_view trimmed(std::string_view s, char trim) {
  if (trim == 'l' || trim == 'b')
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  if (trim == 'r' || trim == 'b')
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Perl's s:X$:: for the --plus forms on one line (values seldom hold newlines).
std::string strip_ext(std::string_view s, int dots) {
  // \.[^/.]*(\.[^/.]*){dots-1}$
  std::size_t end = s.size();
  for (int d = 0; d < dots; ++d) {
    const auto dot = s.substr(0, end).rfind('.');
    if (dot == std::string_view::npos ||
        s.substr(dot, end - dot).find('/') != std::string_view::npos)
      return std::string(s);
    end = dot;
  }
  return std::string(s.substr(0, end));
}

/// {+.} {+..} {+...}: the last 1, 2 or 3 extensions, or "".
std::string ext_of(std::string_view s, int dots) {
  if (dots == 1) {
    const auto dot = s.rfind('.');
    return dot == std::string_view::npos ? std::string() : std::string(s.substr(dot + 1));
  }
  const auto stem = strip_ext(s, dots);
  if (stem.size() == s.size()) return {};
  return std::string(s.substr(stem.size() + 1));
}

std::string upper_or_lower(std::string s, bool upper) {
  for (auto& c : s)
    if (upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z')) c = static_cast<char>(c ^ 0x20);
  return s;
}

}  // namespace

void CommandTemplate::Impl::value(const Repl& r, std::string_view arg, const JobContext& ctx,
                                  bool quote, std::string& out) const {
  const std::string_view v = trimmed(arg, opt.trim);
  std::string s;
  switch (r.op) {
    case Op::Whole:
    case Op::Uniq:
    case Op::ChooseK:
      s = v;
      break;
    case Op::NoExt:
      s = without_extension(v);
      break;
    case Op::Base:
      s = basename_of(v);
      break;
    case Op::Dir:
      s = dirname_of(v);
      break;
    case Op::BaseNoExt:
      s = without_extension(basename_of(v));
      break;
    case Op::Seq:
      append_number(static_cast<std::int64_t>(ctx.seq), out);
      return;
    case Op::Slot:
      append_number(ctx.slot, out);
      return;
    case Op::Total:
      append_number(static_cast<std::int64_t>(ctx.total_jobs), out);
      return;
    case Op::SeqPadded:
    case Op::SlotPadded: {
      const double n = r.op == Op::SeqPadded
                           ? static_cast<double>(std::max<std::uint64_t>(ctx.total_jobs, 1))
                           : static_cast<double>(std::max<std::int64_t>(ctx.slots_total, 1));
      const int width = 1 + static_cast<int>(std::log(n) / std::log(10.0));
      out += fmt::format(
          "{:0{}}", r.op == Op::SeqPadded ? static_cast<std::int64_t>(ctx.seq) : ctx.slot, width);
      return;
    }
    case Op::SlotVar:
      out += "${PARALLEL_JOBSLOT}";
      return;
    case Op::PlusDir: {
      const auto slash = v.rfind('/');
      s = slash == std::string_view::npos ? std::string() : std::string(v.substr(0, slash));
      break;
    }
    case Op::PlusExt:
      s = ext_of(v, 1);
      break;
    case Op::PlusExt2:
      s = ext_of(v, 2);
      break;
    case Op::PlusExt3:
      s = ext_of(v, 3);
      break;
    case Op::NoExt2:
      s = strip_ext(v, 2);
      break;
    case Op::NoExt3:
      s = strip_ext(v, 3);
      break;
    case Op::BaseNoExt2:
      s = strip_ext(basename_of(v), 2);
      break;
    case Op::BaseNoExt3:
      s = strip_ext(basename_of(v), 3);
      break;
    case Op::Default:  // Perl's $_ ||= default: "" and "0" are false
      s = (v.empty() || v == "0") ? r.a : std::string(v);
      break;
    case Op::Skip: {
      const auto n = std::stoull(r.a.size() > 18 ? "999999999999999999" : r.a);
      s = n >= v.size() ? std::string() : std::string(v.substr(n));
      break;
    }
    case Op::Substr: {
      const auto from = std::stoull(r.a.size() > 18 ? "999999999999999999" : r.a);
      const auto len = std::stoull(r.b.size() > 18 ? "999999999999999999" : r.b);
      s = from >= v.size() ? std::string() : std::string(v.substr(from, len));
      break;
    }
    case Op::PrefixShort:
    case Op::PrefixLong: {  // s/^re// (the shortest match for {#re})
      s = v;
      std::smatch m;
      if (std::regex_search(s, m, *r.re, std::regex_constants::match_continuous))
        s.erase(0, static_cast<std::size_t>(m.length(0)));
      break;
    }
    case Op::SuffixShort: {  // s/(.*)re$/$1/: the latest start that matches to the end
      s = v;
      for (std::size_t start = s.size() + 1; start-- > 0;) {
        if (std::regex_match(s.cbegin() + static_cast<std::ptrdiff_t>(start), s.cend(), *r.re)) {
          s.resize(start);
          break;
        }
      }
      break;
    }
    case Op::SuffixLong: {  // s/re$//: the leftmost match that ends at the end
      s = v;
      std::smatch m;
      if (std::regex_search(s, m, *r.re)) s.resize(static_cast<std::size_t>(m.position(0)));
      break;
    }
    case Op::Subst:
    case Op::SubstStart:
    case Op::SubstEnd:
    case Op::SubstAll: {
      const std::string sv(v);
      s = std::regex_replace(sv, *r.re, r.b,
                             r.op == Op::SubstAll ? std::regex_constants::format_default
                                                  : std::regex_constants::format_first_only);
      break;
    }
    case Op::UpperFirst:
    case Op::LowerFirst: {  // s/^(re)/uc($1)/e
      s = v;
      std::smatch m;
      if (std::regex_search(s, m, *r.re, std::regex_constants::match_continuous)) {
        const auto len = static_cast<std::size_t>(m.length(0));
        s = upper_or_lower(s.substr(0, len), r.op == Op::UpperFirst) + s.substr(len);
      }
      break;
    }
    case Op::UpperAll:
    case Op::LowerAll: {  // s/(re)/uc($1)/eg
      const std::string sv(v);
      auto it = sv.cbegin();
      for (std::sregex_iterator m(sv.begin(), sv.end(), *r.re), end; m != end; ++m) {
        s.append(it, (*m)[0].first);
        s += upper_or_lower(m->str(0), r.op == Op::UpperAll);
        it = (*m)[0].second;
      }
      s.append(it, sv.cend());
      break;
    }
  }
  if (quote)
    shell_quote(s, out, opt.quote);
  else
    out += s;
}

CommandTemplate::CommandTemplate(const std::vector<std::string>& words, const TemplateOptions& opt)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = opt;
  impl_->parse(words, false);
}

CommandTemplate CommandTemplate::text(const std::string& text, const TemplateOptions& opt) {
  CommandTemplate t;
  t.impl_ = std::make_unique<Impl>();
  t.impl_->opt = opt;
  t.impl_->opt.quote_all = false;
  t.impl_->parse({text}, true);
  return t;
}

CommandTemplate::~CommandTemplate() = default;
CommandTemplate::CommandTemplate(CommandTemplate&&) noexcept = default;
CommandTemplate& CommandTemplate::operator=(CommandTemplate&&) noexcept = default;

bool CommandTemplate::has_replacements() const { return impl_->any; }
bool CommandTemplate::needs_total() const { return impl_->needs_total; }

bool CommandTemplate::skips(const JobArgs& args) const {
  if (!impl_->skips) return false;
  for (const auto& r : impl_->repls) {
    if (r.op == Op::Uniq) {
      auto v = args.values;
      std::sort(v.begin(), v.end());
      if (std::adjacent_find(v.begin(), v.end()) != v.end()) return true;
    } else if (r.op == Op::ChooseK) {
      // for $t (2..$#arg) { skip() if $arg[$t-1] ge $arg[$t] }, @arg 1-based:
      // the values must rise strictly.
      for (std::size_t t = 1; t < args.values.size(); ++t)
        if (args.values[t - 1] >= args.values[t]) return true;
    }
  }
  return false;
}

void CommandTemplate::render(const JobArgs& args, const JobContext& ctx, std::string& out) const {
  const Impl& im = *impl_;
  out.clear();
  static const std::vector<std::string> kOneEmpty{std::string()};
  const auto& flat = args.values.empty() ? kOneEmpty : args.values;
  const auto n = static_cast<long>(flat.size());
  const bool quote = im.quote_values;
  // A positional value: argument `position` (1-based; negative from the end).
  const auto positional = [&](const Repl& r, std::string& into) {
    const long i = r.position > 0 ? r.position - 1 : n + r.position;
    if (i < 0 || i >= n) return;  // undefined: empty, and not quoted
    if (args.no_args && !is_job_value(r.op)) return;
    im.value(r, flat[static_cast<std::size_t>(i)], ctx, quote, into);
  };
  // -q: each word (between Seps) is quoted whole, empty ones dropped.
  std::string word;
  std::string& sink = im.opt.quote_all ? word : out;
  bool first_word = true;
  const auto end_word = [&] {
    if (!im.opt.quote_all) return;
    if (!word.empty()) {
      if (!first_word) out += ' ';
      shell_quote(word, out, im.opt.quote);
      first_word = false;
    }
    word.clear();
  };
  const auto emit_sep = [&] {
    if (im.opt.quote_all)
      end_word();
    else
      out += ' ';
  };

  if (!im.opt.context_replace) {
    for (const auto& t : im.tokens) {
      switch (t.kind) {
        case Token::Text:
        case Token::Blank:
          sink += t.text;
          break;
        case Token::Sep:
          emit_sep();
          break;
        case Token::Rep: {
          const Repl& r = im.repls[static_cast<std::size_t>(t.repl)];
          if (r.position != 0) {
            positional(r, sink);
            break;
          }
          for (long i = 0; i < n; ++i) {
            if (i) emit_sep();
            if (!args.no_args) im.value(r, flat[static_cast<std::size_t>(i)], ctx, quote, sink);
          }
          break;
        }
      }
    }
    end_word();
    return;
  }
  // Context replace (-X): a run of non-blank tokens holding a replacement
  // string is repeated once per argument.
  std::size_t i = 0;
  while (i < im.tokens.size()) {
    const auto& t = im.tokens[i];
    if (t.kind == Token::Sep) {
      emit_sep();
      ++i;
      continue;
    }
    if (t.kind == Token::Blank) {
      sink += t.text;
      ++i;
      continue;
    }
    std::size_t j = i;
    bool normal = false;
    while (j < im.tokens.size() &&
           (im.tokens[j].kind == Token::Text || im.tokens[j].kind == Token::Rep)) {
      if (im.tokens[j].kind == Token::Rep &&
          im.repls[static_cast<std::size_t>(im.tokens[j].repl)].position == 0)
        normal = true;
      ++j;
    }
    const long copies = normal ? n : 1;
    for (long a = 0; a < copies; ++a) {
      if (a) emit_sep();
      for (std::size_t k = i; k < j; ++k) {
        const auto& g = im.tokens[k];
        if (g.kind == Token::Text) {
          sink += g.text;
          continue;
        }
        const Repl& r = im.repls[static_cast<std::size_t>(g.repl)];
        if (r.position != 0)
          positional(r, sink);
        else if (!args.no_args)
          im.value(r, flat[static_cast<std::size_t>(a)], ctx, quote, sink);
      }
    }
    i = j;
  }
  end_word();
}

void CommandTemplate::render(std::string_view item, std::uint64_t seq, std::int64_t slot,
                             std::string& out) const {
  JobArgs args;
  args.values.emplace_back(item);
  args.ends.push_back(1);
  JobContext ctx;
  ctx.seq = seq;
  ctx.slot = slot;
  render(args, ctx, out);
}

// ---------------------------------------------------------------------------
// The length meter.

CommandTemplate::Meter::Meter(const CommandTemplate& t)
    : t_(t), lengths_(t.impl_->distinct.size(), 0) {}

void CommandTemplate::Meter::reset() {
  std::fill(lengths_.begin(), lengths_.end(), 0);
  records_ = first_width_ = 0;
}

void CommandTemplate::Meter::change(const std::vector<std::string>& record, int sign) {
  const Impl& im = *t_.impl_;
  JobContext ctx;
  std::string v;
  for (std::size_t d = 0; d < im.distinct.size(); ++d) {
    const Repl& r = im.repls[im.distinct[d]];
    const auto measure = [&](const std::string& arg) {
      v.clear();
      im.value(r, arg, ctx, im.quote_values, v);
      lengths_[d] += sign * static_cast<std::int64_t>(v.size());
    };
    if (r.position != 0) {
      // GNU counts the column of each record at that position.
      const long w = static_cast<long>(record.size());
      const long col = r.position > 0 ? r.position - 1 : w + r.position;
      if (col >= 0 && col < w) measure(record[static_cast<std::size_t>(col)]);
    } else {
      for (const auto& arg : record) measure(arg);
    }
  }
}

void CommandTemplate::Meter::add(const std::vector<std::string>& record) {
  if (records_ == 0) first_width_ = record.size();
  ++records_;
  change(record, +1);
}

void CommandTemplate::Meter::remove(const std::vector<std::string>& record) {
  change(record, -1);
  if (records_ > 0) --records_;
}

std::size_t CommandTemplate::Meter::length() const {
  const Impl& im = *t_.impl_;
  std::int64_t len = static_cast<std::int64_t>(im.noncontext + im.word_count) - 1;
  const auto recargs = static_cast<std::int64_t>(records_ * first_width_);
  if (im.opt.context_replace) {
    len += recargs * static_cast<std::int64_t>(im.context);
    for (std::size_t d = 0; d < lengths_.size(); ++d)
      len += lengths_[d] * static_cast<std::int64_t>(im.counts[d]);
    len += (recargs - 1) * static_cast<std::int64_t>(im.context_groups);
  } else {
    len += static_cast<std::int64_t>(im.context);
    for (std::size_t d = 0; d < lengths_.size(); ++d)
      len += (recargs - 1 + lengths_[d]) * static_cast<std::int64_t>(im.counts[d]);
  }
  return static_cast<std::size_t>(std::max<std::int64_t>(len, 0));
}

}  // namespace mpimap::farm
