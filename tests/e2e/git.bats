#!/usr/bin/env bats
# git with its repositories in the pool, against the same scenario on
# tmpfs: commits, renames, a branch and a merge, gc and repack (pack files
# read through mmap), fsck --strict, and a local clone (which hard-links
# the object files). Dates are fixed, so object names are the same in both
# runs; the index files (inode numbers, stat times) are dropped and the
# clone's record of its origin's path rewritten before the trees are
# compared.

load helpers

setup() {
	pf_setup || return 1
	require_tool git
}

@test "git: commit, mv, rm, branch, merge, gc, fsck, clone, repack" {
	differential '
set -e
export GIT_AUTHOR_DATE="2026-01-02T03:04:05Z" GIT_COMMITTER_DATE="2026-01-02T03:04:05Z"
export GIT_CONFIG_NOSYSTEM=1 HOME="$H"
git config --global user.email t@example.com
git config --global user.name Tester
git config --global init.defaultBranch main
cd "$D" && git init -q repo && cd repo
for i in $(seq 1 50); do echo "line $i" >f$i.txt; done
mkdir -p sub/dir && echo deep >sub/dir/x
git add -A && git commit -qm first
for i in $(seq 1 20); do echo "more $i" >>f$i.txt; done
git mv f1.txt renamed.txt
git rm -q f30.txt
git commit -qam second
git branch feature && git checkout -q feature
echo feat >feat.txt && git add feat.txt && git commit -qm feat
git checkout -q main
echo main >main.txt && git add main.txt && git commit -qm main-side
git merge -q --no-edit feature
git gc -q
git fsck --strict --no-progress
git log --format="%H %s" | sort
git status --porcelain | wc -l
git diff HEAD~2 --stat | tail -1
cd "$D" && git clone -q repo clone && cd clone
git log --oneline | wc -l
ls | wc -l
stat -c "%h" "$(find .git/objects/pack -name "*.pack" | head -1)"
git repack -adq && git count-objects -v | grep -E "^(count|packs):"
git fsck --strict --no-progress
cd "$D" && rm -f repo/.git/index clone/.git/index
# the clone records where it came from: the two runs differ only there
grep -rlF "$D" clone/.git | xargs sed -i "s|$D|@D@|g"
'
	native_out stdout | grep -qx "0"
	native_out stdout | grep -q "files changed"
}
