#!/usr/bin/env bats
# GNU coreutils in the pool, each scenario run natively on tmpfs and under
# pmemfile-run and compared exactly (differential in helpers.bash).
# D is the directory under test, H a host directory outside the pool.

load helpers

@test "cp -a, ln, ln -s, ls -l, stat -c, find" {
	differential '
set -e
cd "$D"
mkdir -p src/sub/deep
printf "hello\n" >src/a
seq 1 20000 >src/sub/b
: >src/empty
ln -s a src/link
ln -s ../a src/sub/uplink
ln src/a src/hard
chmod 640 src/sub/b
chmod 700 src/sub/deep
touch -h -d "2020-01-02 03:04:05" src/a src/sub/b src/link
touch -h -d "2021-03-04 05:06:07" src/sub/uplink src/empty src/sub/deep
cp -a src dst
stat -c "%n|%F|%a|%A|%s|%h|%U|%G|%X|%Y" dst/a dst/hard dst/sub/b
stat -c "%n|%F|%a|%A|%h|%U|%G" dst/empty dst/sub/deep
stat -c "%n|%F|%N|%Y" dst/link src/link
readlink dst/link dst/sub/uplink
cat dst/sub/uplink
ls -l --time-style=+%F_%T src dst/sub | grep -v "^total" | grep -v "^d" | sed "s/  */ /g"
ls -1F dst
ls -1 -a dst/sub
find . | sort
find . -type f -size +1k -printf "%P %s\n" | sort
find . -type l -printf "%P -> %l\n" | sort
find . -newer src/a -type f -printf "%P\n" | sort
find . -empty -printf "%P %y\n" | sort
find dst -name "*b*" -o -name "a" | sort
cmp src/sub/b dst/sub/b && echo same
'
	# The scenario really checked what it should (natively, at least).
	native_out stdout | grep -qx 'dst/hard|regular file|644|-rw-r--r--|6|2|root|root|1577934245|1577934245'
	native_out stdout | grep -qx 'same'
}

@test "mv within the pool and across the mount boundary (EXDEV fallback)" {
	differential '
set -e
cd "$D"
mkdir -p tree/a/b h2
seq 1 3000 >tree/a/b/f
echo x >tree/x
ln -s x tree/lx
touch -d @1000000000 tree/x
mv tree/x tree/y
mv tree renamed
ls renamed renamed/a/b
mv renamed "$H/out"
ls -A "$D"; echo --; find "$H" | sort
stat -c "%n %s %Y" "$H/out/y"; stat -c "%n %s" "$H/out/a/b/f"
readlink "$H/out/lx"
mkdir "$H/in"; seq 5 >"$H/in/five"; echo single >"$H/one"
mv "$H/in" "$D/in2"
mv "$H/one" "$D/"
mv "$D/one" "$D/h2/"
find "$D" | sort; find "$H" | sort
cat "$D/in2/five" "$D/h2/one"
'
	native_out stdout | grep -qx '@H@/out/y 2 1000000000'
}

@test "touch -d, chmod, truncate, dd" {
	differential '
set -e
cd "$D"
touch -d "2001-02-03 04:05:06.789123456" t
stat -c "%x|%y|%X|%Y" t
touch -a -d @1234567890 t; stat -c "%X %Y" t
touch -m -d @1000000000 t; stat -c "%X %Y" t
touch -r t t2; stat -c "%X %Y" t2
touch -c nonexistent; ls
for m in 0 644 4755 2711 1777 u+x,g-r o=rw; do chmod "$m" t; stat -c "%a %A" t; done
chmod 644 t
mkdir dd; chmod 555 dd; stat -c "%a" dd; chmod 755 dd
truncate -s 1M f; stat -c %s f; od -An -c -N 4 f
truncate -s 10 f; stat -c %s f
truncate -s +5 f; stat -c %s f
truncate -s -3 f; stat -c %s f
echo abcdefghij >g; truncate -s 4 g; od -An -c g
truncate -s 6 g; od -An -c g
seq 1 100000 >in
dd if=in of=out bs=4096 count=3 status=none
dd if=in of=out bs=1000 skip=7 seek=2 count=5 conv=notrunc status=none
dd if=in of=sp bs=1 count=10 seek=1000000 status=none
dd if=out of=/dev/stdout bs=100 skip=20 count=2 status=none | od -An -c | head -3
sha256sum in out sp
stat -c "%n %s" in out sp
dd if=sp bs=4096 skip=1 count=1 status=none | od -An -c
'
	native_out stdout | grep -qx '2001-02-03 04:05:06.789123456 +0000|2001-02-03 04:05:06.789123456 +0000|981173106|981173106'
}

@test "sort with TMPDIR in the pool on a big input" {
	differential '
set -e
cd "$D"
mkdir tmp
seq 1 200000 | awk "{ print (\$1 * 7919) % 200003, \"line\", \$1 }" >in
TMPDIR="$D/tmp" sort -S 100K -n -k1,1 in >out
TMPDIR="$D/tmp" sort -S 100K -T "$D/tmp" -r in | head -3
wc -l out; head -3 out; tail -2 out
sha256sum out
sort -c -n -k1,1 out && echo sorted
ls -A tmp | wc -l
'
	native_out stdout | grep -qx 'sorted'
}

@test "du, rm -r, mkdir -p, readlink -f, realpath" {
	differential '
set -e
cd "$D"
mkdir -p a/b/c/d "x y/z"
mkdir -p a/b/c/d
stat -c %F "x y/z"
ln -s ../.. a/b/c/up
ln -s "$H/hostdir" tohost
mkdir "$H/hostdir"; echo host >"$H/hostdir/hf"
seq 1 10000 >a/b/f
readlink -f a/b/c/up/b/f
readlink -f tohost/hf
ln -s "$D/a/b/f" absf
wc -l <absf
readlink -f absf
readlink -e a/nonexistent || echo "readlink -e fails: $?"
realpath a/b/c/d/../../c
realpath --relative-to="$D/a" "$D/a/b/c/d"
realpath -s a/b/c/up
realpath a/b/c/up
cat tohost/hf
echo new >tohost/created
du -b a/b/f
du -ab a/b/f a/b/c/up
du -s --apparent-size --block-size=1 a/b/f
rm -r a/b/c
ls -A a/b
rm -rf a "x y"
ls -A
rm tohost
ls -A "$H/hostdir"
mkdir -p deep/1/2/3/4/5/6/7/8/9
rm -r deep && echo removed
ls -A
'
	native_out stdout | grep -qx '@D@/a/b/f'
	native_out stdout | grep -qx '@H@/hostdir/hf'
}

@test "du counts the blocks of dense and sparse files" {
	run pfsh 'cd /mnt/pf && head -c 1048576 /dev/urandom >dense &&
		truncate -s 64M sparse && printf x | dd of=sparse bs=1 seek=4096 conv=notrunc status=none &&
		sync && stat -c "%s %b %B" dense sparse'
	expect_status 0
	local dense_blocks sparse_blocks
	read -r _ dense_blocks _ <<<"${lines[0]}"
	read -r _ sparse_blocks _ <<<"${lines[1]}"
	[ "${lines[0]%% *}" = 1048576 ] || fail "dense size: ${lines[0]}"
	[ "${lines[1]%% *}" = 67108864 ] || fail "sparse size: ${lines[1]}"
	[ "$dense_blocks" -ge 2048 ] || fail "dense file: st_blocks $dense_blocks < 2048"
	[ "$dense_blocks" -le 4096 ] || fail "dense file: st_blocks $dense_blocks > 2x"
	[ "$sparse_blocks" -ge 1 ] && [ "$sparse_blocks" -le 2048 ] ||
		fail "sparse file: st_blocks $sparse_blocks (not sparse, or 0)"
}

@test "directory link counts follow the Unix convention" {
	differential '
cd "$D"
mkdir -p p/a p/b p/c/d
stat -c "%n %h" p p/a p/c
rmdir p/b
stat -c "%n %h" p
mv p/c/d p/dd
stat -c "%n %h" p p/c
'
}

@test "a file can grow to most of the free space (sequential 10 KiB writes)" {
	# 40 MiB in a 64 MiB pool whose statfs says ~60 MiB are available.
	run pfsh 'echo $(( $(stat -f -c "%a * %S" /mnt/pf) / 1024 )) &&
		dd if=/dev/zero of=/mnt/pf/big bs=10240 count=4096 status=none &&
		stat -c %s /mnt/pf/big'
	expect_status 0
	[ "${lines[0]}" -ge 50000 ] || fail "pool reports only ${lines[0]} KiB available"
	expect_eq "size" 41943040 "${lines[1]}"
}

@test "another user (setpriv): permission checks and ownership in the pool" {
	# Changing uid needs root; CI runs as root (documented skip otherwise).
	[ "$(id -u)" -eq 0 ] || skip "needs root to change uid"
	require_tool setpriv
	differential '
cd "$D"
mkdir pub priv sticky
chmod 755 pub; chmod 700 priv; chmod 1777 sticky
echo r >pub/readable; chmod 644 pub/readable
echo s >priv/secret
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody cat pub/readable
as_nobody cat priv/secret 2>&1 | sed "s/^[^:]*: //"
as_nobody sh -c "echo x >pub/new" 2>&1 | sed "s/^[^:]*: //"
as_nobody sh -c "echo mine >sticky/mine && stat -c \"%u:%g %a\" sticky/mine"
as_nobody rm -f pub/readable 2>&1 | sed "s/^[^:]*: //"
as_nobody sh -c "umask 077; mkdir sticky/d; stat -c \"%u %a\" sticky/d"
rm sticky/mine && echo root-can-remove
ls pub sticky
'
	native_out stdout | grep -qx '65534:65534 644'
	[ "$(native_out stdout | grep -c 'Permission denied')" -eq 3 ]
}

@test "df and stat -f on the mount point report the pool" {
	run pfsh 'df -k /mnt/pf | awk "NR == 2 { print \$2 }" &&
		stat -f -c "%t %b %S" /mnt/pf && df -k /mnt/pf/ >/dev/null && cd /mnt/pf && df -k . | wc -l'
	expect_status 0
	local kib
	kib=${lines[0]}
	[ "$kib" -ge 50000 ] && [ "$kib" -le 65536 ] || fail "df size ${kib} KiB for a 64 MiB pool"
	[[ "${lines[1]}" == "504d4546 "* ]] || fail "stat -f: ${lines[1]}"
	expect_eq "df of the cwd" 2 "${lines[2]}"
}

@test "df, findmnt and mount list the pool as a file system, as a FUSE mount is listed" {
	run pfsh 'df --output=source,fstype,target /mnt/pf/ | tail -n 1
		cd /mnt/pf && df --output=source . | tail -n 1
		findmnt -n -o SOURCE,FSTYPE,TARGET /mnt/pf
		mount | grep " /mnt/pf "
		grep -c " /mnt/pf pmemfile " /proc/mounts /etc/mtab /proc/self/mounts
		awk "\$5 == \"/mnt/pf\" { print \$3, \$9 }" /proc/self/mountinfo
		stat -c %d /mnt/pf'
	expect_status 0
	local pool
	pool=$(realpath "$POOL")
	expect_eq "df" "$pool pmemfile /mnt/pf" "$(echo ${lines[0]})"
	expect_eq "df of the cwd" "$pool" "$(echo ${lines[1]})"
	expect_eq "findmnt" "$pool pmemfile /mnt/pf" "$(echo ${lines[2]})"
	expect_eq "mount" "$pool on /mnt/pf type pmemfile (rw,relatime)" "${lines[3]}"
	[[ "${lines[4]}${lines[5]}${lines[6]}" == *:1*:1*:1 ]] ||
		fail "mounts tables: ${lines[4]} ${lines[5]} ${lines[6]}"
	# mountinfo's major:minor is the st_dev that stat reports
	local majmin=${lines[7]%% *} dev=${lines[8]}
	expect_eq "mountinfo source" "$pool" "${lines[7]#* }"
	# (glibc's makedev: 64 bits; Python's os.makedev takes C ints only)
	local ma=${majmin%%:*} mi=${majmin##*:}
	expect_eq "st_dev" "$dev" "$(printf %u $(( ((ma & 0xfff) << 8) |
		((ma & ~0xfff) << 32) | (mi & 0xff) | ((mi & ~0xff) << 12) )))"
	# a process outside the tree gets the kernel's table
	run pfsh 'grep -c pmemfile /proc/1/mountinfo'
	expect_eq "pid 1's table" 0 "$output"
}
