#!/bin/sh
# The whole test suite: installs dependencies, builds with every warning as
# an error and runs every test with ctest, then does the same on an
# ASan+UBSan build with clang (what CI runs), which also builds the
# libFuzzer targets and runs their short runs (ctest label fuzz).
# The plain build uses $CC (default: cc, gcc on Debian); the sanitizer
# build uses $SAN_CC (default: clang). SANITIZE=thread (or any list) runs
# only that build, with $CC (default: clang); PF_SKIP_SANITIZER=1 runs
# only the plain one (quicker, for a developer's loop). In CI (CI=true) or
# with PF_PACKAGE_TEST=1, the plain build's Debian packages are built,
# installed and tried in between (scripts/package-test.sh; needs root).
set -e
cd "$(dirname "$0")"
./scripts/deps.sh
# the C lines the last commit (and any uncommitted change) touched are
# formatted as .clang-format says
./scripts/format-check.sh

suite() {       # BUILD-DIR COMPILER [SANITIZERS]
	cc=$(command -v "$2") || { echo "run-tests.sh: no compiler $2" >&2; exit 1; }
	# a build directory configured with another compiler: CMake cannot
	# switch it, so start its configuration again
	if [ -f "$1/CMakeCache.txt" ] &&
	   [ "$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$1/CMakeCache.txt")" != "$cc" ]; then
		rm -rf "$1/CMakeCache.txt" "$1/CMakeFiles"
	fi
	echo "== ctest in $1 ($2${3:+, sanitizers: $3})"
	cmake -S . -B "$1" -DCMAKE_C_COMPILER="$cc" -DDEVELOPER=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo ${3:+-DSANITIZE=$3} >/dev/null
	cmake --build "$1" -j"$(nproc)"
	(cd "$1" && ctest --output-on-failure -j"$(nproc)" --timeout 900 ${CTEST_ARGS:-})
}

# reasoned false positives of SANITIZE=thread (the file says why)
export TSAN_OPTIONS="detect_deadlocks=0 suppressions=$PWD/tests/tsan.supp ${TSAN_OPTIONS:-}"

if [ -n "${SANITIZE:-}" ]; then
	suite "${BUILD:-build-test-san}" "${CC:-clang}" "$SANITIZE"
	exit
fi
suite "${BUILD:-build-test}" "${CC:-cc}"
# the Debian packages, installed and tried (needs root; CI is)
if [ "${CI:-}" = true ] || [ "${PF_PACKAGE_TEST:-0}" = 1 ]; then
	./scripts/package-test.sh "${BUILD:-build-test}"
fi
[ "${PF_SKIP_SANITIZER:-0}" = 1 ] ||
	suite build-test-san "${SAN_CC:-clang}" address,undefined
