#!/bin/sh
# --sandbox against a hostile target (sandbox_hostile.c).
# Under --sandbox, plain and racing: no attempt gets through, the host
# tree is bit-for-bit unchanged, the servers outside saw nothing, the
# victim process lives, the pool fscks clean. Without --sandbox the same
# attempts all get through (each attempt really changes the host).
# Usage: sandbox_hostile.sh /path/to/rel-sandbox
# Environment: PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL (paths).
set -u
B=$1
RUN=${PMEMFILE_RUN:?}
MKFS=${MKFS_PMEMFILE:?}
TOOL=${PMEMFILE_TOOL:?}
export PMEM_IS_PMEM_FORCE=1
[ -x "$RUN" ] || { echo "FAIL: $RUN is not built"; exit 1; }
base=/dev/shm/pf-rel-sbx-$$
POOL=$base.pool
HOST=$base.host
MNT=$HOST/mnt
SRV= VICTIM=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	[ -n "$VICTIM" ] && kill "$VICTIM" 2>/dev/null
	rm -rf "$HOST" "$POOL" "$base".*
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# one case: $1 = sandbox|plain, $2 = ""|race
run_case() {
	mode=$1 race=${2:-}
	label="$mode${race:+ $race}"
	rm -rf "$HOST" "$POOL" "$base".*
	"$B" prep "$HOST" || { fail "$label: prep"; return; }
	"$MKFS" -f "$POOL" 64M >/dev/null || { fail "$label: mkfs"; return; }
	"$B" serve "$HOST" > "$base.served" &
	SRV=$!
	sleep 600 &
	VICTIM=$!
	for i in $(seq 100); do [ -f "$HOST.ports" ] && break; sleep 0.05; done
	"$B" snap "$HOST" > "$base.before"
	opt=
	[ "$mode" = sandbox ] && opt=--sandbox
	timeout -k 5 300 "$RUN" --pool "$POOL" --mount "$MNT" $opt -- \
		"$B" attack "$MNT" "$HOST" "$POOL" "$VICTIM" $race > "$base.out" 2>&1
	rc=$?
	kill -TERM "$SRV"
	wait "$SRV"
	SRV=
	served=$(cat "$base.served")
	alive=0
	kill -0 "$VICTIM" 2>/dev/null && alive=1
	kill "$VICTIM" 2>/dev/null
	wait "$VICTIM" 2>/dev/null
	VICTIM=
	"$B" snap "$HOST" > "$base.after"
	[ $rc -eq 0 ] || fail "$label: exit $rc: $(tail -3 "$base.out")"
	"$TOOL" fsck "$POOL" >/dev/null || fail "$label: the pool does not fsck clean"
	if [ "$mode" = sandbox ]; then
		grep '^through' "$base.out" | while read -r l; do echo "FAIL: $label: $l"; done
		grep -q '^through' "$base.out" && fails=$((fails + 1))
		[ -z "$race" ] && ! grep -q '^attempts [0-9]* through 0$' "$base.out" &&
			fail "$label: no summary: $(tail -2 "$base.out")"
		[ "$served" = 0 ] || fail "$label: the servers outside saw $served connections or datagrams"
		[ $alive = 1 ] || fail "$label: the victim outside the tree was killed"
		if ! cmp -s "$base.before" "$base.after"; then
			fail "$label: the host tree changed:"
			diff "$base.before" "$base.after" | head -20
		fi
		[ -z "$race" ] && sed 's/^/  /' "$base.out"
	else
		n=$(sed -n 's/^attempts \([0-9]*\) through \([0-9]*\)$/\1 \2/p' "$base.out")
		set -- $n
		# as another user than root, the attempts that need privileges
		# (chown to others, AF_PACKET, file handles) may fail
		bad=$(grep '^refused' "$base.out" | awk -v root="$(id -u)" '
			root == 0 || $2 !~ /^(chown|lchown|packet-socket|open-by-handle|ptrace-supervisor)$/')
		if [ $# -ne 2 ] || [ -n "$bad" ]; then
			fail "$label: not every attempt got through without --sandbox:"
			echo "$bad"
		fi
		[ "$served" -ge 5 ] || fail "$label: the servers saw $served (expected 6)"
		[ $alive = 0 ] || fail "$label: the victim was not killed"
		cmp -s "$base.before" "$base.after" && fail "$label: the host tree did not change"
	fi
	echo "case $label: done"
}

run_case plain
run_case sandbox
run_case sandbox race

# fail closed: no Landlock (ENOSYS: not built in; EOPNOTSUPP: disabled)
"$MKFS" -f "$POOL" 64M >/dev/null
for e in 38:ENOSYS 95:EOPNOTSUPP; do
	out=$("$B" nolandlock "${e%%:*}" "$RUN" --pool "$POOL" --mount "$MNT" \
		--sandbox -- touch "$base.ran" 2>&1)
	rc=$?
	[ $rc -eq 125 ] || fail "no Landlock (${e#*:}): exit $rc: $out"
	[ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q 'needs Landlock' ||
		fail "no Landlock (${e#*:}): message: $out"
	[ ! -e "$base.ran" ] || fail "no Landlock (${e#*:}): the command ran"
	echo "no Landlock (${e#*:}): $out"
done
echo "sandbox hostile failures: $fails"
[ $fails -eq 0 ]
