#!/bin/sh
# bench-smoke: the micro benchmark still runs and prints one well-formed,
# numeric line per op. A handful of rounds; no timing is checked.
set -eu
micro=$1
dir=$(mktemp -d "${TMPDIR:-/dev/shm}/pf-bench-smoke-XXXXXX")
trap 'rm -rf "$dir"' EXIT
out=$("$micro" --target smoke --rounds 20 --max-ms 500 "$dir")
printf '%s\n' "$out"
ops="stat open_close pread_4k pwrite_4k pread_1m pwrite_1m append_fdatasync_4k create_unlink mkdir_rmdir rename readdir_1000 getxattr setxattr"
for op in $ops; do
	line=$(printf '%s\n' "$out" | awk -v op="$op" '$1 == op && $2 == "smoke"')
	if ! printf '%s\n' "$line" | awk 'NF == 5 && $3 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ && $3 > 0 && $4 >= $3 && $5 >= 10 { ok = 1 } END { exit !ok }'; then
		echo "bench-smoke: bad or missing line for $op: '$line'" >&2
		exit 1
	fi
done
# The work directory must be gone: the benchmark cleans up after itself.
if [ -n "$(ls -A "$dir")" ]; then
	echo "bench-smoke: left files behind: $(ls -A "$dir")" >&2
	exit 1
fi
echo "bench-smoke: ok"
