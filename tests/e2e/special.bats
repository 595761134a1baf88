#!/usr/bin/env bats
# FIFOs and UNIX sockets in the pool with real programs (pmemfile(7),
# FIFOS AND UNIX SOCKETS): a Python server and client (stream and
# datagram), socat, and a static Go program (net.ListenUnix, WriteToUnix
# through sendmsg, a FIFO), each run natively on tmpfs and in the pool.

load helpers

@test "python: a UNIX stream server and its client, datagrams, errors" {
	require_tool /usr/bin/python3
	cat >"$WORK/us.py" <<'PY'
import os, socket, sys, threading
d = sys.argv[1]
p = os.path.join(d, "sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(p)
s.listen(1)
print("bound", s.getsockname() == p, oct(os.stat(p).st_mode))
def serve():
    c, _ = s.accept()
    c.sendall(b"hello " + c.recv(100))
    c.close()
t = threading.Thread(target=serve)
t.start()
cl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cl.connect(p)
print("peer", cl.getpeername() == p)
cl.sendall(b"world")
print(cl.recv(100))
t.join()
try:
    socket.socket(socket.AF_UNIX).bind(p)
except OSError as e:
    print("rebind:", e.strerror)
q = os.path.join(d, "dg")
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dg.bind(q)
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"dgram", q)
print(dg.recv(10))
os.unlink(p)
for target in (p, os.path.join(d, "plain")):
    open(os.path.join(d, "plain"), "w").close()
    try:
        socket.socket(socket.AF_UNIX).connect(target)
    except OSError as e:
        print(os.path.basename(target), e.strerror)
os.chdir(d)
r = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
r.bind("rel.sock")
r.listen(1)
socket.socket(socket.AF_UNIX).connect("rel.sock")
print("relative ok")
for n in ("dg", "plain", "rel.sock"):
    os.unlink(n)
PY
	differential '/usr/bin/python3 "$H/../../us.py" "$D"'
	native_out stdout | grep -qx 'relative ok'
	native_out stdout | grep -qx 'sock No such file or directory'
}

@test "socat: a listener and clients on a pool socket" {
	require_tool socat
	differential '
socat UNIX-LISTEN:"$D/s.sock",fork EXEC:"tr a-z A-Z" &
for i in $(seq 50); do test -S "$D/s.sock" && break; sleep 0.1; done
echo "one" | socat - UNIX-CONNECT:"$D/s.sock"
echo "two" | socat - UNIX-CONNECT:"$D/s.sock"
kill %1
wait
rm -f "$D/s.sock"
'
	native_out stdout | grep -qx 'TWO'
}

@test "static Go program: UNIX stream and datagram sockets and a FIFO" {
	require_tool go
	mkdir -p "$E2E_CACHE_DIR/go-build" "$WORK/gopath"
	(
		cd "$E2E_DIR/gounix" &&
		CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$E2E_CACHE_DIR/go-build" \
			GOPATH="$WORK/gopath" timeout 300 go build -o "$WORK/gounix" .
	) || fail "go build failed"
	export GOUNIX=$WORK/gounix
	differential '"$GOUNIX" "$D"'
	native_out stdout | grep -qx 'done'
	native_out stdout | grep -qx 'reply: HELLO FROM GO'
}
