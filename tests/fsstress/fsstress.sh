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
. "$(dirname "$0")/../lib/differential.sh"
diff_init fsstress "$FSS" 1G "${FSS_KEEP:-0}" 600
OPS=${FSS_OPS:-20000}
[ $LONG = 1 ] && OPS=${FSS_OPS:-200000}

diff_run() {
	seed=$1
	if [ "$seed" = random ]; then
		seed=$(random_seed)
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
		first_diff 3 "$W/native.log" "$W/pool.log"
		fails=$((fails + 1))
	elif ! cmp -s "$W/native.dump" "$W/pool.dump"; then
		echo "FAIL: the trees differ after identical op logs (seed $seed)"
		first_diff 3 "$W/native.dump" "$W/pool.dump"
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
	seed=$(random_seed)
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
