#!/bin/sh
# The lines a change adds or alters in C files must be formatted as
# .clang-format says (the code's own style); lines it does not touch are
# left alone. BASE (argument, or PF_FORMAT_BASE; default the parent
# commit): what the change is compared with. Fix: git clang-format BASE.
set -eu
cd "$(dirname "$0")/.."
base=${1:-${PF_FORMAT_BASE:-HEAD~1}}
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null 2>&1; then
	echo "format-check: no $base to compare with (a shallow clone?); skipped"
	exit 0
fi
out=$(git clang-format --diff "$base" -- '*.c' '*.h' 2>&1) || true
case "$out" in
"" | "no modified files to format" | "clang-format did not modify any files")
	echo "format-check: the C lines changed since $base are formatted"
	exit 0 ;;
esac
printf '%s\n' "$out"
echo "format-check: format the lines above (git clang-format $base)" >&2
exit 1
