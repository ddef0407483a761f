#!/usr/bin/env bash
# The srun-without-PMI advice from the environment alone (no Slurm needed):
# a Slurm step of 4 tasks with no PMI variables -> task 0 prints one line,
# every task exits 2 before MPI_Init; with PMIx (srun --mpi=pmix), with one
# task, or in a batch script (no step id), mpimap runs as usual.
#   no_pmi.sh MPIMAP
set -euo pipefail
mpimap=$1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
step=(env SLURM_JOB_ID=7 SLURM_STEP_ID=0 SLURM_STEP_NUM_TASKS=4 SLURM_NTASKS=4)

rc=0; err=$("${step[@]}" SLURM_PROCID=0 "$mpimap" map square 1 2 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] || fail "task 0: exit status $rc, want 2"
[ "$err" = 'mpimap: started by srun without PMI (4 tasks that cannot find each other): run `srun --mpi=pmix mpimap ...`, or `mpirun mpimap ...` inside the allocation' ] ||
  fail "task 0 printed: $err"
rc=0; err=$("${step[@]}" SLURM_PROCID=3 "$mpimap" map square 1 2 2>&1) || rc=$?
[ "$rc" = 2 ] && [ -z "$err" ] || fail "task 3: exit status $rc (want 2), printed '$err' (want nothing)"

# Not the case: mpimap runs (as an MPI singleton here) and prints the map.
for extra in "PMIX_RANK=0" "SLURM_STEP_NUM_TASKS=1" "SLURM_STEP_ID="; do
  out=$("${step[@]}" SLURM_PROCID=0 "$extra" "$mpimap" map square 1 2 2>&1) ||
    fail "with $extra: exit status $?"
  [ "$out" = "[1, 4]" ] || fail "with $extra: printed '$out'"
done
[ "$fails" = 0 ] || exit 1
echo ok
