#!/bin/sh
# run.sh MODE PROG: run a syscall test program.
#   MODE native: against a fresh tmpfs directory in /dev/shm.
#   MODE pool:   under pmemfile-run against a fresh pool mounted at
#                /mnt/pftest (PFTEST_POOL=1), then `pmemfile fsck` the pool.
#   MODE sandbox: the same under --sandbox --rw HOSTDIR: the pool's
#                semantics do not change inside the sandbox.
# Environment: PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL (paths).
# Each run is bounded by `timeout`: a hang is a failure.
set -u
mode=$1
prog=$2
shift 2
name=$(basename "$prog")
tag=pf-sc-$name-$mode-$$
host=$(mktemp -d "/dev/shm/$tag-host-XXXXXX") || exit 1
pool=/dev/shm/$tag.pool
native=/dev/shm/$tag-dir
trap 'rm -rf "$host" "$native" "$pool"' EXIT
export PMEM_IS_PMEM_FORCE=1
T=${PFTEST_TIMEOUT:-120}

case $mode in
native)
	mkdir -p "$native" || exit 1
	PFTEST_POOL=0 timeout -k 5 "$T" "$prog" "$native" "$host" "$@"
	exit $?
	;;
pool|sandbox)
	sbx=
	[ "$mode" = sandbox ] && sbx="--sandbox --rw $host"
	for b in "$PMEMFILE_RUN" "$MKFS_PMEMFILE" "$PMEMFILE_TOOL"; do
		[ -x "$b" ] || { echo "not built: $b" >&2; exit 1; }
	done
	"$MKFS_PMEMFILE" "$pool" 64M >/dev/null || { echo "mkfs.pmemfile failed" >&2; exit 1; }
	PFTEST_SANDBOX=$([ "$mode" = sandbox ] && echo 1 || echo 0) \
	PFTEST_POOL=1 timeout -k 5 "$T" "$PMEMFILE_RUN" --pool "$pool" \
		--mount /mnt/pftest $sbx -- "$prog" /mnt/pftest "$host" "$@"
	rc=$?
	out=$("$PMEMFILE_TOOL" fsck "$pool" 2>&1)
	frc=$?
	if [ $frc -ne 0 ]; then
		echo "pmemfile fsck $pool exited $frc: $out" >&2
		[ $rc -eq 0 ] && rc=1
	fi
	exit $rc
	;;
*)
	echo "usage: run.sh native|pool|sandbox PROG" >&2
	exit 2
	;;
esac
