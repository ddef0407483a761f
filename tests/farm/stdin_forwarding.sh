#!/usr/bin/env bash
# mpirun's forwarding of standard input to rank 0, many times over: Open MPI
# 4.1's mpirun can die of SIGSEGV in it (open-mpi/ompi#7483) when it finds
# rank 0's pipe full after its own input has ended; mpimap keeps that pipe
# drained (src/farm/standard_input.hpp). Without that, this 108 kB input under
# `--pipe --roundrobin` crashed mpirun in about 1 run in 10 here, so RUNS runs
# without a crash say the drain works (0.9^60: 1 chance in 500 of passing by
# luck). Every run must also give every byte once.
#   stdin_forwarding.sh MPIMAP RUNS MPIRUN [MPIRUN-ARGS...]
set -uo pipefail
MPIMAP=$1 RUNS=$2
shift 2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-stdin.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
seq 1 20000 >"$WORK/lines"
want=$(wc -c <"$WORK/lines")
for ((i = 1; i <= RUNS; i++)); do
  "$@" "$MPIMAP" run -j1 --pipe --roundrobin --block 10k wc -c <"$WORK/lines" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  if [ $rc != 0 ]; then
    echo "FAIL: run $i of $RUNS: exit status $rc" >&2
    head -5 "$WORK/err" >&2
    exit 1
  fi
  got=$(paste -sd+ "$WORK/out" | bc)
  if [ "$got" != "$want" ]; then
    echo "FAIL: run $i of $RUNS: the jobs got $got bytes of $want" >&2
    exit 1
  fi
done
echo "stdin_forwarding.sh: $RUNS runs, every byte once, no crash"
