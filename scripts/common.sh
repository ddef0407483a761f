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
