#!/usr/bin/env bash
# The --pipe benchmark: one file of lines (1 GiB by default), `wc -l` per block,
# 2 slots in all, five ways:
#   mpimap-pipepart  mpirun -q -n 2 mpimap run --pipepart -a FILE wc -l
#   mpimap-pipe      mpirun -q -n 2 mpimap run --pipe wc -l <FILE
#   gnu-pipepart     parallel -j2 --pipepart -a FILE wc -l
#   gnu-pipe         parallel -j2 --pipe wc -l <FILE
#   split-xargs      split -C 1M FILE DIR/ && ls DIR/* | xargs -P2 -n1 wc -l
# Default block sizes everywhere (--pipe: 1 MiB; --pipepart: 10 parts per
# slot). Each is timed as one whole command (wall clock, start-up included),
# best of --reps, and checked: the counts add up to the file's lines. Prints
# one JSON record per system on stdout:
#   {"case":"pipe","system":...,"seconds":...,"mib":1024,"slots":2}
# and the ratios on stderr (target: mpimap-pipepart at least as fast as
# gnu-pipepart). A system that is not installed gets "seconds": null.
#
#   tests/farm/bench_pipe.sh [--mib N] [--reps K] [--mpimap PATH]
set -euo pipefail
source "$(dirname "$0")/../../scripts/common.sh"

mib=1024 reps=3 mpimap="$MPIMAP_BUILD/bin/mpimap"
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) mib=$2; shift ;;
    --reps) reps=$2; shift ;;
    --mpimap) mpimap=$2; shift ;;
    *) echo "bench_pipe.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$mpimap" ] || { echo "bench_pipe.sh: no $mpimap (build mpimap_cli first)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-bench-pipe.XXXXXX")
trap 'rm -rf "$work"' EXIT
file=$work/lines
# Lines of 9 digits and a newline: 10 bytes each.
seq 100000000 999999999 | head -c $((mib * 1024 * 1024)) >"$file" || true  # seq: SIGPIPE
lines=$(wc -l <"$file")

best=""
# best_of COMMAND...: runs it $reps times, checks that the counts it prints add
# up to the file's lines, prints the best wall time in seconds.
best_of() {
  local t0 t1 s sum
  best=""
  for _ in $(seq 1 "$reps"); do
    rm -rf "$work/split"
    t0=$EPOCHREALTIME
    "$@" >"$work/out"
    t1=$EPOCHREALTIME
    sum=$(awk '{ s += $1 } END { print s + 0 }' "$work/out")
    [ "$sum" = "$lines" ] || { echo "bench_pipe.sh: $1...: $sum lines counted, not $lines" >&2; return 1; }
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
  done
}
record() {  # SYSTEM SECONDS [SKIPPED-REASON]
  if [ -n "${3:-}" ]; then
    printf '{"case":"pipe","system":"%s","seconds":null,"mib":%d,"slots":2,"skipped":"%s"}\n' \
      "$1" "$mib" "$3"
  else
    printf '{"case":"pipe","system":"%s","seconds":%s,"mib":%d,"slots":2}\n' "$1" "$2" "$mib"
  fi
}

run_mpimap_pipepart() { mpirun -q -n 2 "$mpimap" run --pipepart -a "$file" wc -l; }
run_mpimap_pipe() { mpirun -q -n 2 "$mpimap" run --pipe wc -l <"$file"; }
run_gnu_pipepart() { parallel --will-cite -j2 --pipepart -a "$file" wc -l; }
run_gnu_pipe() { parallel --will-cite -j2 --pipe wc -l <"$file"; }
run_split_xargs() {
  mkdir "$work/split"
  split -C 1M "$file" "$work/split/"
  ls "$work/split"/* | xargs -P2 -n1 wc -l | awk '{ print $1 }'
}

declare -A t
for system in mpimap-pipepart mpimap-pipe gnu-pipepart gnu-pipe split-xargs; do
  case $system in
    gnu-*) command -v parallel >/dev/null || { record "$system" "" "GNU parallel not installed"; continue; } ;;
  esac
  best_of "run_${system//-/_}"
  t[$system]=$best
  record "$system" "$best"
done

{
  echo "pipe: ${mib} MiB of lines, wc -l per block, 2 slots, best of $reps (whole command)"
  for system in mpimap-pipepart mpimap-pipe gnu-pipepart gnu-pipe split-xargs; do
    [ -n "${t[$system]:-}" ] && printf '  %-16s %s s\n' "$system" "${t[$system]}"
  done
  [ -n "${t[gnu-pipepart]:-}" ] && awk -v m="${t[mpimap-pipepart]}" -v g="${t[gnu-pipepart]}" \
    'BEGIN { printf "  gnu-pipepart / mpimap-pipepart = %.2f (target >= 1)\n", g / m }'
  [ -n "${t[gnu-pipe]:-}" ] && awk -v m="${t[mpimap-pipe]}" -v g="${t[gnu-pipe]}" \
    'BEGIN { printf "  gnu-pipe / mpimap-pipe = %.2f\n", g / m }'
} >&2
