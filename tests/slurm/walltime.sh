#!/usr/bin/env bash
# The walltime, for real: scripts/slurm/farm.sbatch submitted with a 1-minute
# limit and --signal=B:USR1@30, on work that needs longer (400 tasks of 0.5 s
# on 4 ranks: 50 s). Slurm itself sends USR1 before the limit (its timer runs
# every ~30 s, so the signal comes up to 30 s early); the job stops
# gracefully and resubmits itself (the resubmission keeps the script's own
# 30-minute limit), and the second job completes the work exactly: the
# joblog holds Seq 1..400 once each, the two outputs print every item once.
# About a minute: label slow.
#   walltime.sh MPIMAP
set -euo pipefail
source "$(dirname "$0")/slurm_lib.sh" "$1"
export MPIMAP OMPI_MCA_odls_base_sigkill_timeout=0
n=400
seq 1 $n >items.txt
job=$(ITEMS=items.txt TASK='sleep 0.5; echo {}' sbatch --parsable --time=1 --signal=B:USR1@30 \
  "$REPO/scripts/slurm/farm.sbatch")
wait_no_jobs 150 || fail "jobs still queued after 150 s: $(squeue -h)"
# (By --walltime-margin instead where Slurm sets SLURM_JOB_END_TIME.)
grep -Eq "stopped by (SIGUSR1|--walltime-margin)" "mpimap-farm-$job.out" ||
  fail "the first job was not stopped by Slurm's USR1: $(grep -v '^[0-9]*$' "mpimap-farm-$job.out" | head -3)"
[ "$(ls mpimap-farm-*.out | wc -l)" = 2 ] || fail "$(ls mpimap-farm-*.out | wc -l) jobs ran, want 2"
seqs=$(tail -n +2 farm.joblog | cut -f1 | sort -n | tr '\n' ' ')
[ "$seqs" = "$(seq -s ' ' 1 $n) " ] || fail "joblog Seqs: $(tail -n +2 farm.joblog | cut -f1 | sort -n | uniq -d | head)"
printed=$(cat mpimap-farm-*.out | grep -x '[0-9]*' | sort -n | tr '\n' ' ')
[ "$printed" = "$(seq -s ' ' 1 $n) " ] || fail "the jobs printed other items than 1..$n once each"
finish
