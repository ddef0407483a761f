# Lesson step 2 (the seed's Q-3): one Process, started and joined.
from multiprocessing import Process

def print_numbers(n):
    for i in range(1, n + 1):
        print(i)

if __name__ == "__main__":
    worker = Process(target=print_numbers, args=(10,))
    worker.start()  # a new process now runs print_numbers(10)
    worker.join()   # wait for it to finish
    print("Process completed")
