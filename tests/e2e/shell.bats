#!/usr/bin/env bats
# bash in the pool: redirections onto fds 0/1/2, here-docs, pipes,
# subshells, cd and the virtual cwd, /proc/self/{cwd,fd} links. Each
# scenario runs natively on tmpfs and in the pool; outputs must be equal.

load helpers

@test "redirections: > >> < 2>> here-docs, exec fds" {
	differential '
cd "$D"
echo one >f
echo two >>f
cat <f
while read -r l; do echo "got $l"; done <"$D/f"
ls /nonexistent-dir-xyz 2>>log
ls /nonexistent-dir-xyz 2>>log
wc -l <log
{ echo out; echo err >&2; } >both 2>&1
cat both
cat <<EOF >heredoc
line 1 $((6 * 7))
line 2
EOF
cat heredoc
cat <<-"EOF" >>heredoc
	literal $HOME
	EOF
tail -1 heredoc
exec 3<>rw
echo abc >&3
exec 3>&-
exec 4<rw
read -r x <&4; echo "read $x"
exec 4<&-
exec 5>>f; echo three >&5; exec 5>&-
cat f
echo -n partial >p; echo " done" >>p; cat p
set -o noclobber; (echo x >f) 2>/dev/null || echo noclobber-works; set +o noclobber
: >f; stat -c %s f
printf "%s\n" a b c | tee t1 t2 >/dev/null; cat t1 t2
'
	native_out stdout | grep -qx 'line 1 42'
	native_out stdout | grep -qx 'noclobber-works'
}

@test "pipes and process substitution" {
	differential '
set -o pipefail
cd "$D"
seq 1 20000 | tee t | sort -rn | head -3 >h
cat h
wc -l <t
cat t | grep -c 7
sort -n t | uniq | wc -l
diff <(seq 1 20000) t && echo same
paste -d, <(seq 3) <(seq 4 6) >pasted; cat pasted
cat t | gzip -c | gzip -dc | cmp - t && echo gz-pipe-ok
yes abcdefgh | head -c 1000000 >big; wc -c <big
'
	native_out stdout | grep -qx 'same'
}

@test "subshells, cd, pwd, pwd -P, relative paths" {
	differential '
cd "$D"
mkdir -p x/y a b real
ln -s real sym
cd x; pwd; pwd -P
echo rel >y/relfile
cat ../x/y/relfile
cd y; ls; cd ../..; pwd
ls
(cd x/y && pwd && cat relfile)
pwd
cd sym; pwd; pwd -P; echo insym >f; cd ..; cat real/f
cd -P sym; pwd; cd "$D"
( cd "$D/a"; sleep 1; pwd; echo from-a >here ) & cd "$D/b"; wait; pwd
cat "$D/a/here"
ls "$D/b"
cd "$D/x" && bash -c "pwd; cat y/relfile"
cd "$D/x" && sh -c "pwd; ls"
cd "$D/x" && env --chdir=y pwd
cd "$D" && find x | sort
cd "$D/a" && for i in 1 2 3; do (echo $i >f$i) & done; wait; cat f1 f2 f3
cd "$H"; pwd
'
	native_out stdout | grep -qx '@D@/sym'
	native_out stdout | grep -qx '@D@/real'
}

@test "/proc/self/cwd and /proc/self/fd show the virtual path" {
	differential '
cd "$D"
mkdir -p sub
echo data >sub/f
cd sub
readlink /proc/self/cwd
cat /proc/self/cwd/f
ls /proc/self/cwd/
exec 4<f
readlink /proc/self/fd/4
readlink /proc/$$/fd/4
cat /dev/fd/4
exec 4<&-
cat </dev/stdin <f
exec 6>out
readlink /proc/self/fd/6
echo via-proc >/proc/self/fd/6
exec 6>&-
cat out
'
	native_out stdout | grep -qx '@D@/sub'
	native_out stdout | grep -qx '@D@/sub/f'
}

@test "a script stored in the pool runs with bash and is sourced" {
	differential '
cd "$D"
cat >lib.sh <<"EOF"
greet() { echo "hello $1"; }
EOF
cat >script.sh <<"EOF"
. "$(dirname "$0")/lib.sh"
greet "$1"
echo "args=$#"
exit 5
EOF
bash script.sh world extra
echo "status=$?"
bash <script.sh
echo "status=$?"
'
	native_out stdout | grep -qx 'hello world'
}

@test "a script stored in the pool runs, \$0 as the kernel passes it" {
	differential '
cd "$D"
printf "#!/bin/sh\necho \"ran \$0 \$*\"\nexit 4\n" >s.sh
chmod 755 s.sh
./s.sh a "b c"; echo "status=$?"
"$D/s.sh"; echo "status=$?"
sh -c "cd / && exec \"$D/s.sh\" x"; echo "status=$?"
'
	native_out stdout | grep -qx 'ran ./s.sh a b c'
}

@test "FIFO in the pool: a shell producer and consumer, in both orders" {
	differential '
cd "$D"
mkfifo ff
stat -c "%F %a" ff
(printf "one\ntwo\n" >ff) &
cat ff
wait
(sleep 0.2; echo late >ff) &
timeout 10 cat ff; echo "status=$?"
wait
(timeout 10 cat ff >out) &
sleep 0.2
seq 1 20000 >ff
wait
wc -l <out
exec 3<>ff
echo rw >&3
read -r l <&3
echo "got $l"
exec 3>&-
rm ff out
'
	native_out stdout | grep -qx 'got rw'
	native_out stdout | grep -qx '20000'
}

@test ".. at the pool root is the host directory holding the mount point" {
	run pfsh 'stat -c %i /mnt/pf/.. /mnt/pf/../ && stat -c %i /mnt &&
		ls -1 /mnt/pf/.. | sort && cd /mnt/pf && ls -1 .. | sort'
	expect_status 0
	local ino host_ls
	ino=$(stat -c %i /mnt)
	host_ls=$(ls -1 /mnt | sort)
	expect_eq output "$ino
$ino
$ino${host_ls:+
$host_ls}${host_ls:+
$host_ls}" "$output"
}
