"""The mpi4py-futures peer of the dispatch case: MPIPoolExecutor.map with
chunksize 1 on the same trivial task (squaring an int).

Run it the way mpi4py documents for an MPI job that already has its workers:

    mpirun -n 2 /usr/bin/python3 -m mpi4py.futures mpi4py_futures.py [--items N] [--reps K]

Rank 0 runs this script and rank 1 serves as the pool's one worker. The
executor is booted and warmed up outside the timed region; only the map (and
collecting its results) is timed with MPI.Wtime. mpi4py's executor is slow per
task, so the driver gives it fewer items than the other systems and compares
time per item. Prints one JSON line per repetition; exits non-zero on a wrong
result.
"""
import argparse
import json
import sys

from mpi4py import MPI
from mpi4py.futures import MPIPoolExecutor


def square(x):
    return x * x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=5_000)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    n = a.items
    xs = [i - n // 2 for i in range(n)]  # the C++ programs' square_input
    ranks = MPI.COMM_WORLD.Get_size()
    with MPIPoolExecutor() as executor:
        executor.bootup(wait=True)
        list(executor.map(square, range(8), chunksize=1))
        for rep in range(1, a.reps + 1):
            t0 = MPI.Wtime()
            results = list(executor.map(square, xs, chunksize=1))
            seconds = MPI.Wtime() - t0
            if results != [x * x for x in xs]:
                print("mpi4py_futures: WRONG RESULT", file=sys.stderr)
                return 3
            print(json.dumps({"rep": rep, "seconds": seconds, "items": n,
                              "ranks": ranks}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
