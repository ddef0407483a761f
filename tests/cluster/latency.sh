#!/usr/bin/env bash
# Slow links: on 3 simulated hosts x 2 slots, with `tc netem delay 2ms` on
# every host's link, the dynamic schedule still keeps every rank busy. Per-rank
# figures come from what the program prints today: for run, the slot {%} of
# each task (one slot per rank with -j 1) in its joblog Command, with its
# JobRuntime; for map, the --tag prefix [rank R@host] of each printed item.
# Where the kernel has no netem (CONFIG_NET_SCH_NETEM not set), the links are
# slowed with a token bucket instead (tbf rate 200kbit: a 100-byte message
# waits ~4 ms), and the test says so. Counts and busy times, never wall time.
#   latency.sh MPIMAP
set -euo pipefail
source "$(dirname "$0")/cluster_lib.sh" "$1" 3 2
if "$CLUSTER_SIM" link netem delay 2ms 2>/dev/null; then
  echo "links: netem delay 2ms"
else
  "$CLUSTER_SIM" link tbf rate 200kbit burst 2kb latency 5s
  echo "links: no netem in this kernel; tbf rate 200kbit instead"
fi
three() { timeout 60 "$SIM" -q -n 6 "$MPIMAP" "$@"; }

# run: 60 tasks of 50 ms on 6 slots; each slot must run at least half its
# share (5) and be busy at least half the mean busy time.
three run -j 1 --joblog joblog -- 'sleep 0.05; echo {%}' ::: $(seq 1 60) >out
[ "$(wc -l <out)" = 60 ] || fail "run printed $(wc -l <out) lines, want 60"
awk -F'\t' 'NR > 1 { n = split($9, w, " "); s = w[n]; count[s]++; busy[s] += $4 }
  END { for (s in count) print s, count[s], busy[s] }' joblog | sort -n >slots
echo "run, per slot (slot tasks busy-seconds):"
cat slots
[ "$(wc -l <slots)" = 6 ] || fail "tasks ran on $(wc -l <slots) slots, want 6"
awk '{ total += $3 } END { mean = total / NR } { b[NR] = $3; c[NR] = $2 }
  END { for (i = 1; i <= NR; i++) if (c[i] < 5 || b[i] < mean / 2) exit 1 }' slots ||
  fail "a slot was left idle: $(tr '\n' ';' <slots)"

# map: 120 items, one per chunk; every rank must get items.
three map --tag --chunksize 1 print_number $(seq 1 120) >mapped
sed -n 's/^\[rank \([0-9]*\)@.*/\1/p' mapped | sort -n | uniq -c | awk '{ print $2, $1 }' >ranks
echo "map, per rank (rank items):"
cat ranks
[ "$(cut -d' ' -f1 ranks | tr '\n' ' ')" = "0 1 2 3 4 5 " ] || fail "not every rank got items"
[ "$(awk '{ s += $2 } END { print s }' ranks)" = 120 ] || fail "map printed other than 120 items"
finish
