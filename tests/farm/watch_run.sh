#!/usr/bin/env bash
# run --stats --stats-json --trace end to end:
#   watch_run.sh MPIMAP NP MPIRUN [MPIRUN-ARGS...]
# Runs `echo {}; test $(( {} % 5 )) -ne 0 # "q" \b` over 1..30 with -j 2
# (every fifth job fails; the comment is for the trace's JSON escapes), checks the exit status (the failures), the output against a
# serial loop, the stats block on stderr, and both files (check_run_watch.py).
set -u
mpimap=$1 np=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=30 every=5 slots=2
"$@" "$mpimap" run -j $slots -k --stats --stats-json "$tmp/stats.json" --trace "$tmp/trace.json" \
  'echo {}; test $(( {} % '$every' )) -ne 0 # "q" \b' ::: $(seq 1 $n) >"$tmp/out" 2>"$tmp/err"
rc=$?
ok=1
[ "$rc" = $((n / every)) ] || { echo "exit status $rc, want $((n / every))"; cat "$tmp/err"; ok=0; }
seq 1 $n >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" || { echo "output differs from seq 1 $n"; ok=0; }
grep -Eq "^mpimap stats: $n jobs in [0-9.]+ (s|ms|µs) \([0-9.e+]+ jobs/s\), $np ranks, $((np * slots)) slots$" \
  "$tmp/err" || { echo "no stats block:"; head -3 "$tmp/err"; ok=0; }
grep -Eq "^  rank 0: dispatching [0-9.]+ (s|ms|µs), waiting [0-9.]+ (s|ms|µs)$" "$tmp/err" ||
  { echo "no rank 0 line"; ok=0; }
python3 "$here/check_run_watch.py" "$tmp/trace.json" "$tmp/stats.json" $n "$np" $slots $every ||
  ok=0
# A file that cannot be written: a usage error before anything runs.
"$@" "$mpimap" run --trace /nonexistent/t.json echo ::: 1 >"$tmp/out2" 2>"$tmp/err2"
rc=$?
[ "$rc" = 2 ] && [ ! -s "$tmp/out2" ] && [ "$(wc -l <"$tmp/err2")" = 1 ] &&
  grep -q "^mpimap: cannot write /nonexistent/t.json: No such file or directory$" "$tmp/err2" ||
  { echo "unwritable trace: exit $rc,"; cat "$tmp/err2"; ok=0; }
[ $ok = 1 ] && echo "ok: run --stats --trace (np $np)"
[ $ok = 1 ]
