#!/usr/bin/env bats
# Extended attributes with the real tools: setfattr/getfattr, cp -a,
# tar --xattrs, rsync -aX, setcap/getcap and Python's os.*xattr, each run
# natively on tmpfs and in the pool and compared exactly (differential).
# tmpfs lists attributes in no fixed order, the pool sorts them: every
# listing here is sorted.

load helpers

# dump DIR: every attribute below DIR, one "path name=value" line each
# (values in hex, so binary values compare too), sorted.
dump_fn='dump() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
		getfattr -h -d -m - -e hex "$p" 2>&1 | grep -v "^#" |
			grep -v "^$" | LC_ALL=C sort | sed "s|^|$p |"
	done)
}'

# make_attr_tree DIR: files, a directory and a symlink with attributes of
# every namespace the pool stores, binary and empty values, a 64 KiB one.
make_fn='make_attr_tree() {
	mkdir -p "$1/dir/sub"
	echo data >"$1/dir/f"
	: >"$1/empty"
	ln -s dir/f "$1/link"
	setfattr -n user.text -v "hello world" "$1/dir/f"
	setfattr -n user.bin -v 0x00ff10ab "$1/dir/f"
	setfattr -n user.empty "$1/dir/f"
	setfattr -n trusted.t -v trusted "$1/dir/f"
	setfattr -n security.s -v sec "$1/dir/f"
	setfattr -n user.d -v directory "$1/dir"
	setfattr -n user.sub -v 1 "$1/dir/sub"
	setfattr -h -n trusted.l -v onlink "$1/link"
	head -c 65536 /dev/zero | tr "\0" "v" >"$1/big.val"
	setfattr -n user.big -v "$(cat "$1/big.val")" "$1/empty"
	rm "$1/big.val"
}'

@test "setfattr and getfattr: every namespace, flags and errors" {
	require_tool setfattr getfattr
	differential "$dump_fn
$make_fn"'
make_attr_tree "$D"
dump "$D"
getfattr -n user.text --only-values "$D/dir/f"; echo
getfattr -h -n user.text "$D/link" 2>&1 | sed "s|$D|D|"
setfattr -h -n user.x -v 1 "$D/link" 2>&1 | sed "s|$D|D|"
setfattr -x user.text "$D/dir/f"
setfattr -x user.text "$D/dir/f" 2>&1 | sed "s|$D|D|"
getfattr -n user.none "$D/dir/f" 2>&1 | sed "s|$D|D|"
setfattr -n foo.bar -v 1 "$D/dir/f" 2>&1 | sed "s|$D|D|"
setfattr -n user. -v 1 "$D/dir/f" 2>&1 | sed "s|$D|D|"
dump "$D"
'
}

@test "cp -a keeps attributes into the pool and back" {
	require_tool setfattr getfattr
	export SRC=$WORK/src
	bash -c "$make_fn; make_attr_tree \"\$SRC\""
	differential "$dump_fn"'
cp -a "$SRC" "$D/copy"
dump "$D/copy"
cp -a "$D/copy" "$H/back"
dump "$H/back"
cp -a --preserve=xattr "$D/copy/dir/f" "$D/f2"
getfattr -d "$D/f2" | grep -v "^#"
'
}

@test "tar --xattrs round trip through the pool" {
	require_tool setfattr getfattr tar
	export SRC=$WORK/src
	bash -c "$make_fn; make_attr_tree \"\$SRC\""
	differential "$dump_fn"'
set -e
tar --xattrs --xattrs-include="*" -C "$SRC" --sort=name -cf "$D/a.tar" .
mkdir "$D/x"
tar --xattrs --xattrs-include="*" -C "$D/x" -xpf "$D/a.tar"
dump "$D/x"
tar --xattrs --xattrs-include="*" -C "$D/x" --sort=name -cf "$H/b.tar" .
mkdir "$H/y"
tar --xattrs --xattrs-include="*" -C "$H/y" -xpf "$H/b.tar"
dump "$H/y"
# (the archives themselves differ: pax header names carry the pid, and
# the attributes come in listing order)
rm "$D/a.tar" "$H/b.tar"
'
}

@test "rsync -aX into the pool and back" {
	require_tool setfattr getfattr rsync
	export SRC=$WORK/src
	bash -c "$make_fn; make_attr_tree \"\$SRC\""
	differential "$dump_fn"'
rsync -aX "$SRC/" "$D/r/"
dump "$D/r"
rsync -aX "$D/r/" "$H/back/"
dump "$H/back"
setfattr -n user.text -v changed "$D/r/dir/f"
setfattr -x user.bin "$D/r/dir/f"
rsync -aX "$D/r/" "$H/back/"
dump "$H/back"
'
}

@test "setcap and getcap round trip (file capabilities are stored)" {
	require_tool setcap getcap
	differential '
echo x >"$D/prog"
setcap cap_net_bind_service,cap_net_raw+ep "$D/prog"
getcap "$D/prog" | sed "s|$D|D|"
setcap -r "$D/prog"
getcap "$D/prog" | sed "s|$D|D|"
echo removed
'
}

@test "Python os.setxattr, os.getxattr, os.listxattr, os.removexattr" {
	require_tool python3
	differential '
python3 - "$D" <<"PY"
import errno, os, sys
d = sys.argv[1]
f = os.path.join(d, "f")
open(f, "w").close()
os.symlink("f", os.path.join(d, "l"))
def t(what, fn):
    try:
        print(what, "ok", fn())
    except OSError as e:
        print(what, errno.errorcode[e.errno])
t("set", lambda: os.setxattr(f, "user.a", b"1"))
t("create", lambda: os.setxattr(f, "user.a", b"2", os.XATTR_CREATE))
t("replace", lambda: os.setxattr(f, "user.b", b"2", os.XATTR_REPLACE))
t("get", lambda: os.getxattr(f, "user.a"))
t("nodata", lambda: os.getxattr(f, "user.b"))
t("big", lambda: os.setxattr(f, "user.big", b"x" * 65537))
t("empty", lambda: os.setxattr(f, "", b"1"))
t("long", lambda: os.setxattr(f, "user." + "n" * 251, b"1"))
t("ns", lambda: os.setxattr(f, "nope.x", b"1"))
t("link", lambda: os.setxattr(os.path.join(d, "l"), "user.x", b"1", follow_symlinks=False))
t("fd", lambda: os.setxattr(os.open(f, os.O_RDONLY), "user.fd", b"3"))
t("list", lambda: sorted(os.listxattr(f)))
t("remove", lambda: os.removexattr(f, "user.a"))
t("list", lambda: sorted(os.listxattr(f)))
PY
'
}

@test "the pool tool shows attributes set under pmemfile-run" {
	require_tool setfattr
	pfsh 'echo x >/mnt/pf/f && setfattr -n user.text -v "say \"hi\"" /mnt/pf/f &&
		setfattr -n user.bin -v 0x0001ff /mnt/pf/f &&
		setfattr -n trusted.t -v t /mnt/pf/f && mkdir /mnt/pf/d'
	run "$PMEMFILE_TOOL" getfattr "$POOL" /f
	expect_status 0
	expect_eq "getfattr" '# file: /f
trusted.t="t"
user.bin="\000\001\377"
user.text="say \"hi\""' "$output"
	run "$PMEMFILE_TOOL" getfattr -x "$POOL" /f /d
	expect_status 0
	expect_eq "getfattr -x" '# file: /f
trusted.t=0x74
user.bin=0x0001ff
user.text=0x7361792022686922

# file: /d' "$output"
	run "$PMEMFILE_TOOL" stat "$POOL" /f
	expect_status 0
	echo "$output" | grep -qx ' Xattr: trusted.t user.bin user.text' ||
		fail "stat shows no attributes: $output"
	run "$PMEMFILE_TOOL" getfattr "$POOL" /nope
	expect_status 1
}

# A value replaced again and again while the supervisor is killed (-9) at
# a random moment: the pool is clean for fsck, and the attribute holds one
# whole value, the last acknowledged one or the one in flight.
@test "setfattr is atomic across a kill -9 of the supervisor" {
	require_tool setfattr
	local round last got n want checked=0
	for round in 1 2 3; do
		rm -f "$WORK/acked"
		"$PMEMFILE_RUN" --pool "$POOL" --mount "$MNT" -- bash -c '
			: >/mnt/pf/f
			i=0
			while :; do
				i=$((i + 1))
				v=$(printf "%03000d" 0 | tr 0 "$(printf "\\x$(printf %x $((97 + i % 26)))")")
				setfattr -n user.v -v "$v-$i" /mnt/pf/f || exit 1
				echo "$i" >>"$1"
			done' pfsh "$WORK/acked" 2>/dev/null &
		local pid=$!
		sleep "0.$((RANDOM % 9 + 3))"
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null || true
		fsck_pool "$POOL" || return 1
		last=$(tail -n 1 "$WORK/acked" 2>/dev/null || echo 0)
		[ -n "$last" ] || last=0
		[ "$last" -gt 0 ] || continue
		got=$("$PMEMFILE_TOOL" getfattr "$POOL" /f | sed -n 's/^user.v="\(.*\)"$/\1/p')
		n=${got##*-}
		[ "$n" = "$last" ] || [ "$n" = "$((last + 1))" ] ||
			fail "round $round: value $n after $last acknowledged" || return 1
		want=$(printf "%03000d" 0 | tr 0 "$(printf "\\x$(printf %x $((97 + n % 26)))")")
		[ "$got" = "$want-$n" ] || fail "round $round: value $n is torn" || return 1
		checked=$((checked + 1))
		echo "# round $round: $last acknowledged, value $n" >&3
	done
	[ "$checked" -gt 0 ] || fail "no round got a value set before the kill"
}
