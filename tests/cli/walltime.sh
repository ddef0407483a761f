#!/usr/bin/env bash
# --walltime-margin with a faked Slurm end time (SLURM_JOB_END_TIME, epoch
# seconds), for `mpimap map` and `mpimap run`; no timing is asserted:
#  - an end time already inside the margin: nothing runs, one line naming
#    the margin, exit 138 (as SIGUSR1); --resume then runs everything, and
#    prints what an uninterrupted run prints;
#  - a far end time: everything runs, exit 0, the same output;
#  - without a journal or joblog, the line suggests a file named by the job
#    id ($SLURM_JOB_ID);
#  - a bad margin or end time: one line, exit 2.
#   walltime.sh MPIMAP NP
set -euo pipefail
mpimap=$1 np=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
unset SLURM_JOB_ID SLURM_JOB_END_TIME
fail() {
  echo "FAILED (np $np): $*"
  exit 1
}
now=$(date +%s)
far=$((now + 86400))
items=(3 1 4 1 5 9 2 6)
n=${#items[@]}
mp() { mpirun -q -n "$np" "$mpimap" "$@"; }
# $1: what, $2: want status, $3: want stderr; the command follows.
expect() {
  local what=$1 want_status=$2 want_err=$3 status=0
  shift 3
  "$@" >out 2>err || status=$?
  [ "$status" = "$want_status" ] || fail "$what: exit status $status, want $want_status; stderr: $(cat err)"
  [ "$(cat err)" = "$want_err" ] || fail "$what: stderr: $(cat err); want: $want_err"
}

# map: the oracle is a run without the option.
mp map collatz "${items[@]}" >want
expect "map, already past" 138 \
  "mpimap: stopped by --walltime-margin 1h: 0 of $n items done, kept in journal; --resume runs the other $n" \
  env SLURM_JOB_END_TIME="$now" mpirun -q -n "$np" "$mpimap" map collatz --journal journal \
  --walltime-margin 1h "${items[@]}"
[ "$(wc -l <journal)" = 1 ] || fail "map: the journal holds results: $(cat journal)"
expect "map, resumed" 0 "" mp map collatz --journal journal --resume "${items[@]}"
cmp -s want out || fail "map: the resumed run printed $(cat out), want $(cat want)"
expect "map, far end" 0 "" env SLURM_JOB_END_TIME="$far" mpirun -q -n "$np" "$mpimap" \
  map collatz --walltime-margin 5m "${items[@]}"
cmp -s want out || fail "map, far end: printed $(cat out)"
expect "map, not in Slurm" 0 "" mp map collatz --walltime-margin 5m "${items[@]}"
cmp -s want out || fail "map, not in Slurm: printed $(cat out)"
expect "map, no journal" 138 \
  "mpimap: stopped by --walltime-margin 90s before the map ended; nothing is kept (--journal mpimap-4242.journal keeps every finished result)" \
  env SLURM_JOB_ID=4242 SLURM_JOB_END_TIME="$now" mpirun -q -n "$np" "$mpimap" map collatz \
  --walltime-margin 90s "${items[@]}"
expect "map, bad end time" 2 "mpimap: SLURM_JOB_END_TIME=soon: expected seconds since the epoch" \
  env SLURM_JOB_END_TIME=soon mpirun -q -n "$np" "$mpimap" map collatz --walltime-margin 1m 1 2
expect "map, bad margin" 2 "mpimap: --walltime-margin 5x: expected seconds, or units as 1d2h3m4.5s" \
  mp map collatz --walltime-margin 5x 1 2

# run: the oracle is the items themselves, one line each (in any order).
printf '%s\n' "${items[@]}" | sort >want_run
expect "run, already past" 138 \
  "mpimap: stopped by --walltime-margin 10m: 0 tasks done, 0 killed, $n not started; --resume with this joblog runs the $n not done" \
  env SLURM_JOB_END_TIME="$now" mpirun -q -n "$np" "$mpimap" run --joblog joblog \
  --walltime-margin 10m -- echo ::: "${items[@]}"
[ -s out ] && fail "run: tasks printed $(cat out)"
[ "$(wc -l <joblog)" = 1 ] || fail "run: the joblog holds tasks: $(cat joblog)"
expect "run, resumed" 0 "" mp run --joblog joblog --resume -- echo ::: "${items[@]}"
sort out | cmp -s want_run - || fail "run: the resumed run printed $(cat out)"
[ "$(wc -l <joblog)" = $((n + 1)) ] || fail "run: the joblog has $(wc -l <joblog) lines"
expect "run, far end" 0 "" env SLURM_JOB_END_TIME="$far" mpirun -q -n "$np" "$mpimap" run \
  --walltime-margin 1h -- echo ::: "${items[@]}"
sort out | cmp -s want_run - || fail "run, far end: printed $(cat out)"
expect "run, no joblog" 138 \
  "mpimap: stopped by --walltime-margin 2m: 0 tasks done, 0 killed, $n not started; nothing is logged (--joblog mpimap-4242.joblog keeps what finished, for --resume)" \
  env SLURM_JOB_ID=4242 SLURM_JOB_END_TIME="$now" mpirun -q -n "$np" "$mpimap" run \
  --walltime-margin 2m -- echo ::: "${items[@]}"
expect "run, bad end time" 2 "mpimap: SLURM_JOB_END_TIME=-3: expected seconds since the epoch" \
  env SLURM_JOB_END_TIME=-3 mpirun -q -n "$np" "$mpimap" run --walltime-margin 1m -- echo ::: 1
echo "ok: np $np"
