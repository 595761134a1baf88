#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# bench/report.sh RAW [OUTDIR]: turns the raw figures of bench/run.sh into
# OUTDIR/RESULTS.md (tables with ratios and the issue-5 targets),
# OUTDIR/micro.dat and, with gnuplot, OUTDIR/micro.png.
# Several lines for one (section, op, target) are repetitions: the report
# takes their median. A target that could not run shows "n/a" and why.
set -eu
raw=$1
out=${2:-$(dirname "$raw")}
here=$(cd "$(dirname "$0")" && pwd)

awk -v datfile="$out/micro.dat" '
function fmt_us(ns) { return (ns == "") ? "n/a" : sprintf(ns >= 100000 ? "%.0f" : ns >= 10000 ? "%.1f" : "%.2f", ns / 1000) }
function fmt_r(x) { return (x == "") ? "n/a" : sprintf(x >= 100 ? "%.0fx" : x >= 10 ? "%.1fx" : "%.2fx", x) }
function fmt_n(x) { return (x == "") ? "n/a" : sprintf(x >= 100 ? "%.0f" : "%.2f", x) }
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }
# median of the space-separated list s
function med(s,    n, v, i, j, t) {
	n = split(s, v, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
	return v[int((n + 1) / 2)]
}
function get(sec, op, t) { return med(val[sec, op, t]) }
function getp(sec, op, t) { return med(p90[sec, op, t]) }
# why a figure is missing
function why(sec, op, t) { return ((sec, op, t) in reason) ? reason[sec, op, t] : "not measured" }
function cell_us(sec, op, t,    v) { v = get(sec, op, t); return v == "" ? "n/a" : fmt_us(v) }
function verdict(x, lim, le) {
	if (x == "") return "n/a"
	return (le ? x <= lim : x >= lim) ? "**met**" : "not met"
}

$1 == "meta" { k = $2; $1 = ""; $2 = ""; sub(/^  */, ""); meta[k] = $0; next }
{
	sec = $1; op = $2; t = $3
	if (!((sec, op) in seenop)) { seenop[sec, op] = 1; ops[sec] = ops[sec] " " op }
	note = ""
	if (index($0, "#")) { note = substr($0, index($0, "#") + 2) }
	if ($4 == "n/a") { if (!((sec, op, t) in reason)) reason[sec, op, t] = note; next }
	val[sec, op, t] = val[sec, op, t] " " $4
	if (sec == "macro") { unit[op] = $5; if (note ~ /MiB_per_s=/) { m = note; sub(/.*MiB_per_s=/, "", m); mibs[op, t] = mibs[op, t] " " m } }
	else p90[sec, op, t] = p90[sec, op, t] " " $5
	if (note ~ /ops_per_s=/) { m = note; sub(/.*ops_per_s=/, "", m); opss[op, t] = opss[op, t] " " m }
	if (note ~ /MiB_per_s=/ && sec == "scale") { m = note; sub(/.*MiB_per_s=/, "", m); sub(/ .*/, "", m); mibs[op, t] = mibs[op, t] " " m }
}
END {
	rtt = get("mech", "notify_send", "syncwake")
	if (rtt == "") rtt = get("mech", "notify_send", "nosync")
	fs = meta["vartmp_fs"]; sub(/ .*/, "", fs)
	print "# pmemfile-run benchmark results"
	print ""
	print "Produced by `bench/run.sh` (see `bench/README.md`); raw figures in `bench/results/last-run.raw`."
	print ""
	print "- Date: " meta["date"] "; mode: " meta["mode"] ", medians over " meta["reps"] " repetitions (each itself a median of many rounds)"
	print "- Machine: Linux " meta["kernel"] ", " meta["cpu"] ", " meta["nproc"] " CPUs, " meta["mem"] " RAM"
	print "- Code: commit " meta["commit"]
	print "- Pools on /dev/shm (tmpfs) with PMEM_IS_PMEM_FORCE=1; `/var/tmp` is " meta["vartmp_fs"]
	pr = meta["pmemfile_run"]; split(pr, prv, " ")
	if (prv[1] == "1") print "- pmemfile-run: usable (probe passed)"
	else { sub(/^0 /, "", pr); print "- pmemfile-run: **not usable in this run**: " pr " (every pmemfile-run column is n/a)" }
	print ""
	print "Times are medians in microseconds unless stated. *RTT* is one seccomp"
	print "notification round trip (value answered, SYNC_WAKE_UP), " (rtt == "" ? "n/a" : fmt_us(rtt) " us") " here."
	print ""

	# ---- mechanism
	print "## Mechanism (bench/notify_rtt.c)"
	print ""
	print "| figure | no sync wake-up | SYNC_WAKE_UP | in RTTs |"
	print "|---|---|---|---|"
	split("notify_send:trapped call answered with a value (SEND):|notify_continue:trapped call let through (FLAG_CONTINUE):|notify_addfd_send:fd injected with ADDFD+FLAG_SEND (one ioctl):|notify_addfd_then_send:ADDFD then SEND (two ioctls):|notify_send:SEND, supervisor and target on the same CPU:-samecpu|notify_send:SEND, supervisor and target pinned to different CPUs:-cpuapart|notify_send_2workers:SEND, 2 worker threads waiting in RECV:|notify_send_4workers:SEND, 4 worker threads waiting in RECV:", rows, "|")
	for (i = 1; i in rows; i++) {
		split(rows[i], f, ":")
		a = get("mech", f[1], "nosync" f[3]); b = get("mech", f[1], "syncwake" f[3])
		printf "| %s | %s (p90 %s) | %s (p90 %s) | %s |\n", f[2], fmt_us(a), fmt_us(getp("mech", f[1], "nosync" f[3])), fmt_us(b), fmt_us(getp("mech", f[1], "syncwake" f[3])), fmt_n(ratio(b, rtt))
	}
	print ""
	print "| figure | median | p90 | in RTTs |"
	print "|---|---|---|---|"
	split("null_syscall:null syscall (getppid), no filter|untrapped_syscall_under_filter:untrapped syscall under the filter|process_vm_readv_4k:process_vm_readv of 4 KiB from the waiting target|proc_mem_pread_4k:pread of 4 KiB from /proc/PID/mem|process_vm_writev_4k:process_vm_writev of 4 KiB|notif_id_valid:SECCOMP_IOCTL_NOTIF_ID_VALID|fd_identify:what a target fd is (pidfd_getfd + fstat + close)|prlimit_fsize:RLIMIT_FSIZE of the target (prlimit)", rows2, "|")
	for (i = 1; i in rows2; i++) {
		split(rows2[i], f, ":")
		a = get("mech", f[1], "native")
		printf "| %s | %s | %s | %s |\n", f[2], fmt_us(a), fmt_us(getp("mech", f[1], "native")), fmt_n(ratio(a, rtt))
	}
	print ""

	# ---- micro
	nt = split("tmpfs vartmp pool-run core host-run", T, " ")
	split("tmpfs|/var/tmp (" fs ")|pool via pmemfile-run|core in-process|host file via pmemfile-run", TN, "|")
	nops = split("stat open_close pread_4k pwrite_4k pread_1m pwrite_1m append_fdatasync_4k create_unlink mkdir_rmdir rename readdir_1000 getxattr setxattr", O, " ")
	print "## Micro: per-operation latency (bench/micro.c), median us"
	print ""
	hdr = "| op |"; sep = "|---|"
	for (j = 1; j <= nt; j++) { hdr = hdr " " TN[j] " |"; sep = sep "---|" }
	print hdr " pool / tmpfs | pool / host-run | core / tmpfs | pool in RTTs | " fs " / pool (speed-up) |"
	print sep "---|---|---|---|---|"
	print "# op tmpfs vartmp pool-run core host-run (median us; NaN: not measured)" > datfile
	for (i = 1; i <= nops; i++) {
		op = O[i]; line = "| " op " |"; dat = op
		for (j = 1; j <= nt; j++) {
			v = get("micro", op, T[j]); line = line " " (v == "" ? "n/a" : fmt_us(v)) " |"
			dat = dat " " (v == "" ? "NaN" : sprintf("%.3f", v / 1000))
		}
		pool = get("micro", op, "pool-run")
		durable = (op == "append_fdatasync_4k") ? fmt_r(ratio(get("micro", op, "vartmp"), pool)) : ""
		print line " " fmt_r(ratio(pool, get("micro", op, "tmpfs"))) " | " fmt_r(ratio(pool, get("micro", op, "host-run"))) " | " fmt_r(ratio(get("micro", op, "core"), get("micro", op, "tmpfs"))) " | " fmt_n(ratio(pool, rtt)) " | " durable " |"
		print dat > datfile
	}
	print ""
	print "p90 (us):"
	print ""
	print hdr
	print sep
	for (i = 1; i <= nops; i++) {
		op = O[i]; line = "| " op " |"
		for (j = 1; j <= nt; j++) { v = getp("micro", op, T[j]); line = line " " (v == "" ? "n/a" : fmt_us(v)) " |" }
		print line
	}
	nmiss = 0
	for (j = 1; j <= nt; j++) if (get("micro", "stat", T[j]) == "") { if (!nmiss++) { print ""; print "Missing columns:" }; print "- " TN[j] ": " why("micro", "stat", T[j]) }
	print ""
	print "![per-operation latency](micro.png)"
	print ""
	if (get("micro", "stat", "pool-1cpu") != "") {
		print "The same through pmemfile-run with the whole tree on one CPU (taskset -c 0): no wake-up crosses vCPUs, so this is the work of the supervisor without the placement by the scheduler (median us):"
		print ""
		print "| op | pool, one CPU | host file, one CPU | pool / host-run, one CPU | pool / host-run, free |"
		print "|---|---|---|---|---|"
		for (i = 1; i <= nops; i++) {
			op = O[i]
			printf "| %s | %s | %s | %s | %s |\n", op, cell_us("micro", op, "pool-1cpu"), cell_us("micro", op, "host-1cpu"), fmt_r(ratio(get("micro", op, "pool-1cpu"), get("micro", op, "host-1cpu"))), fmt_r(ratio(get("micro", op, "pool-run"), get("micro", op, "host-run")))
		}
		print ""
	}

	# ---- supervisor workers
	if (ops["workers"] != "") {
		print "Supervisor worker threads (`pmemfile-run --workers N`), median us:"
		print ""
		print "| op | host, 1 | host, 2 | host, 4 | pool, 1 | pool, 2 | pool, 4 |"
		print "|---|---|---|---|---|---|---|"
		split("stat open_close pread_4k pwrite_4k", WO, " ")
		for (i = 1; i <= 4; i++) {
			line = "| " WO[i] " |"
			split("host-w1 host-w2 host-w4 pool-w1 pool-w2 pool-w4", WT, " ")
			for (j = 1; j <= 6; j++) { v = get("workers", WO[i], WT[j]); line = line " " (v == "" ? "n/a" : fmt_us(v)) " |" }
			print line
		}
		print ""
	}

	# ---- targets
	print "## Targets"
	print ""
	print "| target | measured | limit | status |"
	print "|---|---|---|---|"
	nsm = split("stat open_close pread_4k pwrite_4k create_unlink mkdir_rmdir rename", SM, " ")
	for (i = 1; i <= nsm; i++) {
		r = ratio(get("micro", SM[i], "pool-run"), get("micro", SM[i], "host-run"))
		printf "| %s: pool / trapped host call let through | %s | <= 1.5x | %s |\n", SM[i], fmt_r(r), verdict(r, 1.5, 1)
	}
	for (i = 1; i <= nsm; i++) {
		r = ratio(get("micro", SM[i], "pool-1cpu"), get("micro", SM[i], "host-1cpu"))
		if (r != "")
			printf "| %s: the same, all on one CPU | %s | <= 1.5x | %s |\n", SM[i], fmt_r(r), verdict(r, 1.5, 1)
	}
	split("stat:6|open_close:6|pread_4k:10|pwrite_4k:10|create_unlink:4|pread_1m:1.5|pwrite_1m:1.5", LT, "|")
	for (i = 1; i in LT; i++) {
		split(LT[i], f, ":")
		r = ratio(get("micro", f[1], "pool-run"), get("micro", f[1], "tmpfs"))
		printf "| %s: pool / tmpfs | %s | <= %sx | %s |\n", f[1], fmt_r(r), f[2], verdict(r, f[2] + 0, 1)
	}
	r = ratio(get("micro", "append_fdatasync_4k", "vartmp"), get("micro", "append_fdatasync_4k", "pool-run"))
	printf "| durable 4 KiB append (write+fdatasync): %s / pool | %s | >= 5x | %s |\n", fs, fmt_r(r), verdict(r, 5, 0)
	split("dir_create:create|dir_stat:stat|dir_list:list|dir_unlink:unlink", DS, "|")
	split("pool-run:pool via pmemfile-run|core:core in-process", DT, "|")
	for (k = 1; k in DT; k++) for (i = 1; i in DS; i++) {
		split(DS[i], f, ":"); split(DT[k], g, ":")
		if (f[1] == "dir_unlink") { b = get("scale", "dir_unlink_first1000", g[1]); a = get("scale", "dir_unlink_last1000", g[1]) }
		else { a = get("scale", f[1] "_first1000", g[1]); b = get("scale", f[1] "_last1000", g[1]) }
		r = ratio(b, a)
		printf "| 100,000-entry directory, %s: full / small (%s) | %s | <= 1.3x | %s |\n", f[2], g[2], fmt_r(r), verdict(r, 1.3, 1)
	}
	r = ratio(get("macro", "pipe_1g", "pool-run"), get("macro", "pipe_1g", "native"))
	printf "| host I/O: 1 GiB through pipes, pmemfile-run / native | %s | <= 1.3x | %s |\n", fmt_r(r), verdict(r, 1.3, 1)
	print ""

	# ---- exec
	print "## Running programs, FIFOs and sockets"
	print ""
	print "posix_spawn + waitpid, per program run (us, medians): /bin/true from the host, a copy of it in the directory under test, a `#!/bin/true` script there. host-run: pmemfile-run with the directory on tmpfs; pool-run: in a pool (the exec of a pool file)."
	print ""
	print "| run | tmpfs | host-run | pool-run | pool-run / host-run | pool-run / tmpfs |"
	print "|---|---|---|---|---|---|"
	split("spawn_host:/bin/true (host);spawn_dir:copy of true in the directory;spawn_script:#!/bin/true script in the directory;fifo_open_close:open O_RDWR + close of a FIFO there;unix_connect:connect + accept + closes, UNIX socket bound there", EX, ";")
	for (i = 1; i in EX; i++) {
		split(EX[i], f, ":")
		pool = get("exec", f[1], "pool-run")
		printf "| %s | %s | %s | %s | %s | %s |\n", f[2], cell_us("exec", f[1], "tmpfs"), cell_us("exec", f[1], "host-run"), cell_us("exec", f[1], "pool-run"), fmt_r(ratio(pool, get("exec", f[1], "host-run"))), fmt_r(ratio(pool, get("exec", f[1], "tmpfs")))
	}
	print ""

	# ---- macro
	print "## Macro"
	print ""
	print "fio, psync engine, one job (IOPS; MiB/s in parentheses):"
	print ""
	print "| job | tmpfs | /var/tmp (" fs ") | pool via pmemfile-run | pool cost / tmpfs | pool cost / " fs " |"
	print "|---|---|---|---|---|---|"
	nf = split(ops["macro"], F, " ")
	for (i = 1; i <= nf; i++) {
		op = F[i]; if (op !~ /^fio_/) continue
		line = "| " substr(op, 5) " |"
		split("tmpfs vartmp pool-run", FT, " ")
		for (j = 1; j <= 3; j++) {
			v = get("macro", op, FT[j])
			line = line " " (v == "" ? "n/a" : sprintf("%.0f (%.0f)", v, med(mibs[op, FT[j]]))) " |"
		}
		pool = get("macro", op, "pool-run")
		print line " " fmt_r(ratio(get("macro", op, "tmpfs"), pool)) " | " fmt_r(ratio(get("macro", op, "vartmp"), pool)) " |"
	}
	print ""
	print "| workload | tmpfs / native | /var/tmp (" fs ") | pool via pmemfile-run | pool cost / tmpfs (or native) | pool cost / " fs " |"
	print "|---|---|---|---|---|---|"
	split("sqlite_insert_full:sqlite3 inserts/s, synchronous=FULL, one transaction each;untar_make_j2:untar + make -j2 of a 50-file C project (s);pipe_1g:1 GiB through dd | cat | wc -c (s)", MW, ";")
	for (i = 1; i in MW; i++) {
		split(MW[i], f, ":")
		base = get("macro", f[1], "tmpfs"); if (base == "") base = get("macro", f[1], "native")
		vt = get("macro", f[1], "vartmp"); pool = get("macro", f[1], "pool-run")
		gsub(/\|/, "\\|", f[2])
		thr = (unit[f[1]] ~ /per_s/)
		printf "| %s | %s | %s | %s | %s | %s |\n", f[2], fmt_n(base), (vt == "" ? "-" : fmt_n(vt)), fmt_n(pool), fmt_r(thr ? ratio(base, pool) : ratio(pool, base)), (vt == "" ? "" : fmt_r(thr ? ratio(vt, pool) : ratio(pool, vt)))
	}
	for (i = 1; i <= nf; i++) { op = F[i]; if (get("macro", op, "pool-run") == "" && (("macro", op, "pool-run") in reason)) { if (!mm++) { print ""; print "Missing pool figures:" }; print "- " op ": " reason["macro", op, "pool-run"] } }
	print ""
	print "Durable transactions: sqlite3 with synchronous=FULL, one-row inserts, one transaction each (inserts/s; host-run: the same on tmpfs under pmemfile-run, every call trapped and let through; calls: trapped calls per transaction in the pool, from --report):"
	print ""
	print "| journal | tmpfs | /var/tmp (" fs ") | pool via pmemfile-run | host file via pmemfile-run | pool cost / tmpfs | pool cost / host-run | " fs " / pool (speed-up) | us per transaction (pool) | trapped calls per transaction |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	split("full:rollback (DELETE);wal:WAL", SJ, ";")
	for (i = 1; i in SJ; i++) {
		split(SJ[i], f, ":")
		op = "sqlite_insert_" f[1]; cop = (f[1] == "full") ? "sqlite_delete_calls_per_tx" : "sqlite_wal_calls_per_tx"
		b = get("macro", op, "tmpfs"); vt = get("macro", op, "vartmp"); pool = get("macro", op, "pool-run"); hr = get("macro", op, "host-run")
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[2], fmt_n(b), fmt_n(vt), fmt_n(pool), fmt_n(hr), fmt_r(ratio(b, pool)), fmt_r(ratio(hr, pool)), fmt_r(ratio(pool, vt)), (pool == "" ? "n/a" : sprintf("%.0f", 1e6 / pool)), fmt_n(get("macro", cop, "pool-run"))
	}
	print ""

	# ---- scale
	print "## Scale"
	print ""
	print "One directory of 100,000 files, per-op us. create: the first 1,000 files created (small directory) vs the last 1,000 (full); stat and list: the first- vs the last-created 1,000 names, in the full directory; stat random: 1,000 random names when the directory held 1,000 entries vs when it held all (cache effects included); unlink: the last 1,000 unlinked (small directory) vs the first 1,000 (full)."
	print ""
	split("tmpfs vartmp core pool-run", ST, " ")
	print "| op | target | small / first 1,000 | full / last 1,000 | ratio |"
	print "|---|---|---|---|---|"
	DS[5] = "dir_stat_random:stat random"
	for (i = 1; i in DS; i++) {
		split(DS[i], f, ":")
		for (j = 1; j <= 4; j++) {
			t = ST[j]
			if (f[1] == "dir_stat_random") { a = get("scale", "dir_stat_random_at1000", t); b = get("scale", "dir_stat_random_atN", t) }
			else if (f[1] == "dir_unlink") { b = get("scale", "dir_unlink_first1000", t); a = get("scale", "dir_unlink_last1000", t) }
			else { a = get("scale", f[1] "_first1000", t); b = get("scale", f[1] "_last1000", t) }
			if (a == "" && b == "") { printf "| %s | %s | n/a | n/a | %s |\n", f[2], t, why("scale", "dir", t); continue }
			printf "| %s | %s | %s | %s | %s |\n", f[2], t, fmt_us(a), fmt_us(b), fmt_r(ratio(b, a))
		}
	}
	print ""
	print "One file grown in 4 KiB appends (size: see mode; " meta["grow_size"] "):"
	print ""
	print "| target | first 1,000 appends | last 1,000 | last / first | MiB/s |"
	print "|---|---|---|---|---|"
	for (j = 1; j <= 4; j++) {
		t = ST[j]; if (t == "vartmp") continue
		a = get("scale", "grow_append_first1000", t); b = get("scale", "grow_append_last1000", t)
		if (a == "") { printf "| %s | n/a | n/a | %s | |\n", t, why("scale", "grow", t); continue }
		printf "| %s | %s | %s | %s | %s |\n", t, fmt_us(a), fmt_us(b), fmt_r(ratio(b, a)), fmt_n(med(mibs["grow_append_all", t]))
	}
	print ""
	print "Threads, each on its own file, 4 KiB at random offsets: total operations per second (median latency in us):"
	print ""
	print "| op | threads | tmpfs | /var/tmp (" fs ") | core | pool via pmemfile-run | host file via pmemfile-run | pool cost / tmpfs | pool cost / host-run |"
	print "|---|---|---|---|---|---|---|---|---|"
	split("1 2 4 8", NTH, " ")
	ST[5] = "host-run"
	for (k = 1; k <= 2; k++) {
		o = (k == 1) ? "pwrite" : "pread"
		for (i = 1; i <= 4; i++) {
			op = o "_4k_t" NTH[i]
			line = "| " o " 4 KiB | " NTH[i] " |"
			for (j = 1; j <= 5; j++) {
				v = med(opss[op, ST[j]])
				line = line " " (v == "" ? "n/a" : sprintf("%.0f (%s)", v, fmt_us(get("scale", op, ST[j])))) " |"
			}
			print line " " fmt_r(ratio(med(opss[op, "tmpfs"]), med(opss[op, "pool-run"]))) " | " fmt_r(ratio(med(opss[op, "host-run"]), med(opss[op, "pool-run"]))) " |"
		}
	}
	for (j = 1; j <= 5; j++) if (med(opss["pwrite_4k_t1", ST[j]]) == "" && (("scale", "threads", ST[j]) in reason)) print "\n- threads, " ST[j] ": " reason["scale", "threads", ST[j]]
	delete ST[5]
	print ""
	print "Every ratio column is a cost ratio (above 1: the pool is slower), except \"" fs " / pool\" for durable appends, which is the pool'"'"'s speed-up."
}
' "$raw" >"$out/RESULTS.md"

if ! awk '!/^#/ { for (i = 2; i <= NF; i++) if ($i != "NaN") found = 1 } END { exit !found }' "$out/micro.dat"; then
	echo "report.sh: no micro figures; micro.png left as it was" >&2
elif command -v gnuplot >/dev/null 2>&1; then
	if ! gnuplot -e "datfile='$out/micro.dat'; outfile='$out/micro.png'" "$here/plot.gp" 2>"$out/plot.err"; then
		echo "report.sh: gnuplot failed: $(tail -n2 "$out/plot.err")" >&2
	fi
	rm -f "$out/plot.err"
else
	echo "report.sh: gnuplot not installed; no micro.png" >&2
fi
echo "report: $out/RESULTS.md"
