#!/usr/bin/env bash
# The example batch scripts in scripts/slurm/, submitted with sbatch to a
# private one-node Slurm, each cancelled midway with `scancel --batch
# --signal=TERM` (what --signal=B:USR1@60 does before the walltime): the job
# stops gracefully and submits itself again, and the second job completes the
# work exactly:
#   farm.sbatch: the joblog holds Seq 1..N once each, and the two jobs' outputs
#     together print every item once (tasks print after their sleep, so a
#     stopped task prints nothing; finished ones are not run again);
#   map.sbatch: the result is byte for byte what `mpirun -n 4 mpimap map`
#     prints uninterrupted, and the journal holds every item once.
#   batch.sh MPIMAP
set -euo pipefail
source "$(dirname "$0")/slurm_lib.sh" "$1"
export MPIMAP OMPI_MCA_odls_base_sigkill_timeout=0
jobs_of() { ls mpimap-"$1"-*.out 2>/dev/null | wc -l; }

# The farm: 40 tasks of 0.2 s on 4 ranks, stopped after 8 are logged.
seq 1 40 >items.txt
job=$(ITEMS=items.txt TASK='sleep 0.2; echo {}' sbatch --parsable "$REPO/scripts/slurm/farm.sbatch")
wait_lines farm.joblog 8 || fail "farm: the joblog never reached 8 records"
scancel --batch --signal=TERM "$job"
wait_no_jobs 60 || fail "farm: jobs still queued after 60 s: $(squeue -h)"
[ "$(jobs_of farm)" = 2 ] || fail "farm: $(jobs_of farm) jobs ran, want 2 (stopped, then resubmitted)"
grep -q "stopped by SIGUSR1" "mpimap-farm-$job.out" || fail "farm: the first job was not stopped by USR1"
seqs=$(tail -n +2 farm.joblog | cut -f1 | sort -n | tr '\n' ' ')
[ "$seqs" = "$(seq -s ' ' 1 40) " ] || fail "farm: joblog Seqs $seqs"
printed=$(cat mpimap-farm-*.out | grep -x '[0-9]*' | sort -n | tr '\n' ' ')
[ "$printed" = "$(seq -s ' ' 1 40) " ] || fail "farm: the jobs printed $printed"

# The map: 40 items of 100 ms on 4 ranks, stopped after 8 are journalled.
for i in $(seq 1 40); do echo $((100 + i % 3)); done >items.txt
mpirun -q -n 4 "$MPIMAP" map sleep_ms -a items.txt >want
job=$(FUNCTION=sleep_ms ITEMS=items.txt sbatch --parsable "$REPO/scripts/slurm/map.sbatch")
wait_lines map.journal 8 || fail "map: the journal never reached 8 records"
scancel --batch --signal=TERM "$job"
wait_no_jobs 60 || fail "map: jobs still queued after 60 s: $(squeue -h)"
[ "$(jobs_of map)" = 2 ] || fail "map: $(jobs_of map) jobs ran, want 2 (stopped, then resubmitted)"
cmp -s want map.result || fail "map: the result differs: $(diff want map.result | head -3)"
got=$(tail -n +2 map.journal | grep -o '^{"i":[0-9]*' | cut -d: -f2 | sort -n | tr '\n' ' ')
[ "$got" = "$(seq -s ' ' 0 39) " ] || fail "map: journal items $got"
finish
