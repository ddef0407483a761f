#!/usr/bin/env bash
# A graceful stop of `mpimap map --journal`: a stop signal once the journal
# holds K records (K drawn from the seed) ends the map with one line on
# stderr naming the signal and the count the journal holds, exit status
# 128 + signal, and --resume then prints exactly what an uninterrupted run
# prints. Scenarios: SIGUSR1 to mpirun (forwarded to every rank), SIGTERM to
# every rank (as srun and scancel --signal=TERM send it), and without a
# journal (the line says nothing is kept).
#   map_stop.sh MPIMAP NP STOPS SEED
set -euo pipefail
mpimap=$1 np=$2 stops=$3 seed=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
unset SLURM_JOB_ID  # the line suggests a file by its job id
RANDOM=$seed
n=40
items=()
for ((i = 1; i <= n; i++)); do items+=("$((i % 3 * 10 + 10))"); done  # 10-30 ms each
fail() {
  echo "FAILED ($scenario, np $np, seed $seed, stop after $k records): $*"
  exit 1
}
mpirun -q -n "$np" "$mpimap" map sleep_ms --chunksize 1 "${items[@]}" >want

# Whether every rank (mpirun's children) catches SIGTERM by now.
all_catch_term() {
  local pid mask any=0
  for pid in $(pgrep -P "$job" || true); do
    mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || return 1
    [ -n "$mask" ] && (((0x$mask >> 14) & 1)) || return 1
    any=1
  done
  [ "$any" = 1 ]
}

for scenario in usr1-to-mpirun term-to-ranks no-journal; do
  for ((t = 0; t < stops; t++)); do
    k=$((1 + RANDOM % (n / 2)))
    rm -f journal
    journal=(--journal journal)
    [ "$scenario" = no-journal ] && journal=()
    mpirun -q -n "$np" "$mpimap" map sleep_ms --chunksize 1 "${journal[@]}" "${items[@]}" \
      >stopped 2>err &
    job=$!
    if [ "$scenario" = no-journal ]; then
      # Stopped as soon as the ranks can take it: long before the map ends.
      until all_catch_term || ! kill -0 "$job" 2>/dev/null; do sleep 0.005; done
    else
      while kill -0 "$job" 2>/dev/null && [ "$(cat journal 2>/dev/null | wc -l)" -le "$k" ]; do
        sleep 0.005
      done
    fi
    case "$scenario" in
      usr1-to-mpirun) kill -USR1 "$job"; signal=USR1 code=138 ;;
      *) pkill -TERM -P "$job" || true; signal=TERM code=143 ;;
    esac
    status=0
    wait "$job" || status=$?
    [ "$status" = "$code" ] || fail "exit status $status, expected $code; stderr: $(cat err)"
    if [ "$scenario" = no-journal ]; then
      want_line="mpimap: stopped by SIG$signal before the map ended; nothing is kept (--journal FILE keeps every finished result)"
      [ "$(cat err)" = "$want_line" ] || fail "stderr: $(cat err)"
      continue
    fi
    kept=$(($(wc -l <journal) - 1))
    [ "$kept" -ge "$k" ] && [ "$kept" -lt "$n" ] || fail "$kept records kept"
    want_line="mpimap: stopped by SIG$signal: $kept of $n items done, kept in journal; --resume runs the other $((n - kept))"
    [ "$(cat err)" = "$want_line" ] || fail "stderr: $(cat err)"
    mpirun -q -n "$np" "$mpimap" map sleep_ms --chunksize 1 --journal journal --resume \
      "${items[@]}" >resumed || fail "the resumed run failed"
    cmp -s want resumed || fail "the resumed run printed other output: $(diff want resumed | head -5)"
  done
done
echo "ok: np $np, $stops stops per scenario, seed $seed"
