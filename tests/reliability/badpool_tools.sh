#!/bin/sh
# Bad pools given to the command-line tools: mkfs.pmemfile refuses to
# overwrite a pool without -f, `pmemfile fsck` exits non-zero with a message
# (never a signal), and pmemfile-run exits 125 with a one-line message.
# Environment: MKFS_PMEMFILE, PMEMFILE_TOOL, PMEMFILE_RUN (paths).
set -u
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
RUN=${PMEMFILE_RUN:?}
export PMEM_IS_PMEM_FORCE=1
D=/dev/shm/pf-rel-badtools-$$
mkdir -p "$D"
trap 'rm -rf "$D"' EXIT
fails=0
cases=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for b in "$MKFS" "$TOOL" "$RUN"; do
	[ -x "$b" ] || { echo "FAIL: $b is not built"; exit 1; }
done

# the bad pools
"$MKFS" "$D/good" 16M >/dev/null 2>&1 || fail "mkfs of a good pool"
head -c 8192 "$D/good" > "$D/truncated-8k"
head -c 1048576 "$D/good" > "$D/truncated-1m"
head -c 100 "$D/good" > "$D/truncated-100"
: > "$D/empty"
head -c 16777216 /dev/zero > "$D/zeros"
head -c 16777216 /dev/urandom > "$D/random"
if command -v pmempool >/dev/null; then
	pmempool create --layout other-layout obj --size 16M "$D/otherlayout" \
		>/dev/null 2>&1 || fail "pmempool create"
fi
cp "$D/good" "$D/damaged"
# the pool's header (pmemobj signature and layout name)
printf 'XXXXXXXX' | dd of="$D/damaged" bs=1 seek=0 conv=notrunc 2>/dev/null
cp "$D/good" "$D/damaged2"
printf 'garbage!' | dd of="$D/damaged2" bs=1 seek=4096 conv=notrunc 2>/dev/null
mkdir "$D/adir"

for f in truncated-8k truncated-1m truncated-100 empty zeros random \
	 otherlayout damaged damaged2 adir missing; do
	[ "$f" = otherlayout ] && [ ! -e "$D/otherlayout" ] && continue
	p=$D/$f
	cases=$((cases + 1))
	# pmemfile fsck: non-zero, not a signal, a message
	"$TOOL" fsck "$p" > "$D/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then fail "pmemfile fsck $f: exit 0"
	elif [ $rc -ge 126 ]; then fail "pmemfile fsck $f: exit $rc (crash?)"
	elif [ ! -s "$D/out" ]; then fail "pmemfile fsck $f: no message"
	fi
	echo "fsck $f: exit $rc: $(head -1 "$D/out")"
	# pmemfile-run: 125 and exactly one line
	"$RUN" --pool "$p" --mount /pf-rel-x -- true > "$D/out" 2>&1
	rc=$?
	lines=$(wc -l < "$D/out")
	[ $rc -eq 125 ] || fail "pmemfile-run --pool $f: exit $rc, want 125"
	[ "$lines" -eq 1 ] || fail "pmemfile-run --pool $f: $lines lines of message, want 1"
	echo "run  $f: exit $rc: $(head -1 "$D/out")"
	# mkfs.pmemfile without -f over an existing file that is a pool of
	# any kind must refuse
	case $f in otherlayout|damaged2|truncated-1m)
		sum=$(cksum < "$p")
		"$MKFS" "$p" 16M > "$D/out" 2>&1
		rc=$?
		[ $rc -ne 0 ] || fail "mkfs.pmemfile over $f without -f: exit 0"
		[ -s "$D/out" ] || fail "mkfs.pmemfile over $f: no message"
		[ "$(cksum < "$p")" = "$sum" ] || fail "mkfs.pmemfile without -f changed $f"
		echo "mkfs $f: exit $rc: $(head -1 "$D/out")";;
	esac
done

# mkfs over a good pool: refused without -f, the pool untouched; -f works
sum=$(cksum < "$D/good")
"$MKFS" "$D/good" 16M > "$D/out" 2>&1 && fail "mkfs.pmemfile over a pool without -f: exit 0"
[ -s "$D/out" ] || fail "mkfs.pmemfile over a pool: no message"
[ "$(cksum < "$D/good")" = "$sum" ] || fail "mkfs.pmemfile without -f changed the pool"
"$MKFS" -f "$D/good" 16M > "$D/out" 2>&1 || fail "mkfs.pmemfile -f over a pool: $(cat "$D/out")"
"$TOOL" fsck "$D/good" > "$D/out" 2>&1 || fail "fsck after mkfs -f: $(cat "$D/out")"
# too small: says the minimum
"$MKFS" "$D/small" 1M > "$D/out" 2>&1 && fail "mkfs.pmemfile 1M: exit 0"
grep -qi "min\|16" "$D/out" || fail "mkfs.pmemfile 1M does not say the minimum: $(cat "$D/out")"

echo "bad pools given to the tools: $cases, failures: $fails"
[ $fails -eq 0 ]
