#!/usr/bin/env python3
"""Checks of schedule_sim.py, the model of the dynamic and guided schedules.

  schedule_sim_test.py [BENCH_COMMAND...]

With BENCH_COMMAND (bench_mpimap under mpirun), the model's durations must be
the benchmark's own: the total and the longest task that bench_mpimap prints
for the same draw. Without it, that check is skipped.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schedule_sim as sim  # noqa: E402

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


# The C++ standard ([rand.predef]) fixes the 10000th output of a
# default-seeded (5489) std::mt19937_64.
gen = sim.MT19937_64(5489)
for _ in range(9999):
    gen()
check(gen() == 9981545732273789042, "MT19937_64 is std::mt19937_64")

# The benchmark's own draw: bench_mpimap prints the total and the longest task.
if len(sys.argv) > 1:
    n, mean_ms = 2000, 0.001  # tiny tasks: the benchmark itself takes milliseconds
    out = subprocess.run(sys.argv[1:] + ["--case", "imbalanced", "--schedule", "dynamic", "--items", str(n),
                                         "--mean-ms", str(mean_ms), "--reps", "1"],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    first = json.loads(out.splitlines()[0])
    d = sim.lognormal_durations(n, mean_ms / 1e3, 1.0, 42)
    check(abs(sum(d) - first["total_work_seconds"]) <= 1e-9 * n, "the same total work as bench_mpimap")
    check(abs(max(d) - first["longest_task_seconds"]) <= 1e-12, "the same longest task as bench_mpimap")

# Every model: never below the lower bound; on one rank, exactly the work.
models = {
    "greedy": lambda d, r: sim.greedy(d, r),
    "dynamic": lambda d, r: sim.current(d, r),
    "guided": lambda d, r: sim.current(d, r, guided=True),
    "threaded": lambda d, r: sim.threaded(d, r),
}
for ranks in (2, 3, 16):
    for sigma in (0.5, 1.0, 2.0):
        d = sim.lognormal_durations(500, 1e-3, sigma, 7)
        bound = sim.lower_bound(d, ranks)
        for name, model in models.items():
            check(model(d, ranks) >= bound * (1 - 1e-12), f"{name} at {ranks} ranks, sigma {sigma}: above the bound")
d = sim.lognormal_durations(300, 1e-3, 1.0, 3)
for name in ("greedy", "dynamic", "guided"):
    got = models[name](d, 1)
    check(abs(got - sum(d)) <= 1e-9, f"{name} at 1 rank: the total work ({got} vs {sum(d)})")

# Equal tasks, as many as ranks: the greedy schedule is the bound itself.
check(abs(sim.greedy([1e-3] * 16, 16) - 1e-3) < 1e-15, "greedy: 16 equal tasks on 16 ranks")

print("schedule_sim_test:", "FAILED" if failures else "passed")
sys.exit(1 if failures else 0)
