#!/bin/sh
# pf-fsx with the same arguments natively on tmpfs (the kernel agrees with
# the model) and through pmemfile-run on a fresh pool (the pool does too),
# then the pool must fsck clean.
# Usage: fsx_pool.sh PF_FSX [PF-FSX ARGS...]  (without -S: one seed from
# the clock, printed, used for both runs)
# Environment: PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL (paths).
set -u
FSX=$1
shift
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1
[ -x "$RUN" ] || { echo "FAIL: $RUN is not built"; exit 1; }
case " $* " in
*" -S "*) ;;
*) set -- -S "$(( $(date +%s) % 1000000 ))" "$@" ;;
esac
TMP=/dev/shm/pf-fsx-pool-$$
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/native" "$TMP/mnt"
"$FSX" "$@" "$TMP/native" || { echo "FAIL: natively on tmpfs"; exit 1; }
"$MKFS" "$TMP/pool" 512M >/dev/null || { echo "FAIL: mkfs"; exit 1; }
"$RUN" --pool "$TMP/pool" --mount "$TMP/mnt" -- "$FSX" "$@" "$TMP/mnt" ||
	{ echo "FAIL: in the pool through pmemfile-run"; exit 1; }
"$TOOL" fsck "$TMP/pool" || { echo "FAIL: the pool does not fsck clean"; exit 1; }
