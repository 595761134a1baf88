#!/bin/sh
# Builds the Debian packages of a build directory (cpack), installs them,
# and tries what was installed: the programs from /usr/bin (a demo, then
# end-to-end tests run against them), the man pages, and a program built
# against the library with pkg-config. Removes the packages at the end.
# Needs root (dpkg); run-tests.sh runs it in CI (CI=true) or when
# PF_PACKAGE_TEST=1.
# Usage: scripts/package-test.sh BUILD-DIR
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd)
[ "$(id -u)" = 0 ] || { echo "package-test: needs root (dpkg -i)" >&2; exit 1; }
PKGS="pmemfile-run libpmemfile-core0 libpmemfile-core-dev"
TMP=$(mktemp -d)
cleanup() {
	dpkg -P $PKGS >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
echo "== packages of $B"
(cd "$B" && rm -f ./*.deb && cpack -G DEB >/dev/null)
for p in $PKGS; do
	ls "$B"/${p}_*.deb >/dev/null || { echo "package-test: no $p package" >&2; exit 1; }
done
dpkg -i "$B"/*.deb >/dev/null
for f in /usr/bin/pmemfile-run /usr/bin/mkfs.pmemfile /usr/bin/pmemfile \
	 /usr/share/man/man1/pmemfile-run.1 /usr/share/man/man7/pmemfile.7 \
	 /usr/share/man/man8/mkfs.pmemfile.8 /usr/include/pmemfile/core.h; do
	[ -f "$f" ] || { echo "package-test: $f not installed" >&2; exit 1; }
done

# the demo, with the installed programs
export PMEM_IS_PMEM_FORCE=1
/usr/bin/mkfs.pmemfile "$TMP/demo.pool" 32M >/dev/null
out=$(/usr/bin/pmemfile-run --pool "$TMP/demo.pool" --mount /pmem -- \
	sh -c 'echo installed > /pmem/hello && cat /pmem/hello')
[ "$out" = installed ] || { echo "package-test: demo printed '$out'" >&2; exit 1; }
/usr/bin/pmemfile fsck "$TMP/demo.pool" >/dev/null

# a program against the installed library, found by pkg-config
cat > "$TMP/use.c" <<'PROG'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <pmemfile/core.h>
int main(int argc, char **argv)
{
	char msg[256], buf[16] = "";
	pf_pool *p;
	pf_file *f;
	struct pf_caller root = { .caps = ~0ull };
	if (pf_pool_create(argv[1], 32 << 20, 1, msg, sizeof msg) ||
	    pf_pool_open(argv[1], 0, &p, msg, sizeof msg) ||
	    pf_openat(p, &root, NULL, "/f", O_CREAT | O_RDWR, 0644, &f) ||
	    pf_pwrite(p, &root, f, "linked", 6, 0) != 6 ||
	    pf_pread(p, f, buf, sizeof buf, 0) != 6)
		return 1;
	pf_close(f);
	pf_pool_close(p);
	puts(buf);
	return argc > 2;
}
PROG
cc -o "$TMP/use-shared" "$TMP/use.c" $(pkg-config --cflags --libs libpmemfile-core)
# the static library, with the libraries it needs (Requires.private)
cc -o "$TMP/use-static" "$TMP/use.c" $(pkg-config --cflags libpmemfile-core) \
	"$(pkg-config --variable=libdir libpmemfile-core)/libpmemfile-core.a" \
	$(pkg-config --libs libpmemobj libpmem) -pthread
for how in shared static; do
	out=$("$TMP/use-$how" "$TMP/lib-$how.pool")
	[ "$out" = linked ] || { echo "package-test: $how program printed '$out'" >&2; exit 1; }
done
lib=$(ldd "$TMP/use-shared" | sed -n 's/.*libpmemfile-core.so.0 => \([^ ]*\).*/\1/p')
[ "$(readlink -f "$lib")" = "$(readlink -f /usr/lib/libpmemfile-core.so.0)" ] ||
	{ echo "package-test: linked with '$lib', not the installed library" >&2; exit 1; }
if ldd "$TMP/use-static" | grep -q libpmemfile-core; then
	echo "package-test: the static program loads the shared library" >&2; exit 1
fi

# end-to-end tests against the installed programs
if ! PMEMFILE_RUN=/usr/bin/pmemfile-run MKFS_PMEMFILE=/usr/bin/mkfs.pmemfile \
   PMEMFILE_TOOL=/usr/bin/pmemfile E2E_CACHE_DIR="$TMP/cache" \
   bats --tap "$SRC/tests/e2e/shell.bats" "$SRC/tests/e2e/coreutils.bats" \
	> "$TMP/e2e.tap" 2>&1; then
	grep -v '^ok' "$TMP/e2e.tap"
	echo "package-test: end-to-end tests failed with the installed programs" >&2
	exit 1
fi
echo "package-test: $(grep -c '^ok' "$TMP/e2e.tap") end-to-end tests passed with the installed programs"
echo "package-test: $PKGS installed and working"
