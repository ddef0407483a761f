#!/usr/bin/env bash
# Direct launch under a private one-node Slurm: `srun --mpi=pmix mpimap ...`
# prints byte for byte what `mpirun -n 4 mpimap ...` prints; plain `srun`
# (MpiDefault=none: no PMI) makes mpimap say so in one line and exit 2,
# instead of Open MPI's page from every task.
#   srun.sh MPIMAP
set -euo pipefail
source "$(dirname "$0")/slurm_lib.sh" "$1"
export OMPI_MCA_odls_base_sigkill_timeout=0

same() {
  local name=$1
  shift
  timeout 60 mpirun -q -n 4 "$MPIMAP" "$@" >"$name.want"
  timeout 60 srun -n 4 --mpi=pmix "$MPIMAP" "$@" >"$name.got" 2>"$name.err" ||
    fail "$name: srun --mpi=pmix failed: $(head -3 "$name.err")"
  cmp -s "$name.want" "$name.got" || fail "$name: output differs: $(diff "$name.want" "$name.got" | head -3)"
}
same map map square --schedule guided $(seq 1 30)
same process process --tag print_number 1 2 3 4 5 6
same run run -k -- 'echo {}' ::: a b c d e f g

rc=0
timeout 60 srun -n 4 "$MPIMAP" map square 1 2 3 >plain.out 2>plain.err || rc=$?
[ "$rc" = 2 ] || fail "plain srun: exit status $rc, want 2"
mine=$(grep -c '^mpimap: started by srun without PMI' plain.err || true)
[ "$mine" = 1 ] || fail "plain srun: $mine advice lines, want 1: $(head -5 plain.err)"
! grep -q MPI_Init plain.err || fail "plain srun: Open MPI's page was printed: $(head -5 plain.err)"
finish
