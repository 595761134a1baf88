#!/bin/sh
# The exerciser's tests (see README.md).
#
#   fsstress.sh diff SEED|random   the same seed natively on tmpfs and in a
#                                  pool under pmemfile-run: op logs and tree
#                                  dumps must be identical
#   fsstress.sh multi PROCS        PROCS processes at once in one pool tree:
#                                  no unexpected errno, the tree dumps, rm -rf
#                                  empties it, fsck is clean
#
# Environment: FSSTRESS, PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL (paths);
# FSS_OPS (operations; default 20000, 10x with PF_LONG=1 or PF_LONG_TESTS=1);
# FSS_KEEP=1 keeps the work directory.
set -u
MODE=${1:?usage: fsstress.sh diff SEED|random / multi PROCS}
ARG=${2:?}
FSS=${FSSTRESS:?}
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1 LC_ALL=C
for b in "$FSS" "$RUN" "$MKFS" "$TOOL"; do
	[ -x "$b" ] || { echo "FAIL: $b is not built"; exit 1; }
done
LONG=0
[ "${PF_LONG:-0}" != 0 ] || [ "${PF_LONG_TESTS:-0}" != 0 ] && LONG=1
OPS=${FSS_OPS:-20000}
[ $LONG = 1 ] && OPS=${FSS_OPS:-200000}

W=/dev/shm/pf-fsstress-$$
POOL=$W/pool
MNT=/pf-fsstress-$$
if [ "${FSS_KEEP:-0}" = 0 ]; then
	trap 'rm -rf "$W"' EXIT
else
	trap 'echo "kept $W"' EXIT
fi
mkdir -p "$W" || exit 1
"$MKFS" -f "$POOL" 1G >/dev/null || { echo "FAIL: mkfs"; exit 1; }

LIMIT=600
[ $LONG = 1 ] && LIMIT=3600
pfrun() {
	timeout -k 5 $LIMIT "$RUN" --pool "$POOL" --mount "$MNT" -- "$@"
}

# first_diff A B: the first differing line of two files, with context
first_diff() {
	n=$(cmp "$1" "$2" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p')
	[ -n "$n" ] || n=$(( $(wc -l <"$1") + 1 ))
	from=$((n > 3 ? n - 3 : 1))
	echo "--- tmpfs, lines $from-$((n + 1)) (first difference: line $n):"
	sed -n "${from},$((n + 1))p" "$1"
	echo "--- pool:"
	sed -n "${from},$((n + 1))p" "$2"
}

fsck_pool() {
	"$TOOL" fsck "$POOL" || { echo "FAIL: fsck of the pool is not clean"; return 1; }
}

# rm_all DIR: under pmemfile-run, rm -rf must leave nothing behind
rm_all() {
	pfrun sh -c "rm -rf '$1' && ! [ -e '$1' ] && [ -z \"\$(ls -A '$MNT')\" ]" ||
		{ echo "FAIL: rm -rf $1 in the pool did not remove everything"; return 1; }
}

diff_run() {
	seed=$1
	if [ "$seed" = random ]; then
		seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	fi
	echo "fsstress diff: seed $seed, $OPS ops (replay: tests/fsstress/README.md)"
	mkdir -p "$W/native"
	t0=$(date +%s)
	"$FSS" run -s "$seed" -n "$OPS" -l "$W/native.log" "$W/native/d" 2>"$W/native.err"
	rc_n=$?
	"$FSS" dump "$W/native/d" >"$W/native.dump" || { echo "FAIL: native dump"; return 1; }
	t1=$(date +%s)
	pfrun sh -c "'$FSS' run -s '$seed' -n '$OPS' -l '$W/pool.log' '$MNT/d' 2>'$W/pool.err'
		echo \$? >'$W/pool.rc'
		'$FSS' dump '$MNT/d' >'$W/pool.dump'" ||
		{ echo "FAIL: pmemfile-run exited $?"; cat "$W/pool.err"; return 1; }
	t2=$(date +%s)
	rc_p=$(cat "$W/pool.rc")
	echo "native: $((t1 - t0)) s, pool: $((t2 - t1)) s"
	cat "$W/pool.err"
	fails=0
	if [ "$rc_n" != 0 ]; then
		echo "FAIL: the native run exited $rc_n (the exerciser itself is wrong?)"
		cat "$W/native.err"
		fails=$((fails + 1))
	fi
	[ "$rc_p" = 0 ] || { echo "FAIL: the run in the pool exited $rc_p"; fails=$((fails + 1)); }
	if ! cmp -s "$W/native.log" "$W/pool.log"; then
		echo "FAIL: op logs differ (seed $seed)"
		first_diff "$W/native.log" "$W/pool.log"
		fails=$((fails + 1))
	elif ! cmp -s "$W/native.dump" "$W/pool.dump"; then
		echo "FAIL: the trees differ after identical op logs (seed $seed)"
		first_diff "$W/native.dump" "$W/pool.dump"
		fails=$((fails + 1))
	fi
	echo "tree: $(wc -l <"$W/native.dump") entries"
	rm_all "$MNT/d" || fails=$((fails + 1))
	fsck_pool || fails=$((fails + 1))
	[ $fails = 0 ] && echo "PASS: seed $seed"
	[ $fails = 0 ]
}

multi_run() {
	procs=$1
	# tens of thousands of operations in all; cheap (no native run)
	OPS=${FSS_OPS:-$((OPS * 2))}
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	echo "fsstress multi: $procs processes, seed $seed (+i), $OPS ops in all"
	t0=$(date +%s)
	fails=0
	pfrun "$FSS" run -p "$procs" -s "$seed" -n "$OPS" "$MNT/d" 2>"$W/multi.err" ||
		{ echo "FAIL: the multi-process run failed"; fails=$((fails + 1)); }
	grep -v '^  ' "$W/multi.err"
	# walkable: every entry lstat's and every file reads, in a new
	# pmemfile-run (the pool closed and opened again)
	pfrun "$FSS" dump "$MNT/d" >"$W/multi.dump" ||
		{ echo "FAIL: the tree cannot be walked"; fails=$((fails + 1)); }
	echo "tree: $(wc -l <"$W/multi.dump") entries"
	fsck_pool || fails=$((fails + 1))
	rm_all "$MNT/d" || fails=$((fails + 1))
	fsck_pool || fails=$((fails + 1))
	echo "$(($(date +%s) - t0)) s"
	[ $fails = 0 ] && echo "PASS: multi seed $seed"
	[ $fails = 0 ]
}

case $MODE in
diff) diff_run "$ARG" ;;
multi) multi_run "$ARG" ;;
*) echo "usage: fsstress.sh diff SEED|random / multi PROCS"; exit 2 ;;
esac
