#!/bin/bash
# smoke.sh PMEMFILE_RUN: the same shell scenario natively on tmpfs and in a
# pool; outputs must match. Then checks specific to pmemfile-run (exit
# statuses, /proc links, cwd inheritance, --trace).
set -u
run=$1
pool=/dev/shm/pf-test-smoke-$$
native=/dev/shm/pf-test-smoke-native-$$
out=/dev/shm/pf-test-smoke-out-$$
trap 'rm -rf "$pool" "$native" "$out".*' EXIT
fail=0
check() {  # check NAME GOT WANT
	if [ "$2" != "$3" ]; then
		echo "FAIL $1: got [$2] want [$3]"; fail=1
	else
		echo "ok $1"
	fi
}

scenario='
set -e
cd "$D"
echo hi > a; cat a
mkdir -p d/e; echo x > d/e/f; ls -R d
cd d; echo rel > r; cat r; ls; cd ..
cat d/e/f ./d/../a
ln -s a sym; readlink sym; cat sym; ln a hard; stat -c "%h %s %F" a hard sym
mv hard d/moved; ls d
chmod 640 a; stat -c %a a
truncate -s 5 a; stat -c %s a; od -c a | head -2
for i in 1 2 3; do echo $i >> log; done; cat log; wc -l < log
exec 3> out; echo one >&3; (echo two >&3); echo three >&3; exec 3>&-; cat out
echo err 2>> log >&2; tail -1 log
seq 1 2000 > nums; sort -rn nums | head -3; sort -rn -T . nums > sorted; tail -1 sorted
dd if=/dev/zero of=zero bs=4096 count=16 2>/dev/null; stat -c %s zero
tar cf t.tar d a 2>/dev/null; mkdir x; tar xf t.tar -C x; ls -R x
gzip -c nums > nums.gz; gunzip -c nums.gz | md5sum
cp -a d copy; ls copy; rm -r copy; ls
touch -d "2001-02-03 04:05:06" a; stat -c %y a | cut -c1-19
(cd d/e && pwd | sed "s|^$D||") ; pwd | sed "s|^$D|D|"
find . -name f | sort
rm -rf d x; ls
'
mkdir -p "$native"
D=$native bash -c "$scenario" > "$out.native" 2>&1
"$run" --pool "$pool" --create 64M --mount /mnt -- env D=/mnt bash -c "$scenario" > "$out.pool" 2>&1
echo "pmemfile-run exit: $?"
if diff -u "$out.native" "$out.pool"; then echo "ok differential"; else echo "FAIL differential"; fail=1; fi

r() { "$run" --pool "$pool" --mount /mnt -- "$@"; }
r sh -c 'exit 7'; check exit-status $? 7
r sh -c 'kill -TERM $$'; check exit-signal $? 143
r /nonexistent/cmd 2>/dev/null; check exit-notfound $? 127
r /etc/passwd 2>/dev/null; check exit-noexec $? 126
"$run" --pool /dev/shm/pf-test-none-$$ --mount /mnt -- true 2>/dev/null; check exit-nopool $? 125
"$run" --pool "$pool" --mount relative -- true 2>/dev/null; check exit-relmount $? 125
"$run" --bogus -- true 2>/dev/null; check exit-badopt $? 125

check proc-fd "$(r bash -c 'exec 5>/mnt/p5; readlink /proc/self/fd/5; ls -l /proc/$$/fd/5 | sed "s/.*-> //"')" "/mnt/p5
/mnt/p5"
check proc-cwd "$(r bash -c 'cd /mnt && readlink /proc/self/cwd && /bin/pwd')" "/mnt
/mnt"
check dev-stdin "$(r bash -c 'echo in > /mnt/in; cat /dev/stdin < /mnt/in')" "in"
check cwd-inherit "$(r bash -c 'mkdir -p /mnt/c1 /mnt/c2; (cd /mnt/c1; sleep 0.3; /bin/pwd) & cd /mnt/c2; wait; /bin/pwd')" "/mnt/c1
/mnt/c2"
check unlinked-open "$(r bash -c 'echo keep > /mnt/u; exec 4</mnt/u; rm /mnt/u; cat <&4; ls /mnt/u 2>&1 | grep -c "No such"')" "keep
1"
check exdev "$(r bash -c 'echo x > /mnt/m; mv /mnt/m /dev/shm/pf-test-mv-$$ && cat /dev/shm/pf-test-mv-$$ && rm /dev/shm/pf-test-mv-$$; ls /mnt/m 2>&1 | grep -c "No such"')" "x
1"
check escape-dotdot "$(r bash -c 'cd /mnt; cat ../etc/hostname')" "$(cat /etc/hostname)"
check symlink-to-host "$(r bash -c 'ln -sf /etc/hostname /mnt/hn; cat /mnt/hn')" "$(cat /etc/hostname)"
check trace "$(r true 2>&1; "$run" --trace --pool "$pool" --mount /mnt -- cat /mnt/in 2>&1 >/dev/null | grep -c 'openat(AT_FDCWD, "/mnt/in", O_RDONLY) = [0-9]')" "1"
check make-in-pool "$(r bash -c 'mkdir -p /mnt/src && cd /mnt/src && printf "#include <stdio.h>\nint main(void){puts(\"built\");return 0;}\n" > m.c && printf "prog: m.o\n\tcc -o prog m.o\nm.o: m.c\n\tcc -c m.c\n" > Makefile && make -s -j2 && cp prog /dev/shm/pf-test-prog-$$ && /dev/shm/pf-test-prog-$$; rm -f /dev/shm/pf-test-prog-$$')" "built"
check exec-in-pool "$(r bash -c '/mnt/src/prog; echo $?')" "built
0"
check mmap-shared-write "$(r python3 -c '
import mmap
f = open("/mnt/in", "rb")
print(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)[:2].decode())
f = open("/mnt/in", "r+b")
m = mmap.mmap(f.fileno(), 0)
m[0:2] = b"IN"
print(open("/mnt/in", "rb").read(2).decode())' 2>&1)" "in
IN"
exit $fail
