#!/usr/bin/env bash
# The task-farm benchmark: 2,000 runs of `true`, 2 slots in all, three systems:
#   mpimap-run    mpirun -q -n 2 mpimap run --joblog FILE -- true ::: 1 .. 2000
#   gnu-parallel  parallel -j2 --joblog FILE true ::: 1 .. 2000
#   xargs         xargs -P2 -n1 true  (items on stdin; no joblog: it has none)
#   mpimap-run-bash  mpimap-run with bash as the task shell
#   mpimap-run-program  mpimap-run of /usr/bin/true, a program: the task
#                 execs it without a shell, as xargs does (direct_exec.hpp)
# mpimap and GNU parallel run each task as `SHELL -c COMMAND`, with the shell
# that started them (bash, from this script: GNU parallel's rule), while
# xargs runs the program itself. bash takes about twice as long as dash to
# start, which would swamp what is measured here, so the two shell-using
# systems get the same shell, /bin/sh, through $PARALLEL_SHELL (both honour
# it); mpimap-run-bash shows what the invoking shell, bash, costs on top.
# Each is timed as one whole command (wall clock, start-up included: mpirun's
# for mpimap, perl's for GNU parallel), the same way for all; best of --reps.
# Prints one JSON record per system on stdout:
#   {"case":"taskfarm","system":...,"seconds":...,"items":2000,"ranks":2}
# and the ratios on stderr. A system that is not installed gets
# "seconds": null and a "skipped" reason.
#
#   tests/run/bench_taskfarm.sh [--items N] [--reps K] [--mpimap PATH]
set -euo pipefail
source "$(dirname "$0")/../../scripts/common.sh"

items=2000 reps=3 mpimap="$MPIMAP_BUILD/bin/mpimap"
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items=$2; shift ;;
    --reps) reps=$2; shift ;;
    --mpimap) mpimap=$2; shift ;;
    *) echo "bench_taskfarm.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$mpimap" ] || { echo "bench_taskfarm.sh: no $mpimap (build mpimap_cli first)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-bench-taskfarm.XXXXXX")
trap 'rm -rf "$work"' EXIT
seq 1 "$items" >"$work/items"
mapfile -t args <"$work/items"

# best_of SYSTEM CHECK COMMAND...: runs COMMAND $reps times, checks each run
# with CHECK (a function), prints the best wall time in seconds.
best_of() {
  local check=$1 best="" t0 t1 s
  shift
  for _ in $(seq 1 "$reps"); do
    rm -f "$work/joblog"
    t0=$EPOCHREALTIME
    "$@" >/dev/null
    t1=$EPOCHREALTIME
    "$check" || return 1
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
  done
  echo "$best"
}
joblog_complete() {
  local n
  n=$(($(wc -l <"$work/joblog") - 1))
  [ "$n" = "$items" ] || { echo "bench_taskfarm.sh: joblog has $n records, not $items" >&2; return 1; }
}
no_check() { true; }

record() {  # SYSTEM SECONDS [SKIPPED-REASON]
  if [ -n "${3:-}" ]; then
    printf '{"case":"taskfarm","system":"%s","seconds":null,"items":%d,"ranks":2,"skipped":"%s"}\n' \
      "$1" "$items" "$3"
  else
    printf '{"case":"taskfarm","system":"%s","seconds":%s,"items":%d,"ranks":2}\n' "$1" "$2" "$items"
  fi
}

run_mpimap() {
  PARALLEL_SHELL=/bin/sh mpirun -q -n 2 -x PARALLEL_SHELL "$mpimap" run --joblog "$work/joblog" \
    -- true ::: "${args[@]}"
}
run_mpimap_bash() {
  PARALLEL_SHELL="$(command -v bash)" mpirun -q -n 2 -x PARALLEL_SHELL "$mpimap" run \
    --joblog "$work/joblog" -- true ::: "${args[@]}"
}
run_mpimap_program() {
  PARALLEL_SHELL="$(command -v bash)" mpirun -q -n 2 -x PARALLEL_SHELL "$mpimap" run \
    --joblog "$work/joblog" -- "$true_program" ::: "${args[@]}"
}
run_parallel() {
  PARALLEL_SHELL=/bin/sh parallel --will-cite -j2 --joblog "$work/joblog" true ::: "${args[@]}"
}
run_xargs() { xargs -P2 -n1 true <"$work/items"; }
true_program=$(type -P true)

t_mpimap=$(best_of joblog_complete run_mpimap)
record mpimap-run "$t_mpimap"
t_mpimap_bash=$(best_of joblog_complete run_mpimap_bash)
record mpimap-run-bash "$t_mpimap_bash"
t_mpimap_program=$(best_of joblog_complete run_mpimap_program)
record mpimap-run-program "$t_mpimap_program"
t_xargs=""
if command -v xargs >/dev/null; then
  t_xargs=$(best_of no_check run_xargs)
  record xargs "$t_xargs"
else
  record xargs "" "xargs not installed"
fi
t_parallel=""
if command -v parallel >/dev/null; then
  t_parallel=$(best_of joblog_complete run_parallel)
  record gnu-parallel "$t_parallel"
else
  record gnu-parallel "" "GNU parallel not installed"
fi

{
  echo "taskfarm: $items x true, 2 slots, best of $reps (whole command, start-up included)"
  echo "  mpimap-run   ${t_mpimap} s (bash as the task shell: ${t_mpimap_bash} s;" \
    "$true_program, no shell: ${t_mpimap_program} s)"
  [ -n "$t_xargs" ] && awk -v m="$t_mpimap" -v x="$t_xargs" \
    'BEGIN { printf "  xargs        %s s   mpimap-run / xargs = %.2f (target <= 1.3)\n", x, m / x }'
  [ -n "$t_parallel" ] && awk -v m="$t_mpimap" -v p="$t_parallel" \
    'BEGIN { printf "  gnu-parallel %s s   gnu-parallel / mpimap-run = %.1f (target >= 3)\n", p, p / m }'
} >&2
