#!/bin/sh
# fsx with crashes: runs pf-fsx under pmemfile-run with -C (the number of
# completed operations in a host file, after each), SIGKILLs pmemfile-run
# (the supervisor) at a random moment, then checks that the pool fscks
# clean and that the file holds every completed operation (pf-fsx -V: the
# state after N or N+1 operations; an extension all or nothing). One pool
# for every round, so recovery runs again and again on an aged pool.
# Usage: fsx_crash.sh PF_FSX
# Environment: PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL (paths);
# PF_FSX_ROUNDS (default 12; PF_LONG_TESTS=1: 150); PF_FSX_SEED (default:
# from the clock, printed).
set -u
FSX=$1
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1
[ -x "$RUN" ] || { echo "FAIL: $RUN is not built"; exit 1; }
ROUNDS=${PF_FSX_ROUNDS:-12}
[ "${PF_LONG_TESTS:-0}" = 1 ] && ROUNDS=${PF_FSX_ROUNDS:-150}
SEED=${PF_FSX_SEED:-$(( $(date +%s) % 100000 ))}
TMP=/dev/shm/pf-fsx-crash-$$
POOL=$TMP/pool
MNT=$TMP/mnt
COUNT=$TMP/count
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$MNT"
"$MKFS" "$POOL" 512M >/dev/null || { echo "FAIL: mkfs"; exit 1; }
echo "fsx-crash: seed $SEED, $ROUNDS rounds"
fails=0
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	s=$((SEED + r))
	# a delay between 0.2 and 2.5 s, from the seed (replayable)
	delay=$(awk -v s="$s" 'BEGIN { srand(s); printf "%.2f", 0.2 + rand() * 2.3 }')
	: > "$COUNT"
	"$RUN" --pool "$POOL" --mount "$MNT" -- "$FSX" -q -S "$s" -N 1000000 \
		-C "$COUNT" "$MNT" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	# the target fails on its next call without a supervisor; wait for it
	i=0
	while pgrep -f -- "-C $COUNT" >/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	n=$(tr -d ' \n' < "$COUNT")
	n=${n:-0}
	if ! "$TOOL" fsck "$POOL" >/dev/null; then
		echo "FAIL: round $r (seed $s, killed after ${delay}s, $n operations): pool does not fsck clean"
		"$TOOL" fsck "$POOL"
		fails=$((fails + 1))
		break
	fi
	# the file must hold the first n (or n+1) operations; then it goes,
	# so a run killed before its first open starts from no file
	if ! "$RUN" --pool "$POOL" --mount "$MNT" -- sh -c \
	    "'$FSX' -q -S $s -V $n '$MNT' && rm -f '$MNT/fsx.file'"; then
		echo "FAIL: round $r (seed $s, killed after ${delay}s): the file lost completed operations (replay: -S $s -N $n)"
		fails=$((fails + 1))
		break
	fi
	echo "round $r: seed $s, killed after ${delay}s at operation $n: clean, every completed operation there"
done
[ $fails -eq 0 ] && echo "fsx-crash: $r rounds passed"
[ $fails -eq 0 ]
