#!/bin/sh
# Runs a process-tree test (rel-longtree or rel-pidwrap) under
# pmemfile-run on a fresh pool, then fscks the pool.
# Usage: longtree.sh /path/to/binary ARGS-BEFORE-MNT...
# Environment: PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL (paths).
set -u
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1
[ -x "$RUN" ] || { echo "FAIL: $RUN is not built"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
POOL=/dev/shm/pf-rel-tree-$$
MNT=/pf-rel-tree-$$
trap 'rm -f "$POOL"' EXIT
"$MKFS" -f "$POOL" 128M >/dev/null || { echo "FAIL: mkfs"; exit 1; }
fails=0
start=$(date +%s)
"$RUN" --pool "$POOL" --mount "$MNT" -- "$@" "$MNT" || {
	echo "FAIL: $* exited $?"; fails=1; }
echo "took $(($(date +%s) - start)) s"
"$TOOL" fsck "$POOL" || { echo "FAIL: the pool does not fsck clean"; fails=1; }
[ $fails -eq 0 ]
