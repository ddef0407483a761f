#!/usr/bin/env bash
# On 3 simulated hosts x 2 slots, map (every schedule), process, demo and run
# print byte for byte what the same command prints with 6 ranks on 1 host
# (the oracle), with the same exit status; the --tag prefixes and the joblog's
# Host column name all three hosts.
#   identical.sh MPIMAP
set -euo pipefail
source "$(dirname "$0")/cluster_lib.sh" "$1" 3 2

one() { timeout 60 mpirun -q -n 6 "$MPIMAP" "$@"; }
three() { timeout 60 "$SIM" -q -n 6 "$MPIMAP" "$@"; }
# Host names out of the --tag prefix [rank R@host], so that outputs compare.
untag() { sed 's/^\[rank \([0-9]*\)@[^]]*\]/[rank \1@HOST]/' "$@"; }
hosts_of_tags() { sed -n 's/^\[rank [0-9]*@\([^]]*\)\].*/\1/p' "$1" | sort -u | tr '\n' ' '; }

# same NAME ARGS...: 1 host vs 3 hosts, stdout and exit status.
same() {
  local name=$1 rc1=0 rc3=0
  shift
  one "$@" >"$name.1" 2>"$name.1.err" || rc1=$?
  three "$@" >"$name.3" 2>"$name.3.err" || rc3=$?
  [ "$rc1" = "$rc3" ] || fail "$name: exit status $rc3 on 3 hosts, $rc1 on 1 host: $(head -3 "$name.3.err" "$name.1.err")"
  cmp -s <(untag "$name.1") <(untag "$name.3") ||
    fail "$name: output differs: $(diff <(untag "$name.1") <(untag "$name.3") | head -5)"
}
all3="node1 node2 node3 "

items=$(seq 1 60)
same map-static map square --schedule static $items
same map-dynamic-chunk1 map cube --schedule dynamic --chunksize 1 --format lines $items
same map-guided map collatz --schedule guided --format json $items
same map-dynamic-failing map square 1 2 99999999999 4
same map-tag-static map print_numbers --tag --schedule static 3 1 2 4 2 3 1 2 5 1 2 3
[ "$(hosts_of_tags map-tag-static.3)" = "$all3" ] ||
  fail "map --tag names hosts '$(hosts_of_tags map-tag-static.3)', want '$all3'"
same process-tag process --tag print_number 1 2 3 4 5 6 7 8
[ "$(hosts_of_tags process-tag.3)" = "$all3" ] ||
  fail "process --tag names hosts '$(hosts_of_tags process-tag.3)', want '$all3'"
same demo demo

# run: -k output in input order, failures counted in the exit status; the
# joblog's records (Host and times left out) are the same, its hosts all three.
same run-keep-order run -k -j 2 --joblog log -- 'echo {} $(({} * {})); exit $(({} % 7 == 0))' ::: $items
one run -k -j 2 --joblog log1 -- 'echo {}; exit $(({} % 7 == 0))' ::: $items >/dev/null 2>&1 || true
three run -k -j 2 --joblog log3 -- 'echo {}; exit $(({} % 7 == 0))' ::: $items >/dev/null 2>&1 || true
records() { tail -n +2 "$1" | cut -f1,5-9 | sort -n; }
cmp -s <(records log1) <(records log3) ||
  fail "joblog records differ: $(diff <(records log1) <(records log3) | head -5)"
hosts=$(tail -n +2 log3 | cut -f2 | sort -u | tr '\n' ' ')
[ "$hosts" = "$all3" ] || fail "joblog Host column: '$hosts', want '$all3'"
finish
