#!/bin/sh
# The shared core exports exactly the functions its public header declares:
# a symbol exported but not declared is an internal that leaked into the
# ABI; one declared but not exported is an API that applications cannot
# link. Usage: abi_check.sh LIBPMEMFILE-CORE.SO CORE.H
set -eu
lib=$1
hdr=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWiDdBbRrVv]$/ { print $3 }' |
	sed 's/@.*//' | sort -u > "$tmp/exported"
# the functions the header declares (pf_name followed by "("), and its
# extern objects
{ grep -oE '\bpf_[a-z0-9_]+ *\(' "$hdr" | tr -d ' ('
  grep -E '^extern ' "$hdr" | grep -oE '\bpf_[a-z0-9_]+'
} | sort -u > "$tmp/declared"
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
if [ -n "$extra" ] || [ -n "$missing" ]; then
	[ -z "$extra" ] || { echo "exported but not in $hdr:"; echo "$extra"; }
	[ -z "$missing" ] || { echo "declared in $hdr but not exported:"; echo "$missing"; }
	exit 1
fi
echo "core-abi: $(wc -l < "$tmp/exported") symbols exported, all of them declared in core.h"
