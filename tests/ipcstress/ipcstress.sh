#!/bin/sh
# pf-ipcstress's test (see README.md): the same seed natively on tmpfs and
# in a pool under pmemfile-run; the op logs (with the closing listing of
# the names) must be identical, rm -rf must empty the directory in the
# pool and `pmemfile fsck` must find the pool clean.
#
#   ipcstress.sh SEED|random
#
# Environment: IPCSTRESS, PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL
# (paths); IPS_OPS (operations; default 3000, 100000 with PF_LONG=1 or
# PF_LONG_TESTS=1); IPS_PROCS (2-4 workers; default from the seed);
# IPS_KEEP=1 keeps the work directory.
set -u
SEED=${1:?usage: ipcstress.sh SEED|random}
IPS=${IPCSTRESS:?}
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1 LC_ALL=C
for b in "$IPS" "$RUN" "$MKFS" "$TOOL"; do
	[ -x "$b" ] || { echo "FAIL: $b is not built"; exit 1; }
done
LONG=0
[ "${PF_LONG:-0}" != 0 ] || [ "${PF_LONG_TESTS:-0}" != 0 ] && LONG=1
OPS=${IPS_OPS:-3000}
[ $LONG = 1 ] && OPS=${IPS_OPS:-100000}
PROCS=
[ -n "${IPS_PROCS:-}" ] && PROCS="-P $IPS_PROCS"

if [ "$SEED" = random ]; then
	SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fi
echo "ipcstress diff: seed $SEED, $OPS ops (replay: tests/ipcstress/README.md)"

W=/dev/shm/pf-ipcstress-$$
POOL=$W/pool
MNT=/pf-ipcstress-$$
if [ "${IPS_KEEP:-0}" = 0 ]; then
	trap 'rm -rf "$W"' EXIT
else
	trap 'echo "kept $W"' EXIT
fi
mkdir -p "$W/native" || exit 1
"$MKFS" -f "$POOL" 256M >/dev/null || { echo "FAIL: mkfs"; exit 1; }

LIMIT=300
[ $LONG = 1 ] && LIMIT=3600
pfrun() {
	timeout -k 5 $LIMIT "$RUN" --pool "$POOL" --mount "$MNT" -- "$@"
}

# first_diff A B: the first differing line of two files, with context
first_diff() {
	n=$(cmp "$1" "$2" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p')
	[ -n "$n" ] || n=$(( $(wc -l <"$1") + 1 ))
	from=$((n > 5 ? n - 5 : 1))
	echo "--- tmpfs, lines $from-$((n + 1)) (first difference: line $n):"
	sed -n "${from},$((n + 1))p" "$1"
	echo "--- pool:"
	sed -n "${from},$((n + 1))p" "$2"
}

fails=0
t0=$(date +%s)
timeout -k 5 $LIMIT "$IPS" -s "$SEED" -n "$OPS" $PROCS -l "$W/native.log" \
	"$W/native/d" 2>"$W/native.err"
rc_n=$?
t1=$(date +%s)
pfrun sh -c "'$IPS' -s '$SEED' -n '$OPS' $PROCS -l '$W/pool.log' '$MNT/d' 2>'$W/pool.err'
	echo \$? >'$W/pool.rc'" ||
	{ echo "FAIL: pmemfile-run exited $?"; fails=$((fails + 1)); }
t2=$(date +%s)
rc_p=$(cat "$W/pool.rc" 2>/dev/null || echo none)
echo "native: $((t1 - t0)) s, pool: $((t2 - t1)) s"
head -2 "$W/pool.err"
if [ "$rc_n" != 0 ]; then
	echo "FAIL: the native run exited $rc_n (the exerciser itself is wrong?)"
	cat "$W/native.err"
	fails=$((fails + 1))
fi
if [ "$rc_p" != 0 ]; then
	echo "FAIL: the run in the pool exited $rc_p"
	cat "$W/pool.err"
	fails=$((fails + 1))
fi
if ! cmp -s "$W/native.log" "$W/pool.log"; then
	echo "FAIL: op logs differ (seed $SEED)"
	first_diff "$W/native.log" "$W/pool.log"
	fails=$((fails + 1))
fi
# what is left in the pool goes, and nothing of it stays behind
pfrun sh -c "rm -rf '$MNT/d' && ! [ -e '$MNT/d' ] && [ -z \"\$(ls -A '$MNT')\" ]" ||
	{ echo "FAIL: rm -rf in the pool did not remove everything"; fails=$((fails + 1)); }
"$TOOL" fsck "$POOL" || { echo "FAIL: fsck of the pool is not clean"; fails=$((fails + 1)); }
[ $fails = 0 ] && echo "PASS: seed $SEED ($(wc -l <"$W/native.log") log lines)"
[ $fails = 0 ]
