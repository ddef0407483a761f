#!/usr/bin/env python3
"""Checks what `mpimap run --trace T --stats-json S` wrote, independently of
mpimap's own code (Python's json module is the parser):
    check_run_watch.py TRACE STATS JOBS RANKS SLOTS FAIL_EVERY
for a run of `echo {}; test $(( {} % FAIL_EVERY )) -ne 0` over 1..JOBS with
-j SLOTS on RANKS ranks. The trace: a track per rank slot named
"rank N@host slot S", every job exactly once as a "job N" slice with its exit
status and command, a slot's slices never overlapping. The stats: the jobs,
the slots, tasks per rank that add up and match the trace, busy % in
[0, 100], rank 0's times adding up to the run's."""
import json
import re
import sys

trace_path, stats_path = sys.argv[1], sys.argv[2]
jobs, ranks, slots, fail_every = (int(a) for a in sys.argv[3:7])
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


events = json.load(open(trace_path))["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in events
         if e["ph"] == "M" and e["name"] == "thread_name"}
check(sorted(names) == list(range(ranks * slots)), f"tracks {sorted(names)}")
track_of = {}  # (rank, slot) -> tid
for tid, name in names.items():
    m = re.fullmatch(r"rank (\d+)@\S+ slot (\d+)", name)
    check(m is not None, f"track {tid} is named {name!r}")
    if m:
        rank, slot = int(m[1]), int(m[2])
        check(0 <= rank < ranks and 1 <= slot <= slots, f"track {name!r} out of range")
        track_of[rank, slot] = tid
check(len(track_of) == ranks * slots, f"{len(track_of)} distinct tracks")
rank_of = {tid: rank for (rank, _), tid in track_of.items()}

seen = [0] * (jobs + 1)
traced = [0] * ranks
by_track = {}
for e in events:
    if e["ph"] != "X":
        continue
    check(e["cat"] == "job", f"not a job: {e}")
    check(e["dur"] >= 0 and e["ts"] >= 0, f"negative time: {e}")
    seq = e["args"]["seq"]
    check(e["name"] == f"job {seq}", f"slice named {e['name']!r}")
    if not 1 <= seq <= jobs:
        problems.append(f"job {seq} out of range")
        continue
    seen[seq] += 1
    # ::: 1..JOBS: job seq ran with argument seq.
    want_exit = 0 if seq % fail_every else 1
    check(e["args"]["exit"] == want_exit, f"job {seq}: exit {e['args']['exit']}")
    check(e["args"]["outcome"] == ("ok" if want_exit == 0 else "failed"),
          f"job {seq}: outcome {e['args']['outcome']}")
    check(f"echo {seq};" in e["args"]["command"] and e["args"]["command"].endswith('# "q" \\b'),
          f"job {seq}: command {e['args']['command']!r}")
    by_track.setdefault(e["tid"], []).append(e)
    if e["tid"] in rank_of:
        traced[rank_of[e["tid"]]] += 1
check(all(s == 1 for s in seen[1:]),
      f"jobs not traced exactly once: {[k for k in range(1, jobs + 1) if seen[k] != 1][:10]}")
for tid, slices in by_track.items():
    slices.sort(key=lambda e: e["ts"])
    for a, b in zip(slices, slices[1:]):
        check(round((a["ts"] + a["dur"]) * 1000) <= round(b["ts"] * 1000),
              f"{names.get(tid)}: {a['name']} overlaps {b['name']}")

stats = json.load(open(stats_path))
check(stats["jobs"] == jobs, f"stats jobs {stats['jobs']}, want {jobs}")
check(len(stats["ranks"]) == ranks, f"stats has {len(stats['ranks'])} ranks")
check(sum(r["tasks"] for r in stats["ranks"]) == jobs, "tasks per rank do not add up")
for r in stats["ranks"]:
    check(r["slots"] == slots, f"rank {r['rank']}: {r['slots']} slots")
    check(0 <= r["busy_percent"] <= 100, f"busy % {r['busy_percent']}")
    check(r["tasks"] == traced[r["rank"]],
          f"rank {r['rank']}: {r['tasks']} tasks in the stats, {traced[r['rank']]} traced")
check(stats["imbalance"] >= 1 - 1e-9, f"imbalance {stats['imbalance']}")
r0 = stats["rank0"]
check(abs(r0["dispatch_seconds"] + r0["wait_seconds"] - stats["seconds"]) < 1e-6,
      "rank 0's times do not add up to the run's")

for p in problems[:20]:
    print(p)
sys.exit(1 if problems else 0)
