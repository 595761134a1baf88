#!/usr/bin/env bats
# pmemfile put -r / get -r (seeding a pool from a workspace and
# collecting artifacts without running a program): a tree with every kind
# of entry goes in and comes back out the same (tree_snapshot: types,
# modes, owners, sizes, link counts, symlink targets, contents), with its
# times, holes and extended attributes; errors exit 1 with a message.

load helpers

make_tree() {   # DIR
	mkdir -p "$1/src/sub/deep" "$1/empty"
	printf 'hello\n' >"$1/src/f"
	printf '#!/bin/sh\necho run\n' >"$1/src/script"
	chmod 755 "$1/src/script"
	chmod 4755 "$1/src/f"
	ln "$1/src/f" "$1/src/sub/hard"
	ln -s ../f "$1/src/sub/rel-link"
	ln -s /etc/hostname "$1/src/abs-link"
	mkfifo "$1/src/fifo"
	truncate -s 20M "$1/src/sparse"
	printf 'x' | dd of="$1/src/sparse" bs=1 seek=12345678 conv=notrunc 2>/dev/null
	seq 1 100000 >"$1/src/sub/deep/numbers"
	chown 1234:5678 "$1/src/sub"
	chmod 1777 "$1/empty"
	setfattr -n user.color -v blue "$1/src/f"
	setfattr -n trusted.t -v 1 "$1/src/sub"
	touch -h -d '2001-02-03 04:05:06' "$1/src/sub/rel-link"
	touch -d '2002-03-04 05:06:07' "$1/src/sub/deep" "$1/src"
}

@test "put -r and get -r: a tree in and out, the same" {
	require_tool setfattr getfattr
	make_tree "$WORK/in"
	run "$PMEMFILE_TOOL" put -r "$POOL" "$WORK/in" /copy
	expect_status 0
	[ -z "$output" ] || fail "output: $output"
	run "$PMEMFILE_TOOL" stat "$POOL" /copy/src/sub
	expect_status 0
	[[ "$output" == *"Uid:  1234  Gid:  5678"* ]] || fail "owner not kept: $output"
	mkdir "$WORK/out"
	run "$PMEMFILE_TOOL" get -r "$POOL" /copy "$WORK/out"
	expect_status 0
	expect_eq "tree" "$(tree_snapshot "$WORK/in")" "$(tree_snapshot "$WORK/out")"
	expect_eq "times" \
		"$(cd "$WORK/in" && find . -printf '%p %T@\n' | sort)" \
		"$(cd "$WORK/out" && find . -printf '%p %T@\n' | sort)"
	expect_eq "attributes" \
		"$(cd "$WORK/in" && find . | sort | xargs getfattr -h -d -m - 2>/dev/null)" \
		"$(cd "$WORK/out" && find . | sort | xargs getfattr -h -d -m - 2>/dev/null)"
	# holes stay holes both ways
	[ "$(du -k "$WORK/out/src/sparse" | cut -f1)" -lt 100 ] ||
		fail "sparse file filled: $(du -k "$WORK/out/src/sparse")"
	# the pool copy is what programs see
	run pfrun sh -c "cat $MNT/copy/src/f; $MNT/copy/src/script; stat -c '%i %h' $MNT/copy/src/f $MNT/copy/src/sub/hard | sort -u | wc -l"
	expect_status 0
	[ "${lines[0]}" = hello ] && [ "${lines[1]}" = run ] && [ "${lines[2]}" = 1 ] ||
		fail "in the pool: $output"
}

@test "put -r and get -r: errors are reported and the status is 1" {
	run "$PMEMFILE_TOOL" put -r "$POOL" "$WORK/missing" /x
	[ "$status" -eq 1 ] || fail "status $status: $output"
	[[ "$output" == *"$WORK/missing: No such file or directory"* ]] || fail "output: $output"
	run "$PMEMFILE_TOOL" put -r "$POOL" "$WORK" /no/parent
	[ "$status" -eq 1 ] || fail "status $status: $output"
	mkdir -p "$WORK/t" && echo a >"$WORK/t/a"
	"$PMEMFILE_TOOL" put -r "$POOL" "$WORK/t" /t
	# a second copy over files that exist: each is reported, the rest goes on
	echo b >"$WORK/t/b"
	run "$PMEMFILE_TOOL" put -r "$POOL" "$WORK/t" /t
	[ "$status" -eq 1 ] || fail "status $status: $output"
	[[ "$output" == *"/t/a: File exists"* ]] || fail "output: $output"
	run "$PMEMFILE_TOOL" cat "$POOL" /t/b
	[ "$output" = b ] || fail "the rest was not copied: $output"
	run "$PMEMFILE_TOOL" get -r "$POOL" /nothing "$WORK/o"
	[ "$status" -eq 1 ] || fail "status $status: $output"
	run "$PMEMFILE_TOOL" put -r "$POOL"
	[ "$status" -eq 2 ] || fail "usage: status $status"
}
