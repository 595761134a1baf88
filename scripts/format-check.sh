#!/bin/sh
# The lines a change adds or alters in C files must be formatted as
# .clang-format says (the code's own style); lines it does not touch are
# left alone, and a file that was only moved has no changed lines (rename
# detection, which git clang-format lacks). BASE (argument, or
# PF_FORMAT_BASE; default the parent commit): what the working tree is
# compared with. Fix: git clang-format BASE.
set -eu
cd "$(dirname "$0")/.."
base=${1:-${PF_FORMAT_BASE:-HEAD~1}}
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null 2>&1; then
	echo "format-check: no $base to compare with (a shallow clone?); skipped"
	exit 0
fi
bad=0
# "FILE FIRST LAST" for the new side of each hunk ("@@ -a,b +c,d @@": lines
# c..c+d-1), from one diff with rename detection
ranges=$(git diff -M -U0 "$base" -- '*.c' '*.h' | awk '
	/^\+\+\+ / { f = substr($2, 3); next }
	/^@@ / { split($3, n, ","); c = substr(n[1], 2); d = (2 in n) ? n[2] : 1
		 if (d > 0 && f != "ev/null") print f, c, c + d - 1 }')
for f in $(printf '%s\n' "$ranges" | awk 'NF { print $1 }' | sort -u); do
	[ -f "$f" ] || continue
	lines=$(printf '%s\n' "$ranges" |
		awk -v f="$f" '$1 == f { printf "--lines=%d:%d ", $2, $3 }')
	# shellcheck disable=SC2086
	if ! clang-format $lines "$f" | diff -u "$f" - >/tmp/format-check.$$; then
		cat /tmp/format-check.$$
		bad=1
	fi
done
rm -f /tmp/format-check.$$
if [ $bad -ne 0 ]; then
	echo "format-check: format the lines above (git clang-format $base)" >&2
	exit 1
fi
echo "format-check: the C lines changed since $base are formatted"
