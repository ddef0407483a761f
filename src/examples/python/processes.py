# Lesson step 5 (the seed's Q-6): a process per number, each printing when it gets there.
import time
from multiprocessing import Process

def print_number(n):
    time.sleep((5 - n) / 10)  # the later numbers finish first
    print(f"Number: {n}", flush=True)

if __name__ == "__main__":
    workers = [Process(target=print_number, args=(n,)) for n in [1, 2, 3, 4]]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
