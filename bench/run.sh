#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench/run.sh: the whole benchmark, one command. See bench/README.md.
#
#   bench/run.sh [--quick] [--only SECTIONS] [BUILD_DIR]
#
# BUILD_DIR (default ./build) must already hold a build of the project; this
# script builds nothing. Raw figures go to bench/results/last-run.raw, the
# report to bench/results/RESULTS.md and bench/results/micro.png (made by
# bench/report.sh, which can be rerun on its own); with --only, to
# bench/results/partial/ instead.
#
# SECTIONS: comma-separated among micro,workers,mech,exec,fio,sqlite,build,pipe,
# dir,grow,threads (default: all). Nothing here asserts a time: it measures and prints.
set -u

here=$(cd "$(dirname "$0")" && pwd)
quick=0
only=all
build=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--only) only=$2; shift ;;
	-h|--help) sed -n '3,14p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) build=$1 ;;
	esac
	shift
done
[ -n "$build" ] || build=./build
if [ ! -d "$build" ]; then
	echo "run.sh: no build directory '$build' (build first, or pass it)" >&2
	exit 2
fi
build=$(cd "$build" && pwd)

# ---- sizes: full vs --quick ----
if [ $quick = 1 ]; then
	SPAWN_ROUNDS=200
	REPS=3 ROUNDS=3000 MECH_ROUNDS=5000 FIO_RT=1 FIO_SIZE=32M
	SQL_N=300 DIR_N=100000 GROW_SIZE=256M THREAD_S=0.5 MAXTHREADS=8
else
	SPAWN_ROUNDS=1000
	REPS=3 ROUNDS=10000 MECH_ROUNDS=20000 FIO_RT=3 FIO_SIZE=256M
	SQL_N=2000 DIR_N=100000 GROW_SIZE=4G THREAD_S=2 MAXTHREADS=8
fi
: "${GROW_SIZE_OVERRIDE:=}"
[ -n "$GROW_SIZE_OVERRIDE" ] && GROW_SIZE=$GROW_SIZE_OVERRIDE
TMO=${PF_BENCH_TIMEOUT:-900}        # seconds allowed for one wrapped run

export PMEM_IS_PMEM_FORCE=1
export LC_ALL=C

results=$here/results
# A partial run (--only) must not overwrite the full run's report.
if [ "$only" != all ]; then
	results=$here/results/partial
	mkdir -p "$results"
	echo '*' >"$results/.gitignore"
fi
mkdir -p "$results"
raw=$results/last-run.raw
log=$results/last-run.log
: >"$raw"
: >"$log"

work=$(mktemp -d /dev/shm/pf-bench-XXXXXX)
vwork=$(mktemp -d /var/tmp/pf-bench-XXXXXX)
mnt=/tmp/pf-bench-mnt-$$
mkdir -p "$mnt"
cleanup() {
	rm -rf "$work" "$vwork"
	rm -f /dev/shm/pf-bench-pool-$$-*
	rmdir "$mnt" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$log" >&2; }
# rec SECTION FIELDS...: one raw line
rec() { echo "$*" >>"$raw"; }
want() { [ "$only" = all ] || [[ ",$only," == *",$1,"* ]]; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; }'; }
now_ns() { date +%s%N; }

# ---- the programs ----
micro=$build/bench/pf-micro
micro_core=$build/bench/pf-micro-core
spawn=$build/bench/pf-spawn
special=$build/bench/pf-special
scale=$build/bench/pf-scale
scale_core=$build/bench/pf-scale-core
rtt=$build/bench/pf-notify-rtt
findbin() { find "$build" -maxdepth 3 -type f -name "$1" -perm -u+x 2>/dev/null | head -n1; }
pfrun=$(findbin pmemfile-run)
mkfs=$(findbin mkfs.pmemfile)
for p in "$micro" "$scale" "$rtt"; do
	if [ ! -x "$p" ]; then
		echo "run.sh: $p missing: build the bench targets first" >&2
		exit 2
	fi
done

vartmp_fs=$(findmnt -n -o FSTYPE -T /var/tmp 2>/dev/null || stat -f -c %T /var/tmp)
{
	echo "meta date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "meta kernel $(uname -r)"
	echo "meta cpu $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
	echo "meta nproc $(nproc)"
	echo "meta mem $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "meta vartmp_fs $vartmp_fs (stat -f: $(stat -f -c %T /var/tmp))"
	echo "meta commit $(git -C "$here" log -1 --format='%h %cd' --date=format:'%Y-%m-%d %H:%M' 2>/dev/null)"
	echo "meta mode $([ $quick = 1 ] && echo quick || echo full)"
	echo "meta reps $REPS"
	echo "meta grow_size $GROW_SIZE"
} >>"$raw"

# ---- pools and the supervisor ----
# newpool NAME SIZE: prints the path of a fresh pool, or fails with a reason
# on stderr.
newpool() {
	local p=/dev/shm/pf-bench-pool-$$-$1
	rm -f "$p"
	if [ -z "$mkfs" ]; then
		echo "mkfs.pmemfile not built" >&2
		return 1
	fi
	if ! "$mkfs" "$p" "$2" >/dev/null 2>"$work/mkfs.err"; then
		echo "mkfs.pmemfile failed: $(tail -n1 "$work/mkfs.err")" >&2
		rm -f "$p"
		return 1
	fi
	echo "$p"
}

# pfrun_in POOL CMD...: CMD under pmemfile-run with POOL mounted at $mnt.
pfrun_in() {
	local pool=$1
	shift
	timeout -k 10 "$TMO" "$pfrun" --pool "$pool" --mount "$mnt" -- "$@"
}

# Does pmemfile-run work at all? A file written inside the mount must be
# readable inside it and must not appear on the host.
run_ok=0
run_why="pmemfile-run not built"
if [ -n "$pfrun" ]; then
	if pool=$(newpool probe 64M 2>"$work/why"); then
		out=$(pfrun_in "$pool" /bin/sh -c "echo pf-probe > $mnt/probe && cat $mnt/probe" 2>"$work/probe.err")
		rc=$?
		if [ "$out" = pf-probe ] && [ ! -e "$mnt/probe" ]; then
			run_ok=1
			run_why=
		else
			run_why="pmemfile-run probe failed (exit $rc): $(tail -n1 "$work/probe.err" | cut -c1-120)"
			rm -f "$mnt/probe"
		fi
		rm -f "$pool"
	else
		run_why=$(cat "$work/why")
	fi
fi
say "pmemfile-run: ${pfrun:-none}; usable: $run_ok ${run_why:+($run_why)}"
rec "meta pmemfile_run ${run_ok} ${run_why:-ok}"

# na SECTION OP TARGET REASON
na() { local s=$1 o=$2 t=$3; shift 3; rec "$s $o $t n/a n/a 0 # $*"; }

# ---------------------------------------------------------------- micro
# Each target: REPS runs of pf-micro; the report takes the median of their
# medians. Lines: "micro op target median_ns p90_ns rounds".
micro_ops="stat open_close pread_4k pwrite_4k pread_1m pwrite_1m append_fdatasync_4k create_unlink mkdir_rmdir rename readdir_1000 getxattr setxattr"
micro_target() {        # TARGET CMD...
	local t=$1
	shift
	for r in $(seq "$REPS"); do
		if ! "$@" >"$work/micro.out" 2>"$work/micro.err"; then
			say "micro $t run $r failed: $(tail -n1 "$work/micro.err")"
		fi
		grep -v '^#' "$work/micro.out" | awk -v t="$t" 'NF >= 5 && $2 == t' | sed 's/^/micro /' >>"$raw"
		if ! grep -q "^[a-z_0-9]* $t " "$work/micro.out"; then
			for op in $micro_ops; do
				na micro "$op" "$t" "run failed: $(tail -n1 "$work/micro.err" | cut -c1-100)"
			done
			break
		fi
	done
}

if want micro; then
	say "micro: tmpfs"
	mkdir -p "$work/micro"
	micro_target tmpfs "$micro" --target tmpfs --rounds "$ROUNDS" "$work/micro"
	say "micro: /var/tmp ($vartmp_fs)"
	micro_target vartmp "$micro" --target vartmp --rounds "$ROUNDS" "$vwork"
	say "micro: core in-process"
	if [ -x "$micro_core" ]; then
		micro_target core "$micro_core" --target core --rounds "$ROUNDS" \
			--pool-size 512M --core "/dev/shm/pf-bench-pool-$$-core"
		rm -f "/dev/shm/pf-bench-pool-$$-core"
	else
		for op in $micro_ops; do na micro "$op" core "pf-micro-core not built (core library target missing or failing)"; done
	fi
	say "micro: pool through pmemfile-run, host file through pmemfile-run"
	if [ $run_ok = 1 ]; then
		if pool=$(newpool micro 512M 2>"$work/why"); then
			micro_target pool-run pfrun_in "$pool" "$micro" --target pool-run --rounds "$ROUNDS" "$mnt"
			rm -f "$pool"
		else
			for op in $micro_ops; do na micro "$op" pool-run "$(cat "$work/why")"; done
		fi
		if pool=$(newpool host 64M 2>"$work/why"); then
			micro_target host-run pfrun_in "$pool" "$micro" --target host-run --rounds "$ROUNDS" "$work/micro"
			rm -f "$pool"
		else
			for op in $micro_ops; do na micro "$op" host-run "$(cat "$work/why")"; done
		fi
		# The same two with the whole tree on one CPU: on a VM where a
		# wake-up across vCPUs costs tens of us, where the scheduler
		# puts the target and the supervisor moves a run's figures by
		# 2-3x; pinned, what is left is the work itself.
		if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
			say "micro: the same, pinned to one CPU"
			for t in pool host; do
				if pool=$(newpool "$t-1cpu" 512M 2>"$work/why"); then
					d=$mnt
					[ $t = host ] && d=$work/micro
					micro_target $t-1cpu taskset -c 0 "$pfrun" --pool "$pool" --mount "$mnt" -- \
						"$micro" --target $t-1cpu --rounds "$ROUNDS" "$d"
					rm -f "$pool"
				else
					for op in $micro_ops; do na micro "$op" $t-1cpu "$(cat "$work/why")"; done
				fi
			done
		fi
	else
		for op in $micro_ops; do
			na micro "$op" pool-run "$run_why"
			na micro "$op" host-run "$run_why"
		done
	fi
fi

# ---------------------------------------------------------------- workers
# The same small ops with 1, 2 and 4 supervisor worker threads (--workers):
# how much of a trapped call is wake-up placement rather than work.
# Lines: "workers op host-wN|pool-wN median_ns p90_ns rounds".
if want workers; then
	for w in 1 2 4; do
		say "workers: --workers $w"
		if [ $run_ok = 1 ] && pool=$(newpool w$w 256M 2>"$work/why"); then
			for kind in host pool; do
				d=$mnt
				[ $kind = host ] && d=$work/micro && mkdir -p "$d"
				if timeout -k 10 "$TMO" "$pfrun" --workers "$w" --pool "$pool" --mount "$mnt" -- \
					"$micro" --target "$kind-w$w" --rounds "$ROUNDS" \
					--ops stat,open_close,pread_4k,pwrite_4k "$d" >"$work/w.out" 2>"$work/w.err"; then
					grep -v '^#' "$work/w.out" | sed 's/^/workers /' >>"$raw"
				else
					na workers stat "$kind-w$w" "failed: $(tail -n1 "$work/w.err" | cut -c1-100)"
				fi
			done
			rm -f "$pool"
		else
			na workers stat "pool-w$w" "${run_why:-$(cat "$work/why" 2>/dev/null)}"
		fi
	done
fi

# ---------------------------------------------------------------- mechanism
if want mech; then
	say "mechanism: seccomp notification round trips"
	for r in $(seq "$REPS"); do
		if ! "$rtt" "$MECH_ROUNDS" >"$work/rtt.out" 2>"$work/rtt.err"; then
			say "pf-notify-rtt failed: $(tail -n1 "$work/rtt.err")"
		fi
		grep -v '^#' "$work/rtt.out" | sed 's/^/mech /' >>"$raw"
	done
fi

# ---------------------------------------------------------------- exec
# posix_spawn + waitpid of /bin/true from the host, of a copy of it in the
# directory under test, and of a "#!/bin/true" script there: natively on
# tmpfs, under pmemfile-run with the copies on tmpfs (host-run) and in a
# pool (pool-run: the exec of a pool file, syscalls/exec.c).
# Lines: "exec op target median_ns p90_ns rounds".
if want exec; then
	say "exec: tmpfs, host through pmemfile-run, pool through pmemfile-run"
	mkdir -p "$work/spawn"
	for r in $(seq "$REPS"); do
		"$spawn" --target tmpfs --rounds "$SPAWN_ROUNDS" "$work/spawn" 2>>"$log" |
			sed 's/^/exec /' >>"$raw"
		"$special" --target tmpfs "$work/spawn" 2>>"$log" | sed 's/^/exec /' >>"$raw"
		if [ $run_ok = 1 ] && pool=$(newpool spawn 128M 2>"$work/why"); then
			pfrun_in "$pool" "$spawn" --target host-run --rounds "$SPAWN_ROUNDS" \
				"$work/spawn" 2>>"$log" | sed 's/^/exec /' >>"$raw"
			pfrun_in "$pool" "$spawn" --target pool-run --rounds "$SPAWN_ROUNDS" \
				"$mnt" 2>>"$log" | sed 's/^/exec /' >>"$raw"
			pfrun_in "$pool" "$special" --target host-run "$work/spawn" 2>>"$log" |
				sed 's/^/exec /' >>"$raw"
			pfrun_in "$pool" "$special" --target pool-run "$mnt" 2>>"$log" |
				sed 's/^/exec /' >>"$raw"
			rm -f "$pool"
		else
			na exec spawn_dir pool-run "${run_why:-$(cat "$work/why" 2>/dev/null)}"
		fi
	done
fi

# ---------------------------------------------------------------- macro
# Lines: "macro op target value unit reps # note". The value is the median
# over REPS runs.

# fio psync, one job: prints "iops KiB/s" for the job's direction.
fio_job() {     # DIR RW BS FSYNC [wrapper...]
	local d=$1 rw=$2 bs=$3 fs=$4
	shift 4
	"$@" fio --name=pfbench --directory="$d" --filename=pf-bench-fio \
		--ioengine=psync --rw="$rw" --bs="$bs" --size="$FIO_SIZE" \
		--runtime="$FIO_RT" --time_based --fsync="$fs" --thread \
		--output-format=terse --terse-version=3 2>>"$work/fio.err" |
		awk -F';' -v rw="$rw" 'NF > 50 {
			if (rw ~ /read/) print $8, $7; else print $49, $48 }'
}

fio_target() {  # TARGET DIR [wrapper...]
	local t=$1 d=$2
	shift 2
	for bs in 4k 64k; do
		for job in read randread write randwrite write-fsync randwrite-fsync; do
			local rw=${job%-fsync} fs=0
			[ "$job" != "$rw" ] && fs=1
			: >"$work/fio.vals"
			for r in $(seq "$REPS"); do
				: >"$work/fio.err"
				fio_job "$d" "$rw" "$bs" "$fs" "$@" >>"$work/fio.vals"
			done
			local op=fio_${job}_$bs
			if [ -s "$work/fio.vals" ]; then
				local iops mibs
				iops=$(awk '{ print $1 }' "$work/fio.vals" | median)
				mibs=$(awk '{ print $2 / 1024 }' "$work/fio.vals" | median)
				rec "macro $op $t $iops iops $(wc -l <"$work/fio.vals") # MiB_per_s=$mibs"
			else
				rec "macro $op $t n/a iops 0 # fio failed: $(grep -v '^$' "$work/fio.err" | tail -n1 | cut -c1-100)"
			fi
		done
	done
	rm -f "$d/pf-bench-fio"
}

if want fio; then
	say "fio: tmpfs"
	mkdir -p "$work/fio"
	fio_target tmpfs "$work/fio"
	say "fio: /var/tmp"
	fio_target vartmp "$vwork"
	say "fio: pool"
	if [ $run_ok = 1 ] && pool=$(newpool fio 1G 2>"$work/why"); then
		fio_target pool-run "$mnt" pfrun_in "$pool"
		rm -f "$pool"
	else
		why=${run_why:-$(cat "$work/why" 2>/dev/null)}
		for bs in 4k 64k; do for job in read randread write randwrite write-fsync randwrite-fsync; do
			rec "macro fio_${job}_$bs pool-run n/a iops 0 # $why"
		done; done
	fi
fi

# sqlite3: SQL_N autocommitted inserts with synchronous=FULL, with the
# rollback journal (the default) and in WAL mode; in the pool, on tmpfs, on
# /var/tmp, and on tmpfs under pmemfile-run (host-run: the price of
# trapping the same calls, so pool / host-run is the supervisor's own
# share). One more pool run with --report counts the trapped calls per
# transaction.
sqlite_script() {       # MODE: delete (rollback journal) or wal
	[ "$1" = wal ] && echo "PRAGMA journal_mode=WAL;"
	echo "PRAGMA synchronous=FULL;"
	echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
	awk -v n="$SQL_N" 'BEGIN { for (i = 0; i < n; i++)
		printf "INSERT INTO t(v) VALUES (%c%0100d%c);\n", 39, i, 39 }'
	echo "SELECT count(*) FROM t;"
}
sqlite_rm() {           # DIR [wrapper...]
	local d=$1
	shift
	"$@" rm -f "$d/pf-bench.db" "$d/pf-bench.db-journal" "$d/pf-bench.db-wal" "$d/pf-bench.db-shm"
}
sqlite_target() {       # OP MODE TARGET DIR [wrapper...]
	local op=$1 mode=$2 t=$3 d=$4
	shift 4
	: >"$work/sql.vals"
	for r in $(seq "$REPS"); do
		sqlite_rm "$d" "$@"
		local t0 t1 out
		t0=$(now_ns)
		out=$("$@" sqlite3 "$d/pf-bench.db" <"$work/insert-$mode.sql" 2>"$work/sql.err" | tail -n1)
		t1=$(now_ns)
		if [ "$out" = "$SQL_N" ]; then
			awk -v n="$SQL_N" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f\n", n / (ns / 1e9) }' >>"$work/sql.vals"
		else
			say "sqlite $op $t: got '$out': $(tail -n1 "$work/sql.err")"
		fi
	done
	sqlite_rm "$d" "$@"
	if [ -s "$work/sql.vals" ]; then
		rec "macro $op $t $(median <"$work/sql.vals") inserts_per_s $(wc -l <"$work/sql.vals") # $SQL_N autocommit inserts"
	else
		rec "macro $op $t n/a inserts_per_s 0 # sqlite3 failed: $(tail -n1 "$work/sql.err" | cut -c1-100)"
	fi
}
# sqlite_calls MODE POOL: trapped calls per transaction (pmemfile-run --report)
sqlite_calls() {
	local mode=$1 pool=$2
	sqlite_rm "$mnt" pfrun_in "$pool"
	if timeout -k 10 "$TMO" "$pfrun" --report "$work/sql-report.json" --pool "$pool" --mount "$mnt" -- \
		sqlite3 "$mnt/pf-bench.db" <"$work/insert-$mode.sql" >/dev/null 2>"$work/sql.err"; then
		local n
		n=$(grep -o '"count": *[0-9]*' "$work/sql-report.json" | awk -F: '{ s += $2 } END { print s + 0 }')
		rec "macro sqlite_${mode}_calls_per_tx pool-run $(awk -v n="$n" -v t="$SQL_N" 'BEGIN { printf "%.1f", n / t }') calls 1 # trapped calls of the whole run / $SQL_N"
	fi
	sqlite_rm "$mnt" pfrun_in "$pool"
}

if want sqlite; then
	say "sqlite3: tmpfs, /var/tmp, pool, host-run; rollback journal and WAL"
	mkdir -p "$work/sql"
	for mode in delete wal; do
		sqlite_script "$mode" >"$work/insert-$mode.sql"
		op=sqlite_insert_full
		[ $mode = wal ] && op=sqlite_insert_wal
		sqlite_target "$op" "$mode" tmpfs "$work/sql"
		sqlite_target "$op" "$mode" vartmp "$vwork"
		if [ $run_ok = 1 ] && pool=$(newpool sql 256M 2>"$work/why"); then
			sqlite_target "$op" "$mode" pool-run "$mnt" pfrun_in "$pool"
			sqlite_target "$op" "$mode" host-run "$work/sql" pfrun_in "$pool"
			sqlite_calls "$mode" "$pool"
			rm -f "$pool"
		else
			why=${run_why:-$(cat "$work/why" 2>/dev/null)}
			rec "macro $op pool-run n/a inserts_per_s 0 # $why"
			rec "macro $op host-run n/a inserts_per_s 0 # $why"
		fi
	done
fi

# Unpack and build a synthetic C project of 50 files with make -j2.
gen_project() {         # DIR
	local d=$1/proj i
	mkdir -p "$d"
	for i in $(seq -w 1 49); do
		{
			echo "#include \"proj.h\""
			echo "static unsigned mix$i(unsigned x) { for (int k = 0; k < 8; k++) x = x * 2654435761u + $((10#$i)); return x; }"
			for f in 1 2 3 4 5 6; do
				echo "unsigned f${i}_$f(unsigned x) {"
				echo "	unsigned a[16]; for (int k = 0; k < 16; k++) a[k] = mix$i(x + k * $f);"
				echo "	unsigned s = 0; for (int k = 0; k < 16; k++) s ^= a[k] >> (k % 7);"
				echo "	return s + $f;"
				echo "}"
			done
			echo "unsigned unit$i(unsigned x) { return f${i}_1(x) ^ f${i}_2(x) ^ f${i}_3(x) ^ f${i}_4(x) ^ f${i}_5(x) ^ f${i}_6(x); }"
		} >"$d/unit$i.c"
	done
	{
		echo "#ifndef PROJ_H"
		echo "#define PROJ_H"
		for i in $(seq -w 1 49); do echo "unsigned unit$i(unsigned x);"; done
		echo "#endif"
	} >"$d/proj.h"
	{
		echo "#include <stdio.h>"
		echo "#include \"proj.h\""
		echo "int main(void) { unsigned s = 0;"
		for i in $(seq -w 1 49); do echo "	s += unit$i(s);"; done
		echo "	printf(\"proj %u\\n\", s); return 0; }"
	} >"$d/main.c"
	printf 'CFLAGS = -O2\nSRCS = $(wildcard *.c)\nOBJS = $(SRCS:.c=.o)\napp: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n%%.o: %%.c proj.h\n\t$(CC) $(CFLAGS) -c -o $@ $<\n' >"$d/Makefile"
}

build_target() {        # TARGET DIR [wrapper...]
	local t=$1 d=$2
	shift 2
	: >"$work/build.vals"
	for r in $(seq "$REPS"); do
		"$@" rm -rf "$d/proj"
		local t0 t1 out
		t0=$(now_ns)
		"$@" /bin/sh -c "tar xzf '$work/proj.tgz' -C '$d' && make -s -j2 -C '$d/proj' >/dev/null" 2>"$work/build.err"
		t1=$(now_ns)
		# Check the product outside the timing: copied out and run on the
		# host (running a program from the pool is another matter).
		rm -f "$work/app.bin"
		"$@" cat "$d/proj/app" >"$work/app.bin" 2>>"$work/build.err"
		chmod +x "$work/app.bin"
		out=$("$work/app.bin" 2>>"$work/build.err")
		if [ -n "$expect_proj" ] && [ "$out" = "$expect_proj" ]; then
			awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e9 }' >>"$work/build.vals"
		else
			say "build $t: got '$out': $(tail -n1 "$work/build.err")"
		fi
	done
	"$@" rm -rf "$d/proj"
	if [ -s "$work/build.vals" ]; then
		rec "macro untar_make_j2 $t $(median <"$work/build.vals") s $(wc -l <"$work/build.vals") # 50 C files, tar xzf + make -j2"
	else
		rec "macro untar_make_j2 $t n/a s 0 # failed: $(tail -n1 "$work/build.err" | cut -c1-100)"
	fi
}

if want build; then
	say "build: generating a 50-file C project"
	mkdir -p "$work/gen" "$work/bld"
	gen_project "$work/gen"
	tar czf "$work/proj.tgz" -C "$work/gen" proj
	expect_proj=$(cd "$work/gen/proj" && make -s -j2 >/dev/null && ./app)
	rm -rf "$work/gen"
	say "build: tmpfs, pool"
	build_target tmpfs "$work/bld"
	if [ $run_ok = 1 ] && pool=$(newpool build 512M 2>"$work/why"); then
		build_target pool-run "$mnt" pfrun_in "$pool"
		rm -f "$pool"
	else
		rec "macro untar_make_j2 pool-run n/a s 0 # ${run_why:-$(cat "$work/why" 2>/dev/null)}"
	fi
fi

# 1 GiB through two pipes: host I/O of a wrapped program.
pipe_target() {         # TARGET [wrapper...]
	local t=$1
	shift
	: >"$work/pipe.vals"
	for r in $(seq "$REPS"); do
		local t0 t1 out
		t0=$(now_ns)
		out=$("$@" /bin/sh -c 'dd if=/dev/zero bs=1M count=1024 2>/dev/null | cat | wc -c' 2>"$work/pipe.err")
		t1=$(now_ns)
		if [ "$out" = 1073741824 ]; then
			awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e9 }' >>"$work/pipe.vals"
		else
			say "pipe $t: got '$out': $(tail -n1 "$work/pipe.err")"
		fi
	done
	if [ -s "$work/pipe.vals" ]; then
		rec "macro pipe_1g $t $(median <"$work/pipe.vals") s $(wc -l <"$work/pipe.vals") # dd bs=1M count=1024 | cat | wc -c"
	else
		rec "macro pipe_1g $t n/a s 0 # failed: $(tail -n1 "$work/pipe.err" | cut -c1-100)"
	fi
}

if want pipe; then
	say "pipe: native, pmemfile-run"
	pipe_target native
	if [ $run_ok = 1 ] && pool=$(newpool pipe 64M 2>"$work/why"); then
		pipe_target pool-run pfrun_in "$pool"
		rm -f "$pool"
	else
		rec "macro pipe_1g pool-run n/a s 0 # ${run_why:-$(cat "$work/why" 2>/dev/null)}"
	fi
fi

# ---------------------------------------------------------------- scale
# Lines: "scale op target median_ns p90_ns count [# note]".
scale_target() {        # SECTION-OPNAME TARGET REPS CMD...
	local name=$1 t=$2 reps=$3
	shift 3
	for r in $(seq "$reps"); do
		if ! "$@" >"$work/scale.out" 2>"$work/scale.err"; then
			say "scale $name $t failed: $(tail -n1 "$work/scale.err")"
		fi
		if grep -qv '^#' "$work/scale.out"; then
			grep -v '^#' "$work/scale.out" | sed 's/^/scale /' >>"$raw"
		else
			na scale "$name" "$t" "failed: $(tail -n1 "$work/scale.err" | cut -c1-100)"
		fi
		grep '^#' "$work/scale.out" >>"$log"
	done
}

# scale_all NAME POOLSIZE REPS ARGS...: the pf-scale mode on every target.
scale_all() {
	local name=$1 psize=$2 reps=$3
	shift 3
	local mode=$1
	shift
	say "scale $name: tmpfs"
	mkdir -p "$work/scale"
	scale_target "$name" tmpfs "$reps" "$scale" --target tmpfs "$mode" "$work/scale" "$@"
	if [ "$name" != grow ] && [ $quick = 0 ]; then
		# A reference only, and slow on a shared disk: one repetition.
		say "scale $name: /var/tmp"
		scale_target "$name" vartmp 1 "$scale" --target vartmp "$mode" "$vwork" "$@"
	fi
	say "scale $name: core"
	if [ -x "$scale_core" ]; then
		scale_target "$name" core "$reps" "$scale_core" --target core --pool-size "$psize" \
			--core "/dev/shm/pf-bench-pool-$$-score" "$mode" / "$@"
		rm -f "/dev/shm/pf-bench-pool-$$-score"
	else
		na scale "$name" core "pf-scale-core not built"
	fi
	say "scale $name: pool through pmemfile-run"
	if [ $run_ok = 1 ] && pool=$(newpool "s$name" "$psize" 2>"$work/why"); then
		scale_target "$name" pool-run "$reps" pfrun_in "$pool" "$scale" --target pool-run "$mode" "$mnt" "$@"
		rm -f "$pool"
	else
		na scale "$name" pool-run "${run_why:-$(cat "$work/why" 2>/dev/null)}"
	fi
	# threads: the same on tmpfs under pmemfile-run, so a fall with more
	# threads reads as the mechanism's or the supervisor's
	[ "$name" = threads ] || return 0
	say "scale $name: host files through pmemfile-run"
	if [ $run_ok = 1 ] && pool=$(newpool "h$name" 64M 2>"$work/why"); then
		scale_target "$name" host-run "$reps" pfrun_in "$pool" "$scale" --target host-run "$mode" "$work/scale" "$@"
		rm -f "$pool"
	else
		na scale "$name" host-run "${run_why:-$(cat "$work/why" 2>/dev/null)}"
	fi
}

grow_pool() {           # pool size for a file of GROW_SIZE: size + 1 GiB
	awk -v s="$1" 'BEGIN { n = s + 0; u = substr(s, length(s));
		m = (u == "G") ? 1024 : (u == "M") ? 1 : 1 / 1048576;
		printf "%dM\n", n * m + 1024 }'
}

if want dir; then
	scale_all dir 2G "$([ $quick = 1 ] && echo 1 || echo "$REPS")" dir "$DIR_N"
fi
if want grow; then
	scale_all grow "$(grow_pool "$GROW_SIZE")" 1 grow "$GROW_SIZE" 4K
fi
if want threads; then
	scale_all threads 512M 1 threads "$MAXTHREADS" "$THREAD_S"
fi

say "raw figures: $raw"
"$here/report.sh" "$raw" "$results"
