#!/bin/sh
# Quick start: installs dependencies, builds, and runs a demo of the main
# job on a pool file it creates (./build/demo.pool, mounted at /pmem).
set -e
cd "$(dirname "$0")"
./scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

POOL=build/demo.pool
B=build
run() { echo "\$ $*"; "$@"; }
[ -e "$POOL" ] || run $B/tools/mkfs.pmemfile "$POOL" 256M
# Session 1: a shell, coreutils and a pipeline write into the pool.
run $B/launcher/pmemfile-run --pool "$POOL" --mount /pmem -- sh -c '
	mkdir -p /pmem/demo && cd /pmem/demo &&
	seq 1 100000 > numbers && sort -rn numbers | head -3 > top3 &&
	cp -a /etc/os-release . && ln -sf os-release release-link &&
	ls -l /pmem/demo && echo "cwd: $(pwd)"'
# Session 2: a static binary (busybox) sees the same files.
if [ -x /bin/busybox ]; then
	run $B/launcher/pmemfile-run --pool "$POOL" --mount /pmem -- \
		/bin/busybox sh -c 'cat /pmem/demo/top3; wc -l /pmem/demo/numbers'
fi
# The pool tool reads the pool without running anything, and checks it.
run $B/tools/pmemfile ls -l "$POOL" /demo
run $B/tools/pmemfile fsck "$POOL"
echo "demo done: the pool is $POOL; try: $B/launcher/pmemfile-run --pool $POOL --mount /pmem -- bash"
