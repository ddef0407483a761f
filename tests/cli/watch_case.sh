#!/usr/bin/env bash
# map --stats --stats-json --trace end to end: watch_case.sh MPIMAP NP N ARGS...
# Maps square over 1..N with ARGS, checks the results against Python, the
# stats block's first line on stderr, and both files (check_watch.py).
set -u
mpimap=$1 np=$2 n=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpirun -q -n "$np" "$mpimap" map square $(seq 1 "$n") --stats --stats-json "$tmp/stats.json" \
  --trace "$tmp/trace.json" "$@" >"$tmp/out" 2>"$tmp/err"
rc=$?
ok=1
[ "$rc" = 0 ] || { echo "exit status $rc"; cat "$tmp/err"; ok=0; }
python3 -c "print([x * x for x in range(1, $n + 1)])" >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" || { echo "results differ from Python's"; ok=0; }
head -1 "$tmp/err" | grep -Eq "^mpimap stats: $n items in [0-9.]+ (s|ms|µs) \([0-9.e+]+ items/s\), [a-z]+ schedule$" ||
  { echo "no stats block:"; head -3 "$tmp/err"; ok=0; }
[ "$(wc -l <"$tmp/err")" = $((np + 6)) ] || { echo "stats block of $(wc -l <"$tmp/err") lines"; ok=0; }
python3 "$here/check_watch.py" "$tmp/trace.json" "$tmp/stats.json" "$n" "$np" || ok=0
[ $ok = 1 ] && echo "ok: map --stats --trace (np $np, $*)"
[ $ok = 1 ]
