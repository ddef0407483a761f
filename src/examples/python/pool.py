# Lesson step 3 (the seed's Q-5): a pool of four processes maps square.
from multiprocessing import Pool

def square(x):
    return x * x

if __name__ == "__main__":
    with Pool(processes=4) as pool:  # four worker processes, started once
        print(pool.map(square, [1, 2, 3, 4, 5]))
