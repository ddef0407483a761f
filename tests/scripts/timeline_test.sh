#!/usr/bin/env bash
# scripts/timeline on a small map's trace and a small run's:
#   timeline_test.sh MPIMAP TIMELINE
# Skipped (exit 77, with the reason) when matplotlib is not installed.
set -u
mpimap=$1 timeline=$2
# The timeline's own interpreter (Debian's: where python3-matplotlib goes).
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "skipped: matplotlib is not installed (scripts/setup --plots installs python3-matplotlib)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok=1
mpirun -q -n 3 "$mpimap" map square $(seq 1 60) --chunksize 5 --trace "$tmp/t.json" >/dev/null ||
  { echo "mpimap map --trace failed"; exit 1; }
"$timeline" "$tmp/t.json" -o "$tmp/t.png" --title "60 squares" || { echo "timeline failed"; ok=0; }
mpirun -q -n 2 "$mpimap" run -j 2 --trace "$tmp/r.json" 'test {} != 3' ::: 1 2 3 4 5 6 >/dev/null
[ $? = 1 ] || { echo "mpimap run --trace: want exit status 1 (one job fails)"; exit 1; }
"$timeline" "$tmp/r.json" -o "$tmp/r.png" --title "6 jobs" || { echo "timeline (run) failed"; ok=0; }
# PNGs, and not empty ones.
for png in "$tmp/t.png" "$tmp/r.png"; do
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    { echo "$png: not a PNG"; ok=0; }
  [ "$(stat -c %s "$png")" -gt 5000 ] || { echo "$png: too small"; ok=0; }
done
# Bad input: one line, exit status 2.
echo '{"traceEvents": 3' >"$tmp/bad.json"
"$timeline" "$tmp/bad.json" -o "$tmp/bad.png" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || { echo "bad trace: exit status $rc, want 2"; ok=0; }
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^timeline: cannot read the trace" "$tmp/err" ||
  { echo "bad trace: not one line:"; cat "$tmp/err"; ok=0; }
[ $ok = 1 ] && echo "ok: scripts/timeline"
[ $ok = 1 ]
