#!/usr/bin/env bats
# Programs stored in the pool run (pmemfile(7), EXECUTING POOL FILES): what
# a compiler just built, make check, libraries found by -rpath '$ORIGIN',
# LD_LIBRARY_PATH and dlopen, #! scripts for sh, bash, perl and python
# (through /usr/bin/env too), a virtualenv, static busybox, and the shell's
# answers for what cannot run. Each scenario runs natively on tmpfs and in
# the pool, and the outputs must be the same.

load helpers

setup() {
	pf_setup || return 1
	require_tool cc make perl /usr/bin/python3 busybox
}

@test "cc: build in the pool and run it there, with a library next to it" {
	differential '
set -e
cd "$D"
cat >lib.c <<"EOF"
int twice(int x) { return 2 * x; }
EOF
cat >main.c <<"EOF"
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int twice(int x);
int main(int argc, char **argv)
{
	char exe[4096] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	const char *base = strrchr(exe, 0x2f);
	printf("argc=%d argv0=%s twice=%d exe=%s\n", argc, argv[0], twice(21), base);
	void *h = dlopen(argc > 1 ? argv[1] : "libtwice.so", RTLD_NOW);
	int (*f)(int) = h ? (int (*)(int))dlsym(h, "twice") : NULL;
	printf("dlopen: %s\n", f ? "ok" : dlerror());
	return f ? f(2) : 1;
}
EOF
cc -shared -fPIC -o libtwice.so lib.c
mkdir -p bin
cc -o bin/app main.c -L. -ltwice -Wl,-rpath,"\$ORIGIN/.." -ldl
set +e
./bin/app "$D/libtwice.so"; echo "status=$?"
bin/app; echo "status=$?"
cd bin && ./app ../libtwice.so; echo "status=$?"; cd ..
cc -o app2 main.c -L. -ltwice -ldl
LD_LIBRARY_PATH="$D" ./app2 "$D/libtwice.so"; echo "status=$?"
./app2; echo "status=$?"
PATH="$D/bin:$PATH" app "$D/libtwice.so" x y; echo "status=$?"
'
	native_out stdout | grep -qx 'argc=2 argv0=./bin/app twice=42 exe=/app'
	native_out stdout | grep -qx 'status=4'
}

@test "make check runs the test program it just built" {
	differential '
set -e
mkdir -p "$D/p"
cd "$D/p"
cat >sum.c <<"EOF"
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	long s = 0;
	for (int i = 1; i < argc; i++)
		s += atol(argv[i]);
	printf("%ld\n", s);
	return s == 6 ? 0 : 1;
}
EOF
cat >test.sh <<"EOF"
#!/bin/sh
set -e
test "$(./sum 1 2 3)" = 6
echo "PASS: $(basename "$0") in $(basename "$(dirname "$(realpath "$0")")")"
EOF
chmod +x test.sh
cat >Makefile <<"EOF"
sum: sum.c
	$(CC) -o $@ $<
check: sum
	./sum 1 2 3
	./test.sh
.PHONY: check
EOF
make -s check
make -s check
touch sum.c && make -s check
'
	native_out stdout | grep -qx 'PASS: test.sh in p'
}

@test "#! scripts: sh, bash, perl and python, by path, through env, \$0 and __FILE__" {
	differential '
set -e
mkdir -p "$D/s/sub"
cd "$D/s"
printf "#!/bin/sh\necho \"sh: \$0 \$# \$*\"\n" >a.sh
printf "#!/bin/bash -e\necho \"bash: \$0 \$(basename \"\$(dirname \"\$0\")\") \${BASH_SOURCE[0]}\"\n" >sub/b.sh
printf "#!/usr/bin/env perl\nprint \"perl: \$0 \", __FILE__, \" @ARGV\\\\n\";\n" >c.pl
printf "#!/usr/bin/python3 -S\nimport sys, os\nprint(\"python:\", sys.argv, os.path.basename(__file__))\n" >d.py
printf "#!/usr/bin/env python3\nimport sys\nprint(\"env python:\", sys.argv[0])\n" >e.py
chmod 755 a.sh sub/b.sh c.pl d.py e.py
./a.sh 1 "2 3"
"$D/s/a.sh"
sub/b.sh
./c.pl x y
./d.py --flag
"$D/s/e.py"
cd sub && ../a.sh up; cd ..
PATH="$D/s:$PATH" a.sh via-path
sh -c "exec ./a.sh exec"
'
	native_out stdout | grep -qx 'sh: ./a.sh 2 1 2 3'
	native_out stdout | grep -qx 'perl: ./c.pl ./c.pl x y'
}

@test "python virtualenv in the pool: its python finds pyvenv.cfg" {
	differential '
set -e
/usr/bin/python3 -m venv --without-pip "$D/v"
test -L "$D/v/bin/python"
"$D/v/bin/python" -c "import sys; print(sys.prefix == sys.base_prefix, sys.prefix)"
. "$D/v/bin/activate"
python -c "import sys; print(sys.executable)"
printf "#!$D/v/bin/python\nimport sys\nprint(\"venv script\", sys.prefix)\n" >"$D/v/bin/tool"
chmod +x "$D/v/bin/tool"
tool
deactivate
# the venv'"'"'s files hold its absolute path: not comparable
rm -rf "$D/v"
'
	native_out stdout | grep -qx 'False @D@/v'
	native_out stdout | grep -qx 'venv script @D@/v'
}

@test "static busybox stored in the pool runs its applets" {
	differential '
set -e
cp "$(command -v busybox)" "$D/busybox"
cd "$D"
./busybox echo hi from busybox
ln -s busybox ls
./ls -1 "$D" | sort
./busybox sh -c "echo \$0; ./busybox true && echo nested"
'
	native_out stdout | grep -qx 'hi from busybox'
}

@test "what cannot run: 127 for missing, 126 for no permission, ENOEXEC runs as a shell script" {
	differential '
cd "$D"
./missing; echo "status=$?"
printf "echo ran by the shell\n" >plain
chmod +x plain
./plain; echo "status=$?"
sh -c ./plain; echo "status=$?"
printf "#!/bin/sh\necho x\n" >noperm
chmod 644 noperm
./noperm; echo "status=$?"
mkdir d
./d; echo "status=$?"
printf "#!/nonexistent/interp\n" >badinterp
chmod +x badinterp
./badinterp; echo "status=$?"
command -v ./plain
'
	native_out stdout | grep -qx 'ran by the shell'
	native_out stdout | grep -qx 'status=127'
	native_out stdout | grep -qx 'status=126'
}
