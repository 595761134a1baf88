#!/bin/sh
# Hostile targets under pmemfile-run (see hostile.c for the cases): each
# case runs on a fresh pool; the target checks its own results (exit 0),
# pmemfile-run must exit with the target's status, and the pool must fsck
# clean afterwards.
# Usage: hostile.sh /path/to/rel-hostile [CASE...]
# Environment: PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL (paths).
set -u
H=$1
shift
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1
[ -x "$RUN" ] || { echo "FAIL: $RUN is not built"; exit 1; }
CASES=${*:-efault longpath race threads fds killwrite forkbomb}
POOL=/dev/shm/pf-rel-hostile-$$
HOST=/dev/shm/pf-rel-hostile-host-$$
# The mount point exists on the host too (empty, shadowed by the pool): a
# pool path ever run by the kernel (CONTINUE) would land in it.
MNT=$HOST/mnt
trap 'rm -rf "$POOL" "$HOST"' EXIT
fails=0
n=0
for c in $CASES; do
	rm -rf "$HOST"
	mkdir -p "$HOST" "$MNT"
	chmod 1777 "$HOST"
	"$MKFS" -f "$POOL" 128M >/dev/null || { echo "FAIL: mkfs"; exit 1; }
	# the pool's root must be usable by the forkbomb's unprivileged user
	"$RUN" --pool "$POOL" --mount "$MNT" -- chmod 1777 "$MNT"
	n=$((n + 1))
	timeout -k 5 240 "$RUN" --pool "$POOL" --mount "$MNT" -- "$H" "$MNT" "$HOST" "$c"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: case $c: exit $rc"
		fails=$((fails + 1))
	fi
	if ! "$TOOL" fsck "$POOL"; then
		echo "FAIL: case $c: the pool does not fsck clean"
		fails=$((fails + 1))
	fi
	if [ "$c" = race ] && [ -z "${REL_STRICT_CONTINUE:-}" ]; then
		# see hostile.c: the CONTINUE TOCTOU, reported, not failed
		[ -n "$(ls -A "$MNT")" ] && echo "NOTE: race: in the host's $MNT: $(ls -A "$MNT" | tr '\n' ' ')"
	elif [ -n "$(ls -A "$MNT")" ]; then
		echo "FAIL: case $c: files in the host's $MNT: $(ls -A "$MNT" | head -5)"
		fails=$((fails + 1))
	fi
done
echo "hostile cases: $n, failures: $fails"
[ $fails -eq 0 ]
