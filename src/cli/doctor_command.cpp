// mpimap doctor: checks the MPI environment and explains each problem with
// its fix. Every rank reports what it sees; rank 0 prints the conclusions
// (doctor.cpp) and the exit status says whether anything is wrong.

#include <mpi.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/collectives/gather.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/doctor.hpp"
#include "mpimap/detail/check.hpp"
#include "mpimap/detail/hosts.hpp"
#include "mpimap/detail/tags.hpp"

extern char** environ;

namespace mpimap::cli {

namespace {

using doctor::JobFacts;
using doctor::Level;
using doctor::RankFacts;

RankFacts local_facts(int rank) {
  RankFacts f;
  f.rank = rank;
  f.host = detail::processor_name();
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  f.cores = online > 0 ? static_cast<unsigned>(online) : 1;
  f.root = ::geteuid() == 0;
  char lib[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  detail::check(MPI_Get_library_version(lib, &len), "MPI_Get_library_version");
  f.library = std::string(lib, static_cast<std::size_t>(len));
  f.library = f.library.substr(0, f.library.find_first_of("\r\n"));
  while (!f.library.empty() && (f.library.back() == ' ' || f.library.back() == '\0'))
    f.library.pop_back();
  struct statvfs shm {};
  if (::statvfs("/dev/shm", &shm) == 0)
    f.shm_bytes = static_cast<std::int64_t>(shm.f_blocks) * static_cast<std::int64_t>(shm.f_frsize);
  for (char** e = environ; *e; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos && doctor::reported_variable(kv.substr(0, eq)))
      f.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return f;
}

std::string to_text(const RankFacts& f) {
  nlohmann::json j{{"rank", f.rank}, {"host", f.host},       {"cores", f.cores},
                   {"root", f.root}, {"library", f.library}, {"shm_bytes", f.shm_bytes},
                   {"env", f.env}};
  return j.dump();
}

RankFacts from_text(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  RankFacts f;
  j.at("rank").get_to(f.rank);
  j.at("host").get_to(f.host);
  j.at("cores").get_to(f.cores);
  j.at("root").get_to(f.root);
  j.at("library").get_to(f.library);
  j.at("shm_bytes").get_to(f.shm_bytes);
  j.at("env").get_to(f.env);
  return f;
}

JobFacts job_facts(MPI_Comm comm) {
  JobFacts j;
  detail::check(MPI_Comm_size(comm, &j.size), "MPI_Comm_size");
  void* value = nullptr;
  int found = 0;
  detail::check(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_UNIVERSE_SIZE, &value, &found),
                "MPI_Comm_get_attr");
  if (found) j.universe = *static_cast<int*>(value);
  detail::check(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &value, &found), "MPI_Comm_get_attr");
  if (found) j.tag_ub = *static_cast<int*>(value);
  detail::check(MPI_Get_version(&j.version, &j.subversion), "MPI_Get_version");
  j.built_version = MPI_VERSION;
  j.built_subversion = MPI_SUBVERSION;
#if defined(OMPI_MAJOR_VERSION)
  j.built_library = fmt::format("Open MPI {}.{}.{}", OMPI_MAJOR_VERSION, OMPI_MINOR_VERSION,
                                OMPI_RELEASE_VERSION);
#elif defined(MPICH_VERSION)
  j.built_library = "MPICH " MPICH_VERSION;
#else
  j.built_library = "an unknown MPI";
#endif
  int provided = 0;
  detail::check(MPI_Query_thread(&provided), "MPI_Query_thread");
  j.thread_level = provided == MPI_THREAD_MULTIPLE     ? "MPI_THREAD_MULTIPLE"
                   : provided == MPI_THREAD_SERIALIZED ? "MPI_THREAD_SERIALIZED"
                   : provided == MPI_THREAD_FUNNELED   ? "MPI_THREAD_FUNNELED"
                                                       : "MPI_THREAD_SINGLE";
  j.highest_tag = detail::kProcessTagBase;
  return j;
}

int run_doctor(const boost::mpi::communicator& comm) {
  std::vector<std::string> texts;
  boost::mpi::gather(comm, to_text(local_facts(comm.rank())), texts, 0);
  const JobFacts job = job_facts(comm);
  int problems = 0;
  if (comm.rank() == 0) {
    std::vector<RankFacts> ranks;
    for (const auto& t : texts) ranks.push_back(from_text(t));
    int warnings = 0;
    std::string out = fmt::format("mpimap doctor: {} rank{}\n", job.size, job.size == 1 ? "" : "s");
    for (const auto& f : doctor::diagnose(job, ranks)) {
      problems += f.level == Level::Problem;
      warnings += f.level == Level::Warn;
      out += fmt::format("{:<8}{}: {}\n", doctor::label(f.level), f.topic, f.what);
      if (!f.fix.empty()) out += fmt::format("{:<8}fix: {}\n", "", f.fix);
    }
    out += fmt::format("mpimap doctor: {} problem{}, {} warning{}\n", problems,
                       problems == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    std::cout << out << std::flush;
  }
  boost::mpi::broadcast(comm, problems, 0);
  return problems ? 1 : 0;
}

}  // namespace

Command add_doctor_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "doctor",
      "Check the MPI environment (library, launcher, cores, root, hosts, shared memory, "
      "transport, settings) and explain each problem with its fix; exit status 1 when "
      "something is wrong");
  return {sub, [](const boost::mpi::communicator& comm) { return run_doctor(comm); }};
}

}  // namespace mpimap::cli
