#!/usr/bin/env bats
# Compiling in the pool: cc -c and link output written into the pool, and
# make -j2 of a small project; the binaries are also copied to the host and
# run there (running them in the pool is exec.bats's).

load helpers

setup() {
	pf_setup || return 1
	require_tool cc make
}

@test "cc: compile and link into the pool, run a host copy" {
	differential '
set -e
cd "$D"
cat >hello.c <<"EOF"
#include <stdio.h>
int main(int argc, char **argv) { printf("hello from %s, %d args\n", "the pool", argc); return 3; }
EOF
cc -c hello.c -o hello.o
cc -o hello hello.o
cc -O2 -o "$D/hello2" "$D/hello.c"
cc -o "$H/hello-host" hello.c
cmp hello "$H/hello-host" && echo same-binary
test -x hello && echo executable-bit
stat -c "%a" hello hello2
cp hello "$H/run-me"
set +e
"$H/run-me" a b; echo "status=$?"
'
	native_out stdout | grep -qx 'hello from the pool, 3 args'
	native_out stdout | grep -qx 'same-binary'
}

@test "make -j2 of a small project in the pool, then incremental rebuild" {
	differential '
set -e
mkdir -p "$D/p/src"
cd "$D/p"
for n in 1 2 3 4 5 6; do
	printf "int f%d(void) { return %d; }\n" $n $((n * n)) >src/f$n.c
done
{
	echo "#include <stdio.h>"
	for n in 1 2 3 4 5 6; do echo "int f$n(void);"; done
	echo "int main(void) { printf(\"%d\\n\", f1()+f2()+f3()+f4()+f5()+f6()); return 0; }"
} >src/main.c
cat >Makefile <<"EOF"
SRCS := $(sort $(wildcard src/*.c))
OBJS := $(SRCS:src/%.c=obj/%.o)
prog: $(OBJS)
	$(CC) -o $@ $(OBJS)
obj/%.o: src/%.c | obj
	$(CC) -c -o $@ $<
obj:
	mkdir -p obj
clean:
	rm -rf obj prog
EOF
make -s -j2
ls obj | sort
cp prog "$H/prog"; "$H/prog"
make
touch -d "2000-01-01" src/f1.c
make -q && echo "up to date despite old source"
sleep 1
touch src/f3.c
make
"$H/prog"
make -s clean
ls
cd "$H" && make -s -j2 -C "$D/p" && cp "$D/p/prog" "$H/prog2" && "$H/prog2"
'
	native_out stdout | grep -qx '91'
	native_out stdout | grep -qx "make: 'prog' is up to date."
	native_out stdout | grep -qx 'cc -c -o obj/f3.o src/f3.c'
}
