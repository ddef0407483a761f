#include "cli/doctor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace mpimap::cli::doctor {

namespace {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;
/// Below this, /dev/shm is a container's default (Docker's is 64 MiB): Open
/// MPI's shared-memory transport runs out of room with a few large messages.
constexpr std::int64_t kSmallShm = 256 * kMiB;

const std::string* env_of(const RankFacts& r, const std::string& name) {
  const auto it = r.env.find(name);
  return it == r.env.end() ? nullptr : &it->second;
}

/// "4.1.4" out of "Open MPI v4.1.4, package: ..." or "Open MPI 4.1.4".
std::string version_in(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
      ++j;
    if (text.substr(i, j - i).find('.') != std::string_view::npos)
      return std::string(text.substr(i, j - i));
    i = j;
  }
  return {};
}

/// "4.1" of "4.1.4".
std::string major_minor(const std::string& v) {
  const auto first = v.find('.');
  if (first == std::string::npos) return v;
  return v.substr(0, v.find('.', first + 1));
}

/// "0-2, 5" for ranks 0, 1, 2, 5.
std::string rank_ranges(const std::vector<int>& ranks) {
  std::string out;
  for (std::size_t i = 0; i < ranks.size();) {
    std::size_t j = i;
    while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{}", ranks[i]) : fmt::format("{}-{}", ranks[i], ranks[j]);
    i = j + 1;
  }
  return out;
}

std::string bytes_text(std::int64_t b) {
  if (b >= 1024 * kMiB) return fmt::format("{:.1f} GiB", static_cast<double>(b) / (1024 * kMiB));
  return fmt::format("{} MiB", b / kMiB);
}

/// The hosts in order of their first rank, with their ranks.
std::vector<std::pair<std::string, std::vector<const RankFacts*>>> by_host(
    const std::vector<RankFacts>& ranks) {
  std::vector<std::pair<std::string, std::vector<const RankFacts*>>> hosts;
  for (const auto& r : ranks) {
    auto it = std::find_if(hosts.begin(), hosts.end(), [&](auto& h) { return h.first == r.host; });
    if (it == hosts.end()) it = hosts.insert(hosts.end(), {r.host, {}});
    it->second.push_back(&r);
  }
  return hosts;
}

/// Whether an OMPI_MCA_btl value lets Open MPI use a component of these
/// names (aliases: sm is vader in Open MPI 4).
bool btl_allows(const std::string& value, std::initializer_list<std::string_view> aliases) {
  const bool excluding = !value.empty() && value[0] == '^';
  std::set<std::string> names;
  std::string_view rest = std::string_view(value).substr(excluding ? 1 : 0);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    names.emplace(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  bool named = false;
  for (const auto a : aliases) named = named || names.count(std::string(a)) > 0;
  return excluding ? !named : named;
}

/// What the OMPI_MCA_* settings that change how mpimap runs do.
std::optional<std::string_view> mca_meaning(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> known[] = {
      {"pml", "the messaging layer: ob1 (shared memory, TCP) or ucx (InfiniBand, RoCE)"},
      {"btl", "ob1's transports: vader (shared memory), tcp, self"},
      {"rmaps_base_oversubscribe", "allows more ranks than slots"},
      {"mpi_yield_when_idle", "waiting ranks yield their core"},
      {"btl_tcp_if_include", "the network interfaces TCP may use"},
      {"btl_tcp_if_exclude", "the network interfaces TCP must not use"},
      {"hwloc_base_binding_policy", "how ranks are bound to cores"},
      {"btl_vader_single_copy_mechanism", "how large shared-memory messages are copied"},
      {"odls_base_sigkill_timeout", "how long mpirun waits before killing ranks"},
  };
  for (const auto& [k, v] : known)
    if (k == name) return v;
  return std::nullopt;
}

void check_library(const JobFacts& job, const std::vector<RankFacts>& ranks,
                   std::vector<Finding>& out) {
  std::set<std::string> libraries;
  for (const auto& r : ranks) libraries.insert(r.library);
  const std::string& runtime = ranks.front().library;
  if (libraries.size() > 1) {
    std::string list;
    for (const auto& l : libraries) list += (list.empty() ? "" : "; ") + l;
    out.push_back({Level::Problem, "MPI library", "the ranks run different MPI libraries: " + list,
                   "install the same MPI on every host (the same module or package) and start "
                   "mpimap with its mpirun"});
  }
  const std::string built = version_in(job.built_library);
  const std::string running = version_in(runtime);
  const std::string vendor = job.built_library.substr(0, job.built_library.rfind(' '));
  const std::string said = fmt::format("{} (mpimap was built against {}), MPI {}.{}",
                                       runtime.substr(0, runtime.find(',')), job.built_library,
                                       job.version, job.subversion);
  if (runtime.find(vendor) == std::string::npos || major_minor(built) != major_minor(running)) {
    out.push_back({Level::Problem, "MPI library", said,
                   "rebuild mpimap against the MPI it runs with (scripts/setup, then cmake "
                   "--build), or run it with the mpirun of the MPI it was built against"});
  } else if (job.version * 10 + job.subversion < job.built_version * 10 + job.built_subversion) {
    out.push_back({Level::Problem, "MPI library",
                   fmt::format("{}: older than the MPI {}.{} of mpimap's build", said,
                               job.built_version, job.built_subversion),
                   "run mpimap with the MPI it was built against"});
  } else {
    out.push_back({built == running ? Level::Ok : Level::Note, "MPI library", said, ""});
  }
}

void check_launcher(const JobFacts& job, const RankFacts& r0, std::vector<Finding>& out) {
  const auto* ompi = env_of(r0, "OMPI_COMM_WORLD_SIZE");
  const auto* slurm_step = env_of(r0, "SLURM_STEP_ID");
  const bool pmi = env_of(r0, "PMIX_RANK") || env_of(r0, "PMI_RANK");
  if (ompi) {
    const bool in_slurm = env_of(r0, "SLURM_JOB_ID") != nullptr;
    out.push_back({Level::Ok, "launcher",
                   fmt::format("mpirun (Open MPI's){}, {} ranks",
                               in_slurm ? " inside a Slurm allocation" : "", job.size),
                   ""});
  } else if (slurm_step && pmi) {
    out.push_back({Level::Ok, "launcher", fmt::format("srun with PMI, {} ranks", job.size), ""});
  } else if (slurm_step) {
    const auto* tasks = env_of(r0, "SLURM_NTASKS");
    if (tasks && *tasks != "1" && job.size == 1)
      out.push_back({Level::Problem, "launcher",
                     fmt::format("srun started {} tasks without PMI: each is an MPI job of its "
                                 "own, with one rank",
                                 *tasks),
                     "srun --mpi=pmix (srun --mpi=list shows what your Slurm has), or mpirun "
                     "inside salloc"});
    else
      out.push_back({Level::Note, "launcher",
                     fmt::format("srun without PMI, {} rank{}", job.size, job.size == 1 ? "" : "s"),
                     ""});
  } else if (job.size > 1) {  // rank 0 alone, the others from MPI_Comm_spawn
    out.push_back({Level::Ok, "launcher",
                   fmt::format("none: mpimap -n {} started {} more with MPI_Comm_spawn, {} ranks",
                               job.size, job.size - 1, job.size),
                   ""});
  } else {
    out.push_back({Level::Note, "launcher",
                   "none: a singleton, one rank (mpirun -n N mpimap ... runs N)", ""});
  }
}

void check_cores(const JobFacts& job, const std::vector<RankFacts>& ranks,
                 std::vector<Finding>& out) {
  bool over = false;
  std::string per_host;
  for (const auto& [host, rs] : by_host(ranks)) {
    const unsigned cores = rs.front()->cores;
    per_host += fmt::format("{}{}: {} rank{} on {} core{}", per_host.empty() ? "" : "; ", host,
                            rs.size(), rs.size() == 1 ? "" : "s", cores, cores == 1 ? "" : "s");
    if (rs.size() > cores) {
      over = true;
      out.push_back({Level::Warn, "cores",
                     fmt::format("{} ranks on {}, which has {} core{}: oversubscribed; ranks take "
                                 "turns on the cores, and a waiting rank spins on its own",
                                 rs.size(), host, cores, cores == 1 ? "" : "s"),
                     fmt::format("run at most {} rank{} on {} (mpirun -n {}), or add hosts "
                                 "(mpirun --host/--hostfile)",
                                 cores, cores == 1 ? "" : "s", host, cores)});
    }
  }
  std::string slots = job.universe > 0
                          ? fmt::format(", {} slot{}", job.universe, job.universe == 1 ? "" : "s")
                          : "";
  if (job.universe > 0 && job.size > job.universe)
    slots +=
        " (more ranks than slots: allowed by --oversubscribe or "
        "OMPI_MCA_rmaps_base_oversubscribe=1)";
  if (!over)
    out.push_back({Level::Ok, "cores", per_host + slots, ""});
  else if (!slots.empty())
    out.push_back({Level::Note, "slots", slots.substr(2), ""});
}

void check_user(const std::vector<RankFacts>& ranks, std::vector<Finding>& out) {
  std::vector<int> roots;
  for (const auto& r : ranks)
    if (r.root) roots.push_back(r.rank);
  if (roots.empty()) {
    out.push_back({Level::Ok, "user", "not root", ""});
    return;
  }
  const RankFacts& r = ranks[static_cast<std::size_t>(roots.front())];
  const auto* allow = env_of(r, "OMPI_ALLOW_RUN_AS_ROOT");
  const auto* confirm = env_of(r, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM");
  const std::string who = fmt::format("rank{} {} run{} as root", roots.size() == 1 ? "" : "s",
                                      rank_ranges(roots), roots.size() == 1 ? "s" : "");
  if (allow && confirm && *allow == "1" && *confirm == "1")
    out.push_back({Level::Note, "user",
                   who + ", which Open MPI allows because OMPI_ALLOW_RUN_AS_ROOT=1 and "
                         "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 are set; a task may damage the system",
                   ""});
  else
    out.push_back({Level::Warn, "user",
                   who + " without OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                         "(mpirun --allow-run-as-root, or no mpirun): plain mpirun refuses to "
                         "start as root",
                   "run as an ordinary user, or export OMPI_ALLOW_RUN_AS_ROOT=1 "
                   "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (both; scripts/common.sh does)"});
}

void check_hosts(const std::vector<RankFacts>& ranks, std::vector<Finding>& out) {
  std::string text;
  for (const auto& [host, rs] : by_host(ranks)) {
    std::vector<int> ids;
    for (const auto* r : rs) ids.push_back(r->rank);
    text += fmt::format("{}rank{} {} on {}", text.empty() ? "" : "; ", ids.size() == 1 ? "" : "s",
                        rank_ranges(ids), host);
  }
  out.push_back({Level::Ok, "hosts", text, ""});
}

void check_shm(const std::vector<RankFacts>& ranks, std::vector<Finding>& out) {
  bool fine = true;
  std::string sizes;
  for (const auto& [host, rs] : by_host(ranks)) {
    const std::int64_t shm = rs.front()->shm_bytes;
    sizes += fmt::format("{}{}: {}", sizes.empty() ? "" : "; ", host,
                         shm < 0 ? std::string("none") : bytes_text(shm));
    if (shm < 0 && rs.size() > 1) {
      fine = false;
      out.push_back({Level::Warn, "shared memory",
                     fmt::format("{} has no /dev/shm: ranks on it exchange messages through "
                                 "files in /tmp",
                                 host),
                     "mount a tmpfs on /dev/shm"});
    } else if (shm >= 0 && shm < kSmallShm && rs.size() > 1) {
      fine = false;
      out.push_back({Level::Warn, "shared memory",
                     fmt::format("/dev/shm on {} holds only {}: large messages between its {} "
                                 "ranks can fail with a bus error",
                                 host, bytes_text(shm), rs.size()),
                     "give the container more (docker run --shm-size=1g), or "
                     "mount -o remount,size=1G /dev/shm"});
    }
  }
  if (fine) out.push_back({Level::Ok, "shared memory", "/dev/shm " + sizes, ""});
}

void check_transport(const std::vector<RankFacts>& ranks, std::vector<Finding>& out) {
  const RankFacts& r0 = ranks.front();
  const auto hosts = by_host(ranks);
  bool shared_host = false;
  for (const auto& h : hosts) shared_host = shared_host || h.second.size() > 1;
  const auto* pml = env_of(r0, "OMPI_MCA_pml");
  const auto* btl = env_of(r0, "OMPI_MCA_btl");
  if (ranks.size() == 1) {
    out.push_back({Level::Ok, "transport", "none needed: one rank", ""});
    return;
  }
  if (pml && *pml == "ucx") {
    out.push_back({Level::Ok, "transport", "UCX (OMPI_MCA_pml=ucx), within and between hosts", ""});
    return;
  }
  std::vector<std::string> parts;
  bool fine = true;
  if (shared_host) {
    if (!btl || btl_allows(*btl, {"vader", "sm"})) {
      parts.emplace_back("shared memory (btl vader) between ranks of one host");
    } else {
      fine = false;
      out.push_back({Level::Warn, "transport",
                     fmt::format("OMPI_MCA_btl={} leaves out shared memory: ranks of one host "
                                 "talk through the network stack, several times slower",
                                 *btl),
                     "unset OMPI_MCA_btl, or name vader in it (OMPI_MCA_btl=self,vader,tcp)"});
    }
  }
  if (hosts.size() > 1) {
    if (btl && !btl_allows(*btl, {"tcp"}) && (!pml || *pml == "ob1")) {
      fine = false;
      out.push_back({Level::Problem, "transport",
                     fmt::format("OMPI_MCA_btl={} leaves out TCP and the pml is ob1: ranks on "
                                 "different hosts cannot talk",
                                 *btl),
                     "unset OMPI_MCA_btl, or name tcp in it; on InfiniBand set OMPI_MCA_pml=ucx"});
    } else {
      parts.emplace_back(pml ? "TCP (btl tcp) between hosts"
                             : "UCX if Open MPI finds a fast network, else TCP, between hosts");
    }
  }
  if (fine) {
    std::string text;
    for (const auto& p : parts) text += (text.empty() ? "" : "; ") + p;
    out.push_back({Level::Ok, "transport",
                   text + (pml ? fmt::format(" (OMPI_MCA_pml={})", *pml) : std::string()), ""});
  }
}

void check_mca(const RankFacts& r0, std::vector<Finding>& out) {
  bool any = false;
  for (const auto& [name, value] : r0.env) {
    if (name.rfind("OMPI_MCA_", 0) != 0) continue;
    any = true;
    const auto meaning = mca_meaning(std::string_view(name).substr(9));
    out.push_back({Level::Note, "setting",
                   fmt::format("{}={}{}", name, value,
                               meaning ? fmt::format(" ({})", *meaning) : std::string()),
                   ""});
  }
  if (!any) out.push_back({Level::Ok, "settings", "no OMPI_MCA_* variables set", ""});
}

void check_limits(const JobFacts& job, std::vector<Finding>& out) {
  out.push_back({Level::Ok, "thread level",
                 job.thread_level + " (mpimap needs MPI_THREAD_SINGLE: only the main thread of a "
                                    "rank calls MPI)",
                 ""});
  if (job.tag_ub < job.highest_tag + 1)
    out.push_back(
        {Level::Problem, "MPI_TAG_UB",
         fmt::format("{}, below the tags mpimap uses (up to {})", job.tag_ub, job.highest_tag),
         "use an MPI whose MPI_TAG_UB is at least 32767 (the MPI standard's minimum)"});
  else
    out.push_back({Level::Ok, "MPI_TAG_UB",
                   fmt::format("{}: room for {} processes per pool", job.tag_ub,
                               job.tag_ub - job.highest_tag + 1),
                   ""});
  if (job.built_version >= 4)
    out.push_back({Level::Ok, "large counts", "MPI-4 large-count calls available", ""});
  else
    out.push_back({Level::Ok, "large counts",
                   fmt::format("none in MPI {}.{}: mpimap sends more than 2^31 elements, or "
                               "more than MapOptions::message_limit bytes, in pieces",
                               job.built_version, job.built_subversion),
                   ""});
}

}  // namespace

bool reported_variable(const std::string& name) {
  static const char* const exact[] = {"OMPI_COMM_WORLD_SIZE",
                                      "OMPI_ALLOW_RUN_AS_ROOT",
                                      "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM",
                                      "SLURM_JOB_ID",
                                      "SLURM_STEP_ID",
                                      "SLURM_NTASKS",
                                      "PMIX_RANK",
                                      "PMI_RANK"};
  for (const char* e : exact)
    if (name == e) return true;
  if (name.rfind("OMPI_MCA_", 0) != 0) return false;
  // What mpirun itself tells its ranks is no setting of the user's.
  static const char* const launchers[] = {
      "orte_", "ess", "pmix", "shmem_", "initial_wdir", "mpi_oversubscribe", "opal_"};
  const std::string_view rest = std::string_view(name).substr(9);
  for (const char* l : launchers)
    if (rest.rfind(l, 0) == 0) return false;
  return true;
}

std::vector<Finding> diagnose(const JobFacts& job, const std::vector<RankFacts>& ranks) {
  std::vector<Finding> out;
  if (ranks.empty()) return out;
  check_library(job, ranks, out);
  check_launcher(job, ranks.front(), out);
  check_hosts(ranks, out);
  check_cores(job, ranks, out);
  check_user(ranks, out);
  check_shm(ranks, out);
  check_transport(ranks, out);
  check_mca(ranks.front(), out);
  check_limits(job, out);
  return out;
}

const char* label(Level level) {
  switch (level) {
    case Level::Ok:
      return "ok";
    case Level::Note:
      return "note";
    case Level::Warn:
      return "warn";
    case Level::Problem:
      return "PROBLEM";
  }
  return "?";
}

}  // namespace mpimap::cli::doctor
