#!/usr/bin/env bash
# One end-to-end case of the mpimap program under mpirun:
#   run_case.sh MPIMAP NP RC STDOUT_FILE STDERR_LINE [STDIN_FILE] -- ARGS...
# Runs `mpirun -q -n NP MPIMAP ARGS...` and checks the exit code, that stdout
# is byte for byte STDOUT_FILE ("-" to skip), and that stderr is exactly the
# one line STDERR_LINE ("" for an empty stderr, "-" to skip, "~REGEX" for one
# line matching the extended regular expression).
set -u
mpimap=$1 np=$2 rc_want=$3 out_want=$4 err_want=$5
shift 5
stdin=/dev/null
if [ "$1" != "--" ]; then stdin=$1; shift; fi
shift  # --
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpirun -q -n "$np" "$mpimap" "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err"
rc=$?
ok=1
if [ "$rc" != "$rc_want" ]; then echo "exit code $rc, want $rc_want"; ok=0; fi
if [ "$out_want" != - ] && ! cmp -s "$tmp/out" "$out_want"; then
  echo "stdout differs from $out_want:"; diff "$out_want" "$tmp/out" | head -20; ok=0
fi
if [ "$err_want" != - ]; then
  if [ -z "$err_want" ]; then
    [ -s "$tmp/err" ] && { echo "stderr not empty:"; head -5 "$tmp/err"; ok=0; }
  elif [ "$(wc -l <"$tmp/err")" != 1 ] ||
    { [ "${err_want:0:1}" = "~" ] && ! grep -Eq "${err_want:1}" "$tmp/err"; } ||
    { [ "${err_want:0:1}" != "~" ] && [ "$(cat "$tmp/err")" != "$err_want" ]; }; then
    echo "stderr is not the one line: $err_want"; echo "got:"; head -5 "$tmp/err"; ok=0
  fi
fi
[ $ok = 1 ] && echo "ok: mpimap $* (np $np)"
[ $ok = 1 ]
