#!/usr/bin/env bash
# Python as the oracle: random integers mapped by multiprocessing.Pool.map
# and by `mpimap map` must print the same bytes, for every schedule and a few
# chunk sizes.   python_oracle.sh MPIMAP NP
set -u
mpimap=$1 np=$2
python=/usr/bin/python3
[ -x $python ] || python=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Items: a fixed seed, negatives, and values close to the int64 limits of x**2.
$python - "$tmp/items" <<'PY'
import random, sys
rng = random.Random(20261126)
xs = [rng.randint(-10**6, 10**6) for _ in range(997)] + [0, 1, -1, 3037000499, -3037000499]
rng.shuffle(xs)
open(sys.argv[1], "w").write("".join(f"{x}\n" for x in xs))
PY

oracle() {  # oracle FUNCTION FORMAT
  $python - "$tmp/items" "$1" "$2" <<'PY'
import json, multiprocessing, sys

def square(x): return x ** 2
def cube(x): return x ** 3
def collatz(x):
    steps = 0
    while x != 1:
        x = x // 2 if x % 2 == 0 else 3 * x + 1
        steps += 1
    return steps

if __name__ == "__main__":
    items, name, fmt = sys.argv[1:]
    xs = [int(line) for line in open(items)]
    if name == "collatz": xs = [abs(x) + 1 for x in xs]
    if name == "cube": xs = [x for x in xs if abs(x) < 2097152]
    with multiprocessing.Pool(2) as pool:
        result = pool.map(globals()[name], xs)
    if fmt == "list": print(result)
    elif fmt == "json": print(json.dumps(result, separators=(",", ":")))
    else: print("\n".join(map(str, result)))
PY
}
items_for() {  # the same item selection as the oracle, for mpimap
  case $1 in
    collatz) $python -c "import sys; [print(abs(int(l))+1) for l in open(sys.argv[1])]" "$tmp/items" ;;
    cube) $python -c "import sys; [print(int(l)) for l in open(sys.argv[1]) if abs(int(l)) < 2097152]" "$tmp/items" ;;
    *) cat "$tmp/items" ;;
  esac
}

fail=0
for fn in square cube collatz; do
  items_for $fn >"$tmp/$fn.items"
  for fmt in list json lines; do
    oracle $fn $fmt >"$tmp/want"
    for sched in static dynamic guided; do
      chunks="0 7"; [ $sched = static ] && chunks=0
      for chunk in $chunks; do
        mpirun -q -n "$np" "$mpimap" map $fn -a "$tmp/$fn.items" --format $fmt \
          --schedule $sched --chunksize $chunk >"$tmp/got"
        if ! cmp -s "$tmp/want" "$tmp/got"; then
          echo "FAIL: $fn --format $fmt --schedule $sched --chunksize $chunk (np $np)"
          diff <(tr ',' '\n' <"$tmp/want") <(tr ',' '\n' <"$tmp/got") | head -5
          fail=1
        fi
      done
    done
  done
done
[ $fail = 0 ] && echo "ok: mpimap map matches Python for square, cube, collatz (np $np)"
exit $fail
