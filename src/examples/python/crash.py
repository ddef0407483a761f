# Lesson step 1: a child process that dies leaves its parent running.
import multiprocessing, os

if __name__ == "__main__":
    p = multiprocessing.Process(target=os.abort)  # dies of SIGABRT
    p.start(); p.join()
    print(f"the child's exit code: {p.exitcode}; the parent goes on")
