#!/usr/bin/env bats
# sqlite3 with its database (and rollback journal) in the pool: a
# transaction of 1000 rows, queries, integrity_check; several concurrent
# writers that depend on fcntl record locks working across processes.

load helpers

setup() {
	pf_setup || return 1
	require_tool sqlite3
}

@test "sqlite3: 1000 rows in a transaction, count, sum, integrity_check" {
	differential '
set -e
db="$D/test.db"
{
	echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER, s TEXT);"
	echo "BEGIN;"
	for i in $(seq 1 1000); do echo "INSERT INTO t(v, s) VALUES ($i, printf(\"row-%04d\", $i));"; done
	echo "COMMIT;"
} | sqlite3 "$db"
sqlite3 "$db" "SELECT count(*), sum(v), min(s), max(s) FROM t;"
sqlite3 "$db" "PRAGMA integrity_check;"
sqlite3 "$db" "CREATE INDEX iv ON t(v); UPDATE t SET v = v * 2 WHERE id % 2 = 0; DELETE FROM t WHERE id > 900; VACUUM;"
sqlite3 "$db" "SELECT count(*), sum(v) FROM t; PRAGMA integrity_check;"
sqlite3 "$db" ".dump" | sha256sum
ls "$D"
'
	native_out stdout | grep -qx '1000|500500|row-0001|row-1000'
	native_out stdout | grep -qx 'ok'
}

@test "sqlite3: concurrent writers with busy_timeout lose nothing" {
	run pfsh '
db=/mnt/pf/c.db
sqlite3 "$db" "CREATE TABLE t(w INTEGER, i INTEGER, PRIMARY KEY (w, i));" || exit 1
writer() {
	for i in $(seq 1 25); do
		printf ".timeout 20000\nBEGIN IMMEDIATE;\nINSERT INTO t VALUES (%d, %d);\nINSERT INTO t VALUES (%d, %d);\nCOMMIT;\n" \
			"$1" "$i" "$1" "$((i + 1000))"
	done | sqlite3 "$db" || echo "writer $1 failed"
}
for w in 1 2 3 4; do writer $w & done
wait
sqlite3 "$db" "SELECT count(*), count(DISTINCT w), sum(i) FROM t; PRAGMA integrity_check;"
'
	expect_status 0
	expect_eq output "200|4|$((4 * (325 + 25 * 1000 + 325)))
ok" "$output"
}

@test "sqlite3: a reader sees a consistent count while a writer runs" {
	run pfsh '
db=/mnt/pf/r.db
sqlite3 "$db" "CREATE TABLE t(x); INSERT INTO t VALUES (0);"
( for i in $(seq 1 40); do echo ".timeout 20000
BEGIN IMMEDIATE; INSERT INTO t VALUES ($i); INSERT INTO t VALUES (-$i); COMMIT;"; done | sqlite3 "$db" ) &
bad=0
for r in $(seq 1 20); do
	s=$(sqlite3 -cmd ".timeout 20000" "$db" "SELECT sum(x) FROM t;") || bad=1
	[ "$s" = 0 ] || { echo "inconsistent sum $s"; bad=1; }
done
wait
sqlite3 "$db" "SELECT count(*), sum(x) FROM t; PRAGMA integrity_check;"
exit $bad'
	expect_status 0
	expect_eq output "81|0
ok" "$output"
}
