#!/usr/bin/env bash
# On 3 simulated hosts x 2 slots, where each worker host's clock offset is
# measured (ping-pongs) rather than known to be 0: map --trace and
# run --trace write what the one-host tests check (tests/cli/check_watch.py,
# tests/farm/check_run_watch.py), and the tracks name all three hosts.
#   trace.sh MPIMAP
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$(dirname "$0")/cluster_lib.sh" "$1" 3 2

three() { timeout 60 "$SIM" -q -n 6 "$MPIMAP" "$@"; }
tracks_hosts() {
  python3 -c 'import json, re, sys
names = [e["args"]["name"] for e in json.load(open(sys.argv[1]))["traceEvents"]
         if e["ph"] == "M" and e["name"] == "thread_name"]
print(" ".join(sorted({re.match(r"rank \d+@(\S+)", n)[1] for n in names})))' "$1"
}

three map square $(seq 1 120) --schedule dynamic --chunksize 3 --trace map.json \
  --stats-json map-stats.json >/dev/null || fail "map --trace: exit status $?"
python3 "$here/cli/check_watch.py" map.json map-stats.json 120 6 || fail "map's trace"
[ "$(tracks_hosts map.json)" = "node1 node2 node3" ] || fail "map's tracks: $(tracks_hosts map.json)"

rc=0
three run -j 2 --trace run.json --stats-json run-stats.json \
  'echo {}; test $(( {} % 5 )) -ne 0 # "q" \b' ::: $(seq 1 30) >/dev/null || rc=$?
[ "$rc" = 6 ] || fail "run --trace: exit status $rc, want 6"
python3 "$here/farm/check_run_watch.py" run.json run-stats.json 30 6 2 5 || fail "run's trace"
[ "$(tracks_hosts run.json)" = "node1 node2 node3" ] || fail "run's tracks: $(tracks_hosts run.json)"
finish
