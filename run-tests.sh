#!/bin/sh
# The whole test suite: installs dependencies, builds with every warning as
# an error and runs every test with ctest, then does the same on an
# ASan+UBSan build (what CI runs). SANITIZE=thread (or any list) runs only
# that build; PF_SKIP_SANITIZER=1 runs only the plain one (quicker, for a
# developer's loop).
set -e
cd "$(dirname "$0")"
./scripts/deps.sh

suite() {       # BUILD-DIR [SANITIZERS]
	echo "== ctest in $1${2:+ (sanitizers: $2)}"
	cmake -S . -B "$1" -DDEVELOPER=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		${2:+-DSANITIZE=$2} >/dev/null
	cmake --build "$1" -j"$(nproc)"
	(cd "$1" && ctest --output-on-failure -j"$(nproc)" --timeout 900 ${CTEST_ARGS:-})
}

if [ -n "${SANITIZE:-}" ]; then
	suite "${BUILD:-build-test-san}" "$SANITIZE"
	exit
fi
suite "${BUILD:-build-test}"
[ "${PF_SKIP_SANITIZER:-0}" = 1 ] || suite build-test-san address,undefined
