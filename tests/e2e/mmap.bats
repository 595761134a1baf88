#!/usr/bin/env bats
# Shared writable mappings of pool files with real programs: Python's mmap
# module, sqlite3 in WAL mode (its -shm file is mapped shared by every
# connection) with two processes at once, LMDB (mdb_load, mdb_dump,
# mdb_stat, python3-lmdb), and what a SIGKILL of the supervisor leaves.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	pf_setup || return 1
}

# the start_bg/wait_host_file pair of cli.bats
start_bg() {
	"$PMEMFILE_RUN" --pool "$POOL" --mount "$MNT" -- "$@" \
		>"$WORK/bg.out" 2>"$WORK/bg.err" </dev/null &
	BG_PID=$!
}

wait_host_file() {
	local i
	for i in $(seq 1 200); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	fail "$1 was never written; stderr: $(cat "$WORK/bg.err")"
}

# descendants PID: every process below PID
descendants() {
	local k
	for k in $(pgrep -P "$1"); do
		echo "$k"
		descendants "$k"
	done
}

@test "python mmap: MAP_SHARED stores seen by another process, by read(), after resize" {
	require_tool python3
	differential '
cat >"$H/m.py" <<"EOF"
import mmap, os, sys
p = sys.argv[1] + "/f"
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 8192)
m = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_WRITE | mmap.PROT_READ)
m[0:5] = b"hello"
print("read at once:", os.pread(fd, 5, 0))
os.pwrite(fd, b"WORLD", 100)
print("write in map:", m[100:105])
r, w = os.pipe()    # child -> parent
r2, w2 = os.pipe()  # parent -> child
pid = os.fork()
if pid == 0:
    fd2 = os.open(p, os.O_RDWR)
    m2 = mmap.mmap(fd2, 8192, mmap.MAP_SHARED, mmap.PROT_WRITE | mmap.PROT_READ)
    print("child sees:", m2[0:5], flush=True)
    m2[200:203] = b"abc"
    os.write(w, b"x")
    os.read(r2, 1)  # wait: the parent looks while we still map it
    os._exit(0)
os.read(r, 1)
print("parent sees child:", m[200:203], flush=True)
os.write(w2, b"y")
os.waitpid(pid, 0)
m.flush()
m.resize(16384)
m[16000:16004] = b"grow"
m.flush()
m.close()
os.close(fd)
print("size", os.stat(p).st_size)
EOF
python3 "$H/m.py" "$D"
python3 -c "import sys; d = open(sys.argv[1], \"rb\").read(); print(d[:5], d[100:105], d[200:203], d[16000:16004])" "$D/f"
'
	native_out stdout | grep -qx "parent sees child: b'abc'"
}

@test "sqlite3 WAL: two processes write and read at once; integrity_check ok" {
	require_tool sqlite3
	differential '
set -e
db="$D/w.db"
sqlite3 "$db" "PRAGMA journal_mode=wal; CREATE TABLE t(w INTEGER, i INTEGER, PRIMARY KEY (w, i));"
writer() {
	for i in $(seq 1 60); do
		printf ".timeout 20000\nBEGIN IMMEDIATE;\nINSERT INTO t VALUES (%d, %d);\nCOMMIT;\n" "$1" "$i"
	done | sqlite3 "$db"
}
reader() {
	# one connection for the whole run: it reads through the -shm
	# mapping what the writers commit
	for i in $(seq 1 60); do
		printf ".timeout 20000\nSELECT count(*) >= 0, count(*) %% 1 FROM t;\n"
	done | sqlite3 "$db" | sort -u
}
writer 1 & writer 2 & reader > "$H/reader.out" &
wait
cat "$H/reader.out"
sqlite3 "$db" "PRAGMA journal_mode; SELECT count(*), count(DISTINCT w), sum(i) FROM t; PRAGMA integrity_check;"
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
sqlite3 "$db" "SELECT count(*) FROM t; PRAGMA integrity_check;"
# the pages are laid out in the order the writers happened to commit
rm -f "$db" "$db-wal" "$db-shm"
'
	native_out stdout | grep -qx '120|2|3660'
}

@test "sqlite3 WAL: a reader holding the database open sees each commit of a writer" {
	require_tool sqlite3 python3
	differential '
set -e
cat >"$H/wal.py" <<"EOF"
import sqlite3, sys, os
db = sys.argv[1]
a = sqlite3.connect(db, isolation_level=None, timeout=20)
a.execute("pragma journal_mode=wal")
a.execute("create table t(x)")
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    b = sqlite3.connect(db, isolation_level=None, timeout=20)
    for i in range(1, 21):
        b.execute("insert into t values (?)", (i,))
        os.write(w, b"c")
        os.read(r2, 1)
    os._exit(0)
seen = []
for i in range(1, 21):
    os.read(r, 1)
    seen.append(a.execute("select count(*), sum(x) from t").fetchone())
    os.write(w2, b"n")
os.waitpid(pid, 0)
print(seen[0], seen[9], seen[19])
print(a.execute("pragma integrity_check").fetchone()[0])
EOF
python3 "$H/wal.py" "$D/r.db"
'
	native_out stdout | grep -qx '(1, 1) (10, 55) (20, 210)'
}

@test "sqlite3 WAL: kill -9 of pmemfile-run in the middle; the pool checks clean, integrity_check ok" {
	require_tool sqlite3
	start_bg bash -c '
db=/mnt/pf/k.db
sqlite3 "$db" "PRAGMA journal_mode=wal; CREATE TABLE t(w, i);" >/dev/null
echo ready >"$1"
for w in 1 2; do
	# bounded: nothing outlives the test if the kill misses it
	( for i in $(seq 1 100000); do printf ".timeout 20000\nINSERT INTO t VALUES (%d, %d);\n" $w $i; done |
		sqlite3 "$db" ) &
done
wait' sh "$WORK/ready"
	wait_host_file "$WORK/ready" || { kill -KILL $BG_PID; wait; return 1; }
	sleep 2
	local kids
	kids=$(descendants $BG_PID)
	kill -KILL $BG_PID
	wait $BG_PID || true
	for p in $kids; do kill -KILL "$p" 2>/dev/null || true; done
	sleep 0.5
	fsck_pool "$POOL"
	run pfsh 'sqlite3 /mnt/pf/k.db "PRAGMA integrity_check; SELECT count(*) > 0 FROM t;"'
	expect_status 0
	expect_eq "after the crash" "ok
1" "$output"
}

@test "lmdb: mdb_load in one process, mdb_dump and mdb_stat in others" {
	require_tool mdb_load mdb_dump mdb_stat
	differential '
set -e
mkdir "$D/env"
{
	echo "VERSION=3"; echo "format=print"; echo "type=btree"; echo "HEADER=END"
	for i in $(seq 1 2000); do printf " key%05d\n value-%d-%s\n" $i $i xxxxxxxxxxxxxxxxxxxx; done
	echo "DATA=END"
} > "$H/in.txt"
mdb_load -f "$H/in.txt" "$D/env"
mdb_stat "$D/env" | grep -E "Entries|Depth"
mdb_dump -p "$D/env" | sha256sum
mdb_dump -p "$D/env" | grep -c "^ key"
rm "$D/env/lock.mdb"  # reader slots: pids
'
	native_out stdout | grep -q "Entries: 2000"
}

@test "python3-lmdb: a writer and a reader with the environment open at once" {
	# Debian's python3, which python3-lmdb is for
	[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import lmdb" ||
		fail "python3-lmdb is not installed"
	differential '
cat >"$H/l.py" <<"EOF"
import lmdb, os, sys
path = sys.argv[1]
env = lmdb.open(path, map_size=1 << 24)
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    env2 = lmdb.open(path, map_size=1 << 24)
    for n in range(1, 11):
        with env2.begin(write=True) as t:
            for i in range(100):
                t.put(b"k%d-%d" % (n, i), b"v" * 100)
        os.write(w, b"c")
        os.read(r2, 1)
    os._exit(0)
counts = []
for n in range(1, 11):
    os.read(r, 1)
    with env.begin() as t:
        counts.append(t.stat()["entries"])
    os.write(w2, b"n")
os.waitpid(pid, 0)
print(counts)
with env.begin() as t:
    print(t.get(b"k10-99") == b"v" * 100, t.stat()["entries"])
EOF
/usr/bin/python3 "$H/l.py" "$D/env"
rm "$D/env/lock.mdb"
'
	native_out stdout | grep -qx '\[100, 200, 300, 400, 500, 600, 700, 800, 900, 1000\]'
}

@test "kill -9 of pmemfile-run after msync: the synced bytes are in the pool, which checks clean" {
	require_tool python3
	start_bg python3 -c '
import mmap, os, sys, time
fd = os.open("/mnt/pf/c", os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 8192)
m = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_WRITE | mmap.PROT_READ)
m[0:6] = b"synced"
m[4096:4102] = b"msync2"
m.flush()
m[100:108] = b"unsynced"
open(sys.argv[1], "w").write("ready")
time.sleep(60)
' "$WORK/ready"
	wait_host_file "$WORK/ready" || { kill -KILL $BG_PID; wait; return 1; }
	kill -KILL $BG_PID
	wait $BG_PID || true
	sleep 0.5
	fsck_pool "$POOL"
	"$PMEMFILE_TOOL" get "$POOL" /c "$WORK/c" || fail "pmemfile get failed"
	expect_eq "first page" synced "$(dd if="$WORK/c" bs=1 count=6 2>/dev/null)"
	expect_eq "second page" msync2 \
		"$(dd if="$WORK/c" bs=1 skip=4096 count=6 2>/dev/null)"
}

@test "stores without msync are in the pool once the mapping is gone, and when the tree exits" {
	require_tool python3
	run pfrun python3 -c '
import mmap, os
for name, tag, keep in (("/mnt/pf/unmapped", b"unmap", False),
                        ("/mnt/pf/kept", b"kept!", True)):
    fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o644)
    os.ftruncate(fd, 4096)
    m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_WRITE | mmap.PROT_READ)
    m[0:5] = tag
    os.close(fd)
    if not keep:
        m.close()
    else:
        kept = m  # still mapped when the process exits
'
	expect_status 0
	run "$PMEMFILE_TOOL" cat "$POOL" /unmapped
	expect_eq "unmapped file" unmap "${output:0:5}"
	run "$PMEMFILE_TOOL" cat "$POOL" /kept
	expect_eq "file mapped at exit" 'kept!' "${output:0:5}"
}

@test "under strace (a traced thread): a writable shared mapping is ENODEV, a read-only one a snapshot" {
	require_tool python3 strace
	run --separate-stderr pfrun strace -f -o /dev/null python3 -c '
import errno, mmap, os
fd = os.open("/mnt/pf/s", os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"x" * 4096)
try:
    mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_WRITE | mmap.PROT_READ)
    print("mapped")
except OSError as e:
    print(errno.errorcode[e.errno])
m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ)
print(m[0:2])
'
	expect_status 0
	expect_eq "traced" "ENODEV
b'xx'" "$output"
}
