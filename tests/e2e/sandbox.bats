#!/usr/bin/env bats
# --sandbox: what must still work inside it (host programs, the
# pool, --rw paths, /dev/null, a cc/make build, git, sqlite3 with files in
# the pool), what it refuses, and its option errors. The hostile side is
# tests/reliability/sandbox_hostile.c (rel-sandbox).

load helpers

sbx() {
	pfrun_opts --pool "$POOL" --mount "$MNT" --sandbox "$@"
}

@test "sandbox: host programs run, the pool is writable, the host is not" {
	echo host-data >"$WORK/hostfile"
	run sbx -- bash -c '
echo in-pool >'"$MNT"'/a && cat '"$MNT"'/a
cat '"$WORK"'/hostfile
ls '"$WORK"' | wc -l
echo nothing >/dev/null && echo devnull-ok
head -c 3 /dev/zero | wc -c
echo x >'"$WORK"'/new 2>&1; echo "create=$?"
echo y >>'"$WORK"'/hostfile; echo "append=$?"
rm -f '"$WORK"'/hostfile; echo "rm=$?"
touch '"$WORK"'/hostfile; echo "touch=$?"
chmod 600 '"$WORK"'/hostfile; echo "chmod=$?"
mkdir '"$WORK"'/dir; echo "mkdir=$?"
'
	expect_status 0
	expect_eq stdout "in-pool
host-data
1
devnull-ok
3
create=1
append=1
rm=1
touch=1
chmod=1
mkdir=1" "$(echo "$output" | grep -v 'ermission denied')"
	# each refusal says EACCES
	[ "$(echo "$output" | grep -c 'Permission denied')" -eq 6 ]
	[ "$(cat "$WORK/hostfile")" = host-data ]
	[ "$(stat -c %a "$WORK/hostfile")" = 644 ]
	[ ! -e "$WORK/new" ] && [ ! -e "$WORK/dir" ]
}

@test "sandbox: --rw paths stay writable, metadata too; beside them not" {
	mkdir "$WORK/rw" "$WORK/ro"
	run sbx --rw "$WORK/rw" -- bash -c '
cd '"$WORK"'/rw && echo data >f && mkdir d && mv f d/g && chmod 600 d/g &&
touch -d @1000 d/g && ln -s g d/l && stat -c "%a %Y" d/g && cat d/l &&
rm d/l && echo rw-ok
mkfifo fifo && test -p fifo && echo fifo-ok
mknod null c 1 3; echo "mknod-dev=$?"
echo x >'"$WORK"'/ro/f; echo "ro=$?"
ln '"$WORK"'/rw/d/g '"$WORK"'/ro/h; echo "link-out=$?"
'
	expect_status 0
	echo "$output" | grep -qx '600 1000'
	echo "$output" | grep -qx 'data'
	echo "$output" | grep -qx 'rw-ok'
	echo "$output" | grep -qx 'fifo-ok'
	echo "$output" | grep -qx 'mknod-dev=1'
	[ ! -e "$WORK/rw/null" ]
	echo "$output" | grep -qx 'ro=1'
	echo "$output" | grep -qx 'link-out=1'
	[ "$(cat "$WORK/rw/d/g")" = data ]
	[ -z "$(ls -A "$WORK/ro")" ]
}

@test "sandbox: --hide makes a path unreadable, its siblings stay readable" {
	mkdir -p "$WORK/a/secret" "$WORK/a/open"
	echo s >"$WORK/a/secret/key"
	echo o >"$WORK/a/open/f"
	echo t >"$WORK/a/top"
	pfrun ln -s "$WORK/a/secret" "$MNT/tosecret"
	run sbx --hide "$WORK/a/secret" -- bash -c '
cat '"$MNT"'/tosecret/key; echo "via-pool=$?"
cat '"$WORK"'/a/secret/key; echo "read=$?"
ls '"$WORK"'/a/secret; echo "list=$?"
cat '"$WORK"'/a/open/f '"$WORK"'/a/top
ls '"$WORK"'/a/open
cat /etc/hostname >/dev/null && echo etc-ok
'
	expect_status 0
	echo "$output" | grep -qx 'read=1'
	echo "$output" | grep -qx 'via-pool=1'
	echo "$output" | grep -qx 'list=2'
	echo "$output" | grep -qx 'o'
	echo "$output" | grep -qx 't'
	echo "$output" | grep -qx 'etc-ok'
	! echo "$output" | grep -qx 's'
}

@test "sandbox: the network is off by default, on with --net host" {
	run sbx -- bash -c 'exec 3<>/dev/tcp/127.0.0.1/1; echo "rc=$?"'
	echo "$output" | grep -q 'socket: Permission denied'
	run sbx --net host -- bash -c 'exec 3<>/dev/tcp/127.0.0.1/1; echo "rc=$?"'
	echo "$output" | grep -q 'Connection refused'
}

@test "sandbox: option errors are one line and exit 125" {
	mkdir -p "$WORK/h/in"
	for args in "--rw $WORK" "--hide $WORK" "--net none" \
		"--sandbox --hide /" "--sandbox --hide $WORK/h --rw $WORK/h/in" \
		"--sandbox --net wifi" "--sandbox --rw $WORK/missing"; do
		run "$PMEMFILE_RUN" --pool "$POOL" --mount "$MNT" $args -- true
		[ "$status" -eq 125 ] || fail "$args: exit $status: $output"
		[ "$(echo "$output" | wc -l)" -eq 1 ] || fail "$args: $output"
		echo "$output" | grep -q '^pmemfile-run: ' || fail "$args: $output"
	done
}

@test "sandbox: a cc/make build, git and sqlite3 with their files in the pool" {
	require_tool cc make git sqlite3
	run sbx -- bash -c '
set -e
export TMPDIR='"$MNT"'/tmp HOME='"$MNT"'/home
mkdir -p $TMPDIR $HOME '"$MNT"'/p
cd '"$MNT"'/p
printf "int twice(int x) { return 2 * x; }\n" >lib.c
printf "int twice(int);\nint main(void) { return twice(21) - 42; }\n" >main.c
printf "all: prog\nprog: main.o lib.o\n\tcc -o \$@ \$^\n%%.o: %%.c\n\tcc -c -o \$@ \$<\n" >Makefile
make -j2 >/dev/null && test -f prog && echo built
git init -q . && git config user.email t@e && git config user.name t
git add lib.c main.c Makefile && git commit -qm one && git log --oneline | wc -l
sqlite3 db "create table t(x); insert into t values (1),(2); select sum(x) from t;"
'
	expect_status 0
	echo "$output" | grep -qx 'built'
	echo "$output" | grep -qx '1'
	echo "$output" | grep -qx '3'
}

@test "sandbox: a pool inside a --rw directory stays unwritable" {
	local d=$WORK/rwpool
	mkdir "$d"
	echo keep >"$d/other"
	"$MKFS_PMEMFILE" "$d/p.pool" 32M >/dev/null
	run pfrun_opts --pool "$d/p.pool" --mount /mnt/q --sandbox --rw "$d" -- sh -c '
echo x >>'"$d"'/p.pool; echo "pool=$?"
echo more >>'"$d"'/other; echo "other=$?"
echo y >/mnt/q/f && cat /mnt/q/f'
	expect_status 0
	echo "$output" | grep -q "^pmemfile-run: --rw $d holds $d/p.pool"
	echo "$output" | grep -qx 'pool=2'
	echo "$output" | grep -qx 'other=0'
	echo "$output" | grep -qx 'y'
	[ "$(cat "$d/other")" = "keep
more" ]
	fsck_pool "$d/p.pool"
}

@test "sandbox: descriptors the caller passed in stay usable (Landlock restricts opens)" {
	sbx -- sh -c 'echo to-stdout; echo to-fd3 >&3; echo appended >&4' \
		>"$WORK/out" 3>"$WORK/fd3" 4>>"$WORK/fd4"
	[ "$(cat "$WORK/out")" = to-stdout ]
	[ "$(cat "$WORK/fd3")" = to-fd3 ]
	[ "$(cat "$WORK/fd4")" = appended ]
	# but the same files cannot be opened again for writing
	run sbx -- sh -c "echo again >>$WORK/fd3"
	[ "$status" -ne 0 ]
	[ "$(cat "$WORK/fd3")" = to-fd3 ]
}

@test "sandbox: abstract UNIX sockets work inside the tree with --net none" {
	[ -x /usr/bin/python3 ] || fail "python3 is needed"
	run sbx -- /usr/bin/python3 -c '
import os, socket
name = "\0pf-sbx-intree-%d" % os.getpid()
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(name)
srv.listen(1)
if os.fork() == 0:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(name)
    c.sendall(b"hello from the tree")
    os._exit(0)
conn, _ = srv.accept()
print(conn.recv(100).decode())
os.wait()
a, b = socket.socketpair()
a.sendall(b"pair")
print(b.recv(10).decode())
'
	expect_status 0
	expect_eq output "hello from the tree
pair" "$output"
}

@test "sandbox: a target blocked in a host FIFO open through a pool symlink does not hang the exit" {
	mkfifo "$WORK/fifo"
	pfrun ln -s "$WORK/fifo" "$MNT/l"
	local start=$SECONDS
	run timeout -k 25 -s INT 2 "$PMEMFILE_RUN" --pool "$POOL" --mount "$MNT" \
		--sandbox -- cat "$MNT/l"
	# SIGINT reached the command (130 from pmemfile-run, 124 from timeout)
	[ "$status" -eq 124 ] || [ "$status" -eq 130 ] || fail "status $status: $output"
	[ $((SECONDS - start)) -lt 20 ] || fail "took $((SECONDS - start)) s"
}
