#!/usr/bin/env bash
# The README lesson's Python programs (src/examples/python/) print what the
# README says they print: python_test.sh PYTHON EXAMPLES_DIR EXPECTED_DIR
# (EXPECTED_DIR: tests/cli/expected, the seed's outputs). Pids and the order
# in which racing processes print vary, so those are checked for their shape.
set -u
python=$1 dir=$2 expected=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok=1
fail() { echo "$*"; ok=0; }

"$python" "$dir/process.py" >"$tmp/q3" && cmp -s "$tmp/q3" "$expected/q3.txt" ||
  fail "process.py does not print the seed's Q-3: $(head -3 "$tmp/q3")"
"$python" "$dir/pool.py" >"$tmp/q5" && cmp -s "$tmp/q5" "$expected/q5.txt" ||
  fail "pool.py does not print the seed's Q-5: $(cat "$tmp/q5")"
# Which process prints first is a race; the four lines are not.
"$python" "$dir/processes.py" >"$tmp/q6" && [ "$(sort "$tmp/q6")" = "$(sort "$expected/q6.txt")" ] ||
  fail "processes.py does not print Number: 1 to 4: $(cat "$tmp/q6")"
[ "$("$python" "$dir/crash.py" 2>&1)" = "the child's exit code: -6; the parent goes on" ] ||
  fail "crash.py: the parent did not go on after the child's SIGABRT"

# The thread shares the main program's pid and counter, the process has its own.
"$python" "$dir/memory.py" >"$tmp/memory" || fail "memory.py failed"
main=$(sed -n 's/^main: pid \([0-9]*\)$/\1/p' "$tmp/memory")
thread=$(sed -n 's/^thread: pid \([0-9]*\), calls = 1$/\1/p' "$tmp/memory")
process=$(sed -n 's/^process: pid \([0-9]*\), calls = 2$/\1/p' "$tmp/memory")
{ [ -n "$main" ] && [ "$thread" = "$main" ] && [ -n "$process" ] && [ "$process" != "$main" ] &&
  [ "$(tail -n 1 "$tmp/memory")" = "main: calls = 1" ] && [ "$(wc -l <"$tmp/memory")" = 4 ]; } ||
  fail "memory.py: not one shared and one private counter:" "$(cat "$tmp/memory")"

[ $ok = 1 ] && echo "ok: the lesson's Python programs"
[ $ok = 1 ]
