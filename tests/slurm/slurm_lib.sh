# shellcheck shell=bash disable=SC2034  # sourced; its variables are for the sourcing test
# Sourced by the Slurm tests: starts a private one-node Slurm (scripts/slurm-sim)
# or exits 77, which ctest reports as skipped, with the reason on stderr;
# stops its daemons and removes its folder on exit, whatever happens.
#   source slurm_lib.sh MPIMAP
# After it: $MPIMAP, $REPO, $WORK (a temporary folder, the current directory),
# SLURM_CONF exported, fail MESSAGE, finish, wait_no_jobs.
MPIMAP=$(realpath "$1")
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MPIMAP_SLURM_DIR=${MPIMAP_SLURM_DIR:-/tmp/mpimap-slurm-sim}
if ! reason=$("$REPO/scripts/slurm-sim" check 2>&1); then
  echo "SKIPPED: $reason" >&2
  exit 77
fi
# Fixed ports and folder: one test at a time on this machine, also across
# build trees and ctest runs (RESOURCE_LOCK is per run).
exec 9>"/tmp/mpimap-slurm-sim.lock"
flock -w 120 9 || { echo "FAIL: another slurm-sim test held the lock for 120 s" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-slurm-test.XXXXXX")
slurm_cleanup() {
  "$REPO/scripts/slurm-sim" down
  [ "${SLURM_KEEP:-0}" = 1 ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap slurm_cleanup EXIT
"$REPO/scripts/slurm-sim" up >/dev/null 9>&-  # the daemons must not hold the lock
export SLURM_CONF=$MPIMAP_SLURM_DIR/slurm.conf
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
# Waits (at most $1 seconds) until the queue is empty; false if it is not.
wait_no_jobs() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    [ -z "$(squeue -h)" ] && return 0
    sleep 0.1
  done
  return 1
}
# Waits (at most 30 s) until file $1 has more than $2 lines.
wait_lines() {
  local i
  for ((i = 0; i < 300; i++)); do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -gt "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
