#!/usr/bin/env bats
# busybox-static (a statically linked binary: no libc wrappers to rely on)
# in the pool: its sh and applets, natively on tmpfs and in the pool.

load helpers

setup() {
	pf_setup || return 1
	require_tool busybox || return 1
	BUSYBOX=$(command -v busybox)
	if ldd "$BUSYBOX" >/dev/null 2>&1; then
		fail "$BUSYBOX is dynamically linked: install busybox-static"
		return 1
	fi
	# A PATH where every applet is busybox, so nothing else is used.
	export BBBIN=$WORK/bbbin
	mkdir -p "$BBBIN"
	"$BUSYBOX" --install -s "$BBBIN"
	export SRC=$WORK/src
	mkdir -p "$SRC/a/b"
	seq 1 5000 >"$SRC/a/b/seq"
	echo hello >"$SRC/a/hello"
	ln -s hello "$SRC/a/link"
}

@test "busybox sh with ls, cp, cat, mkdir, mv, rm, find, sort, tar" {
	differential '
PATH=$BBBIN exec sh -c "
set -e
case \$(readlink /proc/\$\$/exe) in *busybox) ;; *) echo sh is not busybox; exit 9;; esac
cd \"\$D\"
mkdir -p x/y/z
echo one >x/f
cat x/f x/f >x/g
cat x/g
cp x/g x/y/copy
cp -r \"\$SRC\" src
cat src/a/hello src/a/link
ls src/a
ls -l src/a | grep -v \"^[dt]\" | sed \"s/  */ /g\" | cut -d\" \" -f1,5,9-
mv x/y/copy x/y/z/moved
mv x renamed
find . | sort
find . -type f -name \"*seq*\" -exec wc -l {} \;
seq 1 3000 | sort -r >rev
sort -n rev | tail -2
head -3 rev
tar -cf \"\$D/a.tar\" -C \"\$SRC\" .
mkdir t && tar -xf a.tar -C t
tar -tf a.tar | sort
cmp t/a/b/seq \"\$SRC/a/b/seq\" && echo tar-ok
rm -r renamed/y
rm rev
ls
cd renamed; pwd; cd ..; pwd
echo redirected >>renamed/f
cat < renamed/f
"
'
	native_out stdout | grep -qx 'tar-ok'
	native_out stdout | grep -qx 'hello'
}

@test "busybox applets called directly (sendfile/copy paths)" {
	differential '
set -e
B=$(command -v busybox)
cd "$D"
$B cp "$SRC/a/b/seq" seq
$B cat seq | $B md5sum
$B cp seq seq2 && $B cmp seq seq2 && echo cp-in-pool-ok
$B cp seq "$H/back" && $B cmp "$H/back" "$SRC/a/b/seq" && echo cp-to-host-ok
$B dd if=seq of=part bs=100 count=3 2>/dev/null; $B wc -c part
$B stat -c "%n %s %a" seq part
$B mkdir -p m/n && $B rmdir m/n && $B ls m | $B wc -l
$B ln -s seq sl && $B readlink sl && $B realpath sl
$B touch -d "2020-02-02 02:02:02" t && $B stat -c %Y t
$B du -s seq | $B cut -f2
'
	native_out stdout | grep -qx 'cp-to-host-ok'
}
