#!/usr/bin/env bash
# End-to-end tests of `mpimap run` under mpirun.
#   run_tests.sh MPIMAP GROUP NP MPIRUN [MPIRUN-ARGS...]
# GROUP: basic | faults | stop | all. NP: the rank count the MPIRUN command uses.
# Every case runs the real program; outputs are compared with what they must
# be, and with GNU parallel's own output where `parallel` is installed.
# No timing assertions: a case that hangs is caught by ctest's TIMEOUT.
set -uo pipefail

MPIMAP=$1 GROUP=$2 NP=$3
shift 3
MPIRUN=("$@")
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-run-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

FAILS=0 CASES=0 CURRENT=""
HAVE_PARALLEL=0
command -v parallel >/dev/null 2>&1 && HAVE_PARALLEL=1

mr() {
  local t0=$EPOCHREALTIME rc
  "${MPIRUN[@]}" "$MPIMAP" run "$@"
  rc=$?
  [ -n "${TRACE:-}" ] && echo "mr $(bc <<<"$EPOCHREALTIME - $t0") $*" >>"$TRACE"
  return $rc
}
gp() { parallel --will-cite "$@"; }

fail() {
  echo "FAIL [$CURRENT np=$NP]: $*" >&2
  FAILS=$((FAILS + 1))
}
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" != "$3" ]; then
    fail "$1"
    diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -20 >&2
  fi
}
expect_file_eq() {  # WHAT FILE1 FILE2 (byte for byte)
  if ! cmp -s "$2" "$3"; then
    fail "$1"
    diff "$2" "$3" | head -20 >&2
  fi
}
case_() {
  CURRENT=$1
  CASES=$((CASES + 1))
}
# Cases that do not depend on the rank count run at one of them only, to keep
# the suite short: true at NP=2 (or when ONCE_NP says otherwise).
once() { [ "$NP" = "${ONCE_NP:-2}" ]; }
# Comparisons with GNU parallel: where it is installed, once.
gnu() { [ $HAVE_PARALLEL = 1 ] && once; }
# The joblog's records (header dropped) sorted by Seq.
records() { tail -n +2 "$1" | sort -n -k1,1; }
# Column N (1-based) of the records, one per line, sorted by Seq.
column() { records "$1" | cut -f"$2"; }

# ---------------------------------------------------------------------------
basic_cases() {
  case_ replacement-strings
  local items=(a.tar.gz /x/y.d/z .bashrc dir/ / foo a/b. 'sp ace/q"uo.te' '' 'x/y/')
  mr -k -- echo '{} + {.} + {/} + {//} + {/.} + {#}' ::: "${items[@]}" >out 2>err
  expect_eq "replacement strings: exit" 0 $?
  cat >expected <<'EOF'
a.tar.gz + a.tar + a.tar.gz + . + a.tar + 1
/x/y.d/z + /x/y.d/z + z + /x/y.d + z + 2
.bashrc +  + .bashrc + . +  + 3
dir/ + dir/ +  + . +  + 4
/ + / +  + / +  + 5
foo + foo + foo + . + foo + 6
a/b. + a/b + b. + a + b + 7
sp ace/q"uo.te + sp ace/q"uo + q"uo.te + sp ace + q"uo + 8
 +  +  + . +  + 9
x/y/ + x/y/ +  + x +  + 10
EOF
  expect_file_eq "replacement strings" expected out
  if gnu; then
    gp -k echo '{} + {.} + {/} + {//} + {/.} + {#}' ::: "${items[@]}" >gnu
    expect_file_eq "replacement strings vs GNU parallel -k" gnu out
  fi

  case_ slot-numbers
  mr -j2 -- 'echo {%} $MPIMAP_SLOT $MPIMAP_RANK' ::: $(seq 1 $((NP * 4))) >out
  local bad
  bad=$(awk -v np="$NP" '$1 != $2 || $1 < 1 || $1 > 2 * np || int(($1 - 1) / 2) != $3' out)
  expect_eq "{%} is rank*2+slot+1 (equal -j), 1-based, = MPIMAP_SLOT" "" "$bad"
  expect_eq "slot numbers: one line per item" $((NP * 4)) "$(wc -l <out)"

  # Two CPUs this process may use (the first two), for the next case.
  local cpus
  cpus=$(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0))[:2])' 2>/dev/null)
  if once && [ "$(wc -w <<<"$cpus")" = 2 ] && command -v taskset >/dev/null; then
    case_ slot-numbers-unequal-j
    # -j 100% where rank 0 may use 1 core and rank 1 two (as on two hosts of
    # different sizes): rank 0 has slot 1, rank 1 slots 2 and 3.
    local wrap="if [ \"\${OMPI_COMM_WORLD_RANK:-\$PMIX_RANK}\" = 0 ]; then
      exec taskset -c ${cpus%% *} \"\$0\" \"\$@\"; fi
      exec taskset -c ${cpus// /,} \"\$0\" \"\$@\""
    "${MPIRUN[@]}" bash -c "$wrap" "$MPIMAP" run -j 100% -- \
      'echo {%} $MPIMAP_RANK; sleep 0.2' ::: $(seq 1 12) >out 2>err
    expect_eq "unequal -j: exit" 0 $?
    expect_eq "unequal -j: {%} 1 on rank 0, {%} 2 and 3 on rank 1" $'1 0\n2 1\n3 1' \
      "$(sort -u out)"
    expect_eq "unequal -j: one line per item" 12 "$(wc -l <out)"
  fi

  if once; then
    case_ item-appended
    mr -k -- echo x ::: a 'b c' >out
    expect_eq "without replacement string the item is the last argument" $'x a\nx b c' "$(cat out)"
    mr -k -- echo '{#}' ::: a b >out
    expect_eq "{#} alone: the item is not appended (GNU parallel)" $'1\n2' "$(cat out)"
  fi

  case_ environment
  mr -k -- 'echo $MPIMAP_SEQ $MPIMAP_ATTEMPT $MPIMAP_RANK $MPIMAP_HOST' ::: a b c >out
  expect_eq "MPIMAP_SEQ and MPIMAP_ATTEMPT" $'1 1\n2 1\n3 1' "$(cut -d' ' -f1,2 out)"
  bad=$(awk -v np="$NP" '$3 < 0 || $3 >= np || $4 == ""' out)
  expect_eq "MPIMAP_RANK in 0..np-1, MPIMAP_HOST set" "" "$bad"

  if once; then
    case_ hostile-items
    printf '%s\0' "a'b" 'x $(touch INJ1) `touch INJ2`; touch INJ3' '*' $'new\nline' '$HOME' \
      'back\slash' '"dq"' '&& touch INJ4 ||' '|touch INJ5' '>INJ6' ' lead' 'trail ' \
      $'tab\there' '{}' "''" '-n' >hostile
    mr -k -0 -a hostile -- printf "'[%s]\n'" >out 2>err
    expect_eq "hostile items: exit" 0 $?
    # What printf must print: each item, literally, between brackets.
    : >expected
    while IFS= read -r -d '' item; do printf '[%s]\n' "$item" >>expected; done <hostile
    expect_file_eq "hostile items are taken literally" expected out
    local leaked
    leaked=$(ls INJ* 2>/dev/null)
    expect_eq "no item injected shell code" "" "$leaked"
    if gnu; then
      gp -k -0 -a hostile printf "'[%s]\n'" >gnu 2>/dev/null
      expect_file_eq "hostile items vs GNU parallel -k" gnu out
    fi
    mr -k -0 -a hostile -- 'printf "<%s>\n" {} {/} {.}' >out
    expect_eq "hostile items through every replacement string: no injection" "" \
      "$(ls INJ* 2>/dev/null)"
    expect_eq "hostile items through replacement strings: 3 lines per item, '\\n' items have 2" \
      "$(( 3 * 16 + 3 ))" "$(wc -l <out)"

    case_ invalid-utf8
    printf 'caf\xe9\n\xff\xfe\xfd\n' >latin1
    mr -k -a latin1 -- printf "'%s\n'" >out
    expect_file_eq "invalid UTF-8 items are passed through as bytes" latin1 out
  fi

  case_ keep-order
  # Later items finish first; -k prints in input order anyway.
  mr -k -j2 -- 'sleep 0.0$((9 - {})); echo {}-a; echo {}-b' ::: 1 2 3 4 5 6 >out
  expect_eq "-k: input order" "$(for i in 1 2 3 4 5 6; do echo $i-a; echo $i-b; done)" "$(cat out)"

  case_ default-order-whole-blocks
  mr -j3 -- 'for i in 1 2 3 4 5; do echo {}-$i; sleep 0.00{}; done' ::: 1 2 3 4 5 6 7 8 9 >out
  expect_eq "completion order: every line there" 45 "$(wc -l <out)"
  # Each task's block is whole: its 5 lines are consecutive and in order.
  bad=$(awk -F- 'NR % 5 == 1 { item = $1 } $1 != item || $2 != (NR - 1) % 5 + 1' out)
  expect_eq "completion order: blocks never interleaved" "" "$bad"
  expect_eq "completion order: every item once" "$(seq 1 9)" "$(cut -d- -f1 out | uniq | sort -n)"

  case_ tag
  mr -k --tag -- 'printf "l1\nl2\nlast"; echo "e1" >&2' ::: x 'y z' >out 2>err
  printf 'x\tl1\nx\tl2\nx\tlasty z\tl1\ny z\tl2\ny z\tlast' >expected
  expect_file_eq "--tag: item and tab before every line" expected out
  expect_eq "--tag on stderr too" $'x\te1 x\ny z\te1 y z' "$(cat err)"
  if gnu; then
    gp -k --tag 'printf "l1\nl2\nlast"; echo "e1" >&2' ::: x 'y z' >gnu 2>/dev/null
    expect_file_eq "--tag vs GNU parallel -k --tag" gnu out
  fi

  case_ joblog-columns
  local t0 t1
  t0=$(date +%s)
  mr --joblog log -- 'printf %s {}; exit $(( {} % 3 == 0 ))' ::: 10 11 12 13 14 15 >/dev/null 2>err
  expect_eq "joblog run: exit = number of failures" 2 $?
  t1=$(date +%s)
  expect_eq "joblog header" $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand' \
    "$(head -1 log)"
  expect_eq "joblog: one record per task" 6 "$(records log | wc -l)"
  expect_eq "joblog: 9 columns" "9" "$(records log | awk -F'\t' '{print NF}' | sort -u)"
  expect_eq "joblog Seq" "$(seq 1 6)" "$(column log 1)"
  expect_eq "joblog Host" "$(hostname)" "$(column log 2 | sort -u)"
  bad=$(column log 3 | awk -v a="$t0" -v b="$t1" '!/^[0-9]+\.[0-9][0-9][0-9]$/ || $1 < a - 1 || $1 > b + 1')
  expect_eq "joblog Starttime: epoch seconds, 3 decimals" "" "$bad"
  bad=$(column log 4 | grep -vE '^ *[0-9]+\.[0-9]{3}$' ; column log 4 | awk 'length($0) < 10')
  expect_eq "joblog JobRuntime: %10.3f" "" "$bad"
  expect_eq "joblog Send" "0" "$(column log 5 | sort -u)"
  expect_eq "joblog Receive: stdout bytes" "$(printf '2\n%.0s' 1 2 3 4 5 6)" "$(column log 6)"
  expect_eq "joblog Exitval" $'0\n0\n1\n0\n0\n1' "$(column log 7)"
  expect_eq "joblog Signal" "0" "$(column log 8 | sort -u)"
  expect_eq "joblog Command" \
    "$(for i in 10 11 12 13 14 15; do echo "printf %s $i; exit \$(( $i % 3 == 0 ))"; done)" \
    "$(column log 9)"
  expect_eq "failure summary" "mpimap: 4 succeeded, 2 failed (see joblog)" "$(tail -1 err)"

  case_ exit-codes
  mr -- 'exit {}' ::: 0 3 0 4 5 >/dev/null 2>err
  expect_eq "exit = number of failed tasks" 3 $?
  expect_eq "summary without joblog" "mpimap: 2 succeeded, 3 failed" "$(tail -1 err)"
  seq 0 150 | mr -- 'exit {}' 2>/dev/null
  expect_eq "exit capped at 101" 101 $?
  mr -- true ::: a b 2>err
  expect_eq "all succeeded: exit 0" "0" "$?"
  expect_eq "all succeeded: no summary" "" "$(cat err)"

  if once; then
    case_ usage-errors
    mr -k -- ::: 'echo a' 'echo b' >out 2>err
    expect_eq "no command: the arguments are the commands (GNU parallel)" $'a\nb' "$(cat out)"
    mr -a "$WORK/no-such-file" -- echo >out 2>err
    expect_eq "unreadable -a file: exit 2" 2 $?
    expect_eq "unreadable -a file: one line" 1 "$(wc -l <err)"
    mr --halt sometimes -- echo ::: a 2>/dev/null
    expect_eq "bad --halt: exit 2" 2 $?
    mr --resume -- echo ::: a 2>/dev/null
    expect_eq "--resume without --joblog: exit 2" 2 $?
    mr -j x -- echo ::: a 2>/dev/null
    expect_eq "-j x: exit 2" 2 $?
    mr -S host -- echo ::: a 2>err
    expect_eq "an unsupported GNU parallel option: exit 2" 2 $?
    expect_eq "an unsupported GNU parallel option: one line naming it" 1 "$(grep -c '^mpimap: run: -S is not supported' err)"
    mr --timeout -1 -- echo ::: a 2>/dev/null
    expect_eq "negative --timeout: exit 2" 2 $?
    mr --grace -1 -- echo ::: a 2>err
    expect_eq "negative --grace: exit 2" 2 $?
    expect_eq "negative --grace: one line" "mpimap: --grace: expected a number of seconds >= 0" "$(cat err)"
    mr --joblog "$WORK/no/such/dir/log" -- echo ::: a 2>/dev/null
    expect_eq "unwritable joblog: exit 2" 2 $?

    case_ shell
    # The shell that started mpirun runs the tasks (this script's bash), so
    # its exported functions work, as with GNU parallel.
    greet() { echo "hello $1"; }
    export -f greet
    mr -k -- greet ::: a b >out 2>err
    expect_eq "export -f: a bash function runs as the command" $'hello a\nhello b' "$(cat out)"
    PARALLEL_SHELL=/bin/sh mr -- 'echo $0; : {}' ::: 1 >out
    expect_eq "\$PARALLEL_SHELL chooses the shell" "/bin/sh" "$(cat out)"
    unset -f greet
    # A plain command skips the shell (direct_exec.hpp), but a program that
    # cannot start still gets the shell's own message and exit status.
    # A run inside a task of another run: the task's own values replace
    # the inherited ones (the program sees one entry per name, as from bash).
    MPIMAP_SEQ=99 PARALLEL_SEQ=99 mr -k -- printenv MPIMAP_SEQ PARALLEL_SEQ ::: a b >out 2>/dev/null
    expect_eq "inherited MPIMAP_SEQ and PARALLEL_SEQ are replaced" $'1\n1\n2\n2' "$(cat out)"
    # bash would put the program's path in $_ (what is there instead is
    # whatever mpirun inherited): no shell ran.
    mr -k -- printenv _ ::: x >out 2>/dev/null
    expect_eq "a plain command is exec'd without the shell" 0 "$(grep -c '/printenv$' out)"
    printf 'x\n' >"$WORK/noexec" && chmod -x "$WORK/noexec"
    mr -k --joblog "$WORK/log" -- "$WORK/noexec" ::: 1 >out 2>err
    expect_eq "not executable: the shell's message" 1 "$(grep -c ": $WORK/noexec: Permission denied" err)"
    expect_eq "not executable: the shell's exit status" 126 "$(awk -F'\t' 'NR == 2 { print $7 }' "$WORK/log")"
    mr -k --joblog "$WORK/log" -- no-such-program-here ::: 1 >out 2>err
    expect_eq "not found: the shell's message" 1 "$(grep -c ": no-such-program-here: command not found" err)"
    expect_eq "not found: the shell's exit status" 127 "$(awk -F'\t' 'NR == 2 { print $7 }' "$WORK/log")"

    case_ bare-colon
    # mpirun splits its command line at a bare ':': mpimap says so, exit 2,
    # instead of waiting for ever in MPI_Init.
    # (The line comes through mpirun, which may still be writing it when it
    # exits: a process that ends before MPI_Init ends the job at once.)
    "${MPIRUN[@]}" "$MPIMAP" run -- echo ::: a : true >out 2>err
    expect_eq "bare ':': exit 2" 2 $?
    for _ in $(seq 1 50); do
      grep -q "mpirun split the command line" err && break
      sleep 0.1
    done
    expect_eq "bare ':': says mpirun split the command line" 1 \
      "$(grep -c "mpirun split the command line at a bare ':' word" err)"

    case_ joblog-append
    mr --joblog log -- echo ::: a >/dev/null
    mr --joblog +log -- echo ::: b >/dev/null
    expect_eq "--joblog +FILE appends, no second header" $'Seq\n1\n1' "$(cut -f1 log)"
    expect_eq "--joblog +FILE: the appended record" "echo b" "$(tail -1 log | cut -f9)"

    case_ ungroup
    mr -u -- 'echo {}' ::: a b >out
    expect_eq "-u: the output is there" $'a\nb' "$(sort out)"

    case_ empty-input
    mr -- echo ran </dev/null >out 2>err
    expect_eq "empty stdin: exit 0" 0 $?
    expect_eq "empty stdin: nothing run" "" "$(cat out err)"
    : >empty
    mr -a empty --joblog log -- echo ran >out
    expect_eq "empty file: exit 0" 0 $?
    expect_eq "empty file: nothing run" "" "$(cat out)"
    expect_eq "empty file: joblog has just its header" 1 "$(wc -l <log)"

    case_ brackets
    # CLI11 would split "[a,b]" into a list: the words must stay as typed.
    mr -k -- echo '[{}]' '[x,y]' ::: a '[b,c]' '[]' >out
    expect_eq "words like [a,b] are kept" $'[a] [x,y]\n[[b,c]] [x,y]\n[[]] [x,y]' "$(cat out)"

    case_ stdin-and-files
    printf 'a\nb b\n\nlast-without-newline' | mr -k -- echo '[{}]' >out
    expect_eq "items from stdin (empty line is an item)" $'[a]\n[b b]\n[]\n[last-without-newline]' "$(cat out)"
    printf 'one\ntwo\n' >list
    mr -k -a list -- echo >out
    expect_eq "items from -a FILE" $'one\ntwo' "$(cat out)"
    mr -k -a - -- echo <list >out
    expect_eq "items from -a -" $'one\ntwo' "$(cat out)"
  fi

  case_ one-item-many-ranks
  mr -- echo only ::: x >out
  expect_eq "more ranks than items" "only x" "$(cat out)"

  case_ line-buffer
  # Each task prints a line, then waits until that line has reached the
  # reader (which then creates go.N): without --line-buffer it would wait
  # forever (the TIMEOUT catches that). At NP > 1 tasks run on worker ranks.
  rm -f go.*
  mr --line-buffer -j1 --tag -- 'echo ready; while [ ! -e go.{} ]; do sleep 0.05; done; echo done' \
    ::: $(seq 1 "$NP") | while IFS=$'\t' read -r item word; do
    [ "$word" = ready ] && touch "go.$item"
    printf '%s %s\n' "$item" "$word"
  done >out
  expect_eq "--line-buffer: each line as it comes, tagged" \
    "$(for i in $(seq 1 "$NP"); do printf '%s ready\n%s done\n' "$i" "$i"; done | sort)" "$(sort out)"
  mr --line-buffer -k -- 'printf "a{}\nb{}"; echo c{} >&2' ::: 1 2 3 >out 2>&1
  expect_eq "--line-buffer -k: whole jobs in order, the last line unended" \
    $'a1\nb1c1\na2\nb2c2\na3\nb3c3' "$(cat out)"

  case_ block-timeout
  # The input stays open until the first line's output is out: without
  # --block-timeout that line would wait for the rest of its block (the
  # TIMEOUT catches that). GNU parallel 20221122 waits here too (its alarm
  # does not interrupt the read), so there is no comparison.
  rm -f fifo out.bt && mkfifo fifo
  (
    echo first
    while ! grep -q first out.bt 2>/dev/null; do sleep 0.05; done
    echo second
  ) >fifo &
  mr -k --pipe --block-timeout 1 -- 'echo ==; cat' <fifo >out.bt
  expect_eq "--block-timeout: exit 0" 0 $?
  wait
  expect_eq "--block-timeout: the first line goes out alone" $'==\nfirst\n==\nsecond' "$(cat out.bt)"

  case_ fifo-unread
  # --fifo: a job that never opens its fifo still ends (GNU parallel would wait).
  seq 1 1000 | mr -k --fifo --block 1k -- 'echo {#}' >out
  expect_eq "--fifo, unread: every job ends" 4 "$(wc -l <out)"

  case_ files
  mkdir -p tmp && rm -f tmp/*
  mr -k --files --tmpdir tmp --joblog log -- 'echo out {}; echo err {} >&2' ::: 1 2 3 >out 2>err
  expect_eq "--files: exit 0" 0 $?
  expect_eq "--files: one name per job, in --tmpdir" 3 "$(grep -c '^tmp/par.*\.par$' out)"
  expect_eq "--files: the files hold each job's stdout, in order" \
    $'out 1\nout 2\nout 3' "$(xargs cat <out)"
  expect_eq "--files: stderr is printed" $'err 1\nerr 2\nerr 3' "$(cat err)"
  expect_eq "--files: the joblog's Receive counts the output" "6 6 6" "$(column log 6 | xargs)"
  mr --files --tmpdir /nonexistent -- echo ::: a >out 2>err
  expect_eq "--tmpdir that does not exist: exit 2" 2 $?
  expect_eq "--tmpdir that does not exist: one line" 1 "$(grep -c -- '--tmpdir /nonexistent' err)"

  case_ many-items
  seq 1 500 >many
  mr -j2 -a many --joblog log -- echo >out
  expect_eq "500 items: exit 0" 0 $?
  expect_eq "500 items: every output once" "$(seq 1 500)" "$(sort -n out)"
  expect_eq "500 items: every Seq logged once" "$(seq 1 500)" "$(column log 1)"

  if gnu; then
    case_ same-as-gnu-parallel
    local cmd='echo "$(( {#} * 2 ))" {} | tr a-z A-Z; echo err {} >&2; exit $(( {#} % 4 == 0 ))'
    printf '%s\n' alpha 'be ta' "gam'ma" 'del"ta' 'e$psilon' zeta eta >greek
    mr -k -a greek -- "$cmd" >out 2>/dev/null
    local rc=$?
    gp -k -a greek "$cmd" >gnu 2>/dev/null
    expect_eq "exit status vs GNU parallel" $? $rc
    expect_file_eq "output vs GNU parallel -k" gnu out
  fi
}

# ---------------------------------------------------------------------------
faults_cases() {
  case_ segfault
  mr --joblog log -- 'kill -SEGV $$' ::: 1 2>/dev/null
  expect_eq "segfault: exit 1" 1 $?
  expect_eq "segfault: Exitval 0, Signal 11 (as GNU parallel)" $'0\t11' "$(column log 7-8)"

  case_ not-found
  mr --joblog log -- no-such-command-xyz ::: 1 2 >/dev/null 2>err
  expect_eq "command not found: exit 2 (two failures)" 2 $?
  expect_eq "command not found: Exitval 127" $'127\n127' "$(column log 7)"
  expect_eq "command not found: the shell's message" 2 "$(grep -c 'not found' err)"

  case_ timeout-kills-group
  local marker="10$$.$RANDOM"
  mr --timeout 0.3 --joblog log -- "sh -c 'sleep $marker{} & wait'; echo never" ::: 1 2 >out 2>/dev/null
  expect_eq "timeout: exit 2" 2 $?
  expect_eq "timeout: Exitval -1, Signal 15 (as GNU parallel)" $'-1\t15\n-1\t15' "$(column log 7-8)"
  expect_eq "timeout: the shell did not go on" "" "$(cat out)"
  sleep 0.2
  expect_eq "timeout: the grandchild is gone too" "" "$(pgrep -f "sleep $marker" || true)"
  if gnu; then
    gp --timeout 0.3 --joblog gnulog "sh -c 'sleep ${marker}9 & wait'" ::: 1 2>/dev/null
    expect_eq "timeout: recorded as GNU parallel records it" "$(column gnulog 7-8)" \
      "$(column log 7-8 | head -1)"
  fi

  case_ retries
  rm -f attempts
  mr --retries 3 --joblog log -- \
    "echo \$MPIMAP_ATTEMPT \$MPIMAP_RANK >>attempts; echo attempt \$MPIMAP_ATTEMPT {}; [ \$MPIMAP_ATTEMPT -ge 2 ]" \
    ::: item >out
  expect_eq "retries: exit 0 (succeeded on attempt 2)" 0 $?
  expect_eq "retries: only the last attempt's output is printed" "attempt 2 item" "$(cat out)"
  expect_eq "retries: two attempts ran" $'1\n2' "$(cut -d' ' -f1 attempts)"
  expect_eq "retries: one joblog record, the success" $'1\t0' "$(column log 1,7)"
  if [ "$NP" -gt 1 ]; then
    expect_eq "retries: attempt 2 ran on another rank" 2 "$(cut -d' ' -f2 attempts | sort -u | wc -l)"
  fi
  rm -f attempts
  mr --retries 2 --joblog log -- 'echo $MPIMAP_ATTEMPT {} >>attempts; exit 7' ::: x 2>/dev/null
  expect_eq "retries exhausted: counted once" 1 $?
  expect_eq "retries exhausted: --retries 2 is 2 attempts in all (GNU parallel)" $'1\n2' "$(cut -d' ' -f1 attempts)"
  expect_eq "retries exhausted: one record" $'1\t7' "$(column log 1,7)"

  case_ halt-now
  local m2="20$$.$RANDOM"
  mr -j2 --halt now,fail=1 --joblog log -- "if [ {} = fail ]; then sleep 0.2; exit 5; else sleep $m2; fi" \
    ::: fail $(seq 2 $((NP * 2))) >/dev/null 2>err
  expect_eq "halt now,fail=1: the failed job's own exit status (GNU parallel)" 5 $?
  expect_eq "halt now: the failure is logged; killed tasks are not" $'1\t5' "$(column log 1,7)"
  expect_eq "halt now: running tasks were killed" "" "$(pgrep -f "sleep $m2" || true)"
  expect_eq "halt now: says so" 1 "$(grep -c 'stopped by --halt now,fail=1' err)"

  case_ halt-soon
  mr -j1 --halt soon,fail=2 --joblog log -- 'sleep 0.05; exit {}' ::: 0 1 2 3 4 5 6 7 8 9 $(seq 10 40) 2>err
  local rc=$? failed
  failed=$(column log 7 | grep -vc '^0$')
  expect_eq "halt soon,fail=2: exit 2, fixed when the threshold is reached (GNU parallel)" 2 "$rc"
  [ "$failed" -ge 2 ] || fail "halt soon: at least 2 failures ($failed)"
  [ "$(records log | wc -l)" -lt 41 ] || fail "halt soon: tasks were started after the halt"
  if [ "$NP" = 1 ]; then
    expect_eq "halt soon, 1 rank 1 slot: exactly 3 tasks ran" $'0\n1\n2' "$(column log 7)"
  fi

  case_ resume
  mr --joblog log -- echo first ::: 1 2 3 4 5 >/dev/null
  printf '6\tvm\t1795698435.497' >>log  # a record torn by a kill
  mr --resume --joblog log -- echo second ::: 1 2 3 4 5 6 7 8 >out
  expect_eq "resume: runs exactly the missing items" $'second 6\nsecond 7\nsecond 8' "$(sort out)"
  expect_eq "resume: every Seq once in the joblog" "$(seq 1 8)" "$(column log 1)"
  mr --resume --joblog log -- echo third ::: 1 2 3 4 5 6 7 8 >out
  expect_eq "resume: nothing left to run" "" "$(cat out)"
  if gnu; then
    gp --resume --joblog log echo gnu ::: 1 2 3 4 5 6 7 8 9 10 >out
    expect_eq "GNU parallel --resume reads our joblog" $'gnu 9\ngnu 10' "$(sort -V out)"
    mr --resume --joblog log -- echo fourth ::: $(seq 1 11) >out
    expect_eq "and we read GNU parallel's records" "fourth 11" "$(cat out)"
  fi

  case_ resume-failed
  mr --joblog log -- 'echo run {}; exit $(( {} % 3 == 0 ))' ::: 1 2 3 4 5 6 7 >/dev/null 2>&1
  expect_eq "resume-failed setup: 2 failures" 2 $?
  mr --resume-failed --joblog log -- 'echo rerun {}' ::: 1 2 3 4 5 6 7 8 >out
  expect_eq "resume-failed: reruns the failed and the missing" $'rerun 3\nrerun 6\nrerun 8' "$(sort out)"
  mr --resume-failed --joblog log -- 'echo rerun {}' ::: 1 2 3 4 5 6 7 8 >out
  expect_eq "resume-failed: then nothing" "" "$(cat out)"
  if gnu; then
    gp --resume-failed --joblog log echo gnu ::: 1 2 3 4 5 6 7 8 9 >out
    expect_eq "GNU parallel --resume-failed agrees" "gnu 9" "$(cat out)"
  fi

  case_ big-output
  mr -- 'head -c 10000000 /dev/zero | tr "\0" {}' ::: a b >out
  expect_eq "10 MB per task: exit 0" 0 $?
  expect_eq "10 MB per task: all of it" 20000000 "$(wc -c <out)"
  expect_eq "10 MB per task: blocks whole" 2 "$(fold -w 1000000 out | uniq | wc -l)"

  case_ big-item
  { head -c 1000000 /dev/zero | tr '\0' x; echo; echo small; } >bigitem
  mr -k -a bigitem --joblog log -- 'printf %s {} | wc -c' >out
  expect_eq "1 MB item: exit 0" 0 $?
  expect_eq "1 MB item reaches the command whole" $'1000000\n5' "$(tr -d ' ' <out)"
  mr -a bigitem -- /bin/echo >/dev/null 2>err
  expect_eq "1 MB item as an argument of a program: E2BIG, recorded as a failure" 1 $?

  case_ task-is-an-mpi-program
  # It must not inherit this rank's place in the MPI job (it would pose as
  # this rank and could abort the job): it runs as a singleton.
  mr -k --timeout 60 -- "\"$MPIMAP\" map square {} 2>&1; env | grep -c '^PMIX_' || true" ::: 2 3 >out
  expect_eq "a task may itself be an MPI program" $'[4]\n0\n[9]\n0' "$(cat out)"

  case_ timeout-percent
  # --timeout 200%: twice the median runtime of the jobs that succeeded.
  mr -j1 --timeout 200% --joblog log -- 'sleep {}' ::: 0.1 0.1 0.1 0.1 0.1 0.1 5 >/dev/null 2>&1
  expect_eq "--timeout 200%: the long job is killed" 1 $?
  expect_eq "--timeout 200%: recorded as a timeout" $'-1\t15' "$(column log 7-8 | tail -1)"
  mr --timeout 1m -- true ::: a
  expect_eq "--timeout 1m: units" 0 $?

  case_ retry-failed
  mr --joblog log -- 'exit {}' ::: 0 1 0 2 >/dev/null 2>&1
  mr --retry-failed --joblog log >/dev/null 2>&1
  expect_eq "--retry-failed: reruns the failed commands of the joblog" 2 $?
  expect_eq "--retry-failed: their records are appended, Seq kept" $'2\texit 1\n4\texit 2' \
    "$(tail -n 2 log | cut -f1,9 | sort -n)"

  case_ results-dir
  mr --results res/sub -- 'echo out{}; echo err{} >&2' ::: a b >/dev/null 2>&1
  expect_eq "--results stdout (GNU parallel's layout)" "outb" "$(cat res/sub/1/b/stdout)"
  expect_eq "--results stderr" "erra" "$(cat res/sub/1/a/stderr)"
  expect_eq "--results seq" "2" "$(cat res/sub/1/b/seq)"
  if gnu; then
    rm -rf res gres
    mr --results res -- 'echo {1}{2}' ::: a 'b/c' ::: x >/dev/null
    gp --results gres 'echo {1}{2}' ::: a 'b/c' ::: x >/dev/null
    expect_eq "--results: the same files as GNU parallel's" "$(cd gres && find . | sort)" \
      "$(cd res && find . | sort)"
  fi

  case_ progress
  mr --progress -- true ::: 1 2 3 >/dev/null 2>err
  expect_eq "--progress: a final line" 1 "$(grep -c '^mpimap: 3/3 done, 0 running, 0 failed' err)"
  seq 1 3 | mr --progress -- 'exit $(({} == 2))' >/dev/null 2>err
  expect_eq "--progress: counts failures" 1 "$(grep -c '^mpimap: 3/3 done, 0 running, 1 failed' err)"
}

# ---------------------------------------------------------------------------
# Graceful stop: a signal part-way through 40 tasks (-j2). Synchronised on the
# joblog (and on files the tasks write), never on a fixed sleep; times are only
# checked against a generous upper bound, to catch a stop that hangs.

# stop_run NAME SIGNAL TARGET GRACE CMD [TWICE-WHEN-FILE]
#   TARGET: mpirun | ranks (every rank, as Slurm signals them) | worker (one
#   rank other than 0). Sets STOP_RC and STOP_SECS; the joblog is `log`.
stop_run() {
  local name=$1 sig=$2 target=$3 grace=$4 cmd=$5 twice=${6:-}
  rm -f log out err term.*
  "${MPIRUN[@]}" "$MPIMAP" run -j2 --grace "$grace" --joblog log -- "$cmd" ::: $(seq 1 40) \
    >out 2>err &
  local mp=$! waited=0
  # Until 3 records are in (and the job still runs).
  until [ -f log ] && [ "$(wc -l <log)" -ge 4 ]; do
    kill -0 $mp 2>/dev/null || break
    sleep 0.05
    waited=$((waited + 1))
    [ $waited -lt 1200 ] || break
  done
  local pids=$mp p
  if [ "$target" != mpirun ]; then
    pids=$(pgrep -P $mp)
    if [ "$target" = worker ]; then
      for p in $pids; do
        tr '\0' '\n' </proc/"$p"/environ 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=0' || pids=$p
      done
    fi
  fi
  local t0=$EPOCHREALTIME
  kill -"$sig" $pids
  if [ -n "$twice" ]; then
    # The second signal once a task has had the first's SIGTERM.
    waited=0
    until compgen -G "$twice" >/dev/null || [ $waited -ge 600 ]; do
      sleep 0.05
      waited=$((waited + 1))
    done
    kill -"$sig" $pids
  fi
  wait $mp
  STOP_RC=$?
  STOP_SECS=$(bc <<<"$EPOCHREALTIME - $t0")
  [ -n "${TRACE:-}" ] && echo "stop_run $name: rc $STOP_RC in $STOP_SECS s" >>"$TRACE"
  return 0
}

# stop_checks NAME SIGNAL-NAME GRACE MARKER: the one summary line, a bounded
# stop, no task left, each Seq at most once; then --resume runs the rest.
stop_checks() {
  local name=$1 signame=$2 grace=$3 marker=$4
  expect_eq "$name: one line on stderr" 1 "$(wc -l <err)"
  expect_eq "$name: the summary" 1 \
    "$(grep -cE "^mpimap: stopped by SIG$signame: [0-9]+ tasks done, [0-9]+ killed, [0-9]+ not started; --resume with this joblog runs the [0-9]+ not done\$" err)"
  [ "$(bc <<<"$STOP_SECS < $grace + 10")" = 1 ] || fail "$name: the stop took $STOP_SECS s (--grace $grace)"
  sleep 0.2
  expect_eq "$name: no task left running" "" "$(pgrep -f "$marker" || true)"
  expect_eq "$name: each Seq logged at most once" "" "$(column log 1 | uniq -d)"
  expect_eq "$name: only finished tasks logged (all succeeded)" "" "$(column log 7-8 | grep -v $'^0\t0$')"
  local done killed not_started
  done=$(records log | wc -l)
  killed=$(sed -nE 's/.* ([0-9]+) killed.*/\1/p' err)
  not_started=$(sed -nE 's/.* ([0-9]+) not started.*/\1/p' err)
  expect_eq "$name: the summary counts the logged tasks" "$done" \
    "$(sed -nE 's/.*: ([0-9]+) tasks done.*/\1/p' err)"
  expect_eq "$name: the summary adds up to 40" 40 \
    "$(( done + ${killed:-0} + ${not_started:-0} ))"
  mr -j2 --resume --joblog log -- 'echo resumed {}' ::: $(seq 1 40) >out 2>err
  expect_eq "$name: --resume: exit 0" 0 $?
  expect_eq "$name: --resume ran exactly the rest" $((40 - done)) "$(wc -l <out)"
  expect_eq "$name: after --resume, Seq 1..40 each once" "$(seq 1 40)" "$(column log 1)"
}

stop_cases() {
  local m="9$$$RANDOM" rc
  # Items 1-3 end at once; the others sleep "for ever" (until killed).
  local cmd="if [ {} -le 3 ]; then exit 0; fi; sleep $m"

  case_ stop-sigusr1-to-mpirun
  # mpirun forwards SIGUSR1 to every rank at once: the documented way.
  stop_run usr1 USR1 mpirun 1 "$cmd"
  expect_eq "SIGUSR1 to mpirun: exit 128+10" 138 "$STOP_RC"
  stop_checks "SIGUSR1 to mpirun" USR1 1 "sleep $m"

  case_ stop-sigterm-to-every-rank
  # As Slurm's scancel --signal=TERM or srun deliver it.
  stop_run term TERM ranks 1 "$cmd"
  expect_eq "SIGTERM to every rank: exit 128+15" 143 "$STOP_RC"
  stop_checks "SIGTERM to every rank" TERM 1 "sleep $m"

  if [ "$NP" -gt 1 ]; then
    case_ stop-sigint-to-one-worker
    # One rank's signal stops the whole job.
    stop_run int INT worker 1 "$cmd"
    expect_eq "SIGINT to one worker: exit 128+2" 130 "$STOP_RC"
    stop_checks "SIGINT to one worker" INT 1 "sleep $m"
  fi

  case_ stop-second-signal
  # Tasks that survive SIGTERM (they note it, and go on): --grace 60 would
  # wait a minute; the second signal SIGKILLs them at once.
  local stubborn="if [ {} -le 3 ]; then exit 0; fi; trap 'touch term.{#}' TERM; while :; do sleep 0.1$m; done"
  stop_run twice USR1 mpirun 60 "$stubborn" 'term.*'
  expect_eq "second signal: exit 128+10" 138 "$STOP_RC"
  [ "$(bc <<<"$STOP_SECS < 30")" = 1 ] || fail "second signal: the stop took $STOP_SECS s (--grace 60)"
  stop_checks "second signal" USR1 0 "0.1$m"

  case_ stop-sigterm-to-mpirun
  # mpirun does not forward SIGTERM: odls_base_sigkill_timeout (T) seconds
  # later it sends the ranks SIGTERM, T later SIGKILL, and exits 1 whatever
  # they do. Seen as the launcher's, the stop gets T/2 of --grace.
  OMPI_MCA_odls_base_sigkill_timeout=2 stop_run mpirun-term TERM mpirun 10 "$cmd"
  expect_eq "SIGTERM to mpirun: mpirun's own exit status" 1 "$STOP_RC"
  expect_eq "SIGTERM to mpirun: says the grace was cut" 1 \
    "$(grep -c 'mpirun SIGKILLs the ranks 2 s after its SIGTERM, so the tasks had 1 s, not --grace 10 (send mpirun SIGUSR1 instead)$' err)"
  sed -i 's/; mpirun SIGKILLs the ranks.*//' err
  stop_checks "SIGTERM to mpirun" TERM 4 "sleep $m"
}

case "$GROUP" in
  basic) basic_cases ;;
  faults) faults_cases ;;
  stop) stop_cases ;;
  all) basic_cases; faults_cases; stop_cases ;;
  *) echo "run_tests.sh: unknown group $GROUP" >&2; exit 2 ;;
esac

if [ "$FAILS" -gt 0 ]; then
  echo "run_tests.sh $GROUP np=$NP: $FAILS failed check(s) in $CASES cases" >&2
  exit 1
fi
echo "run_tests.sh $GROUP np=$NP: $CASES cases passed"
