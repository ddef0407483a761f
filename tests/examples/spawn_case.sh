#!/usr/bin/env bash
# An example that spawns its processes, run without mpirun:
#   spawn_case.sh EXAMPLE N EXPECTED_LINE
# Checks exit code 0, stdout the one EXPECTED_LINE, stderr empty. Exits 77
# (skipped) with the reason when MPI_Comm_spawn cannot start processes here.
set -u
exe=$1 n=$2 want=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout 120 "$exe" "$n" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" != 0 ] && grep -q "MPI_Comm_spawn failed" "$tmp/err"; then
  echo "SKIP: $exe cannot spawn here:"; head -5 "$tmp/err"; exit 77
fi
ok=1
[ "$rc" = 0 ] || { echo "exit code $rc (124: hung)"; ok=0; }
[ "$(cat "$tmp/out")" = "$want" ] || { echo "stdout: $(cat "$tmp/out")"; echo "want:   $want"; ok=0; }
[ -s "$tmp/err" ] && { echo "stderr not empty:"; head -5 "$tmp/err"; ok=0; }
[ $ok = 1 ] && echo "ok: $exe $n: $want"
[ $ok = 1 ]
