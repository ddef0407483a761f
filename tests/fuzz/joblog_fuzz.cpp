// Fuzz target: reading a --joblog for --resume / --resume-failed
// (farm::Joblog::open). Any file either is refused with UsageError or is read;
// then the file is its whole lines (a torn last line cut off; a header when
// none is left), and a record appended to it reads back on the next resume,
// with every Seq the first resume found. The first byte picks --resume-failed.

#include <cstdint>
#include <string>
#include <string_view>

#include "farm/error.hpp"
#include "farm/joblog.hpp"
#include "fuzz_input.hpp"

namespace {

constexpr std::string_view kHeader =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";
constexpr std::uint64_t kNewSeq = 7;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mpimap::farm::DoneSet;
  using mpimap::farm::Joblog;
  static const mpimap::fuzz::MemFile file;
  if (size == 0) return 0;
  const bool only_succeeded = data[0] & 1;
  const auto content = mpimap::fuzz::bytes(data + 1, size - 1);
  file.set(content);

  DoneSet done;
  {
    Joblog log;
    try {
      log.open(file.path(), true, only_succeeded, done);
    } catch (const mpimap::farm::UsageError&) {
      return 0;  // not a joblog: refused, the documented way
    }
    MPIMAP_FUZZ_CHECK(log.is_open());
    MPIMAP_FUZZ_CHECK(!done.contains(0));
    const auto whole_lines = content.substr(0, content.rfind('\n') + 1);
    MPIMAP_FUZZ_CHECK(file.read() == (whole_lines.empty() ? kHeader : whole_lines));

    // A record whose command holds the input's own bytes (newlines are written
    // as NUL bytes, tabs stay: Command is the last field).
    log.write({.seq = kNewSeq,
               .host = "node1",
               .start = 1700000000.25,
               .runtime = 1.5,
               .received = 0,
               .exitval = 0,
               .signal = 0,
               .command = content.substr(0, 32)});
  }
  DoneSet again;
  Joblog log;
  log.open(file.path(), true, only_succeeded, again);  // must not throw now
  MPIMAP_FUZZ_CHECK(again.contains(kNewSeq));
  for (std::uint64_t seq = 1; seq <= 64; ++seq)
    MPIMAP_FUZZ_CHECK(!done.contains(seq) || again.contains(seq));
  return 0;
}
