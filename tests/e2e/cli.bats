#!/usr/bin/env bats
# The command line of pmemfile-run: options, exit statuses, messages,
# several pools, PMEMFILE_POOLS, --create, --trace, persistence.

load helpers
bats_require_minimum_version 1.5.0

@test "--help exits 0 and documents the options" {
	run pfrun_opts --help
	expect_status 0
	for opt in --pool --mount --create --log --trace --version; do
		[[ "$output" == *"$opt"* ]] || fail "--help does not mention $opt"
	done
}

@test "--version prints the project version" {
	run pfrun_opts --version
	expect_status 0
	[[ "$output" == *"$E2E_VERSION"* ]] ||
		fail "--version output '$output' lacks version $E2E_VERSION"
	[ "${#lines[@]}" -le 3 ] || fail "--version is too long: $output"
}

@test "exit status of the command is passed through" {
	run pfrun sh -c 'exit 0'
	expect_status 0
	run pfrun sh -c 'exit 42'
	expect_status 42
	run pfrun false
	expect_status 1
}

@test "a command killed by signal N gives 128+N" {
	run pfrun sh -c 'kill -KILL $$'
	expect_status 137
	run pfrun sh -c 'kill -TERM $$'
	expect_status 143
	run pfrun sh -c 'kill -SEGV $$'
	expect_status 139
}

@test "command not found gives 127, not executable gives 126" {
	run -127 pfrun /nonexistent/definitely-not-here
	expect_status 127
	run -127 pfrun definitely-not-a-command-xyz
	expect_status 127
	cp /etc/passwd "$WORK/noexec"
	chmod 644 "$WORK/noexec"
	run -126 pfrun "$WORK/noexec"
	run -126 pfrun /
}

# One line on stderr, exit 125, and the command did not run.
expect_own_failure() {
	expect_status 125
	[ -n "$output" ] || fail "no message"
	[ "${#lines[@]}" -eq 1 ] ||
		fail "expected a one-line message, got ${#lines[@]} lines: $output"
	[ ! -e "$WORK/ran" ] || fail "the command ran anyway"
}

@test "125 with a one-line message: --mount without --pool" {
	run pfrun_opts --mount "$MNT" -- touch "$WORK/ran"
	expect_own_failure
}

@test "125 with a one-line message: nonexistent pool" {
	run pfrun_opts --pool "$WORK/no-such.pool" --mount "$MNT" -- \
		touch "$WORK/ran"
	expect_own_failure
	[[ "$output" == *no-such.pool* ]] || fail "message does not name the pool"
	[ ! -e "$WORK/no-such.pool" ] || fail "a pool was created without --create"
}

@test "125 with a one-line message: a file that is not a pool" {
	head -c 32M /dev/zero >"$WORK/zeros.pool"
	run pfrun_opts --pool "$WORK/zeros.pool" --mount "$MNT" -- \
		touch "$WORK/ran"
	expect_own_failure
	cp /etc/passwd "$WORK/text.pool"
	run pfrun_opts --pool "$WORK/text.pool" --mount "$MNT" -- \
		touch "$WORK/ran"
	expect_own_failure
	cmp -s /etc/passwd "$WORK/text.pool" || fail "the non-pool file was modified"
}

@test "125 with a one-line message: relative mount point" {
	run pfrun_opts --pool "$POOL" --mount mnt/pf -- touch "$WORK/ran"
	expect_own_failure
}

@test "125 with a one-line message: unknown option" {
	run pfrun_opts --pool "$POOL" --mount "$MNT" --no-such-option -- \
		touch "$WORK/ran"
	expect_own_failure
}

@test "125 with a one-line message: pmemfile-run inside pmemfile-run" {
	"$MKFS_PMEMFILE" "$WORK/inner.pool" 16M >/dev/null
	run pfrun "$PMEMFILE_RUN" --pool "$WORK/inner.pool" --mount /mnt/inner \
		-- touch "$WORK/ran"
	expect_own_failure
	[[ "$output" == *nest* ]] || fail "the message does not say why: $output"
}

@test "files persist across two invocations on the same pool" {
	run pfsh 'mkdir -p /mnt/pf/d/e && seq 1 5000 >/mnt/pf/d/e/seq &&
		printf "x%.0s" $(seq 1 3000) >/mnt/pf/d/x && ln -s e/seq /mnt/pf/d/l &&
		chmod 600 /mnt/pf/d/x && echo written'
	expect_status 0
	expect_eq "first run" written "$output"
	run pfsh 'cd /mnt/pf/d && sha256sum e/seq l && stat -c "%n %a %s" x &&
		readlink l && ls /mnt/pf/d'
	expect_status 0
	local want
	want="$(cd "$WORK" && seq 1 5000 >seq && sha256sum <seq | cut -d" " -f1)"
	expect_eq "second run" "$want  e/seq
$want  l
x 600 3000
e/seq
e
l
x" "$output"
	# The pool tool sees the same content.
	run "$PMEMFILE_TOOL" cat "$POOL" /d/e/seq
	expect_status 0
	expect_eq "pmemfile cat" "$(seq 1 5000)" "$output"
}

@test "PMEMFILE_POOLS mounts pools like --pool/--mount" {
	local p2=/dev/shm/pf-e2e-$(pf_test_id)-b.pool
	EXTRA_POOLS+=("$p2")
	new_pool "$p2"
	PMEMFILE_POOLS="/mnt/pa:$POOL;/mnt/pb:$p2" run timeout 60 \
		"$PMEMFILE_RUN" -- sh -c 'echo A >/mnt/pa/a && echo B >/mnt/pb/b &&
			cat /mnt/pa/a /mnt/pb/b && ls /mnt/pa /mnt/pb'
	expect_status 0
	expect_eq output "A
B
/mnt/pa:
a

/mnt/pb:
b" "$output"
	run "$PMEMFILE_TOOL" cat "$POOL" /a
	expect_eq "pool 1" A "$output"
	run "$PMEMFILE_TOOL" cat "$p2" /b
	expect_eq "pool 2" B "$output"
}

@test "two pools mounted at once; mv between them falls back to copy" {
	local p2=/dev/shm/pf-e2e-$(pf_test_id)-b.pool
	EXTRA_POOLS+=("$p2")
	new_pool "$p2"
	run pfrun_opts --pool "$POOL" --mount /mnt/one --pool "$p2" \
		--mount /mnt/two -- bash -c '
		seq 1 20000 >/mnt/one/f && mkdir /mnt/one/dir && echo in >/mnt/one/dir/g &&
		ln /mnt/one/f /mnt/two/f 2>/dev/null; echo "link=$?" &&
		mv /mnt/one/f /mnt/two/f && mv /mnt/one/dir /mnt/two/dir &&
		ls /mnt/one; echo --; ls /mnt/two; wc -l </mnt/two/f; cat /mnt/two/dir/g'
	expect_status 0
	expect_eq output "link=1
--
dir
f
20000
in" "$output"
	run "$PMEMFILE_TOOL" cat "$p2" /dir/g
	expect_eq "pool 2 content" in "$output"
}

@test "bad sizes: one strict grammar for --create and mkfs.pmemfile" {
	local p=$WORK/sized.pool s
	for s in 64MBB 64Mi 64X '' M -1 +64M 1.5G 0x10 ' 64M' 64iB \
		 99999999999999999999T 16777216T; do
		run pfrun_opts --create "$s" --pool "$p" --mount "$MNT" -- true
		expect_status 125
		[[ "$output" == *"--create"* ]] || fail "--create '$s': message '$output'"
		run "$MKFS_PMEMFILE" "$p" "$s"
		expect_status 2
		# (-1 is taken for an option: a usage message)
		[[ "$output" == *"invalid size"* || "$output" == *Usage* ]] ||
			fail "mkfs '$s': message '$output'"
		[ ! -e "$p" ] || fail "a pool was made for size '$s'"
	done
	# the spellings of one size are one size
	for s in 32M 32MB 32MiB 32m 33554432 33554432B; do
		run "$MKFS_PMEMFILE" -f "$p" "$s"
		expect_status 0
		expect_eq "size of '$s'" 33554432 "$(stat -c %s "$p")"
		rm -f "$p"
	done
}

@test "--create SIZE creates a missing pool, then reuses it" {
	local p=$WORK/created.pool
	EXTRA_POOLS+=("$p")
	run pfrun_opts --create 32M --pool "$p" --mount "$MNT" -- \
		sh -c 'echo created >/mnt/pf/c && cat /mnt/pf/c'
	expect_status 0
	[[ "$output" == *created* ]] || fail "output: $output"
	[ -f "$p" ] || fail "no pool at $p"
	local size
	size=$(stat -c %s "$p")
	[ "$size" -ge $((30 << 20)) ] || fail "pool size $size < 32M"
	run pfrun_opts --create 32M --pool "$p" --mount "$MNT" -- cat /mnt/pf/c
	expect_status 0
	expect_eq "existing pool reused" created "$output"
}

@test "--trace prints one strace-like line per served call" {
	pfsh 'echo hi >/mnt/pf/a'
	# bats keeps fds 3 and up open: close them so cat gets fd 3 as natively.
	run --separate-stderr bash -c 'for fd in $(ls /proc/$$/fd); do
		[ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@"' closer \
		timeout 60 "$PMEMFILE_RUN" --trace --pool "$POOL" --mount "$MNT" -- \
		cat /mnt/pf/a
	expect_status 0
	expect_eq "command stdout" hi "$output"
	grep -Eq '^\[[0-9]+\] openat\(AT_FDCWD, "/mnt/pf/a", O_RDONLY\) = 3$' \
		<<<"$stderr" || fail "no trace line for the openat; stderr: $stderr"
	grep -Eq '^\[[0-9]+\] read\(3, .*\) = 3$' <<<"$stderr" ||
		fail "no trace line for the read of 3 bytes; stderr: $stderr"
}

@test "--trace shows buffers, flags and errors as strace does" {
	run --separate-stderr pfrun_opts --trace --pool "$POOL" --mount "$MNT" -- \
		sh -c 'printf "hi\\n" >/mnt/pf/a; cat /mnt/pf/a /mnt/pf/none; rm /mnt/pf/a
			mkfifo /mnt/pf/p'
	local want
	for want in 'write\(1, "hi\\n", 3\) = 3$' \
		    'read\([0-9]+, "hi\\n", [0-9]+\) = 3$' \
		    'newfstatat\([0-9]+, "", 0x[0-9a-f]+, AT_EMPTY_PATH\) = 0$' \
		    'openat\(AT_FDCWD, "/mnt/pf/none", O_RDONLY\) = -1 ENOENT \(No such file or directory\)$' \
		    'unlinkat\(AT_FDCWD, "/mnt/pf/a", 0\) = 0$' \
		    'mknodat\(AT_FDCWD, "/mnt/pf/p", S_IFIFO\|0666, 0\) = 0$' \
		    'openat\(AT_FDCWD, "/mnt/pf/a", O_WRONLY\|O_CREAT\|O_TRUNC, 0666\) = [0-9]+$'; do
		grep -Eq "^\[[0-9]+\] $want" <<<"$stderr" ||
			fail "no trace line matching $want; stderr: $stderr"
	done
}

@test "--log FILE receives the log" {
	run pfrun_opts --log "$WORK/log" --log-level 4 --trace --pool "$POOL" \
		--mount "$MNT" -- sh -c 'echo hi >/mnt/pf/a && cat /mnt/pf/a'
	expect_status 0
	expect_eq output hi "$output"
	[ -s "$WORK/log" ] || fail "log file is empty or missing"
}

# start_bg CMD...: pmemfile-run in the background, not under timeout (the
# signal must reach pmemfile-run itself), its output away from bats' fds so a
# stray process cannot hold the test open. Sets BG_PID.
start_bg() {
	"$PMEMFILE_RUN" --pool "$POOL" --mount "$MNT" -- "$@" \
		>"$WORK/bg.out" 2>"$WORK/bg.err" </dev/null &
	BG_PID=$!
}

# wait_host_file PATH: until the command has written PATH (on the host:
# the pool itself is locked while pmemfile-run has it open).
wait_host_file() {
	local i
	for i in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	fail "$1 was never written"
}

# reap_tree PIDS...: fails if any of PIDS is still alive 5 s later (and
# kills it, as these are the test's own processes).
reap_tree() {
	local i p alive
	for i in $(seq 1 50); do
		alive=""
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -z "$alive" ] && return 0
		sleep 0.1
	done
	for p in $alive; do kill -KILL "$p" 2>/dev/null || true; done
	fail "processes of the command's tree survived pmemfile-run:$alive"
}

@test "SIGTERM to pmemfile-run reaches the command; pool stays clean" {
	start_bg bash -c 'trap "echo got-term >/mnt/pf/sig; exit 3" TERM;
		echo ready >"$1"; while :; do sleep 0.1; done' sh "$WORK/ready"
	wait_host_file "$WORK/ready" || { kill -KILL $BG_PID; wait; return 1; }
	local kids rc=0
	kids=$(pgrep -P $BG_PID || true)
	kill -TERM $BG_PID
	( sleep 30; kill -KILL $BG_PID 2>/dev/null ) &
	local watchdog=$!
	wait $BG_PID || rc=$?
	kill $watchdog 2>/dev/null || true
	reap_tree $kids
	[ $rc -eq 3 ] || fail "pmemfile-run exited $rc, want 3 (the trap's exit)"
	run "$PMEMFILE_TOOL" cat "$POOL" /sig
	expect_eq "trap ran" got-term "$output"
}

@test "processes left running when the command exits are killed" {
	start_bg bash -c '(trap "" HUP TERM; while :; do echo x >>/mnt/pf/bg; sleep 0.1; done) &
		echo $! >/mnt/pf/bgpid; sleep 0.5; exit 7'
	local rc=0
	( sleep 30; kill -KILL $BG_PID 2>/dev/null ) &
	local watchdog=$!
	wait $BG_PID || rc=$?
	kill $watchdog 2>/dev/null || true
	local bgpid
	bgpid=$("$PMEMFILE_TOOL" cat "$POOL" /bgpid)
	[ -n "$bgpid" ] || fail "no pid recorded"
	reap_tree "$bgpid"
	[ $rc -eq 7 ] || fail "pmemfile-run exited $rc, want 7; its stderr: $(cat "$WORK/bg.err")"
}

@test "a process left running is named once, however long it takes to die" {
	# a gigabyte to free: the process stays listed, not yet a zombie,
	# for many of the supervisor's rounds after its SIGKILL
	run --separate-stderr pfrun sh -c \
		'python3 -c "x = bytearray(1 << 30); import time; time.sleep(100)" &
		sleep 1.5; exit 3'
	expect_status 3
	local n
	n=$(grep -c 'killing [0-9]' <<<"$stderr" || true)
	expect_eq "times the process was named ($stderr)" 1 "$n"
}

@test "pmemfile-run killed with SIGKILL kills the tree, pool stays consistent" {
	start_bg bash -c 'echo ready >"$1"; i=0;
		while :; do echo $i >>/mnt/pf/log; i=$((i+1)); done' sh "$WORK/ready"
	wait_host_file "$WORK/ready" || { kill -KILL $BG_PID; wait; return 1; }
	sleep 1
	local kids
	kids=$(pgrep -P $BG_PID || true)
	[ -n "$kids" ] || fail "no child process under pmemfile-run"
	kill -KILL $BG_PID
	wait $BG_PID || true
	reap_tree $kids
	# teardown runs fsck; every acknowledged append is a whole line.
	run pfrun sh -c 'tail -n 1 /mnt/pf/log | grep -Ex "[0-9]+" && wc -l </mnt/pf/log'
	expect_status 0
	[ "${lines[1]}" -eq $((lines[0] + 1)) ] ||
		fail "last line ${lines[0]} but ${lines[1]} lines: lost or torn appends"
}

@test "cd /mnt; cd .. lands on the host /" {
	run pfrun_opts --pool "$POOL" --mount /mnt -- bash -c \
		'cd /mnt && echo x >here && cd .. && pwd && pwd -P && ls -1 | sort'
	expect_status 0
	expect_eq "host root" "/
/
$(ls -1 / | sort)" "$output"
	run "$PMEMFILE_TOOL" cat "$POOL" /here
	expect_eq "file at pool root" x "$output"
}

@test "stat of the mount point shows the pool root" {
	run pfsh 'stat -c "%F" /mnt/pf && mkdir /mnt/pf/sub && stat -c %h /mnt/pf &&
		ls -a /mnt/pf'
	expect_status 0
	expect_eq output "directory
3
.
..
sub" "$output"
}

@test "default pool: created on first use, said once on stderr" {
	local p=$WORK/default/default.pool
	EXTRA_POOLS+=("$p")
	PMEMFILE_DEFAULT_POOL=$p PMEMFILE_DEFAULT_MOUNT=/pmemtest run --separate-stderr \
		timeout 60 "$PMEMFILE_RUN" --create 32M -- sh -c 'echo hi >/pmemtest/a; cat /pmemtest/a'
	expect_status 0
	expect_eq stdout hi "$output"
	[ -f "$p" ] || fail "default pool not created at $p"
	[ -n "$stderr" ] || fail "nothing said on stderr about the created pool"
	[[ "$stderr" == *"$p"* ]] || fail "stderr does not name the pool: $stderr"
	PMEMFILE_DEFAULT_POOL=$p PMEMFILE_DEFAULT_MOUNT=/pmemtest run --separate-stderr \
		timeout 60 "$PMEMFILE_RUN" -- cat /pmemtest/a
	expect_status 0
	expect_eq "second run stdout" hi "$output"
	expect_eq "second run stderr" "" "$stderr"
}
