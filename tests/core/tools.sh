#!/bin/sh
# End-to-end tests of mkfs.pmemfile and the pmemfile pool tool.
#   tools.sh MKFS PMEMFILE
# Every check compares output and exit status; the first failure stops the
# script with the line that failed.
set -u
MKFS=$1
PF=$2
export PMEM_IS_PMEM_FORCE=1
T=/dev/shm/pf-test-tools-$$
POOL=$T/pool
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT INT TERM

n=0
fail() {
	echo "FAIL: $*" >&2
	echo "--- stdout:" >&2; cat "$T/out" >&2 2>/dev/null
	echo "--- stderr:" >&2; cat "$T/err" >&2 2>/dev/null
	exit 1
}
# run EXPECTED_STATUS CMD...: runs CMD, output in $T/out and $T/err
run() {
	want=$1; shift
	n=$((n + 1))
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "$*: exit status $got, expected $want"
}
out_has() { grep -q -- "$1" "$T/out" || fail "stdout lacks '$1'"; }
err_has() { grep -q -i -- "$1" "$T/err" || fail "stderr lacks '$1'"; }
out_is() {
	if [ -z "$1" ]; then : >"$T/want"; else printf '%s\n' "$1" >"$T/want"; fi
	cmp -s "$T/want" "$T/out" || fail "stdout is not '$1'"
}
one_line_err() {
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "expected a one-line error"
}

# ---- mkfs.pmemfile --------------------------------------------------------
run 0 "$MKFS" --help;            out_has "Usage: mkfs.pmemfile"
run 0 "$MKFS" --version;         out_has "mkfs.pmemfile"
run 2 "$MKFS"
run 2 "$MKFS" "$POOL"
run 2 "$MKFS" --bogus "$POOL" 32M
run 2 "$MKFS" "$POOL" 12Q;       err_has "invalid size"; one_line_err
run 2 "$MKFS" "$POOL" M;         err_has "invalid size"
run 2 "$MKFS" "$POOL" 1.5G;      err_has "invalid size"
run 2 "$MKFS" "$POOL" 99999999999999999999T; err_has "invalid size"
run 1 "$MKFS" "$POOL" 1M;        err_has "too small"; err_has "16 MiB"
one_line_err
[ -e "$POOL" ] && fail "a too-small mkfs left a file"
run 1 "$MKFS" "$POOL" 100T;      err_has "no space"; one_line_err
run 1 "$MKFS" "$T/nodir/pool" 32M; one_line_err
run 1 "$MKFS" "$T" 32M;          err_has "directory"
run 1 "$MKFS" "$POOL" 0;         one_line_err   # nothing to take a size from

run 0 "$MKFS" "$POOL" 32M
[ "$(stat -c %s "$POOL")" -eq 33554432 ] || fail "pool size"
run 1 "$MKFS" "$POOL" 32M;       err_has "already"; err_has "-f"; one_line_err
run 0 "$MKFS" -f "$POOL" 20M
[ "$(stat -c %s "$POOL")" -eq 20971520 ] || fail "pool size after -f"
run 0 "$MKFS" --force "$POOL" 16m
# size 0: the existing file's size
rm -f "$T/sized"; truncate -s 24M "$T/sized"
run 0 "$MKFS" "$T/sized" 0
[ "$(stat -c %s "$T/sized")" -eq 25165824 ] || fail "size 0 changed the file"
run 0 "$PF" fsck "$T/sized"
# a small existing file with size 0
truncate -s 1M "$T/tiny"
run 1 "$MKFS" "$T/tiny" 0;       err_has "too small"
# suffixes are powers of 1024
run 0 "$MKFS" -f "$POOL" 32768k
[ "$(stat -c %s "$POOL")" -eq 33554432 ] || fail "k suffix"
# not writable: as an unprivileged user (skipped if setpriv is missing)
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	mkdir "$T/ro"; chmod 755 "$T/ro"
	run 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MKFS" "$T/ro/pool" 32M
	err_has "permission\|not writable"; one_line_err
fi

# ---- pmemfile ---------------------------------------------------------------
run 0 "$PF" --help;              out_has "fsck"; out_has "put"
run 0 "$PF" --version;           out_has "pmemfile"
run 2 "$PF"
run 2 "$PF" frobnicate "$POOL"
run 2 "$PF" cat "$POOL"
run 2 "$PF" put "$POOL" x

run 0 "$MKFS" -f "$POOL" 64M
run 0 "$PF" fsck "$POOL";        out_has "clean"
run 0 "$PF" ls "$POOL";          out_is ""

printf 'hello pool\n' >"$T/hello"
run 0 "$PF" put "$POOL" "$T/hello" /hello
run 0 "$PF" cat "$POOL" /hello;  out_is "hello pool"
head -c 3000000 /dev/urandom >"$T/random"
chmod 640 "$T/random"
run 0 "$PF" put "$POOL" "$T/random" random.bin
run 0 "$PF" get "$POOL" /random.bin "$T/random.out"
cmp -s "$T/random" "$T/random.out" || fail "get/put round trip"
run 0 "$PF" get "$POOL" /hello -; out_is "hello pool"
printf 'from stdin' >"$T/stdin-src"
run 0 "$PF" put "$POOL" - /stdin.txt <"$T/stdin-src"
run 0 "$PF" cat "$POOL" /stdin.txt; printf 'from stdin' | cmp -s - "$T/out" ||
	fail "put from stdin"
# put replaces
printf 'v2\n' >"$T/v2"
run 0 "$PF" put "$POOL" "$T/v2" /hello
run 0 "$PF" cat "$POOL" /hello;  out_is "v2"

run 0 "$PF" mkdir "$POOL" /d
run 1 "$PF" mkdir "$POOL" /d;    err_has "exists"
run 1 "$PF" mkdir "$POOL" /x/y;  err_has "no such"
run 0 "$PF" mkdir -p "$POOL" /x/y/z
run 0 "$PF" mkdir -p "$POOL" /x/y/z
run 0 "$PF" put "$POOL" "$T/hello" /x/y/z/deep
run 0 "$PF" ls "$POOL";          out_is "$(printf 'd\nhello\nrandom.bin\nstdin.txt\nx')"
run 0 "$PF" ls "$POOL" /x/y;     out_is "z"
run 0 "$PF" ls -l "$POOL" /
grep -q '^-rw-r----- .* 3000000 .* random.bin$' "$T/out" || fail "ls -l file line"
grep -q '^drwx.* d$' "$T/out" || fail "ls -l dir line"
run 0 "$PF" ls "$POOL" /hello;   out_is "/hello"
run 1 "$PF" ls "$POOL" /nope;    err_has "no such"

run 0 "$PF" stat "$POOL" /random.bin
out_has "Size: 3000000"; out_has "regular file"; out_has "(0640/-rw-r-----)"
out_has "IO Block: 4096"
run 0 "$PF" stat "$POOL" /d;     out_has "directory"; out_has "Links: 2"
run 0 "$PF" stat "$POOL" /;      out_has "Links: 4"
run 1 "$PF" stat "$POOL" /nope;  err_has "no such"; one_line_err

run 1 "$PF" cat "$POOL" /nope;   err_has "no such"; one_line_err
run 1 "$PF" cat "$POOL" /d;      err_has "directory"
run 1 "$PF" get "$POOL" /nope "$T/x"
run 1 "$PF" put "$POOL" "$T/does-not-exist" /x; err_has "no such"
run 1 "$PF" put "$POOL" "$T/hello" /nodir/x;    err_has "no such"

run 0 "$PF" df "$POOL"
out_has "1K-blocks"; out_has "Inodes"
used1=$(awk 'NR==2 {print $3}' "$T/out")
[ "$used1" -ge 2900 ] || fail "df used $used1 KiB < the 3 MB written"

run 0 "$PF" rm "$POOL" /random.bin
run 0 "$PF" df "$POOL"
used2=$(awk 'NR==2 {print $3}' "$T/out")
[ $((used1 - used2)) -ge 2900 ] || fail "df: rm freed only $((used1 - used2)) KiB"
run 1 "$PF" rm "$POOL" /random.bin; err_has "no such"
run 1 "$PF" rm "$POOL" /x;       err_has "not empty"
run 0 "$PF" rm "$POOL" /d
run 0 "$PF" rm -r "$POOL" /x
run 0 "$PF" ls "$POOL";          out_is "$(printf 'hello\nstdin.txt')"
run 0 "$PF" fsck "$POOL";        out_has "clean"

# a pool in use by another process is refused, not shared
mkfifo "$T/fifo"
"$PF" put "$POOL" - /busy <"$T/fifo" &
holder=$!
exec 9>"$T/fifo"        # the holder now opens the pool and waits for data
i=0   # wait (without touching the pool) until the holder has mapped it
while ! grep -q "$POOL" "/proc/$holder/maps" 2>/dev/null; do
	[ $i -lt 400 ] || fail "the holder never opened the pool"
	sleep 0.05; i=$((i + 1))
done
run 1 "$PF" ls "$POOL";          err_has "in use"; one_line_err
run 8 "$PF" fsck "$POOL"
printf 'late\n' >&9
exec 9>&-
wait "$holder" || fail "the holder failed"
run 0 "$PF" cat "$POOL" /busy;   out_is "late"

# persistence across tool runs was implied above; bad pools:
printf 'not a pool at all' >"$T/junk"
head -c 1048576 /dev/zero >>"$T/junk"
run 1 "$PF" ls "$T/junk";        err_has "not a pmemfile pool"; one_line_err
run 1 "$PF" cat "$T/missing" /x; err_has "no such"; one_line_err
run 8 "$PF" fsck "$T/junk"
run 8 "$PF" fsck "$T/missing"
run 16 "$PF" fsck
run 16 "$PF" fsck "$POOL" extra
: >"$T/empty"
run 1 "$PF" ls "$T/empty"
run 8 "$PF" fsck "$T/empty"
# mkfs refuses to overwrite another kind of pool without -f too
if command -v pmempool >/dev/null 2>&1; then
	run 0 pmempool create blk 512 "$T/blkpool" --size 32M
	run 1 "$MKFS" "$T/blkpool" 0;  err_has "already"
fi

echo "tools.sh: $n checks passed"
