#!/bin/sh
# The whole test suite: installs dependencies, builds with every warning as
# an error, runs every test with ctest. Set SANITIZE=address,undefined to run
# the suite on a sanitizer build instead (CI does both).
set -e
cd "$(dirname "$0")"
./scripts/deps.sh
BUILD=${BUILD:-build-test${SANITIZE:+-san}}
cmake -S . -B "$BUILD" -DDEVELOPER=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	${SANITIZE:+-DSANITIZE=$SANITIZE} >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
cd "$BUILD"
ctest --output-on-failure -j"$(nproc)" --timeout 900 ${CTEST_ARGS:-}
