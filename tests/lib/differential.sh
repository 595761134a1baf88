# Sourced by the randomized differential runners (fsstress/fsstress.sh,
# ipcstress/ipcstress.sh): a program run from a seed natively on tmpfs and
# in a pool under pmemfile-run, whose outputs must be identical.
#
#   diff_init NAME EXERCISER POOL_SIZE KEEP LIMIT
#       checks that EXERCISER, PMEMFILE_RUN, MKFS_PMEMFILE and PMEMFILE_TOOL
#       are built; sets LONG (1 with PF_LONG=1 or PF_LONG_TESTS=1); makes
#       the work directory W=/dev/shm/pf-NAME-PID (removed at exit unless
#       KEEP is 1) with a pool POOL of POOL_SIZE, mounted at MNT by pfrun;
#       each pfrun is bounded by LIMIT seconds (3600 with LONG).
#   pfrun CMD...         CMD under pmemfile-run with the pool (and the
#                        options in PFOPTS, if set)
#   first_diff CTX A B   the first differing line of A and B, CTX lines before
#   fsck_pool            pmemfile fsck of the pool must be clean
#   rm_all DIR           rm -rf DIR in the pool must leave MNT empty
#   random_seed          a seed from /dev/urandom
export PMEM_IS_PMEM_FORCE=1 LC_ALL=C

diff_init() {
	RUN=${PMEMFILE_RUN:?}
	MKFS=${MKFS_PMEMFILE:?}
	TOOL=${PMEMFILE_TOOL:?}
	for b in "$2" "$RUN" "$MKFS" "$TOOL"; do
		[ -x "$b" ] || { echo "FAIL: $b is not built"; exit 1; }
	done
	LONG=0
	[ "${PF_LONG:-0}" != 0 ] || [ "${PF_LONG_TESTS:-0}" != 0 ] && LONG=1
	W=/dev/shm/pf-$1-$$
	POOL=$W/pool
	MNT=/pf-$1-$$
	if [ "$4" = 1 ]; then
		trap 'echo "kept $W"' EXIT
	else
		trap 'rm -rf "$W"' EXIT
	fi
	mkdir -p "$W" || exit 1
	"$MKFS" -f "$POOL" "$3" >/dev/null || { echo "FAIL: mkfs"; exit 1; }
	LIMIT=$5
	[ $LONG = 1 ] && LIMIT=3600
}

pfrun() {
	timeout -k 5 "$LIMIT" "$RUN" ${PFOPTS:-} --pool "$POOL" --mount "$MNT" -- "$@"
}

first_diff() {
	n=$(cmp "$2" "$3" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p')
	[ -n "$n" ] || n=$(( $(wc -l <"$2") + 1 ))
	from=$((n > $1 ? n - $1 : 1))
	echo "--- tmpfs, lines $from-$((n + 1)) (first difference: line $n):"
	sed -n "${from},$((n + 1))p" "$2"
	echo "--- pool:"
	sed -n "${from},$((n + 1))p" "$3"
}

fsck_pool() {
	"$TOOL" fsck "$POOL" || { echo "FAIL: fsck of the pool is not clean"; return 1; }
}

rm_all() {
	pfrun sh -c "rm -rf '$1' && ! [ -e '$1' ] && [ -z \"\$(ls -A '$MNT')\" ]" ||
		{ echo "FAIL: rm -rf $1 in the pool did not remove everything"; return 1; }
}

random_seed() {
	od -An -N4 -tu4 /dev/urandom | tr -d ' '
}
