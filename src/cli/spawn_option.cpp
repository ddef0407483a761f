#include "cli/spawn_option.hpp"

#include <fcntl.h>
#include <mpi.h>
#include <unistd.h>

#include <fmt/format.h>

#include <charconv>
#include <string_view>

#include "cli/usage_error.hpp"
#include "mpimap/mpi_error.hpp"

namespace mpimap::cli {

int subcommand_index(int argc, char** argv) {
  if (argc < 2) return 1;
  const std::string_view first = argv[1];
  if (first == "-n" || first == "--processes") return 3;
  if ((first.starts_with("-n") && first.size() > 2) || first.starts_with("--processes=")) return 2;
  return 1;
}

int processes_from(const std::string& value) {
  if (value == "auto") return available_cores();
  int n = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
  // More than this is a typo, not a workstation.
  constexpr int kMost = 4096;
  if (error != std::errc{} || end != value.data() + value.size() || n < 1 || n > kMost)
    throw UsageError(fmt::format(
        "-n: expected a number of processes from 1 to {}, or 'auto', got '{}'", kMost, value));
  return n;
}

bool spawned_by_parent() {
  MPI_Comm parent = MPI_COMM_NULL;
  MPI_Comm_get_parent(&parent);
  return parent != MPI_COMM_NULL;
}

std::unique_ptr<Spawned> program_group(const std::optional<std::string>& processes,
                                       const boost::mpi::communicator& world) {
  if (!processes) return nullptr;
  // A spawned copy joins its parent, which has checked the value.
  if (spawned_by_parent()) return std::make_unique<Spawned>(1);
  const int n = processes_from(*processes);
  if (world.size() > 1 || started_by_launcher())
    throw UsageError(fmt::format(
        "-n {}: a launcher (mpirun or srun) started this program with {} process(es) already; "
        "give the number to it, or run mpimap -n {} without it",
        *processes, world.size(), *processes));
  try {
    return std::make_unique<Spawned>(n);
  } catch (const MpiError& e) {
    std::string_view why = e.what();
    if (why.starts_with("mpimap: ")) why.remove_prefix(8);
    throw UsageError(fmt::format("-n {}: cannot start the processes: {}", *processes, why));
  }
}

StdinAside::StdinAside() {
  saved_ = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  if (saved_ < 0) return;  // no stdin: nothing to keep
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::close(null);
  }
}

StdinAside::~StdinAside() {
  if (saved_ < 0) return;
  ::dup2(saved_, STDIN_FILENO);
  ::close(saved_);
}

}  // namespace mpimap::cli
