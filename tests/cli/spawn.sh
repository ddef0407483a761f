#!/usr/bin/env bash
# `mpimap -n K ...` started without mpirun against `mpirun -n K mpimap ...`:
# the same stdout byte for byte, the same stderr and the same exit code.
#   spawn.sh MPIMAP compare K   every case at K processes
#   spawn.sh MPIMAP usage       bad -n values, -n under mpirun: one line, exit 2
#   spawn.sh MPIMAP crash       a spawned process that dies ends the job (exit 4)
# Exits 77 (ctest's SKIP_RETURN_CODE) with the reason when this machine
# cannot spawn at all.
set -u
mpimap=$1 what=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Can this environment spawn? (A container without /proc, an MPI without
# dynamic processes.) Say why and skip, never pass.
if ! timeout 60 "$mpimap" -n 2 map square 3 >"$tmp/probe" 2>&1 ||
  [ "$(cat "$tmp/probe")" != "[9]" ]; then
  echo "SKIP: mpimap -n 2 cannot start processes here:"; head -5 "$tmp/probe"
  exit 77
fi

# compare_case K STDIN ARGS...: both ways, everything compared.
compare_case() {
  local k=$1 stdin=$2
  shift 2
  mpirun -q -n "$k" "$mpimap" "$@" <"$stdin" >"$tmp/want.out" 2>"$tmp/want.err"
  local want=$?
  timeout 120 "$mpimap" -n "$k" "$@" <"$stdin" >"$tmp/got.out" 2>"$tmp/got.err"
  local got=$?
  if [ "$got" != "$want" ]; then fail "-n $k $*: exit code $got, mpirun gave $want"; fi
  if ! cmp -s "$tmp/want.out" "$tmp/got.out"; then
    fail "-n $k $*: stdout differs from mpirun's:"; diff "$tmp/want.out" "$tmp/got.out" | head -10
  fi
  # Error lines name ranks and hosts, which may differ: compare their shape.
  sed -E 's/rank [0-9]+@[^: ]+/rank R@H/g' "$tmp/want.err" >"$tmp/want.err.n"
  sed -E 's/rank [0-9]+@[^: ]+/rank R@H/g' "$tmp/got.err" >"$tmp/got.err.n"
  if ! cmp -s "$tmp/want.err.n" "$tmp/got.err.n"; then
    fail "-n $k $*: stderr differs from mpirun's:"; diff "$tmp/want.err.n" "$tmp/got.err.n" | head -10
  fi
  [ "$got" = "$want" ] && echo "ok: -n $k $* (exit $got)"
}

# usage_case RC LINE_REGEX ARGS...: exactly one line on stderr, exit RC.
usage_case() {
  local rc_want=$1 line=$2
  shift 2
  timeout 60 "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" != "$rc_want" ]; then fail "$*: exit code $rc, want $rc_want"; fi
  if [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -Eq "$line" "$tmp/err"; then
    fail "$*: stderr is not one line matching $line:"; head -5 "$tmp/err"
  fi
  if [ -s "$tmp/out" ]; then fail "$*: stdout not empty"; fi
  echo "ok: $* (exit $rc)"
}

case $what in
compare)
  k=$3
  seq 1 40 >"$tmp/items"
  # At every K: each schedule, a failing item, process, run -k.
  for schedule in dynamic static guided; do
    compare_case "$k" /dev/null map square --schedule "$schedule" 1 2 3 4 5 6 7
  done
  compare_case "$k" /dev/null map square 1 3037000500 4         # a failing item: 1
  compare_case "$k" /dev/null process print_numbers 10
  compare_case "$k" /dev/null run -k -- 'echo job {}; echo err {} >&2' ::: a b c d e f
  [ "$k" = 3 ] || { [ "$fails" = 0 ]; exit; }
  # At one K (each costs two starts): printing tasks, stdin, bad input, more.
  for schedule in dynamic static guided; do
    compare_case "$k" /dev/null map print_number --schedule "$schedule" 1 2 3 4
  done
  compare_case "$k" /dev/null map square --schedule guided --chunksize 1 1 2 3 4 5
  compare_case "$k" "$tmp/items" map square -a -  # stdin reaches rank 0 whole
  compare_case "$k" /dev/null map square 1 x 3                  # bad input: 2
  compare_case "$k" /dev/null map square --schedule bogus 1     # bad usage: 2
  compare_case "$k" /dev/null process collatz 0                  # a failing process: 1
  compare_case "$k" "$tmp/items" run -k -- 'echo {}' # items from stdin
  compare_case "$k" /dev/null run -k -- 'exit {}' ::: 0 1 0 2  # GNU parallel's status: 2
  compare_case "$k" /dev/null demo
  ;;
usage)
  usage_case 2 '^mpimap: -n: expected a number of processes from 1 to [0-9]+, or .auto., got .0.$' \
    "$mpimap" -n 0 map square 1
  usage_case 2 "^mpimap: -n: expected .*, got 'x'$" "$mpimap" -n x map square 1
  usage_case 2 "^mpimap: -n: expected .*, got '-2'$" "$mpimap" --processes=-2 map square 1
  usage_case 2 "^mpimap: -n: expected .*, got '99999999999'$" "$mpimap" -n99999999999 map square 1
  usage_case 2 '^mpimap: --processes: .*missing' "$mpimap" -n
  usage_case 2 '^mpimap: -n 2: a launcher \(mpirun or srun\) started this program with 2 process' \
    mpirun -q -n 2 "$mpimap" -n 2 map square 1
  usage_case 2 '^mpimap: -n 3: a launcher \(mpirun or srun\) started this program with 1 process' \
    mpirun -q -n 1 "$mpimap" -n 3 map square 1
  # A failing item is named once, from rank 0, and the status is 1, as under mpirun.
  usage_case 1 '^mpimap: item 2 \("3037000500"\) failed on rank [0-9]+@' \
    "$mpimap" -n 3 map square 1 3037000500 4
  # auto: one process per core available; the output is the same.
  timeout 120 "$mpimap" -n auto map square 1 2 3 >"$tmp/out" 2>"$tmp/err"
  if [ $? != 0 ] || [ "$(cat "$tmp/out")" != "[1, 4, 9]" ] || [ -s "$tmp/err" ]; then
    fail "-n auto map square 1 2 3"; cat "$tmp/out" "$tmp/err"
  else echo "ok: -n auto"; fi
  ;;
crash)
  # Items 0 on the other ranks and 11 (SIGSEGV) somewhere: without --isolate
  # the process dies with the task. Rank 0 must notice, say so and end the
  # job (timeout: a hang fails).
  # With the static schedule item 5 of 10 is rank 1's (a spawned process):
  # rank 0's watch ends the job with its line and exit 4. With the dynamic one
  # rank 0 may run it itself and die of it (139), as under mpirun.
  for schedule in static dynamic; do
    timeout 120 "$mpimap" -n 3 map crash --schedule "$schedule" 0 0 0 0 0 11 0 0 0 0 \
      >"$tmp/out" 2>"$tmp/err"
    rc=$?
    watch_line='^mpimap: rank [12] \(pid [0-9]+\) died; ending the 3 processes started without mpirun$'
    if [ "$rc" = 124 ]; then fail "crash ($schedule): hung"
    elif [ "$schedule" = static ] && { [ "$rc" != 4 ] || ! grep -Eq "$watch_line" "$tmp/err"; }; then
      fail "crash (static): exit code $rc (want 4), or no line from rank 0's watch:"; cat "$tmp/err"
    elif [ "$rc" = 0 ] || ! grep -Eq "$watch_line|^mpimap: rank 0@[^ ]+ died running item 5 \(0-based\) of a map: SIGSEGV" "$tmp/err"; then
      fail "crash ($schedule): exit code $rc, or no line saying which process died:"; cat "$tmp/err"
    else echo "ok: crash ($schedule), exit $rc"; fi
  done
  # A spawned process that calls exit(3) in the middle of a map.
  timeout 120 "$mpimap" -n 2 map crash --schedule static 0 -3 >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" != 4 ]; then fail "exit(3) in a spawned process: exit code $rc (want 4)"
  else echo "ok: exit(3) in a spawned process, exit $rc"; fi
  ;;
esac
[ "$fails" = 0 ]
