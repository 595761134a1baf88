#!/usr/bin/env bats
# A static Go program (CGO_ENABLED=0: raw syscalls, no libc) built in the
# test and run natively on tmpfs and in the pool; outputs compared.

load helpers

build_go() {
	require_tool go || return 1
	mkdir -p "$E2E_CACHE_DIR/go-build" "$WORK/gopath"
	(
		cd "$E2E_DIR/go" &&
		CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$E2E_CACHE_DIR/go-build" \
			GOPATH="$WORK/gopath" timeout 300 go build -o "$WORK/gotest" .
	) || fail "go build failed" || return 1
	! ldd "$WORK/gotest" >/dev/null 2>&1 || fail "gotest is not static"
}

@test "static Go program: goroutines write, read, rename, list files" {
	build_go
	export GOTEST=$WORK/gotest
	differential '"$GOTEST" "$D"'
	native_out stdout | grep -qx 'done'
	native_out stdout | grep -qx 'entries: 97 first: sub last: w7-f11.dat'
}

@test "static Go program: GOMAXPROCS=8 and the race of many threads" {
	build_go
	export GOTEST=$WORK/gotest
	differential 'GOMAXPROCS=8 "$GOTEST" "$D/a" >"$H/a.out" & GOMAXPROCS=8 "$GOTEST" "$D/b" >"$H/b.out"; wait; cat "$H/a.out" "$H/b.out"'
	[ "$(native_out stdout | grep -cx done)" -eq 2 ]
}
