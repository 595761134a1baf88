# Common helpers for the bats end-to-end tests of pmemfile-run.
#
# Every test gets, from setup():
#   POOL  a fresh 64 MiB pool in /dev/shm (mkfs.pmemfile POOL 64M)
#   MNT   the (virtual) mount point it is served at: /mnt/pf
#   WORK  a host scratch directory on tmpfs (outside every pool)
# and teardown() requires `pmemfile fsck POOL` to exit 0, then removes both.
#
# Binaries come from the environment (ctest passes the build's paths):
#   PMEMFILE_RUN, MKFS_PMEMFILE, PMEMFILE_TOOL
# A missing binary or a missing program a test needs (go, cc, sqlite3,
# busybox...) makes the test FAIL, never skip: CI installs them all.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_BUILD_GUESS=$(cd "$E2E_DIR/../.." && pwd)/build-e2e
: "${PMEMFILE_RUN:=$E2E_BUILD_GUESS/launcher/pmemfile-run}"
: "${MKFS_PMEMFILE:=$E2E_BUILD_GUESS/tools/mkfs.pmemfile}"
: "${PMEMFILE_TOOL:=$E2E_BUILD_GUESS/tools/pmemfile}"
: "${E2E_CACHE_DIR:=${TMPDIR:-/tmp}/pf-e2e-cache}"
export PMEM_IS_PMEM_FORCE=1
export LC_ALL=C TZ=UTC

MNT=/mnt/pf
# Upper bound for one pmemfile-run invocation: a hang fails the test.
RUN_TIMEOUT=${E2E_RUN_TIMEOUT:-120}

# fail MESSAGE...: print to stderr (shown by bats on failure) and fail.
fail() {
	printf '%s\n' "$*" >&2
	return 1
}

require_bin() {
	local var=$1
	local path=${!var}
	[ -x "$path" ] || fail "$var=$path: not built (missing executable)"
}

# require_tool NAME...: the test FAILS when a program it needs is missing.
require_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			fail "required program '$t' is not installed (CI installs it)" ||
			return 1
	done
}

# A name unique per test file, test and bats process.
pf_test_id() {
	local f
	f=$(basename "$BATS_TEST_FILENAME" .bats)
	echo "${f}-${BATS_TEST_NUMBER}-$$"
}

# new_pool PATH [SIZE]: make a pool with mkfs.pmemfile and check it.
new_pool() {
	local out
	out=$("$MKFS_PMEMFILE" "$1" "${2:-64M}" 2>&1) ||
		fail "mkfs.pmemfile $1 ${2:-64M} failed: $out" || return 1
	[ -f "$1" ] || fail "mkfs.pmemfile $1: no pool file created"
}

pf_setup() {
	require_bin PMEMFILE_RUN || return 1
	require_bin MKFS_PMEMFILE || return 1
	require_bin PMEMFILE_TOOL || return 1
	WORK=$(mktemp -d "/dev/shm/pf-e2e-$(pf_test_id)-XXXXXX")
	POOL=/dev/shm/pf-e2e-$(pf_test_id).pool
	EXTRA_POOLS=()
	rm -f "$POOL"
	new_pool "$POOL"
}

# fsck_pool PATH: `pmemfile fsck` must exit 0.
fsck_pool() {
	local out rc=0
	out=$(timeout -k 5 120 "$PMEMFILE_TOOL" fsck "$1" 2>&1) || rc=$?
	[ $rc -eq 0 ] || fail "pmemfile fsck $1 exited $rc: $out"
}

pf_teardown() {
	local rc=0 p
	for p in "${POOL:-}" "${EXTRA_POOLS[@]}"; do
		[ -n "$p" ] && [ -e "$p" ] || continue
		fsck_pool "$p" || rc=1
		rm -f "$p"
	done
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
	return $rc
}

setup() {
	pf_setup
}

teardown() {
	pf_teardown
}

# pfrun CMD [ARG...]: CMD under pmemfile-run, POOL mounted at MNT.
pfrun() {
	timed "$RUN_TIMEOUT" "$PMEMFILE_RUN" --pool "$POOL" --mount "$MNT" \
		-- "$@"
}

# hang_report PID: what every descendant of PID is doing (state, kernel
# wait channel, the syscall it is in) and, with gdb, the stacks of every
# pmemfile-run thread: enough to diagnose a hang from a CI log alone.
hang_report() {
	local p kids
	echo "== hang report: descendants of $1 at $(date +%T)"
	kids=$(pgrep -P "$1")
	for p in $kids; do
		[ -r "/proc/$p/stat" ] || continue
		printf '%s %s state=%s wchan=%s syscall=%s\n' "$p" \
			"$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80)" \
			"$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" \
			"$(cat "/proc/$p/wchan" 2>/dev/null)" \
			"$(cut -d' ' -f1-3 "/proc/$p/syscall" 2>/dev/null)"
		# pipes and sockets held: who keeps a reader from seeing EOF
		ls -l "/proc/$p/fd" 2>/dev/null | awk '/pipe:|socket:/ {
			printf "  fd %s -> %s\n", $(NF-2), $NF }'
		if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = pmemfile-run ] &&
			command -v gdb >/dev/null; then
			timeout 60 gdb -p "$p" -batch -nx \
				-ex 'thread apply all bt' 2>&1 | awk '
				/^Thread/ { if (l) print l; l = "  " $2 ":" }
				/^#/ { f = ($3 == "in") ? $4 : $2
					if ($0 ~ / at /) { a = $0; sub(/.* at /, "", a)
						sub(/.*\//, "", a); f = f "@" a }
					l = l " " f }
				END { if (l) print l }'
		fi
		hang_report "$p"
	done
}

# timed SECONDS CMD...: CMD under timeout(1) (status 124 when the limit is
# hit), printing a hang_report to stderr first.
timed() {
	local limit=$1 me=$BASHPID rc=0 wd
	shift
	(
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "$limit" &
		sp=$!
		wait $sp
		hang_report "$me" >&2
	) </dev/null 3>&- &
	wd=$!
	timeout -k 5 "$((limit + 30))" "$@" || rc=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	return $rc
}

# pfsh SCRIPT [ARG...]: bash -c SCRIPT under pmemfile-run.
pfsh() {
	local script=$1
	shift
	pfrun bash -c "$script" pfsh "$@"
}

# pfrun_opts OPTS... -- CMD...: pmemfile-run with explicit options only.
pfrun_opts() {
	timed "$RUN_TIMEOUT" "$PMEMFILE_RUN" "$@"
}

# expect_eq WHAT EXPECTED GOT
expect_eq() {
	[ "$2" == "$3" ] && return 0
	printf '%s: expected\n----\n%s\n----\ngot\n----\n%s\n----\n' "$1" "$2" "$3" >&2
	return 1
}

# expect_status EXPECTED: after `run`.
expect_status() {
	[ "$status" -eq "$1" ] && return 0
	printf 'exit status: expected %s, got %s; output:\n%s\n' "$1" "$status" \
		"$output" >&2
	return 1
}

# tree_snapshot DIR: one line per entry below DIR (sorted): path, type and
# the stat fields that must agree between tmpfs and the pool (mode, owner,
# size and link count of files, symlink targets), then the SHA-256 of every
# regular file. Directory sizes are file-system specific and left out.
tree_snapshot() {
	(
		cd "$1" || exit 1
		find . -mindepth 1 \
			\( -type d -printf '%p d %m %U:%G\n' \) -o \
			\( -type f -printf '%p f %m %U:%G %s %n\n' \) -o \
			\( -type l -printf '%p l -> %l\n' \) -o \
			-printf '%p %y %m %U:%G\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	)
}

# The driver run (natively and under pmemfile-run) by differential().
# $1 = D (directory under test, created), $2 = H (host scratch, exists),
# $3 = OUT (host directory for the results), $4 = the scenario script.
_write_driver() {
	cat >"$WORK/driver.sh" <<'EOF'
D=$1 H=$2 OUT=$3 SCEN=$4
export D H LC_ALL=C TZ=UTC
umask 022
mkdir -p "$D" || { echo "driver: cannot mkdir $D" >"$OUT/stderr"; exit 99; }
cd "$H" || exit 99
bash "$SCEN" >"$OUT/stdout" 2>"$OUT/stderr" </dev/null
echo $? >"$OUT/rc"
cd /
EOF
	declare -f tree_snapshot >>"$WORK/driver.sh"
	cat >>"$WORK/driver.sh" <<'EOF'
tree_snapshot "$D" >"$OUT/snap.D" 2>"$OUT/snap.err"
tree_snapshot "$H" >"$OUT/snap.H" 2>>"$OUT/snap.err"
EOF
}

# differential SCRIPT: run SCRIPT with bash twice, natively with D a tmpfs
# directory and under pmemfile-run with D=$MNT/d (in the pool). H is a host
# scratch directory (outside the pool) in both runs; the script starts in H.
# Compares exactly: stdout, stderr, exit status, and tree_snapshot of D and
# of H, after replacing the two runs' D and H by @D@ and @H@.
differential() {
	local script=$1 side d h f rc=0
	printf '%s\n' "$script" >"$WORK/scenario.sh"
	_write_driver
	for side in native pool; do
		mkdir -p "$WORK/$side/h" "$WORK/$side/out"
	done
	timed "$RUN_TIMEOUT" bash "$WORK/driver.sh" "$WORK/native/d" \
		"$WORK/native/h" "$WORK/native/out" "$WORK/scenario.sh" ||
		fail "native run of the scenario failed (driver status $?)" ||
		return 1
	pfrun bash "$WORK/driver.sh" "$MNT/d" "$WORK/pool/h" "$WORK/pool/out" \
		"$WORK/scenario.sh" || rc=$?
	[ $rc -eq 0 ] || fail "pmemfile-run of the driver exited $rc" || return 1
	for side in native pool; do
		if [ $side = native ]; then d=$WORK/native/d; else d=$MNT/d; fi
		h=$WORK/$side/h
		for f in stdout stderr rc snap.D snap.H; do
			[ -f "$WORK/$side/out/$f" ] ||
				fail "$side run produced no $f" || return 1
			sed -e "s|$d|@D@|g" -e "s|$h|@H@|g" "$WORK/$side/out/$f" \
				>"$WORK/$side/out/$f.norm"
		done
	done
	for f in rc stdout stderr snap.D snap.H; do
		if ! diff -u --label "native/$f" --label "pool/$f" \
			"$WORK/native/out/$f.norm" "$WORK/pool/out/$f.norm" >&2; then
			rc=1
		fi
	done
	if [ $rc -ne 0 ]; then
		echo "--- native stderr:" >&2; cat "$WORK/native/out/stderr" >&2
		echo "--- pool stderr:" >&2; cat "$WORK/pool/out/stderr" >&2
		return 1
	fi
	# The scenario's own expectations: stdout must not be empty unless the
	# test says so, so a scenario that silently does nothing cannot pass.
	[ -n "${DIFF_ALLOW_EMPTY:-}" ] || [ -s "$WORK/native/out/stdout" ] ||
		fail "scenario printed nothing natively: it checks nothing"
}

# native_out FILE: the native run's normalized output (after differential).
native_out() {
	cat "$WORK/native/out/$1.norm"
}
