#!/usr/bin/env bash
# scripts/diagrams draws the README lesson's two diagrams: diagrams_test.sh DIAGRAMS
# Skipped (exit 77, with the reason) when matplotlib is not installed.
set -u
diagrams=$1
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "skipped: matplotlib is not installed (scripts/setup --plots installs python3-matplotlib)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$diagrams" "$tmp" || { echo "scripts/diagrams failed"; exit 1; }
ok=1
for name in process-timeline scatter-gather; do
  png="$tmp/$name.png"
  [ "$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    { echo "$name.png: not a PNG"; ok=0; continue; }
  [ "$(stat -c %s "$png")" -gt 10000 ] || { echo "$name.png is too small"; ok=0; }
done
[ "$(ls "$tmp" | wc -l)" = 2 ] || { echo "not exactly the two pictures:"; ls "$tmp"; ok=0; }
[ $ok = 1 ] && echo "ok: scripts/diagrams"
[ $ok = 1 ]
