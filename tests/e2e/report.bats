#!/usr/bin/env bats
# --report FILE: the JSON document written at exit, checked
# with jq against the keys documented in pmemfile-run(1).

load helpers

setup() {
	pf_setup || return 1
	require_tool jq
}

@test "report: syscalls, unsupported calls, refusals, pools, leftovers, exit" {
	local r=$WORK/report.json
	run pfrun_opts --pool "$POOL" --mount "$MNT" --sandbox --report "$r" -- bash -c '
for i in 1 2 3 4 5; do echo $i >'"$MNT"'/f$i; done
cat '"$MNT"'/nope 2>/dev/null
chmod 600 /etc/hostname 2>/dev/null
mkdir '"$MNT"'/cr && chroot '"$MNT"'/cr /bin/true 2>/dev/null
sleep 60 &
exit 7'
	expect_status 7
	jq -e . "$r" >/dev/null || fail "not JSON: $(cat "$r")"
	jq -e '.version == 1 and .sandbox == true' "$r"
	jq -e '.exit.status == 7 and .exit.signal == null' "$r"
	jq -e '.command[0] == "bash"' "$r"
	jq -e '.wall_seconds > 0 and .wall_seconds < 120' "$r"
	# five creates, one ENOENT, all served (not continued)
	jq -e '.syscalls.openat.count >= 6 and .syscalls.openat.errors.ENOENT >= 1' "$r"
	jq -e '.syscalls.openat.total_ns > 0 and .syscalls.openat.p99_ns > 0' "$r"
	jq -e '[.syscalls[] | .count >= .continued] | all' "$r"
	jq -e '.unsupported | map(select(.syscall == "chroot" and .errno == "EOPNOTSUPP" and .command == "chroot" and .pid > 0)) | length == 1' "$r"
	jq -e '.denied | map(select(.syscall == "fchmodat" and .what == "/etc/hostname" and .errno == "EACCES" and .command == "chmod" and .count == 1)) | length == 1' "$r"
	jq -e '.left_running | map(select(.command == "bash" or .command == "sleep")) | length >= 1' "$r"
	jq -e --arg p "$POOL" '.pools[0].pool == $p and .pools[0].mount == "/mnt/pf"' "$r"
	jq -e '.pools[0].after.inodes_used > .pools[0].before.inodes_used' "$r"
	jq -e '.pools[0].after.bytes_used > .pools[0].before.bytes_used' "$r"
}

@test "report: a killed command, no sandbox, an unwritable report path" {
	local r=$WORK/report.json
	run pfrun_opts --pool "$POOL" --mount "$MNT" --report "$r" -- sh -c 'kill -KILL $$'
	expect_status 137
	jq -e '.exit.status == 137 and .exit.signal == "KILL" and .sandbox == false' "$r"
	jq -e '.denied == [] and .left_running == []' "$r"
	run pfrun_opts --pool "$POOL" --mount "$MNT" --report "$WORK/no/such/dir/r.json" -- true
	expect_status 125
	[ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "report: what the tree puts at the report's name is replaced at exit" {
	local r=$WORK/report.json
	echo keep >"$WORK/victim"
	run pfrun_opts --pool "$POOL" --mount "$MNT" --sandbox --rw "$WORK" \
		--report "$r" -- sh -c "rm -f $r; ln -s $WORK/victim $r; echo ok >$WORK/other"
	expect_status 0
	[ "$(cat "$WORK/other")" = ok ]
	[ "$(cat "$WORK/victim")" = keep ]
	[ ! -L "$r" ]
	jq -e '.exit.status == 0' "$r"
	[ -z "$(ls -A "$WORK" | grep tmp)" ]
}

@test "report: twins of FIFOs made and removed in a loop do not pile up" {
	local r=$WORK/report.json
	run pfrun_opts --pool "$POOL" --mount "$MNT" --report "$r" -- bash -c '
for i in $(seq 50); do
	mkfifo '"$MNT"'/p$i && exec 3<>'"$MNT"'/p$i && rm '"$MNT"'/p$i && exec 3>&- || exit 1
done
mkfifo '"$MNT"'/kept && exec 3<>'"$MNT"'/kept'
	expect_status 0
	# one per FIFO opened; at most the kept one and the one in hand at once
	jq -e '.twins.made == 51 and .twins.peak <= 2 and .twins.left == 1' "$r"
}
