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
. "$(dirname "$0")/../lib/differential.sh"
diff_init ipcstress "$IPS" 256M "${IPS_KEEP:-0}" 300
mkdir -p "$W/native" || exit 1
OPS=${IPS_OPS:-3000}
[ $LONG = 1 ] && OPS=${IPS_OPS:-100000}
PROCS=
[ -n "${IPS_PROCS:-}" ] && PROCS="-P $IPS_PROCS"

if [ "$SEED" = random ]; then
	SEED=$(random_seed)
fi
echo "ipcstress diff: seed $SEED, $OPS ops (replay: tests/ipcstress/README.md)"

PFOPTS=

# After the run, still under the supervisor (PID $3: the parent of the
# tree's first shell):
# each host twin left in its runtime directory (syscalls/twin.c: FIFOs in
# f/, sockets in s/, named MNT-INO-BTIME) must stand for a FIFO or socket
# inode that still has a name in the pool; one whose names all went is
# unlinked at once. Prints the inode numbers of twins left over.
TWINS_LEFT='rd=$(ls -d /dev/shm/pmemfile-run-$3-* /tmp/pmemfile-run-$3-* 2>/dev/null | head -1)
[ -n "$rd" ] || { echo "no runtime directory for PID $3"; exit 0; }
ls "$rd/f" "$rd/s" 2>/dev/null | sed -n "s/^[0-9]*-\([0-9]*\)-.*/\1/p" | sort -u >"$1/twins.ino"
find "$2" \( -type p -o -type s \) -exec stat -c %i {} + | sort -u >"$1/names.ino"
comm -23 "$1/twins.ino" "$1/names.ino"'
# The most twins at once (--report), for 4 workers of 8 descriptors and
# 12 names: named, held open or bound, kept for a connected peer, and a
# tick's releases not yet read. Without removal it grows with the run.
TWINS_PEAK_MAX=300

fails=0
t0=$(date +%s)
timeout -k 5 $LIMIT "$IPS" -s "$SEED" -n "$OPS" $PROCS -l "$W/native.log" \
	"$W/native/d" 2>"$W/native.err"
rc_n=$?
t1=$(date +%s)
PFOPTS="--report $W/report.json"
pfrun sh -c "'$IPS' -s '$SEED' -n '$OPS' $PROCS -l '$W/pool.log' '$MNT/d' 2>'$W/pool.err'
	echo \$? >'$W/pool.rc'
	sh -c '$TWINS_LEFT' twins '$W' '$MNT' \$PPID >'$W/twins.left'" ||
	{ echo "FAIL: pmemfile-run exited $?"; fails=$((fails + 1)); }
PFOPTS=
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
	first_diff 5 "$W/native.log" "$W/pool.log"
	fails=$((fails + 1))
fi
if [ -s "$W/twins.left" ]; then
	echo "FAIL: host twins left of inodes with no name (pool inode numbers):"
	head -5 "$W/twins.left"
	fails=$((fails + 1))
fi
twins=$(sed -n 's/.*"twins": {\(.*\)},*$/\1/p' "$W/report.json")
echo "twins: $twins"
peak=$(echo "$twins" | sed -n 's/.*"peak": \([0-9]*\).*/\1/p')
if [ -z "$peak" ] || [ "$peak" -gt $TWINS_PEAK_MAX ]; then
	echo "FAIL: twins at once: ${peak:-unknown}, at most $TWINS_PEAK_MAX expected"
	fails=$((fails + 1))
fi
# what is left in the pool goes, and nothing of it stays behind
rm_all "$MNT/d" || fails=$((fails + 1))
fsck_pool || fails=$((fails + 1))
[ $fails = 0 ] && echo "PASS: seed $SEED ($(wc -l <"$W/native.log") log lines)"
[ $fails = 0 ]
