#!/usr/bin/env bash
# A host dies mid-run: on 3 simulated hosts x 2 slots, every process on HOST
# (its Open MPI daemon, its ranks, their tasks) is SIGKILLed once the log
# holds 10 records. The job must end within 10 s, and --resume (on the same
# 3 hosts) must complete it with nothing missing or repeated.
#   kill_host.sh MPIMAP MODE HOST     MODE: run (--joblog) | map (--journal)
# run: each task appends its item to a file, so every execution is seen: the
# resume runs exactly the items the joblog lacks, each once, and the joblog
# then holds Seq 1..N once each. map: the resumed output is byte for byte the
# uninterrupted 1-host output, the journal holds every item once.
set -euo pipefail
source "$(dirname "$0")/cluster_lib.sh" "$1" 3 2
mode=$2 host=$3
n=60
three() { timeout 60 "$SIM" -q -n 6 "$MPIMAP" "$@"; }
lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
case "$mode" in
  run) log=joblog start=(run -j 2 --joblog joblog)
    mapfile -t items < <(printf "%s\n" -- "sleep 0.1; echo {} >>$WORK/ran; echo {}" ::: $(seq 1 $n)) ;;
  map) log=journal start=(map sleep_ms --chunksize 1 --journal journal)
    mapfile -t items < <(for ((i = 1; i <= n; i++)); do echo $((100 + i % 7)); done) ;;
  *) echo "kill_host.sh: unknown mode $mode" >&2; exit 2 ;;
esac

three "${start[@]}" "${items[@]}" >killed 2>killed.err &
job=$!
for ((w = 0; w < 3000 && $(lines $log) <= 10; w++)); do sleep 0.01; done
[ "$(lines $log)" -gt 10 ] || fail "the log never reached 10 records"
"$CLUSTER_SIM" kill "$host"
for ((w = 0; w < 1000 && $(kill -0 $job 2>/dev/null && echo 1 || echo 0); w++)); do sleep 0.01; done
kill -0 $job 2>/dev/null && fail "the job did not end within 10 s of $host's death"
wait $job && fail "the job exited 0 although $host died" || true
# Tasks orphaned on the live hosts finish their sleep 0.1 (their command
# lines hold $WORK): wait for them, so that none writes after this point.
for ((w = 0; w < 1000 && $(pgrep -f "$WORK/ran" >/dev/null && echo 1 || echo 0); w++)); do sleep 0.01; done
if [ "$mode" = run ]; then
  # The Seqs the killed run logged (a torn last line not counted, as --resume
  # does not count it), and what it ran; then what the resume must run.
  tail -n +2 joblog | { if [ -n "$(tail -c1 joblog)" ]; then sed '$d'; else cat; fi; } |
    cut -f1 | sort -n >logged
  mv ran ran.killed
  comm -23 <(seq 1 $n | sort) <(sort logged) | sort -n >rest
fi
three "${start[@]}" --resume "${items[@]}" >resumed 2>resumed.err || fail "the resume failed: $(head -3 resumed.err)"

if [ "$mode" = run ]; then
  [ -z "$(comm -23 <(sort logged) <(sort -u ran.killed))" ] || fail "logged items the killed run never ran"
  cmp -s rest <(sort -n ran) || fail "the resume ran other items than the unlogged ones: $(diff rest <(sort -n ran) | head -5)"
  cmp -s rest <(sort -n resumed) || fail "the resume printed other items than the unlogged ones"
  seqs=$(tail -n +2 joblog | cut -f1 | sort -n | tr '\n' ' ')
  [ "$seqs" = "$(seq -s ' ' 1 $n) " ] || fail "joblog Seqs after the resume: $seqs"
else
  timeout 60 mpirun -q -n 6 "$MPIMAP" map sleep_ms "${items[@]}" >want
  cmp -s want resumed || fail "the resumed map printed other output: $(diff want resumed | head -5)"
  got=$(tail -n +2 journal | grep -o '^{"i":[0-9]*' | cut -d: -f2 | sort -n | tr '\n' ' ')
  [ "$got" = "$(seq -s ' ' 0 $((n - 1))) " ] || fail "journal items after the resume: $got"
fi
finish
