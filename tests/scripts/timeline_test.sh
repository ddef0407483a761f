#!/usr/bin/env bash
# scripts/timeline on a small trace: timeline_test.sh MPIMAP TIMELINE
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
# A PNG, and not an empty one.
[ "$(head -c 8 "$tmp/t.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  { echo "not a PNG"; ok=0; }
[ "$(stat -c %s "$tmp/t.png")" -gt 5000 ] || { echo "the PNG is too small"; ok=0; }
# Bad input: one line, exit status 2.
echo '{"traceEvents": 3' >"$tmp/bad.json"
"$timeline" "$tmp/bad.json" -o "$tmp/bad.png" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || { echo "bad trace: exit status $rc, want 2"; ok=0; }
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^timeline: cannot read the trace" "$tmp/err" ||
  { echo "bad trace: not one line:"; cat "$tmp/err"; ok=0; }
[ $ok = 1 ] && echo "ok: scripts/timeline"
[ $ok = 1 ]
