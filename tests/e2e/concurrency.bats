#!/usr/bin/env bats
# Many processes of one tree on one pool at once: flock(1) serialised
# counters, xargs -P, parallel writers into one directory, a large
# directory, a pipeline of many stages.

load helpers

@test "flock(1) serialises read-modify-write of a counter by 4 processes" {
	differential '
cd "$D"
echo 0 >counter
: >lock
worker() {
	for i in $(seq 1 40); do
		flock lock sh -c "n=\$(cat counter); echo \$((n + 1)) >counter.tmp && mv counter.tmp counter"
	done
}
worker & worker & worker & worker &
wait
cat counter
'
	native_out stdout | grep -qx '160'
}

@test "flock(1): -n fails while held, inherited fds share, close releases" {
	differential '
cd "$D"
: >lk
flock lk sleep 2 &
sleep 0.5
flock -n lk true; echo "nonblocking while held: $?"
wait
flock -n lk true; echo "after release: $?"
exec 8>lk2
flock -x 8
( flock -n 9 true 9>lk2; echo "other description: $?" )
( flock -n 8 true; echo "same description (inherited): $?" )
exec 8>&-
flock -n lk2 true; echo "after close: $?"
'
	native_out stdout | grep -qx 'nonblocking while held: 1'
	native_out stdout | grep -qx 'after close: 0'
}

@test "xargs -P4 creates, checksums and removes files in parallel" {
	differential '
set -e
cd "$D"
mkdir many
seq 1 400 | xargs -P4 -I{} sh -c "seq 1 {} >many/f{}"
ls many | wc -l
cat many/f* | wc -l
(cd many && ls | sort -t f -k2 -n | xargs -P4 -n50 sha256sum | sort -k2) | sha256sum
find many -name "f*0" | xargs -P3 -n10 rm
ls many | wc -l
'
	native_out stdout | grep -qx '400'
	native_out stdout | grep -qx '360'
}

@test "a directory of 5000 entries: create, list, stat, remove" {
	differential '
set -e
cd "$D"
mkdir big
cd big
seq -f "entry-%05g" 1 5000 | xargs touch
ls | wc -l
ls | sort | head -2
ls -U | sort | tail -1
find . -type f | wc -l
stat -c %s entry-02500
ls entry-0*9 | wc -l
rm entry-0*
ls | wc -l
cd ..
rm -r big
ls -A
'
	native_out stdout | grep -qx '5000'
}

@test "a long pipeline and tee into several pool files" {
	differential '
set -o pipefail
cd "$D"
seq 1 50000 | tee a | sed "s/^/x/" | tee b | tr x y | tee c | grep -v 7 | tee -a d | sort -r | uniq | head -1
wc -l a b c d
seq 1 10 | tee -a d >/dev/null
wc -l d
cat a b c d | md5sum
'
	native_out stdout | grep -qx 'y9999'
}

@test "split, install, mktemp, cp --sparse, ln -sf, shred" {
	differential '
set -e
cd "$D"
seq 1 10000 >in
split -l 3000 -d in part-
ls part-*
cat part-* | cmp - in && echo split-ok
install -m 750 -D in dir/sub/installed
stat -c "%a %s" dir/sub/installed
t=$(mktemp -p "$D" tmp.XXXXXX); echo mk >"$t"; cat "$t"; rm "$t"
truncate -s 10M sp; echo data | dd of=sp bs=1 seek=5000000 conv=notrunc status=none
cp --sparse=always sp sp2
cmp sp sp2 && echo sparse-copy-same
stat -c %s sp2
ln -sf in l; ln -sf part-00 l; readlink l
printf secret >s; shred -u s; ls s 2>/dev/null || echo shredded
'
	native_out stdout | grep -qx 'split-ok'
	native_out stdout | grep -qx 'sparse-copy-same'
}

@test "1000 short-lived processes with their cwd in the pool" {
	differential '
cd "$D"
mkdir w
cd w
for i in $(seq 1 800); do /bin/true; done
for i in $(seq 1 200); do sh -c "echo $i >f$i"; done
ls | wc -l
cat f1 f100 f200
pwd
'
	native_out stdout | grep -qx '200'
}
