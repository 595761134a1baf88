#!/bin/sh
# Load under pmemfile-run: NPROC processes x NTHREADS threads writing,
# reading, renaming and unlinking in shared pool directories for SECONDS
# (10 in CI, 180 with PF_LONG_TESTS=1), then every byte verified, once in
# the same run and once more in a new pmemfile-run (pool closed and
# reopened), and fsck.
# Usage: load.sh /path/to/rel-load
set -u
L=$1
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1
[ -x "$RUN" ] || { echo "FAIL: $RUN is not built"; exit 1; }
SECS=${REL_LOAD_SECONDS:-10}
[ "${PF_LONG_TESTS:-0}" -gt 0 ] 2>/dev/null && SECS=${REL_LOAD_SECONDS:-180}
NPROC=${REL_LOAD_PROCS:-4}
NTHREADS=${REL_LOAD_THREADS:-8}
POOL=/dev/shm/pf-rel-load-$$
MAN=/dev/shm/pf-rel-load-$$.manifests
MNT=/pf-rel-load-$$
trap 'rm -rf "$POOL" "$MAN"' EXIT
mkdir -p "$MAN"
"$MKFS" -f "$POOL" 512M >/dev/null || { echo "FAIL: mkfs"; exit 1; }
fails=0
echo "load: $NPROC processes x $NTHREADS threads for $SECS s"
timeout -k 5 $((SECS * 3 + 120)) "$RUN" --pool "$POOL" --mount "$MNT" -- \
	"$L" run "$MNT" "$MAN" "$NPROC" "$NTHREADS" "$SECS" || {
	echo "FAIL: the load run failed"; fails=$((fails + 1)); }
timeout -k 5 300 "$RUN" --pool "$POOL" --mount "$MNT" -- "$L" verify "$MNT" "$MAN" || {
	echo "FAIL: verification after reopening the pool"; fails=$((fails + 1)); }
"$TOOL" fsck "$POOL" || { echo "FAIL: fsck"; fails=$((fails + 1)); }
[ $fails -eq 0 ]
