"""The Python peer of the executor case: concurrent.futures'
ProcessPoolExecutor, N submits of the same trivial task (squaring an int),
then result() of every future, with 2 worker processes.

    python3 python_futures.py [--items N] [--reps K] [--workers W]

The executor is started and warmed up outside the timed region. Prints one
JSON line per repetition; exits non-zero on a wrong result.
"""
import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    n = a.items
    xs = [i - n // 2 for i in range(n)]  # the C++ programs' square_input
    with ProcessPoolExecutor(max_workers=a.workers) as executor:
        list(executor.map(square, range(8)))
        for rep in range(1, a.reps + 1):
            t0 = time.perf_counter()
            futures = [executor.submit(square, x) for x in xs]
            results = [f.result() for f in futures]
            seconds = time.perf_counter() - t0
            if results != [x * x for x in xs]:
                print("python_futures: WRONG RESULT", file=sys.stderr)
                return 3
            print(json.dumps({"rep": rep, "seconds": seconds, "items": n,
                              "ranks": a.workers}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
