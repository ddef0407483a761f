# Lesson step 1: a thread shares the main program's memory; a process has its own.
import multiprocessing, os, threading

calls = 0

def count_call(who):
    global calls
    calls += 1
    print(f"{who}: pid {os.getpid()}, calls = {calls}")

if __name__ == "__main__":
    print(f"main: pid {os.getpid()}")
    t = threading.Thread(target=count_call, args=("thread",))
    t.start(); t.join()
    p = multiprocessing.Process(target=count_call, args=("process",))
    p.start(); p.join()
    print(f"main: calls = {calls}")
