# shellcheck shell=bash disable=SC2034  # sourced; its variables are for the sourcing test
# Sourced by the cluster tests: brings up the simulated cluster (or exits 77,
# which ctest reports as skipped, with the reason on stderr), takes it down on
# exit whatever happens, and gives the helpers every test uses.
#   source cluster_lib.sh MPIMAP HOSTS SLOTS
# After it: $MPIMAP, $SIM (the cluster's mpirun wrapper), $WORK (a temporary
# folder, the current directory), fail MESSAGE, finish.
MPIMAP=$(realpath "$1")
CLUSTER_SIM="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/cluster-sim"
export MPIMAP_CLUSTER_DIR=${MPIMAP_CLUSTER_DIR:-/tmp/mpimap-cluster-sim}
SIM="$MPIMAP_CLUSTER_DIR/mpirun"
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}

if ! reason=$("$CLUSTER_SIM" check 2>&1); then
  echo "SKIPPED: $reason" >&2
  exit 77
fi
# The bridge and the namespaces have fixed names: one test at a time on this
# machine, also across build trees and ctest runs (RESOURCE_LOCK is per run).
exec 9>"/tmp/mpimap-cluster-sim.lock"
flock -w 120 9 || { echo "FAIL: another cluster-sim test held the lock for 120 s" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-cluster-test.XXXXXX")
cluster_cleanup() {
  "$CLUSTER_SIM" down
  [ "${CLUSTER_KEEP:-0}" = 1 ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cluster_cleanup EXIT
"$CLUSTER_SIM" up "$2" "$3" >/dev/null
cd "$WORK" || exit 1

FAILS=0
fail() {
  echo "FAIL: $*" >&2
  FAILS=$((FAILS + 1))
}
finish() {
  [ "$FAILS" = 0 ] || { echo "$FAILS check(s) failed" >&2; exit 1; }
  echo "ok"
}
