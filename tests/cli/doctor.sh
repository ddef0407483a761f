#!/usr/bin/env bash
# mpimap doctor end to end: doctor.sh MPIMAP NP root|nonroot
# NP 0 runs mpimap on its own (a singleton). As root, "nonroot" runs it as
# nobody (setpriv), without the two root variables. Checks the exit status
# (0: nothing is wrong here), the user line, the hosts line (every rank), the
# launcher, and that oversubscription is warned of exactly when NP > cores.
set -u
mpimap=$1 np=$2 who=$3
tmp=$(mktemp -d)
chmod 1777 "$tmp"  # nobody writes its session directory there
trap 'rm -rf "$tmp"' EXIT
launch=()
[ "$np" != 0 ] && launch=(mpirun -q -n "$np")
as=()
if [ "$who" = nonroot ] && [ "$(id -u)" = 0 ]; then
  as=(setpriv --reuid=65534 --regid=65534 --clear-groups
    env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM HOME="$tmp" TMPDIR="$tmp")
fi
if [ "$who" = root ] && [ "$(id -u)" != 0 ]; then
  echo "skipped: not root"; exit 0
fi
"${as[@]}" "${launch[@]}" "$mpimap" doctor >"$tmp/out" 2>"$tmp/err"
rc=$?
ok=1
fail() { echo "$*"; ok=0; }
[ "$rc" = 0 ] || fail "exit status $rc, want 0"
[ -s "$tmp/err" ] && fail "stderr not empty: $(head -3 "$tmp/err")"
ranks=$np; [ "$np" = 0 ] && ranks=1
last=$((ranks - 1))
want_hosts="^ok +hosts: rank 0 on "
[ "$ranks" -gt 1 ] && want_hosts="^ok +hosts: ranks 0-$last on "
grep -Eq "$want_hosts" "$tmp/out" || fail "no line matching '$want_hosts'"
if [ "$who" = root ]; then
  grep -Eq "^note +user: ranks? 0(-$last)? runs? as root, which Open MPI allows because OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 are set" "$tmp/out" ||
    fail "no root line naming the two variables"
else
  grep -Eq "^ok +user: not root$" "$tmp/out" || fail "no 'user: not root' line"
fi
if [ "$np" = 0 ]; then
  grep -Eq "^note +launcher: none: a singleton" "$tmp/out" || fail "not seen as a singleton"
else
  grep -Eq "^ok +launcher: mpirun \(Open MPI's\).*, $np ranks$" "$tmp/out" || fail "no mpirun line"
fi
if [ "$ranks" -gt "$(getconf _NPROCESSORS_ONLN)" ]; then
  grep -Eq "^warn +cores: $ranks ranks on .* oversubscribed" "$tmp/out" || fail "no oversubscription warning"
  grep -Eq "^ +fix: run at most" "$tmp/out" || fail "the warning has no fix"
else
  grep -q "^warn +cores" "$tmp/out" && fail "an oversubscription warning with $ranks ranks"
fi
grep -Eq "^mpimap doctor: 0 problems, [0-9]+ warnings?$" "$tmp/out" || fail "no summary line"
[ $ok = 1 ] || { echo "--- output:"; cat "$tmp/out"; }
[ $ok = 1 ] && echo "ok: mpimap doctor (np $np, $who)"
[ $ok = 1 ]
