#!/usr/bin/env bats
# inotify with real programs: inotifywait (inotify-tools) watching a tree
# in the pool while a shell changes it, and tail -f following a file;
# each run natively on tmpfs and in the pool and compared exactly
# (differential).

load helpers

# start_wait DIR OUT [ARGS...]: inotifywait -m on DIR in the background,
# its events in OUT, once its watches are set (WPID: its pid).
start_fn='start_wait() {
	local dir=$1 out=$2
	shift 2
	# made first: the background job creates them only once it runs
	: >"$out.err"
	inotifywait -m "$@" --format "%w%f %e" "$dir" >"$out" 2>>"$out.err" &
	WPID=$!
	for i in $(seq 200); do
		grep -q "Watches established" "$out.err" && return 0
		sleep 0.05
	done
	echo "inotifywait did not start"; cat "$out.err"
}
stop_wait() {
	sleep 0.5
	kill "$WPID"
	wait "$WPID" 2>/dev/null
}'

@test "inotifywait -m -r: a shell's changes to a watched tree" {
	require_tool inotifywait
	differential "$start_fn"'
mkdir -p "$D/w/sub"
echo a >"$D/w/sub/old"
start_wait "$D/w" "$H/ev" -r
echo hi >"$D/w/f"
echo more >>"$D/w/f"
cat "$D/w/f"
chmod 600 "$D/w/f"
ln "$D/w/f" "$D/w/hard"
mv "$D/w/f" "$D/w/sub/g"
rm "$D/w/sub/old"
mkdir "$D/w/newdir"
sleep 0.3
touch "$D/w/newdir/x"
ls "$D/w/sub" >/dev/null
rm -r "$D/w/sub"
rm "$D/w/hard"
stop_wait
cat "$H/ev"
rm "$H/ev" "$H/ev.err" # they hold the run'"'"'s own paths
'
}

@test "inotifywait: a single file, its own events, until it is removed" {
	require_tool inotifywait
	differential "$start_fn"'
echo x >"$D/file"
start_wait "$D/file" "$H/ev"
echo y >>"$D/file"
chmod 640 "$D/file"
mv "$D/file" "$D/file2"
rm "$D/file2"
stop_wait
cat "$H/ev"
rm "$H/ev" "$H/ev.err" # they hold the run'"'"'s own paths
'
}

@test "inotifywait -e create --timeout: one event, then exit" {
	require_tool inotifywait
	differential '
mkdir "$D/one"
(sleep 0.5; : >"$D/one/made") &
inotifywait -q -e create --format "%f %e" "$D/one"
echo "status $?"
wait
'
}

# Python through ctypes, as watchdog's inotify backend does: the raw
# events (wd, mask, cookie paired, name) of a watched pool directory.
# (tail -f would not do: coreutils takes the pool's unknown statfs magic
# for a remote file system and polls.)
@test "python3 ctypes: inotify_init1, inotify_add_watch, read" {
	require_tool python3
	differential '
cat >"$H/w.py" <<"PY"
import ctypes, os, struct, sys, select
libc = ctypes.CDLL(None, use_errno=True)
d = sys.argv[1]
fd = libc.inotify_init1(os.O_NONBLOCK)
wd = libc.inotify_add_watch(fd, d.encode(), 0xfff)
print("wd", wd)
bad = libc.inotify_add_watch(fd, (d + "/none").encode(), 0xfff)
print("missing", bad, os.strerror(ctypes.get_errno()))
open(d + "/a", "w").write("x")
os.rename(d + "/a", d + "/b")
os.mkdir(d + "/sub")
os.chmod(d + "/b", 0o600)
os.unlink(d + "/b")
os.rmdir(d + "/sub")
os.stat(d)
cookies = {}
while select.select([fd], [], [], 0.3)[0]:
    buf = os.read(fd, 65536)
    i = 0
    while i < len(buf):
        w, mask, cookie, n = struct.unpack_from("iIII", buf, i)
        name = buf[i + 16:i + 16 + n].rstrip(b"\0").decode()
        c = cookies.setdefault(cookie, len(cookies)) if cookie else "-"
        print(w, hex(mask), c, n, name)
        i += 16 + n
PY
python3 "$H/w.py" "$D"
rm "$H/w.py"
'
}
