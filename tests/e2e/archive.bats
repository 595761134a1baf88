#!/usr/bin/env bats
# tar and gzip round trips between the host and the pool, natively on tmpfs
# and in the pool, compared exactly.

load helpers

# make_source_tree DIR: a deterministic tree with files of many sizes,
# sparse and empty files, symlinks, a hard link, modes and mtimes.
make_source_tree() {
	local s=$1 i
	mkdir -p "$s/dir/sub" "$s/empty-dir" "$s/many"
	for i in $(seq 1 150); do
		seq 1 $((i * 37)) >"$s/many/f$i"
	done
	head -c 3000000 /dev/urandom >"$s/dir/random.bin"
	: >"$s/dir/empty"
	truncate -s 5M "$s/dir/sparse"
	echo tail | dd of="$s/dir/sparse" bs=1 seek=3000000 conv=notrunc status=none
	ln -s ../many/f1 "$s/dir/link"
	ln -s /etc/hostname "$s/dir/abslink"
	ln "$s/many/f2" "$s/dir/hard"
	chmod 600 "$s/many/f3"
	chmod 755 "$s/dir/sub"
	echo x >"$s/dir/sub/x"
	chmod 4755 "$s/dir/sub/x"
	touch -h -d '2019-05-06 07:08:09' "$s/dir/link"
	find "$s" -exec touch -h -d '2021-01-01 00:00:00' {} + 2>/dev/null || true
	cp /usr/include/stdio.h "$s/dir/stdio.h"
}

@test "tar a host tree into the pool, extract there, round trip back" {
	export SRC=$WORK/src
	make_source_tree "$SRC"
	differential '
set -e
tar -C "$SRC" --sort=name -cf "$D/src.tar" .
tar -tvf "$D/src.tar" | sort -k6
mkdir "$D/x"
tar -C "$D/x" -xpf "$D/src.tar"
(cd "$D/x" && find . -type f | sort | xargs sha256sum)
(cd "$D/x" && find . -printf "%p %y %m %s %TY-%Tm-%Td_%TH:%TM %l\n" | grep -v "^\. " | sort |
	awk "\$2 == \"d\" { \$4 = \"-\" } { print }")
diff -r "$SRC" "$D/x" && echo diff-r-same
tar -C "$D" --sort=name -cf - x | tar -C "$H" -xpf -
diff -r "$SRC" "$H/x" && echo back-on-host-same
tar -C "$D/x" --sort=name -cf "$D/again.tar" .
cmp "$D/src.tar" "$D/again.tar" && echo archives-identical
'
	native_out stdout | grep -qx 'diff-r-same'
	native_out stdout | grep -qx 'back-on-host-same'
	native_out stdout | grep -qx 'archives-identical'
}

@test "gzip and tar -z round trips in the pool" {
	export SRC=$WORK/src
	make_source_tree "$SRC"
	differential '
set -e
cd "$D"
tar -C "$SRC" --sort=name -czf src.tgz .
gzip -t src.tgz && echo gzip-t-ok
cp "$SRC/dir/random.bin" r.bin
gzip -n -9 r.bin
ls
gzip -l r.bin.gz | tail -1 | awk "{ print \$2 }"
gunzip r.bin.gz
cmp r.bin "$SRC/dir/random.bin" && echo gunzip-same
seq 1 100000 | gzip -n >seq.gz
zcat seq.gz | tail -1
gzip -dc seq.gz >"$H/seq"
wc -l <"$H/seq"
mkdir y
tar -C y -xzf src.tgz
diff -r "$SRC" y && echo tgz-same
tar -C y --sort=name -cf - . | gzip -n >"$H/y.tgz"
tar -C "$SRC" --sort=name -cf - . | gzip -n | cmp - "$H/y.tgz" && echo host-and-pool-tgz-identical
'
	native_out stdout | grep -qx 'tgz-same'
	native_out stdout | grep -qx 'host-and-pool-tgz-identical'
}
