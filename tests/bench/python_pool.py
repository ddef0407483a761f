"""The python-pool peer of the dispatch case: multiprocessing.Pool(2).map with
chunksize 1 on the same trivial task (squaring an int) and the same items.

Only the map call is timed (time.perf_counter), never the pool's start-up; one
untimed warm-up map first, so that both workers are running. Prints one JSON
line per repetition, like the C++ bench programs; exits non-zero on a wrong
result.

    /usr/bin/python3 python_pool.py [--items N] [--reps K] [--processes P]
"""
import argparse
import json
import multiprocessing
import sys
import time


def square(x):
    return x * x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=200_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--processes", type=int, default=2)
    a = ap.parse_args()
    n = a.items
    xs = [i - n // 2 for i in range(n)]  # the C++ programs' square_input
    with multiprocessing.Pool(a.processes) as pool:
        pool.map(square, range(4 * a.processes), chunksize=1)
        for rep in range(1, a.reps + 1):
            t0 = time.perf_counter()
            results = pool.map(square, xs, chunksize=1)
            seconds = time.perf_counter() - t0
            if results != [x * x for x in xs]:
                print("python_pool: WRONG RESULT", file=sys.stderr)
                return 3
            print(json.dumps({"rep": rep, "seconds": seconds, "items": n,
                              "ranks": a.processes}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
