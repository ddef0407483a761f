# Shared by the scripts in this folder (sourced, not run).
# Sets the project root, the build folder and the MPI environment that every
# script needs, so that `mpirun` behaves the same for a user, ctest and CI.

MPIMAP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MPIMAP_BUILD="${MPIMAP_BUILD:-$MPIMAP_ROOT/build}"

# Open MPI refuses to run as root unless told twice; only say it when we are root.
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Tests and demos use more ranks than a laptop has cores.
export OMPI_MCA_rmaps_base_oversubscribe=1
# On one machine, Open MPI's probe for UCX/InfiniBand costs 0.2 s per mpirun;
# the shared-memory path (pml ob1) is what a workstation uses anyway. On a
# cluster, set OMPI_MCA_pml yourself (or leave it empty to let Open MPI pick).
export OMPI_MCA_pml="${OMPI_MCA_pml-ob1}"

mpimap_jobs() { nproc 2>/dev/null || echo 2; }

# Configures $MPIMAP_BUILD the one way every script does: one build type and
# the same switches for scripts/demo, scripts/test and scripts/bench, so that
# running one after another never rebuilds the other's work. Extra arguments
# (e.g. -DMPIMAP_SANITIZE=ON for build-asan/) go to cmake.
mpimap_configure() {
  cmake -S "$MPIMAP_ROOT" -B "$MPIMAP_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMPIMAP_WERROR=ON "$@"
}

# mpimap_quietly LOG COMMAND...: runs COMMAND with its output in LOG; when it
# fails, shows the end of LOG and where the rest is, and returns its status.
mpimap_quietly() {
  local log="$1" status=0
  shift
  mkdir -p "$(dirname "$log")"
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    echo "$(basename "$0"): failed ($status): $*" >&2
    tail -n 40 "$log" >&2
    echo "$(basename "$0"): the whole output is in $log" >&2
  fi
  return "$status"
}
