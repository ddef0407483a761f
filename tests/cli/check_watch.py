#!/usr/bin/env python3
"""Checks what `mpimap map --trace T --stats-json S` wrote, independently of
mpimap's own code (Python's json module is the parser):
    check_watch.py TRACE STATS ITEMS RANKS
The trace: Chrome Trace Event JSON with one track per rank named "rank N@host",
every item in exactly one chunk slice, a track's slices never overlapping,
dispatch and wait slices on rank 0 only. The stats: counts that add up to the
items, busy % in [0, 100], and the same tasks per rank as the trace shows."""
import json
import re
import sys

trace_path, stats_path, n, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


trace = json.load(open(trace_path))
events = trace["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in events
         if e["ph"] == "M" and e["name"] == "thread_name"}
check(sorted(names) == list(range(ranks)), f"tracks {sorted(names)}, want 0..{ranks - 1}")
for tid, name in names.items():
    check(re.fullmatch(rf"rank {tid}@\S+", name) is not None, f"track {tid} is named {name!r}")

seen = [0] * n
tasks_in_trace = [0] * ranks
by_track = {}
for e in events:
    if e["ph"] != "X":
        continue
    check(e["dur"] >= 0 and e["ts"] >= 0, f"negative time: {e}")
    by_track.setdefault(e["tid"], []).append(e)
    if e["cat"] != "chunk":
        check(e["tid"] == 0 and e["name"] in ("dispatch", "wait"), f"not a chunk: {e}")
        continue
    begin, items = e["args"]["begin"], e["args"]["items"]
    want = f"item {begin}" if items == 1 else f"items {begin}-{begin + items - 1}"
    check(e["name"] == want, f"slice named {e['name']!r}, want {want!r}")
    check(e["args"]["outcome"] in ("ok", "failed"), f"outcome {e['args']['outcome']!r}")
    tasks_in_trace[e["tid"]] += items
    for k in range(begin, begin + items):
        if 0 <= k < n:
            seen[k] += 1
        else:
            problems.append(f"item {k} out of range")
check(all(s == 1 for s in seen), f"items not traced exactly once: "
      f"{[k for k, s in enumerate(seen) if s != 1][:10]}")
for tid, slices in by_track.items():
    slices.sort(key=lambda e: e["ts"])
    for a, b in zip(slices, slices[1:]):
        # Times are whole nanoseconds written as microseconds with 3 decimals.
        check(round((a["ts"] + a["dur"]) * 1000) <= round(b["ts"] * 1000),
              f"rank {tid}: {a['name']} overlaps {b['name']}")

stats = json.load(open(stats_path))
check(stats["items"] == n, f"stats items {stats['items']}, want {n}")
check(len(stats["ranks"]) == ranks, f"stats has {len(stats['ranks'])} ranks")
check(sum(r["tasks"] for r in stats["ranks"]) == n, "tasks per rank do not add up")
check(sum(r["chunks"] for r in stats["ranks"]) == stats["chunks"], "chunks do not add up")
for r in stats["ranks"]:
    check(0 <= r["busy_percent"] <= 100, f"busy % {r['busy_percent']}")
    check(r["tasks"] == tasks_in_trace[r["rank"]],
          f"rank {r['rank']}: {r['tasks']} tasks in the stats, {tasks_in_trace[r['rank']]} traced")
r0 = stats["rank0"]
check(abs(r0["dispatch_seconds"] + r0["compute_seconds"] + r0["wait_seconds"] - stats["seconds"])
      < 1e-6, "rank 0's times do not add up to the map's")

for p in problems[:20]:
    print(p)
sys.exit(1 if problems else 0)
