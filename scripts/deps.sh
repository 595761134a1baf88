#!/bin/sh
# Installs what pmemfile-run needs to build and test on Debian 12.
# One list, used by quickstart.sh, run-tests.sh and .ci/run.
set -e
PKGS="build-essential cmake pkg-config libseccomp-dev libpmemobj-dev libpmem-dev
pmdk-tools bats busybox-static sqlite3 fio golang-go clang libclang-rt-14-dev
valgrind gdb gnuplot-nox tar gzip make coreutils findutils git clang-format jq
python3 python3-venv perl socat attr rsync libcap2-bin
lmdb-utils python3-lmdb inotify-tools"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "deps.sh: installing:$missing" >&2
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
