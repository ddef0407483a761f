#!/usr/bin/env bash
# `mpimap run` against GNU parallel itself: each case runs the same options,
# command and input through both, and compares standard output (sorted where
# the order is not promised), the exit status and, with `log`, the joblog's
# Seq, Send, Exitval, Signal and Command columns.
#   gnu_compat.sh MPIMAP NP MPIRUN [MPIRUN-ARGS...]
# At NP=2 every case runs but those marked `seq`; at NP=1 the cases marked
# `seq` (one slot: jobs run one after another, as `parallel -j1` runs them, so
# --halt's cut-off is deterministic) and `ranks`; at other rank counts the
# cases marked `ranks` (whose result depends on the slots: -X, -j). Without
# GNU parallel (20221122 here) the test is skipped (exit 77), saying so.
set -uo pipefail

MPIMAP=$1 NP=$2
shift 2
MPIRUN=("$@")
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}

if ! command -v parallel >/dev/null 2>&1; then
  echo "gnu_compat.sh: SKIPPED: GNU parallel is not installed (scripts/setup installs it)"
  exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-gnu-compat.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
# Both run their tasks with bash (GNU parallel: the shell that started it).
export PARALLEL_SHELL=/bin/bash

FAILS=0 CASES=0
exec 3>&2  # this script's own stderr, for notes that no case compares
# mpimap run ARGS under mpirun. Open MPI 4.1's mpirun itself can die (SIGSEGV
# in orte_iof_hnp_read_local_handler, open-mpi/ompi#7483) forwarding a large
# standard input when it finds rank 0's pipe full after its input ended. mpimap
# keeps that pipe drained (src/farm/standard_input.hpp), which ended it here
# (1 run in 10 of the 108 kB --roundrobin case before); should mpirun crash
# so all the same, that is said on this script's stderr and the run made
# again (three tries in all), from the start of the same input into the same
# output file. Standard input and output must be files (or /dev/null) to be
# replayed; standard error is reopened when it is a file (and must then show
# the crash), else kept as is.
mr() {
  "${MPIRUN[@]}" "$MPIMAP" run "$@"
  local rc=$? try in out err
  in=$(readlink "/proc/$$/fd/0") out=$(readlink "/proc/$$/fd/1") err=$(readlink "/proc/$$/fd/2")
  reopenable() { [ -f "$1" ] || [ "$1" = /dev/null ]; }
  reopenable "$in" && reopenable "$out" || return $rc
  for try in 2 3; do
    [ $rc = 139 ] || return $rc
    if [ -f "$err" ] && ! grep -qs orte_iof_hnp_read_local_handler "$err"; then return $rc; fi
    echo "gnu_compat.sh: mpirun died forwarding stdin (ompi#7483); try $try: $*" >&3
    if [ "$out" = "$err" ]; then
      "${MPIRUN[@]}" "$MPIMAP" run "$@" <"$in" >"$out" 2>&1
    elif [ -f "$err" ]; then
      "${MPIRUN[@]}" "$MPIMAP" run "$@" <"$in" >"$out" 2>"$err"
    else
      "${MPIRUN[@]}" "$MPIMAP" run "$@" <"$in" >"$out"
    fi
    rc=$?
  done
  return $rc
}
gp() { parallel --will-cite "$@"; }

# same [sort] [log] [ranks] [seq] [j=K] [stdin=FILE] [err] -- OPTION... COMMAND... ARGS...
#   sort: compare sorted stdout; log: compare joblogs too; ranks: run at every
#   rank count; seq: at one rank only; j=K: mpimap gets -j K, GNU parallel
#   -j K*NP (the same slots in all); err: compare stdout+stderr (2>&1).
same() {
  local sort=0 log=0 ranks=0 seq=0 input=/dev/null err=0
  local mj=() gj=()
  while [ "$1" != -- ]; do
    case $1 in
      sort) sort=1 ;; log) log=1 ;; ranks) ranks=1 ;; err) err=1 ;; seq) seq=1 ;;
      j=*) mj=(-j "${1#j=}") gj=(-j $((${1#j=} * NP))) ;;
      stdin=*) input=${1#stdin=} ;;
    esac
    shift
  done
  shift
  if [ $seq = 1 ]; then
    [ "$NP" = 1 ] || return 0
  else
    [ "$NP" = 2 ] || [ $ranks = 1 ] || return 0
  fi
  CASES=$((CASES + 1))
  local mlog=("${mj[@]}") glog=("${gj[@]}")
  if [ $log = 1 ]; then
    rm -f m.log g.log
    mlog+=(--joblog m.log) glog+=(--joblog g.log)
  fi
  if [ $err = 1 ]; then
    mr "${mlog[@]}" "$@" <"$input" >m.out 2>&1
  else
    mr "${mlog[@]}" "$@" <"$input" >m.out 2>m.err
  fi
  local mrc=$?
  if [ $err = 1 ]; then
    gp "${glog[@]}" "$@" <"$input" >g.out 2>&1
  else
    gp "${glog[@]}" "$@" <"$input" >g.out 2>g.err
  fi
  local grc=$?
  if [ $sort = 1 ]; then
    sort m.out -o m.out
    sort g.out -o g.out
  fi
  local what="$*"
  if ! cmp -s g.out m.out; then
    echo "FAIL [np=$NP]: output differs: $what" >&2
    diff g.out m.out | head -10 >&2
    FAILS=$((FAILS + 1))
  elif [ $mrc != $grc ]; then
    echo "FAIL [np=$NP]: exit status $mrc, GNU parallel's $grc: $what" >&2
    head -5 m.err >&2
    FAILS=$((FAILS + 1))
  elif [ $log = 1 ] &&
    ! diff <(tail -n +2 g.log | sort -n | cut -f1,5,7,8,9) <(tail -n +2 m.log | sort -n | cut -f1,5,7,8,9) >/dev/null; then
    echo "FAIL [np=$NP]: joblogs differ: $what" >&2
    diff <(tail -n +2 g.log | sort -n | cut -f1,5,7,8,9) <(tail -n +2 m.log | sort -n | cut -f1,5,7,8,9) | head -10 >&2
    FAILS=$((FAILS + 1))
  fi
}

printf 'f1\nf2\n' >two
printf 'x.tar.gz\n/a/b.c/d\n\nsp ace.txt\n' >paths
printf 'a b\n\n  \nc \nd\n' >blanks
printf 'name,size\nalpha, 1 \nbeta,2\n' >table.csv
printf 'name\tsize\nalpha\t1\nbeta\t2\n' >table.tsv
printf 'a\0b c\0d\ne\0' >nul
seq 1 20000 >lines
{ echo HEAD; seq 1 3000; } >headed
printf '>s1\nAC\nGT\n>s2\nTT\n>s3\nGG\nCC\nAA\n' >fasta
printf 'a\n\n  \nb\n\nc\n' >blanklines
printf 'a\t1\na\t2\nb\t3\nb\t4\na\t5\nc\t6\n' >groups
awk '{ print int($1 / 700) "," $1 }' lines >grouped

# --- Several input sources, combined and linked -----------------------------
same log -- -k echo {1} {2} ::: a b ::: x y
same log -- -k echo ::: a b c ::: 1 2 ::: X Y
same -- -k echo {2} {1} :::: two ::: x y
same -- -k -a two echo {1}-{2} ::: y
same -- -k -a two -a paths echo '{1}|{2}' 
same stdin=two -- -k echo {1} {2} :::: - ::: z
same -- -k --link echo ::: a b c ::: x y
same -- -k echo ::: a b c :::+ 1 2 3 ::: X Y :::+ 11 22
same -- -k echo ::: a b :::: /dev/null
same -- -k echo {3}x{-1}y{-2} ::: a b ::: c
same -- -k echo {1.} {2/} {2//} {2/.} {1} ::: x.tar.gz :::: paths
same -- -k echo ::: 'it'"'"'s' '$HOME' '*' 'a"b' 'new
line'
# --- Columns, headers, trimming ---------------------------------------------
same -- -k --colsep , echo '{2}|{1}' :::: table.csv
same -- -k --colsep , --trim n echo '{2}|{1}' :::: table.csv
same -- -k --colsep , --header '.*' echo '{size}|{name}|{1}' :::: table.csv
same -- -k --header '.*' echo '{size}={name}' :::: table.tsv
same -- -k --header '.*' echo {a} {b} ::: a 1 2 ::: b x
same -- -k --trim lr echo '[{}]' ::: ' a ' 'b  '
same -- -k -C ' +' echo '{3}:{1}' ::: 'a  b c'
# --- Several arguments per job ----------------------------------------------
same -- -k -N2 echo {1}-{2} ::: a b c d e
same -- -k -n2 echo ::: a b c d e
same -- -k -N0 echo hi ::: a b c
same ranks j=1 -- -k -m echo ::: $(seq 1 10)
same ranks j=1 -- -k -X echo 'pre{}post' ::: $(seq 1 10)
same ranks j=1 -- -k -X echo {#}-{} {1} ::: a b c d e f g
same -- -k --xargs echo ::: $(seq 1 10)
same -- -k -s 20 --xargs echo ::: $(seq 1 20)
same -- -k -s 30 -X echo x{}y ::: $(seq 1 20)
same stdin=blanks -- -k -L 2 echo '[{}]'
same stdin=blanks -- -k -r echo '[{}]'
same -- -k -I ,, echo ,, and {} ::: a b
same -- -k --er @ --bnr % --dnr ^ --bner = echo @ % ^ = ::: dir/f.x
same -- -k --seqreplace N --slotreplace S echo N {} ::: a b
same -- -k -d , echo ::: 'a,b' c
same -- -k -d '\t' echo ::: $'a\tb'
same stdin=nul -- -k -0 echo '[{}]'
same -- -k -E stop echo ::: a stop b
same -- -k --arg-sep ,, echo ,, a b
same -- -k --arg-file-sep ,, echo ,, two
# --- Quoting, the shell, no command -----------------------------------------
same log -- -k echo ::: "gam'ma" 'a b' 'x@y:z%w,v'
same -- -k ::: 'echo one' 'echo two; echo three'
same -- -k '{}' ::: 'echo a b'
same -- -k -q printf '%s\n' 'a b' ::: 'c d'
same -- -k 'echo -e "x\ty"' ::: 1
same -- -k 'echo $0' ::: 1
same sort -- --shuf echo ::: a b c d e f
same -- -k --nice 5 'nice; echo {}' ::: 1
same -- -k --wd / pwd ::: 1
same -- -k --env HOME 'echo $HOME {}' ::: 1
same -- -k --tag echo ::: a b ::: x
same -- -k --tagstring '<{2}>' echo ::: a b ::: x
same -- -k -v echo ::: a b
same -- -k --dry-run echo {} {#} ::: a 'b c'
# --- Plain commands skip the shell (direct_exec.hpp): nothing may change ---
printf 'echo from script $1\n' >noshebang && chmod +x noshebang
printf 'x\n' >noexec && chmod -x noexec
printf '#!/bin/sh\nkill -SEGV $$\n' >segv && chmod +x segv
same log -- -k ./noshebang ::: 1 2
same log -- -k ./noexec ::: 1
same log -- -k ./segv ::: 1
same log -- -k no-such-program-here ::: 1
same log -- -k ls -d ::: /etc /usr
same log -- -k ls -d ::: /etc /nonexistent
same -- -k echo --help ::: x
same -- -k printenv PARALLEL_SEQ ::: a b
same -- -k --env PATH cat ::: noshebang
plain_function() { echo "function $1"; }
export -f plain_function
same -- -k plain_function ::: 1 2
unset -f plain_function
# --- Exit status and --halt -------------------------------------------------
same log ranks -- -k 'exit {}' ::: 0 3 0 5
same log seq -- -k -j1 --halt now,fail=1 'exit {}' ::: 0 3 0 5
same log seq -- -k -j1 --halt soon,fail=1 'exit {}' ::: 0 3 0 5
same log seq -- -k -j1 --halt now,fail=2 'exit {}' ::: 0 3 0 5 7 0
same log seq -- -k -j1 --halt soon,fail=50% 'exit {}' ::: 0 3 0 5 7 0 9
same log seq -- -k -j1 --halt now,success=1 'exit {}' ::: 3 0 5
same log seq -- -k -j1 --halt now,done=2 'exit {}' ::: 3 0 5
same seq -- -k -j1 --halt 2 'exit {}' ::: 0 200 0
same seq -- -k -j1 --halt now,fail=1 'kill -TERM $$' ::: 1
same seq -- -k -j1 --halt 30% 'exit {}' ::: 0 1 1 0 0 0
# --- --pipe and --pipepart ----------------------------------------------------
same log stdin=lines -- -k --pipe --block 10k wc -l
same stdin=lines -- -k --pipe --block 10k -N 1000 wc -l
same stdin=lines -- -k --pipe --block 3k -L 3 wc -l
same stdin=lines -- -k --pipe --block 1k --recend 0 wc -l
same log stdin=headed -- -k --pipe --block 1k --header '.*\n' 'echo ==; cat'
same stdin=headed -- -k --pipe --block 100 --header 2 md5sum
same stdin=fasta -- -k --pipe --block 10 --recstart '>' 'echo ==; cat'
same stdin=fasta -- -k --pipe --block 10 --recstart '>' --rrs 'echo ==; cat'
same stdin=fasta -- -k --pipe -N1 --recstart '>' 'echo ==; cat'
same stdin=fasta -- -k --pipe --regexp --recstart '>s[0-9]' --block 5 'echo ==; cat'
same stdin=blanklines -- -k --pipe -r --block 3 'echo ==; cat'
same stdin=headed -- -k --pipe --block 1k 'head -c 1; echo'
same log -- -k --pipepart --block 10k -a lines wc -l
same ranks j=1 -- -k --pipepart -a lines wc -l
same -- -k --pipepart --header '.*\n' --block 1k md5sum :::: headed
same stdin=headed -- -k --pipe --skip-first-line --block 1k wc -l
same stdin=groups -- -k --pipe --group-by 1 -N1 'echo ==; cat'
same stdin=groups -- -k --pipe --group-by 1 --block 10 'echo ==; cat'
same stdin=grouped -- -k --pipe --group-by 1 --colsep , --block 20k 'cut -d, -f1 | uniq -c | paste -sd" "'
same stdin=headed -- -k --pipe --tee 'echo {}; wc -l' ::: a b c
same ranks j=1 stdin=lines -- -k --pipe --bin 1 'paste -sd+ | bc'
same j=1 stdin=table.csv -- -k --pipe --bin 2 'echo ==; cat'
same j=1 stdin=table.tsv -- -k --pipe --bin 2 --colsep '\t' 'echo ==; cat'
same sort j=1 stdin=lines -- --pipe --shard 1 'sort -u'
same stdin=lines -- -k --cat --block 30k 'wc -l <{}; [ -f "$PARALLEL_TMP" ] && echo there'
same -- -k --pipepart --cat --block 30k -a lines 'wc -l <{.}'
same stdin=lines -- -k --fifo --block 30k 'wc -l <{}'
same -- -k --pipepart --fifo --block 30k -a lines 'cat {} | wc -l'
same -- -k --compress --compress-program gzip echo ::: a b
# --roundrobin: which job gets which block depends on who reads first, in GNU
# parallel too; the jobs (one per slot, or per block when fewer) and the
# total are what they are.
if [ "$NP" = 2 ] || [ "$NP" = 3 ]; then
  CASES=$((CASES + 1))
  mr -j1 --pipe --roundrobin --block 10k wc -l <lines >m.out 2>m.err
  gp -j"$NP" --pipe --roundrobin --block 10k wc -l <lines >g.out
  if [ "$(wc -l <m.out)" != "$(wc -l <g.out)" ] ||
    [ "$(paste -sd+ m.out | bc)" != "$(paste -sd+ g.out | bc)" ]; then
    echo "FAIL [np=$NP]: --roundrobin: jobs or total differ" >&2
    paste g.out m.out | head -5 >&2
    FAILS=$((FAILS + 1))
  fi
fi
# --- Output -----------------------------------------------------------------
same err -- -k 'echo out {}; echo err {} >&2' ::: 1 2 3
same sort j=2 -- 'sleep 1; echo {%}' ::: 1 2 3 4
same sort -- --timeout 1m echo ::: a
same sort -- --plus echo {..} {+..} {/..} {##} {0#} {:-x} {:2} {:1:2} ::: a.b.c.d ''
same sort -- --plus echo '{#b*}' '{##*.}' '{%.*}' '{%%.*}' '{/a/X}' '{//a/X}' '{^a}' '{^^a}' ::: aa.ba.tar
# --- Output to files, -t, line buffering, slots -----------------------------
same -- -k --tmpdir "$WORK" 'echo $TMPDIR {}' ::: a
same sort err -- -t echo ::: a 'b c'
same err -- -k -t --dry-run echo ::: a
same ranks j=2 -- -k --process-slot-var X 'echo $(( X + 1 == {%} ))' ::: a b c d e
same -- -k --plus --total-jobs 5 echo {##} {} ::: a b
same sort -- --line-buffer 'echo a{}; echo b{}' ::: 1 2 3
same -- -k --line-buffer 'echo a{}; echo b{}' ::: 1 2 3
same sort -- --lb --tag 'printf "x\ny\n"' ::: 1 2
same -- -k --color 'printf "x\ry\nz"; echo e >&2' ::: $(seq 1 40)
same -- -k --ctag echo ::: a b
same -- -k --cf 'echo {}; exit {}' ::: 0 1 0 2
same -- -k --ctagstring '<{}>' echo ::: a b
same log -- --term-seq USR1,200,KILL,25 --timeout 0.5 "trap 'echo got {}; exit 3' USR1; sleep 10 & wait" ::: USR1
same log -- --term-seq USR1,200,KILL,25 --timeout 0.5 "trap 'echo got {}' USR1; sleep 10 & wait; sleep 10" ::: USR1
# --files: the names differ (temporary files); what the files hold may not.
if [ "$NP" = 2 ]; then
mkdir -p mt gt
mr -k --files --tmpdir mt 'echo {}; seq {}' ::: 3 1 2 >m.out
gp -k --files --tmpdir gt 'echo {}; seq {}' ::: 3 1 2 >g.out
CASES=$((CASES + 1))
if [ "$(xargs cat <m.out)" != "$(xargs cat <g.out)" ] || [ "$(wc -l <m.out)" != 3 ] ||
  grep -qv '^mt/par.*\.par$' m.out; then
  echo "FAIL [np=$NP]: --files: names or contents differ" >&2
  head -5 m.out g.out >&2
  FAILS=$((FAILS + 1))
fi
fi
# --results as a table: the same rows but for Host, Starttime and JobRuntime.
table_rows() {  # FILE: its rows without those columns, sorted by Seq
  python3 - "$1" <<'PY'
import csv, json, sys
name = sys.argv[1]
if name.endswith(".json"):
    rows = [json.loads(line) for line in open(name, encoding="utf-8", errors="surrogateescape")]
    for r in rows:
        for k in ("Host", "Starttime", "JobRuntime"):
            del r[k]
    rows = [json.dumps(r, sort_keys=True) for r in sorted(rows, key=lambda r: r["Seq"])]
else:
    with open(name, newline="") as f:
        table = list(csv.reader(f, delimiter="\t" if name.endswith(".tsv") else ","))
    rows = [repr(r[:1] + r[4:]) for r in table[:1]]
    rows += [repr(r[:1] + r[4:]) for r in sorted(table[1:], key=lambda r: int(r[0]))]
print("\n".join(rows))
PY
}
if [ "$NP" = 2 ]; then
  for kind in csv tsv json; do
    CASES=$((CASES + 1))
    mr --results m.$kind 'echo "{1} {2}"; echo e\"{#} >&2; exit {#}' ::: a 'b,c' $'t\tu' ::: x >/dev/null 2>&1
    gp --results g.$kind 'echo "{1} {2}"; echo e\"{#} >&2; exit {#}' ::: a 'b,c' $'t\tu' ::: x >/dev/null 2>&1
    if [ "$(table_rows m.$kind)" != "$(table_rows g.$kind)" ]; then
      echo "FAIL [np=$NP]: --results .$kind differs" >&2
      diff <(table_rows g.$kind) <(table_rows m.$kind) | head -10 >&2
      FAILS=$((FAILS + 1))
    fi
  done
  # -.csv: the table on stdout (and nothing else there), --header's names.
  CASES=$((CASES + 1))
  mr --header '.*' --results -.csv echo ::: name a b >m.csv
  gp --header '.*' --results -.csv echo ::: name a b >g.csv
  if [ "$(table_rows m.csv)" != "$(table_rows g.csv)" ]; then
    echo "FAIL [np=$NP]: --results -.csv differs" >&2
    diff <(table_rows g.csv) <(table_rows m.csv) | head -10 >&2
    FAILS=$((FAILS + 1))
  fi
fi

if [ "$FAILS" -gt 0 ]; then
  echo "gnu_compat.sh np=$NP: $FAILS of $CASES cases differ from GNU parallel" >&2
  exit 1
fi
echo "gnu_compat.sh np=$NP: $CASES cases agree with GNU parallel"
