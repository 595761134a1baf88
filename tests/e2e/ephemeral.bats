#!/usr/bin/env bats
# --ephemeral: a pool made for the run, gone after it whatever
# way it ended; the pool of a SIGKILLed pmemfile-run goes at the next
# start-up.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	pf_setup || return 1
	export PMEMFILE_RUNTIME_DIR=$WORK/runtime
}

@test "ephemeral: a pool for the run, nothing left after it" {
	run pfrun_opts --ephemeral --mount /mnt/eph -- sh -c '
echo data >/mnt/eph/f && cat /mnt/eph/f && df -P /mnt/eph | tail -1 | cut -d" " -f1
ls '"$PMEMFILE_RUNTIME_DIR"''
	expect_status 0
	expect_eq output "data
$PMEMFILE_RUNTIME_DIR/ephemeral-$(echo "$output" | sed -n 's/^ephemeral-\([0-9]*\)\.pool$/\1/p').pool
ephemeral-$(echo "$output" | sed -n 's/^ephemeral-\([0-9]*\)\.pool$/\1/p').pool" "$output"
	[ -z "$(ls -A "$PMEMFILE_RUNTIME_DIR")" ] || fail "left: $(ls "$PMEMFILE_RUNTIME_DIR")"
	# a new run starts empty, at the default size
	run pfrun_opts --ephemeral --mount /mnt/eph -- sh -c 'ls -A /mnt/eph; stat -f -c "%b %S" /mnt/eph'
	expect_status 0
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	[ "$(echo "$output" | awk '{print ($1 * $2 > 200 * 1048576)}')" = 1 ]
	[ -z "$(ls -A "$PMEMFILE_RUNTIME_DIR")" ]
}

@test "ephemeral: removed after a failed command and a start-up failure" {
	run pfrun_opts --ephemeral --mount /mnt/eph -- sh -c 'echo x >/mnt/eph/f; exit 3'
	expect_status 3
	[ -z "$(ls -A "$PMEMFILE_RUNTIME_DIR")" ]
	run -127 pfrun_opts --ephemeral --mount /mnt/eph -- /no/such/command
	expect_status 127
	[ -z "$(ls -A "$PMEMFILE_RUNTIME_DIR")" ]
	run pfrun_opts --ephemeral --create 64M --mount /mnt/eph -- sh -c 'kill -TERM $$'
	expect_status 143
	[ -z "$(ls -A "$PMEMFILE_RUNTIME_DIR")" ]
	run pfrun_opts --ephemeral --pool "$POOL" --mount /mnt/eph -- true
	expect_status 125
}

@test "ephemeral: after a SIGKILL of pmemfile-run, the next start-up removes its pool" {
	"$PMEMFILE_RUN" --ephemeral --create 64M --mount /mnt/eph -- sleep 60 &
	local pid=$!
	for i in $(seq 100); do
		[ -e "$PMEMFILE_RUNTIME_DIR/ephemeral-$pid.pool" ] && break
		sleep 0.05
	done
	[ -e "$PMEMFILE_RUNTIME_DIR/ephemeral-$pid.pool" ]
	sleep 0.3
	kill -KILL $pid
	wait $pid || true
	# the sleep dies with it (PDEATHSIG); its pool stays
	[ -e "$PMEMFILE_RUNTIME_DIR/ephemeral-$pid.pool" ]
	run pfrun_opts --ephemeral --create 64M --mount /mnt/eph -- ls "$PMEMFILE_RUNTIME_DIR"
	expect_status 0
	! echo "$output" | grep -q "ephemeral-$pid.pool" || fail "stale pool seen: $output"
	[ -z "$(ls -A "$PMEMFILE_RUNTIME_DIR")" ]
}

@test "ephemeral: under --sandbox the runtime directory is not writable, even inside --rw" {
	mkdir -p "$PMEMFILE_RUNTIME_DIR"
	echo other >"$PMEMFILE_RUNTIME_DIR/ephemeral-1.pool.keep"
	: >"$WORK/ok"
	run pfrun_opts --ephemeral --sandbox --rw "$WORK" --mount /mnt/eph -- sh -c '
for f in '"$PMEMFILE_RUNTIME_DIR"'/*; do echo x >>"$f"; echo "$? $(basename $f)"; done
echo y >'"$WORK"'/ok; echo "work=$?"
echo z >/mnt/eph/f && cat /mnt/eph/f'
	expect_status 0
	echo "$output" | grep -qx "2 ephemeral-1.pool.keep"
	echo "$output" | grep -q "^2 ephemeral-[0-9]*\.pool$"
	echo "$output" | grep -qx 'work=0'
	# beside the runtime directory, existing files stay writable
	[ "$(cat "$WORK/ok")" = y ]
	echo "$output" | grep -qx 'z'
	[ "$(cat "$PMEMFILE_RUNTIME_DIR/ephemeral-1.pool.keep")" = other ]
	[ "$(ls "$PMEMFILE_RUNTIME_DIR")" = ephemeral-1.pool.keep ]
}
