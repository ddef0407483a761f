#!/usr/bin/env bash
# Kills `mpimap map --journal` at seeded points and checks that --resume
# prints exactly what an uninterrupted run prints, with every item in the
# journal once. Each scenario kills one process with SIGKILL once the journal
# holds K records (K drawn from the seed): `mpirun` itself, rank 0, or a
# worker rank.
#   journal_kill.sh MPIMAP NP SCENARIO KILLS SEED     (SCENARIO: mpirun | rank0 | worker)
# On a failure it prints the seed and the kill point, to replay it.
set -euo pipefail
mpimap=$1 np=$2 scenario=$3 kills=$4 seed=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
RANDOM=$seed
n=30
items=()
for ((i = 1; i <= n; i++)); do items+=("$((i % 4 + 1))"); done  # 1-4 ms each
fail() {
  echo "FAILED ($scenario, np $np, seed $seed, kill after $k records): $*"
  exit 1
}
run() { mpirun -q -n "$np" "$mpimap" map "$@"; }

# The rank's process: mpirun's child whose environment says it is that rank.
rank_pid() {
  local want=$1 pid
  for pid in $(pgrep -P "$job" || true); do
    if { tr "\0" "\n" <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$want"; then
      echo "$pid"
      return
    fi
  done
}

for function in sleep_ms print_number; do
  run "$function" --chunksize 1 "${items[@]}" >want
  for ((t = 0; t < kills; t++)); do
    k=$((RANDOM % (n + 1)))
    rm -f journal
    mpirun -q -n "$np" "$mpimap" map "$function" --chunksize 1 --journal journal "${items[@]}" \
      >killed 2>/dev/null &
    job=$!  # mpirun's pid: the ranks are its children
    # Wait for k records (the header is line 1), or for the map to end.
    while kill -0 "$job" 2>/dev/null && [ "$(cat journal 2>/dev/null | wc -l)" -le "$k" ]; do
      sleep 0.005
    done
    case "$scenario" in
      mpirun) victim=$job ;;
      rank0) victim=$(rank_pid 0) ;;
      worker) victim=$(rank_pid $((1 + RANDOM % (np - 1)))) ;;
      *) echo "journal_kill.sh: unknown scenario $scenario" >&2; exit 2 ;;
    esac
    # No such process: the map ended first (its ranks gone while mpirun
    # winds up), which the resume below checks like any other point.
    [ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null || true
    # The job must end soon after the kill, never hang.
    for ((w = 0; w < 1500 && $(kill -0 "$job" 2>/dev/null && echo 1 || echo 0); w++)); do
      sleep 0.01
    done
    kill -0 "$job" 2>/dev/null && fail "the job did not end within 15 s of the kill"
    wait "$job" 2>/dev/null || true
    pkill -KILL -f "$mpimap map $function --chunksize 1 --journal" 2>/dev/null || true
    run "$function" --chunksize 1 --journal journal --resume "${items[@]}" >resumed ||
      fail "the resumed run failed"
    cmp -s want resumed || fail "the resumed run printed other output: $(diff want resumed | head -5)"
    records=$(tail -n +2 journal | grep -o '^{"i":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
    [ "$records" = "$(seq -s ' ' 0 $((n - 1))) " ] || fail "journal items: $records"
  done
done
echo "ok: $scenario, np $np, $kills kill points per function, seed $seed"
