#!/bin/sh
# The shared core exports exactly the functions its public header declares:
# a symbol exported but not declared is an internal that leaked into the
# ABI; one declared but not exported is an API that applications cannot
# link. And the installed libraries carry no test hooks (the persist-point
# hook variables exist only with PF_TEST_HOOKS).
# Usage: core_abi_check.sh LIBPMEMFILE-CORE.SO CORE.H [LIBPMEMFILE-CORE.A]
set -eu
lib=$1
hdr=$2
for l in "$lib" ${3:-}; do
	if nm "$l" 2>/dev/null | grep -Eq ' (pf_hook_fn|pf_tx_stage)$'; then
		echo "$l: built with the test hooks (PF_TEST_HOOKS)"
		exit 1
	fi
done
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
