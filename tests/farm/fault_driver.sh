#!/usr/bin/env bash
# Fault driver: runs the real program under mpirun, SIGKILLs one process at a
# seeded kill point, waits for the job to end, resumes it to completion, and
# checks the exact-union property (issue 8, "Proof"):
#   what the killed run did + what the resumed run did = one whole run:
#   no item missing, no logged item run or counted twice.
#
#   fault_driver.sh MPIMAP NP SCENARIO KILLS SEED [MPIRUN ARGS...]
#
# SCENARIO: worker (a rank other than 0, chosen by the seed) | rank0 | mpirun.
# KILLS: how many kills must land; SEED: the seed of every random choice.
# MPIRUN ARGS: the launcher, default `mpirun -n NP -q`. By hand, from a build:
#   source scripts/common.sh
#   OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_odls_base_sigkill_timeout=0 \
#     tests/farm/fault_driver.sh build/bin/mpimap 2 rank0 20 1
# A failure prints the seed, the try and its kill point, and the command
# line that replays just that try (FAULT_ONLY=I); the failing try's files
# are kept as WORK.fail/tryI. FAULT_KEEP=1 keeps the work folder. FAULT_MODE
# selects what is driven: `run` (mpimap run --joblog, the only mode so far);
# a mode is a set of functions MODE_start, MODE_resume, MODE_check (see
# "Mode run" below), so that `map` can be added beside it.
#
# Kill points: try i waits until the joblog holds K records, K drawn
# by the seed from slice (i mod KILLS) of KILLS equal slices of 0..90% of the
# items (early, middle and late kills every time), then sends
# SIGKILL. Tasks may finish between K and the death: the checks allow for it.
# A kill that lands after the job has ended is not counted; the driver goes on
# until KILLS kills have landed (at most 2*KILLS tries).
#
# What is checked, per kill (L = the Seqs the killed run's joblog records, a
# torn last line not counted, as --resume does not count it):
#  1. The killed job ends within FAULT_END_S (10) seconds of the kill (for an
#     mpirun kill: every rank exits); a hang is a failure. The resumed run
#     exits 0.
#  2. Executions (each task appends its item to a file, so every execution is
#     seen, whatever happens to its output): the killed run ran every item of L
#     once, and nothing twice; the resumed run ran exactly the items not in L,
#     each once. So an item is run twice only when the kill caught it running,
#     or finished but not yet logged (GNU parallel's --resume does the same);
#     an item with a record is never run again.
#  3. The joblog after the resume has Seqs 1..N, each once.
#  4. Outputs, per-task blocks compared as multisets (order is completion
#     order): the resumed run printed exactly the blocks of the items not in L;
#     the killed run printed whole blocks only, at most once each, and every
#     block of L (a logged task's output is not lost). So killed + resumed
#     stdout = the uninterrupted run's stdout, plus blocks of unlogged items
#     the kill caught between printing and logging. The same for --results
#     (written by rank 0 itself). Known limit: when mpirun is killed, output
#     in transit through mpirun is lost although its task is logged, so for
#     the mpirun scenario a logged block may be missing from stdout (counted
#     and printed, not a failure); --results must still hold it.
#  5. No task process is left running FAULT_END_S seconds after the job ended
#     (tasks of a SIGKILLed rank are orphans; these ones end by themselves).
# Deterministic except for where the kill lands; no timing assertions other
# than the generous bounds above, which catch hangs.
set -euo pipefail

if [ $# -lt 5 ]; then
  sed -n '2,20p' "$0" >&2
  exit 2
fi
MPIMAP=$(realpath "$1") NP=$2 SCENARIO=$3 KILLS=$4 SEED=$5
shift 5
if [ $# -gt 0 ]; then MPIRUN=("$@"); else MPIRUN=(mpirun -n "$NP" -q); fi
MODE=${FAULT_MODE:-run}
ITEMS=${FAULT_ITEMS:-30}
END_S=${FAULT_END_S:-10}
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}
case "$SCENARIO" in
  worker) [ "$NP" -ge 2 ] || { echo "fault_driver: worker needs NP >= 2" >&2; exit 2; } ;;
  rank0 | mpirun) ;;
  *) echo "fault_driver: unknown scenario $SCENARIO (worker | rank0 | mpirun)" >&2; exit 2 ;;
esac
declare -F "${MODE}_start" >/dev/null 2>&1 || true  # (checked after the functions)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpimap-fault.XXXXXX")
# Digits unique to this driver, in every task's command line, so that the
# driver finds (and only it) the task processes of its own jobs.
UNIQ=$(printf '%05d%05d' $$ $((RANDOM)))
JOB_PID=""
cleanup() {
  local rc=$?
  [ -n "$JOB_PID" ] && kill -9 "$JOB_PID" 2>/dev/null || true
  pkill -9 -f "$UNIQ" 2>/dev/null || true
  if [ "${FAULT_KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    echo "fault_driver: work folder kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
cd "$WORK"

RANDOM=$SEED
FAILS=0
ITER=0 KPOINT=0 VICTIM=""
SNAPPED=""
fail() {
  echo "FAIL [$MODE/$SCENARIO np=$NP seed=$SEED try=$ITER kill-point=$KPOINT records victim=$VICTIM]: $*" >&2
  echo "  replay: FAULT_ONLY=$ITER FAULT_KEEP=1 $0 $MPIMAP $NP $SCENARIO $KILLS $SEED ${MPIRUN[*]}" >&2
  FAILS=$((FAILS + 1))
  # The failing try's files, as they are now (the next try starts afresh).
  if [ "$SNAPPED" != "$ITER" ]; then
    SNAPPED=$ITER
    mkdir -p "$WORK.fail" && cp -a . "$WORK.fail/try$ITER" 2>/dev/null &&
      echo "  this try's files: $WORK.fail/try$ITER" >&2
    pgrep -af "$UNIQ" >"$WORK.fail/try$ITER.processes" 2>&1 || true
  fi
  return 0
}
now() { echo "$EPOCHREALTIME"; }
elapsed_gt() { awk -v a="$1" -v b="$(now)" -v s="$2" 'BEGIN { exit !(b - a > s) }'; }
# Records in joblog $1 (header excluded), counted without forking: it is polled.
records() {
  local lines=()
  [ -f "$1" ] && mapfile -t lines <"$1"
  echo $((${#lines[@]} > 1 ? ${#lines[@]} - 1 : 0))
}
# The Seqs of joblog $1's complete records, one a line, sorted (torn last line dropped).
logged_seqs() {
  awk 'NR > 1' "$1" | { if [ -n "$(tail -c1 "$1")" ]; then sed '$d'; else cat; fi; } | cut -f1 | sort -n
}
# Pids of this job's ranks (children of mpirun $1 that are MPI ranks), as "rank pid" lines.
rank_pids() {
  local p r
  for p in $(pgrep -P "$1" 2>/dev/null || true); do
    r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p' || true)
    [ -n "$r" ] && echo "$r $p"
  done
  return 0
}
# Alive: exists and is not a zombie (a rank whose mpirun died before reaping
# it stays a zombie until some init reaps it).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}
# Waits (bounded) until none of the pids is alive; false on timeout.
wait_gone() {
  local t0 p any
  t0=$(now)
  while :; do
    any=0
    for p in "$@"; do alive "$p" && any=1; done
    [ $any = 0 ] && return 0
    elapsed_gt "$t0" "$END_S" && return 1
    sleep 0.02
  done
}
# Lines of $1 as "item count" (sorted), for multiset comparisons.
counts() { sort -n "$1" | uniq -c | awk '{ print $2, $1 }'; }
# The lines of file $1 that are not lines of file $2, numerically sorted, each once.
# (FILENAME, not NR == FNR: the second file may be empty, as logged.1 is after
# a kill before the first record.)
minus() { awk 'FILENAME == ARGV[1] { b[$0]; next } !($0 in b)' "$2" "$1" | sort -nu; }
# 1..N minus the Seqs in file $1.
complement() { minus <(seq 1 "$ITEMS") "$1"; }

# ---------------------------------------------------------------------------
# Mode run: `mpimap run --joblog LOG --results DIR/{#}/` (DIR/SEQ/stdout). Each task appends its
# item to EFFECTS (one line per execution), sleeps 0-20 ms, and prints a
# two-line block that depends on its item only.
run_command() {  # EFFECTS-FILE
  echo "echo {} >>$1; sleep 0.0\$(( {} % 3 ))$UNIQ; echo \"item {} a\"; echo \"item {} b\""
}
# run_start PHASE: the killed run, in the background; sets JOB_PID.
run_start() {
  "${MPIRUN[@]}" "$MPIMAP" run -j2 --joblog log --results "res.$1/{#}/" -- "$(run_command "eff.$1")" \
    ::: $(seq 1 "$ITEMS") >"out.$1" 2>"err.$1" &
  JOB_PID=$!
}
# run_resume PHASE: to completion, in the foreground; its exit status.
run_resume() {
  timeout 120 "${MPIRUN[@]}" "$MPIMAP" run -j2 --resume --joblog log --results "res.$1/{#}/" \
    -- "$(run_command "eff.$1")" ::: $(seq 1 "$ITEMS") >"out.$1" 2>"err.$1"
}
# Stdout $1 as one item per whole block (sorted); whatever is not a whole
# block goes to $1.bad.
run_blocks() {
  awk -v bad="$1.bad" '
    pending != "" { if ($0 == "item " pending " b") { print pending; pending = ""; next }
                    print "torn block of " pending >bad; pending = "" }
    /^item [0-9]+ a$/ { pending = $2; next }
    { print "stray line: " $0 >bad }
    END { if (pending != "") print "torn block of " pending >bad }' "$1" | sort -n
}
# Items whose --results stdout is exactly their block (sorted).
run_results() {
  local d s
  for d in "$1"/*/; do
    [ -d "$d" ] || continue
    s=$(basename "$d")
    [ "$(cat "$d/stdout" 2>/dev/null)" = "$(printf 'item %s a\nitem %s b' "$s" "$s")" ] && echo "$s"
  done | sort -n
  return 0
}
# run_check: after the killed run (phase 1) and the resumed run (phase 2).
# L (logged.1) is set by the caller.
run_check() {
  local missing
  complement logged.1 >todo
  # 2. executions
  touch eff.1 eff.2
  expect_empty "killed run: an item ran twice" "$(sort -n eff.1 | uniq -d)"
  expect_empty "killed run: a logged item had not run" "$(minus logged.1 eff.1)"
  expect_same "resumed run: ran exactly the items without a record, each once" \
    "$(awk '{ print $1, 1 }' todo)" "$(counts eff.2)"
  # 3. the joblog
  expect_same "joblog after resume: Seqs 1..N, each once" "$(seq 1 "$ITEMS")" \
    "$(tail -n +2 log | cut -f1 | sort -n)"
  expect_empty "joblog after resume: torn" "$(tail -c1 log | tr -d '\n')"
  # 4. outputs
  run_blocks out.1 >blocks.1
  run_blocks out.2 >blocks.2
  expect_same "resumed run's stdout: exactly the blocks of the items without a record" \
    "$(cat todo)" "$(cat blocks.2)"
  if [ -s out.2.bad ]; then fail "resumed run's stdout: $(head -3 out.2.bad)"; fi
  expect_empty "killed run's stdout: a block twice" "$(uniq -d blocks.1)"
  missing=$(minus logged.1 blocks.1)
  if [ "$SCENARIO" = mpirun ]; then
    # A block torn or missing at the end: output in transit through mpirun.
    if [ -n "$missing" ]; then LOST_IN_MPIRUN=$((LOST_IN_MPIRUN + $(wc -w <<<"$missing"))); fi
  else
    if [ -s out.1.bad ]; then fail "killed run's stdout: $(head -3 out.1.bad)"; fi
    expect_empty "killed run's stdout: the block of a logged item is missing" "$missing"
  fi
  expect_same "killed + resumed stdout: every item's block" "$(seq 1 "$ITEMS")" \
    "$(sort -nu blocks.1 blocks.2 | { [ "$SCENARIO" = mpirun ] && cat - logged.1 | sort -nu || cat; })"
  run_results res.1 >results.1
  run_results res.2 >results.2
  expect_empty "killed run's --results: a logged item's stdout is missing or wrong" \
    "$(minus logged.1 results.1)"
  expect_same "resumed run's --results: exactly the items without a record" \
    "$(cat todo)" "$(ls res.2 2>/dev/null | sort -n)"
  expect_same "resumed run's --results: their stdout" "$(cat todo)" "$(cat results.2)"
}
# A whole uninterrupted run: the reference the property is about.
run_reference() {
  "${MPIRUN[@]}" "$MPIMAP" run -j2 --joblog ref.log -- "$(run_command eff.ref)" \
    ::: $(seq 1 "$ITEMS") >out.ref
  run_blocks out.ref >blocks.ref
  expect_same "uninterrupted run: every block once" "$(seq 1 "$ITEMS")" "$(cat blocks.ref)"
  if [ -s out.ref.bad ]; then fail "uninterrupted run's stdout: $(head -3 out.ref.bad)"; fi
  expect_same "uninterrupted run: Seqs 1..N" "$(seq 1 "$ITEMS")" "$(logged_seqs ref.log)"
  return 0
}

expect_empty() { [ -z "$2" ] || fail "$1: $(head -c 300 <<<"$2" | tr '\n' ' ')"; }
expect_same() {
  [ "$2" = "$3" ] && return 0
  fail "$1"
  diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -10 >&2 || true
}

declare -F "${MODE}_start" >/dev/null || { echo "fault_driver: unknown mode $MODE" >&2; exit 2; }

# ---------------------------------------------------------------------------
# One kill: start, wait for the kill point, SIGKILL, wait for the end, resume, check.
# Returns 1 when the kill came too late (the job had ended): not counted.
one_kill() {
  rm -rf log out.* err.* eff.* res.* blocks.* results.* logged.* todo
  local ranks="" victim_pid="" t_kill pids=() rank_list
  "${MODE}_start" 1
  # The ranks (wait for all NP of them: the earliest point a rank can be killed).
  while alive "$JOB_PID"; do
    ranks=$(rank_pids "$JOB_PID")
    [ "$(wc -l <<<"$ranks")" -ge "$NP" ] && [ -n "$ranks" ] && break
    sleep 0.01
  done
  while alive "$JOB_PID" && [ "$(records log)" -lt "$KPOINT" ]; do sleep 0.01; done
  case "$SCENARIO" in
    mpirun) victim_pid=$JOB_PID VICTIM=mpirun ;;
    rank0) victim_pid=$(awk '$1 == 0 { print $2 }' <<<"$ranks") VICTIM="rank 0" ;;
    worker)
      local r=$((1 + VICTIM_DRAW % (NP - 1)))
      victim_pid=$(awk -v r=$r '$1 == r { print $2 }' <<<"$ranks") VICTIM="rank $r"
      ;;
  esac
  rank_list=$(awk '{ print $2 }' <<<"$ranks")
  if ! alive "$JOB_PID" || [ -z "$victim_pid" ] || ! kill -9 "$victim_pid" 2>/dev/null; then
    wait "$JOB_PID" 2>/dev/null || true
    JOB_PID=""
    return 1
  fi
  t_kill=$(now)
  # 1. the job ends: mpirun, and every rank.
  read -ra pids <<<"$(echo $JOB_PID $rank_list)"
  if ! wait_gone "${pids[@]}"; then
    fail "the job did not end within ${END_S}s of the kill (alive: $(for p in "${pids[@]}"; do alive "$p" && echo -n "$p "; done))"
    kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  wait "$JOB_PID" 2>/dev/null || true
  JOB_PID=""
  # 5. no task left running
  local t0
  t0=$(now)
  while pgrep -f "$UNIQ" >/dev/null; do
    if elapsed_gt "$t0" "$END_S"; then
      fail "task processes still running ${END_S}s after the job ended: $(pgrep -af "$UNIQ" | head -3 | tr '\n' ';')"
      pkill -9 -f "$UNIQ" || true
      break
    fi
    sleep 0.02
  done
  logged_seqs log >logged.1
  expect_empty "killed run's joblog: a Seq twice" "$(uniq -d logged.1)"
  local rc=0
  "${MODE}_resume" 2 || rc=$?
  [ $rc = 0 ] || fail "resumed run: exit $rc: $(tail -2 err.2 | tr '\n' ' ')"
  "${MODE}_check"
  KILLED_AT+=("$(wc -l <logged.1)")
  return 0
}

LOST_IN_MPIRUN=0
KILLED_AT=()
T_START=$(now)
"${MODE}_reference"
landed=0 tries=0
max_kpoint=$((ITEMS * 9 / 10))
while [ $landed -lt "$KILLS" ] && [ $tries -lt $((2 * KILLS)) ]; do
  ITER=$tries
  # Slice (try mod KILLS) of KILLS over 0..max_kpoint; the draws happen
  # whether or not this try is replayed alone, so FAULT_ONLY=I replays try I.
  slice=$((tries % KILLS))
  lo=$((slice * max_kpoint / KILLS)) hi=$(((slice + 1) * max_kpoint / KILLS))
  KPOINT=$((lo + RANDOM % (hi - lo + 1)))
  VICTIM_DRAW=$RANDOM
  tries=$((tries + 1))
  if [ -n "${FAULT_ONLY:-}" ] && [ "$FAULT_ONLY" != "$ITER" ]; then continue; fi
  if one_kill; then landed=$((landed + 1)); fi
  if [ -n "${FAULT_ONLY:-}" ]; then break; fi
done

summary="fault_driver $MODE/$SCENARIO np=$NP seed=$SEED: ${#KILLED_AT[@]} kills landed in $tries tries"
summary+=" (records in the joblog at death: ${KILLED_AT[*]:-none})"
[ "$SCENARIO" = mpirun ] && summary+="; logged blocks lost in transit through mpirun: $LOST_IN_MPIRUN"
summary+="; $(awk -v a="$T_START" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }')"
echo "$summary"
if [ -z "${FAULT_ONLY:-}" ] && [ ${#KILLED_AT[@]} -lt "$KILLS" ]; then
  echo "FAIL: only ${#KILLED_AT[@]} of $KILLS kills landed before the job ended" >&2
  FAILS=$((FAILS + 1))
fi
if [ $FAILS -gt 0 ]; then
  echo "fault_driver: $FAILS failed check(s)" >&2
  exit 1
fi
