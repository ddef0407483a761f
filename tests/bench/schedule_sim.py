#!/usr/bin/env python3
"""A discrete-event model of the dynamic and guided schedules, for the
imbalanced benchmark at many ranks, on a machine that has few.

It replays what rank 0 decides in src/mpimap/detail/dynamic_map.hpp (deep
per-worker windows, the fair-share cap, rank 0 running its own tasks only while
every worker has enough queued, its 5 us slices) and chunking.hpp (automatic
and guided chunk sizes), with the task times of bench_mpimap --case imbalanced
(the same draw: mt19937_64 and Box-Muller, so seed 42 gives the same 2,000
durations). Messages cost a fixed latency and rank 0 a fixed time per message;
tasks last exactly their drawn time, as the benchmark's spinning tasks do.

Two references run beside it over the same durations:
  greedy    items in input order, each to whichever rank frees up first, with
            no message cost and no queue: what an in-order dispatcher that
            cannot know task times ahead can hope for;
  threaded  rank 0's tasks on a thread of their own (a design, not the code):
            the MPI thread answers every `--poll` and every worker keeps two
            chunks, so no queue has to outlast rank 0's own tasks.

  python3 tests/bench/schedule_sim.py                     # seed 42, 2,000 and 16,000 tasks
  python3 tests/bench/schedule_sim.py --seeds 20          # also the mean over 20 seeds
  python3 tests/bench/schedule_sim.py --items 2000 --ranks 4,16 --sigma 1.5

Ratios are to the benchmark's lower bound, max(total / ranks, longest task).
The model is the policy only; it knows nothing of caches, noise or the
machine, so it is a tool for comparing policies, never a substitute for a
measurement (tests/bench/results/ has those).
"""

import argparse
import heapq
import math
from collections import deque


class MT19937_64:
    """std::mt19937_64, so a seed draws what bench_common.hpp draws."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = [seed & self.MASK]
        for i in range(1, 312):
            prev = self.state[-1]
            self.state.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & self.MASK)
        self.index = 312

    def _twist(self):
        s = self.state
        for i in range(312):
            x = (s[i] & 0xFFFFFFFF80000000) | (s[(i + 1) % 312] & 0x7FFFFFFF)
            xa = x >> 1
            if x & 1:
                xa ^= 0xB5026F5AA96619E9
            s[i] = s[(i + 156) % 312] ^ xa
        self.index = 0

    def __call__(self):
        if self.index >= 312:
            self._twist()
        y = self.state[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & self.MASK


def lognormal_durations(n, mean_s, sigma, seed):
    """bench::lognormal_durations, in seconds."""
    gen = MT19937_64(seed)

    def uniform():
        return ((gen() >> 11) + 0.5) * 2.0**-53

    mu = math.log(mean_s) - sigma * sigma / 2
    out = []
    for _ in range(n):
        u1 = uniform()
        z = math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * uniform())
        out.append(math.exp(mu + sigma * z))
    return out


def lower_bound(durations, ranks):
    return max(sum(durations) / ranks, max(durations))


def greedy(durations, ranks):
    """In-order list scheduling with free dispatch: the makespan."""
    free = [0.0] * ranks
    for d in durations:
        heapq.heappush(free, heapq.heappop(free) + d)
    return max(free)


class Costs:
    """What messages cost, in seconds (roughly shared memory on one node)."""

    def __init__(self, latency=2e-6, receive=1e-6, send=0.7e-6, chunk=1e-6):
        self.latency, self.receive, self.send, self.chunk = latency, receive, send, chunk


class ChunkCursor:
    """chunking.hpp's ChunkCursor, for a known item count."""

    def __init__(self, n, ranks, guided, chunksize=0):
        self.n, self.ranks, self.guided = n, ranks, guided
        self.adaptive = not guided and chunksize == 0
        self.size = chunksize or 1
        self.next = 0
        self.target_ns = max(2_000_000, 20_000 * ranks)
        self.seen_items = self.seen_ns = 0

    def done(self):
        return self.next >= self.n

    def left(self):
        return self.n - self.next

    def take(self):
        left = self.left()
        cap = (left + 2 * self.ranks - 1) // (2 * self.ranks)
        size = self.size
        if self.guided:
            size = max(size, cap)
        elif self.adaptive:
            size = min(size, max(cap, 1))
        size = min(size, left)
        self.next += size
        return size

    def take_local(self, want):
        size = min(max(want, 1), (self.left() + self.ranks - 1) // self.ranks)
        self.next += size
        return size

    def observe(self, items, ns):
        if self.adaptive and items:
            self.seen_items += items
            self.seen_ns += ns
            self.size = max(1, self.target_ns // max(1, self.seen_ns // self.seen_items))


class TaskTimes:
    """dynamic_map.hpp's TaskTimes: the mean, and a bucketed 95th percentile."""

    def __init__(self):
        self.items = self.ns = 0
        self.counts = [0] * 65

    def add(self, items, ns):
        if items:
            self.items += items
            self.ns += ns
            self.counts[(ns // items).bit_length()] += items

    def mean(self):
        return self.ns // self.items if self.items else 0

    def long_task(self):
        seen = 0
        for b, count in enumerate(self.counts):
            seen += count
            if seen * 20 >= self.items * 19:
                return 0 if b == 0 else 1 << (b - 1)
        return 0


def current(durations, ranks, guided=False, costs=Costs()):
    """The makespan of rank 0's policy as dynamic_map.hpp has it."""
    ns = [int(d * 1e9) for d in durations]
    prefix = [0]
    for d in durations:
        prefix.append(prefix[-1] + d)

    def work(b, c):
        return prefix[b + c] - prefix[b]

    cursor = ChunkCursor(len(durations), ranks, guided)
    times = TaskTimes()
    window = 2 if guided else 16
    queued = [deque() for _ in range(ranks)]  # per worker: item counts of its chunks
    held = [0] * ranks                        # their sum
    free_at = [0.0] * ranks                   # when each worker's queue runs out
    results = []                              # (arrival at rank 0, seq, worker, begin, count)
    clock = [0.0]
    local = [0, 0]                            # rank 0's own items [next, end)

    def may_send(w):
        if cursor.done() or len(queued[w]) >= window:
            return False
        return held[w] == 0 or held[w] < (cursor.left() + ranks - 1) // ranks

    def send(w):
        begin, count = cursor.next, cursor.take()
        clock[0] += costs.send
        start = max(clock[0] + costs.latency, free_at[w])
        free_at[w] = start + work(begin, count) + costs.chunk
        heapq.heappush(results, (free_at[w] + costs.latency, len(results) + begin, w, begin, count))
        queued[w].append(count)
        held[w] += count

    def items_for(seconds):
        mean = times.mean()
        return max(1, int(seconds * 1e9) // mean) if mean else 1

    def may_compute():
        if local[0] < local[1]:
            return True
        if cursor.done():
            return False
        if cursor.left() <= items_for(50e-6):
            return True
        mean = times.mean()
        want = max(1, times.long_task() // mean if mean else 0) + 1
        return all(held[w] >= want for w in range(1, ranks))

    def receive(block):
        if not results or (results[0][0] > clock[0] and not block):
            return False
        arrival, _, w, begin, count = heapq.heappop(results)
        clock[0] = max(clock[0], arrival) + costs.receive
        queued[w].popleft()
        held[w] -= count
        spent = sum(ns[begin:begin + count])
        cursor.observe(count, spent)
        times.add(count, spent)
        while may_send(w):
            send(w)
        return True

    def run_local_slice():
        if local[0] == local[1]:
            if cursor.done():
                return False
            begin = cursor.next
            local[:] = [begin, begin + cursor.take_local(items_for(50e-6))]
        begin = local[0]
        count = min(local[1] - begin, items_for(5e-6) if ranks > 1 else local[1] - begin)
        clock[0] += work(begin, count)
        local[0] += count
        spent = sum(ns[begin:begin + count])
        cursor.observe(count, spent)
        times.add(count, spent)
        return True

    for _ in range(window):
        for w in range(1, ranks):
            if may_send(w):
                send(w)
    while True:
        while receive(False):
            pass
        if may_compute():
            poll_at = clock[0] + 5e-6
            while run_local_slice() and (ranks == 1 or clock[0] < poll_at):
                pass
            continue
        for w in range(1, ranks):
            while may_send(w):
                send(w)
        if not results:
            break
        receive(True)
    return clock[0]


def threaded(durations, ranks, guided=False, costs=Costs(), poll=50e-6, slowdown=1.03, depth=2):
    """The makespan if rank 0 ran its tasks on a second thread (`slowdown`:
    what the MPI thread's wake-ups cost that thread) while the MPI thread
    woke every `poll` seconds and kept every worker at `depth` chunks."""
    prefix = [0]
    for d in durations:
        prefix.append(prefix[-1] + d)
    cursor = ChunkCursor(len(durations), ranks, guided)
    held = [0] * ranks
    chunks = [0] * ranks
    free_at = [0.0] * ranks
    results = []
    t = 0.0
    own_free = 0.0  # when rank 0's task thread is next free
    last = 0.0

    def may_send(w):
        if cursor.done() or chunks[w] >= depth:
            return False
        return held[w] == 0 or held[w] < (cursor.left() + ranks - 1) // ranks

    def send(w, t):
        nonlocal last
        begin, count = cursor.next, cursor.take()
        t += costs.send
        start = max(t + costs.latency, free_at[w])
        free_at[w] = start + prefix[begin + count] - prefix[begin] + costs.chunk
        last = max(last, free_at[w])
        heapq.heappush(results, (free_at[w] + costs.latency, begin, w, count))
        held[w] += count
        chunks[w] += 1
        return t

    for _ in range(depth):
        for w in range(1, ranks):
            if may_send(w):
                t = send(w, t)
    while results or not cursor.done():
        wake = t + poll
        while own_free < wake and not cursor.done():
            begin = cursor.next
            cursor.take_local(1)
            own_free = max(own_free, 0.0) + durations[begin] * slowdown
            last = max(last, own_free)
        t = wake
        while results and results[0][0] <= t:
            _, begin, w, count = heapq.heappop(results)
            t += costs.receive
            held[w] -= count
            chunks[w] -= 1
            cursor.observe(count, int((prefix[begin + count] - prefix[begin]) * 1e9))
            while may_send(w):
                t = send(w, t)
        if not results and not cursor.done():
            t = max(t, own_free)
    return max(last, t)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--items", default="2000,16000", help="task counts, comma-separated")
    p.add_argument("--ranks", default="16", help="rank counts, comma-separated")
    p.add_argument("--mean-ms", type=float, default=1.0)
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42, help="the benchmark's seed")
    p.add_argument("--seeds", type=int, default=0, help="also the mean, median and worst over this many other seeds")
    p.add_argument("--poll", type=float, default=50e-6, help="threaded: the MPI thread's wake-up period (s)")
    a = p.parse_args()

    models = [
        ("greedy", lambda d, r: greedy(d, r)),
        ("dynamic", lambda d, r: current(d, r)),
        ("guided", lambda d, r: current(d, r, guided=True)),
        ("threaded-dynamic", lambda d, r: threaded(d, r, poll=a.poll)),
    ]
    for n in (int(x) for x in a.items.split(",")):
        for ranks in (int(x) for x in a.ranks.split(",")):
            d = lognormal_durations(n, a.mean_ms / 1e3, a.sigma, a.seed)
            bound = lower_bound(d, ranks)
            print(f"[{n} tasks, {ranks} ranks, log-normal mean {a.mean_ms} ms sigma {a.sigma}] "
                  f"bound {bound * 1e3:.1f} ms (seed {a.seed})")
            for name, model in models:
                line = f"  {name:17s} seed {a.seed}: {model(d, ranks) / bound:.4f}x bound"
                if a.seeds:
                    ratios = sorted(model(x, ranks) / lower_bound(x, ranks) for x in (
                        lognormal_durations(n, a.mean_ms / 1e3, a.sigma, 1000 + s) for s in range(a.seeds)))
                    line += (f"   over {a.seeds} seeds: mean {sum(ratios) / len(ratios):.4f}x"
                             f"  median {ratios[len(ratios) // 2]:.4f}x  worst {ratios[-1]:.4f}x")
                print(line)


if __name__ == "__main__":
    main()
