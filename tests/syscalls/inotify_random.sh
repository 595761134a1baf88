#!/bin/sh
# inotify_random.sh PROG [SEEDS [OPS]]: sc_inotify's "random" case (random
# namespace and data operations in a tree with watches on its directories
# and on some files) natively and in a pool; the event streams (wd, mask,
# cookie pairing, name per event) must be the same, seed by seed.
# Environment as run.sh.
set -u
prog=$1
export PFTEST_SEEDS=${2:-40} PFTEST_OPS=${3:-250}
here=$(dirname "$0")
out=$(mktemp -d "/dev/shm/pf-inotify-random-XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
rc=0
for mode in native pool; do
	sh "$here/run.sh" $mode "$prog" random >"$out/$mode" 2>&1 || {
		echo "$mode run failed:" >&2
		tail -5 "$out/$mode" >&2
		rc=1
	}
	grep '^T ' "$out/$mode" >"$out/$mode.ev"
done
[ $rc -eq 0 ] || exit 1
n=$(wc -l <"$out/native.ev")
[ "$n" -eq "$PFTEST_SEEDS" ] || { echo "native: $n of $PFTEST_SEEDS seeds" >&2; exit 1; }
if ! cmp -s "$out/native.ev" "$out/pool.ev"; then
	diff "$out/native.ev" "$out/pool.ev" | cut -c1-400 >&2
	echo "event streams differ (above: the seeds that differ)" >&2
	exit 1
fi
echo "ok: $n seeds x $PFTEST_OPS operations, the same events"
