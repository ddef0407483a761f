#!/usr/bin/env bash
# expect_job_fails.sh STATUS REGEX COMMAND...: runs COMMAND and passes when it
# exits with STATUS and its stderr is exactly one line, matching the extended
# REGEX (what a job that mpimap ends on purpose must leave behind).
set -u
want=$1 regex=$2
shift 2
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" 2>"$err"
rc=$?
ok=1
[ "$rc" = "$want" ] || { echo "exit status $rc, want $want"; ok=0; }
if [ "$(wc -l <"$err")" != 1 ] || ! grep -Eq -- "$regex" "$err"; then
  echo "stderr is not one line matching: $regex"
  ok=0
fi
echo "stderr:"; cat "$err"
[ $ok = 1 ]
