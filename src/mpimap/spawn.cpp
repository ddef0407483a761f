#include "mpimap/spawn.hpp"

#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <boost/mpi/collectives/gather.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/hosts.hpp"
#include "mpimap/detail/peer_watch.hpp"

namespace mpimap {
namespace {

/// What a Spawned parent's watch exits with when a process dies.
constexpr int kExitPeerDied = 4;

bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value && *value;
}

std::string self_exe() {
  // MPI_Comm_spawn runs its command from Open MPI's daemon, where
  // /proc/self/exe would be the daemon itself.
  std::string path(4096, '\0');
  const auto n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) throw std::runtime_error("mpimap::Spawned: cannot read /proc/self/exe");
  path.resize(static_cast<std::size_t>(n));
  return path;
}

/// This process's arguments after argv[0], as the kernel keeps them (MPI_Init
/// may have edited argv).
std::vector<std::string> self_args() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::string> args;
  for (std::size_t at = 0; at < all.size();) {
    const auto end = all.find('\0', at);
    args.push_back(all.substr(at, end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (!args.empty()) args.erase(args.begin());
  return args;
}

std::string cwd() {
  std::string path(4096, '\0');
  if (!::getcwd(path.data(), path.size())) return ".";
  path.resize(path.find('\0'));
  return path;
}

/// processes - 1 copies of this program, merged with it (rank 0).
MPI_Comm spawn_copies(int processes) {
  const std::string exe = self_exe();
  std::vector<std::string> args = self_args();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  MPI_Info info = MPI_INFO_NULL;
  detail::check(MPI_Info_create(&info), "MPI_Info_create");
  // Without it Open MPI refuses more processes than cores ("not enough slots").
  MPI_Info_set(info, "map_by", ":OVERSUBSCRIBE");
  const std::string here = cwd();
  MPI_Info_set(info, "wdir", here.c_str());
  // Report a failure as a code, not by aborting (MPI_COMM_SELF's default).
  MPI_Errhandler previous = MPI_ERRHANDLER_NULL;
  MPI_Comm_get_errhandler(MPI_COMM_SELF, &previous);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  MPI_Comm inter = MPI_COMM_NULL;
  std::vector<int> codes(static_cast<std::size_t>(processes - 1), MPI_SUCCESS);
  const int code = MPI_Comm_spawn(exe.c_str(), argv.data(), processes - 1, info, 0, MPI_COMM_SELF,
                                  &inter, codes.data());
  MPI_Comm_set_errhandler(MPI_COMM_SELF, previous);
  MPI_Errhandler_free(&previous);
  MPI_Info_free(&info);
  detail::check(code, "MPI_Comm_spawn");
  for (const int c : codes) detail::check(c, "MPI_Comm_spawn");
  MPI_Comm merged = MPI_COMM_NULL;
  detail::check(MPI_Intercomm_merge(inter, /*high=*/0, &merged), "MPI_Intercomm_merge");
  detail::check(MPI_Comm_disconnect(&inter), "MPI_Comm_disconnect");
  return merged;
}

MPI_Comm join_parent(MPI_Comm parent) {
  MPI_Comm merged = MPI_COMM_NULL;
  detail::check(MPI_Intercomm_merge(parent, /*high=*/1, &merged), "MPI_Intercomm_merge");
  detail::check(MPI_Comm_disconnect(&parent), "MPI_Comm_disconnect");
  return merged;
}

/// Every process's host and pid, gathered on rank 0; the ones to watch are
/// the others on rank 0's host (a pid means nothing elsewhere).
std::vector<detail::Peer> peers_to_watch(const boost::mpi::communicator& comm) {
  const std::string host = detail::processor_name();
  const auto hosts = detail::gather_hosts(comm, host);
  std::vector<int> pids;
  boost::mpi::gather(comm, static_cast<int>(::getpid()), pids, 0);
  std::vector<detail::Peer> peers;
  for (std::size_t r = 1; r < hosts.size(); ++r)
    if (hosts[r] == host) peers.push_back({static_cast<int>(r), static_cast<pid_t>(pids[r])});
  return peers;
}

}  // namespace

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

bool started_by_launcher() {
  // mpirun sets OMPI_COMM_WORLD_SIZE; srun sets SLURM_STEP_ID in a step's
  // tasks; MPICH's launcher PMI_RANK. A singleton's MPI_Init sets PMIX_RANK,
  // so that one tells nothing.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "SLURM_STEP_ID", "PMI_RANK", "PMI_FD"})
    if (env_set(name)) return true;
  return false;
}

Spawned::Spawned(int processes) {
  if (processes < 1)
    throw std::invalid_argument("mpimap::Spawned: processes must be at least 1, got " +
                                std::to_string(processes));
  MPI_Comm parent = MPI_COMM_NULL;
  detail::check(MPI_Comm_get_parent(&parent), "MPI_Comm_get_parent");
  const boost::mpi::communicator world;
  if (parent != MPI_COMM_NULL) {
    role_ = Role::Child;
    comm_ = boost::mpi::communicator(join_parent(parent), boost::mpi::comm_take_ownership);
  } else if (world.size() > 1 || started_by_launcher() || processes == 1) {
    comm_ = world;
  } else {
    role_ = Role::Parent;
    comm_ = boost::mpi::communicator(spawn_copies(processes), boost::mpi::comm_take_ownership);
  }
  if (role_ == Role::World) return;
  auto peers = peers_to_watch(comm_);
  if (role_ == Role::Parent)
    watch_ = std::make_unique<detail::PeerWatch>(std::move(peers), kExitPeerDied);
}

Spawned::~Spawned() {
  if (role_ == Role::World) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  // Everyone is here, so nobody has died: rank 0 stops watching before the
  // second barrier lets the others go and exit.
  MPI_Barrier(comm_);
  watch_.reset();
  MPI_Barrier(comm_);
}

}  // namespace mpimap
