/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hostile target, run under pmemfile-run:
 *
 *   rel-hostile MNT HOSTDIR CASE
 *
 * MNT is the pool's mount point, HOSTDIR a scratch directory on the host
 * (tmpfs). Cases:
 *   efault    bad pointers (1, an unmapped page, a kernel address) as every
 *             path, buffer, iovec, stat/statx/statfs buffer, times and
 *             open_how argument of the trapped syscalls; each call is made
 *             on the pool and on HOSTDIR (the kernel's answer is the
 *             expected one): EFAULT, and nothing changes
 *   longpath  1 MiB paths without a NUL (running into an unmapped page):
 *             ENAMETOOLONG, as the kernel says; a 256-byte component too
 *   race      threads rewriting a path buffer while other threads' calls
 *             on it are being served: every fd obtained names a file that
 *             one of the values named, on the right side (pool or host)
 *   threads   2000 threads call stat on a pool file at once
 *   fds       RLIMIT_NOFILE 64: open pool files until EMFILE, close, go on
 *   killwrite a child killed (SIGKILL) during a 48 MiB write to the pool
 *   forkbomb  a fork bomb of pool stat()s, bounded by RLIMIT_NPROC (as an
 *             unprivileged user, since root ignores RLIMIT_NPROC)
 * After each case the supervisor must still serve a normal call correctly
 * (create, write, read back, stat, unlink in the pool). Exit 0 when all
 * checks passed; each failed check prints a FAIL line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>

static const char *mnt, *host;
static int failures, checks;

#define FAIL(...) do { printf("FAIL: " __VA_ARGS__); putchar('\n'); \
	fflush(stdout); failures++; } while (0)

static long
sc(long r)
{
	return r < 0 ? -errno : r;
}

static char *
join(char *buf, const char *dir, const char *name)
{
	snprintf(buf, 4096, "%s/%s", dir, name);
	return buf;
}

/* The normal call after each case. */
static void
normal_call(const char *label)
{
	char p[4096], buf[64];
	snprintf(p, sizeof(p), "%s/normal-%s-%d", mnt, label, getpid());
	int fd = open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0) {
		FAIL("%s: normal open after the case: %s", label, strerror(errno));
		return;
	}
	if (write(fd, "hello, pool", 11) != 11)
		FAIL("%s: normal write: %s", label, strerror(errno));
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	if (n != 11 || memcmp(buf, "hello, pool", 11))
		FAIL("%s: normal read back: %zd", label, n);
	struct stat st;
	if (fstat(fd, &st) || st.st_size != 11)
		FAIL("%s: normal fstat size %lld", label, (long long)st.st_size);
	close(fd);
	if (unlink(p))
		FAIL("%s: normal unlink: %s", label, strerror(errno));
	checks++;
}

/* ---- efault --------------------------------------------------------------- */

/* Sets up the same small tree under a base directory. */
static void
make_tree(const char *base)
{
	char p[4096];
	mkdir(join(p, base, "d"), 0755);
	int fd = open(join(p, base, "f"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	char data[4096];
	memset(data, 'x', sizeof(data));
	if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
		FAIL("make_tree %s: %s", base, strerror(errno));
	close(fd);
	unlink(join(p, base, "l"));
	if (symlink("f", join(p, base, "l")))
		FAIL("symlink in %s: %s", base, strerror(errno));
}

/* Describes the tree for "nothing changed" checks. */
static void
tree_sig(const char *base, char *out, size_t len)
{
	char p[4096];
	struct stat a, b;
	int ra = stat(join(p, base, "f"), &a);
	int rb = stat(join(p, base, "d"), &b);
	snprintf(out, len, "f:%d/%lld/%o d:%d/%o", ra, (long long)a.st_size,
		 a.st_mode, rb, b.st_mode);
}

#define NCALLS 56

/* Runs call number i with bad pointer `bad` in directory base. */
static long
efault_call(int i, const char *base, void *bad, int *skip)
{
	char f[4096], d[4096], l[4096], n[4096];
	join(f, base, "f");
	join(d, base, "d");
	join(l, base, "l");
	join(n, base, "new");
	struct stat st;
	struct statfs sfs;
	char buf[256];
	struct iovec badbase = { bad, 100 };
	struct open_how how = { .flags = O_RDONLY };
	long r;
	int fd, dfd;
	*skip = 0;
	switch (i) {
	case 0: return sc(syscall(SYS_open, bad, O_RDONLY));
	case 1: return sc(syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
	case 2: return sc(syscall(SYS_creat, bad, 0644));
	case 3: return sc(syscall(SYS_stat, bad, &st));
	case 4: return sc(syscall(SYS_lstat, bad, &st));
	case 5: return sc(syscall(SYS_newfstatat, AT_FDCWD, bad, &st, 0));
	case 6: return sc(syscall(SYS_statx, AT_FDCWD, bad, 0, 0x7ff, buf));
	case 7: return sc(syscall(SYS_access, bad, F_OK));
	case 8: return sc(syscall(SYS_faccessat, AT_FDCWD, bad, F_OK));
	case 9: return sc(syscall(439 /* faccessat2 */, AT_FDCWD, bad, F_OK, 0));
	case 10: return sc(syscall(SYS_mkdir, bad, 0755));
	case 11: return sc(syscall(SYS_mkdirat, AT_FDCWD, bad, 0755));
	case 12: return sc(syscall(SYS_rmdir, bad));
	case 13: return sc(syscall(SYS_unlink, bad));
	case 14: return sc(syscall(SYS_unlinkat, AT_FDCWD, bad, 0));
	case 15: return sc(syscall(SYS_rename, bad, n));
	case 16: return sc(syscall(SYS_rename, f, bad));
	case 17: return sc(syscall(SYS_renameat2, AT_FDCWD, f, AT_FDCWD, bad, 0));
	case 18: return sc(syscall(SYS_link, bad, n));
	case 19: return sc(syscall(SYS_link, f, bad));
	case 20: return sc(syscall(SYS_symlink, bad, n));
	case 21: return sc(syscall(SYS_symlink, "f", bad));
	case 22: return sc(syscall(SYS_readlink, bad, buf, sizeof(buf)));
	case 23: return sc(syscall(SYS_readlink, l, bad, 100));
	case 24: return sc(syscall(SYS_chmod, bad, 0600));
	case 25: return sc(syscall(SYS_fchmodat, AT_FDCWD, bad, 0600));
	case 26: return sc(syscall(SYS_chown, bad, 0, 0));
	case 27: return sc(syscall(SYS_lchown, bad, 0, 0));
	case 28: return sc(syscall(SYS_utimensat, AT_FDCWD, bad, NULL, 0));
	case 29: return sc(syscall(SYS_utimensat, AT_FDCWD, f, bad, 0));
	case 30: return sc(syscall(SYS_utimes, bad, NULL));
	case 31: return sc(syscall(SYS_truncate, bad, 0));
	case 32: return sc(syscall(SYS_chdir, bad));
	case 33: return sc(syscall(SYS_statfs, bad, &sfs));
	case 34: return sc(syscall(SYS_statfs, f, bad));
	case 35: return sc(syscall(SYS_mknod, bad, S_IFIFO | 0644, 0));
	case 36: return sc(syscall(SYS_openat2, AT_FDCWD, bad, &how, sizeof(how)));
	case 37: return sc(syscall(SYS_openat2, AT_FDCWD, f, bad, sizeof(how)));
	case 38: return sc(syscall(SYS_stat, f, bad));
	case 39: return sc(syscall(SYS_newfstatat, AT_FDCWD, f, bad, 0));
	case 40: return sc(syscall(SYS_statx, AT_FDCWD, f, 0, 0x7ff, bad));
	default:
		break;
	}
	/* fd-based: on an open file of the tree */
	fd = open(f, O_RDWR);
	dfd = open(d, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || dfd < 0) {
		FAIL("open %s: %s", f, strerror(errno));
		*skip = 1;
		close(fd);
		close(dfd);
		return 0;
	}
	switch (i) {
	case 41: r = sc(syscall(SYS_fstat, fd, bad)); break;
	case 42: r = sc(syscall(SYS_read, fd, bad, 100)); break;
	case 43: r = sc(syscall(SYS_write, fd, bad, 100)); break;
	case 44: r = sc(syscall(SYS_pread64, fd, bad, 100, 0)); break;
	case 45: r = sc(syscall(SYS_pwrite64, fd, bad, 100, 0)); break;
	case 46: r = sc(syscall(SYS_readv, fd, bad, 1)); break;
	case 47: r = sc(syscall(SYS_writev, fd, bad, 1)); break;
	case 48: r = sc(syscall(SYS_readv, fd, &badbase, 1)); break;
	case 49: r = sc(syscall(SYS_writev, fd, &badbase, 1)); break;
	case 50: r = sc(syscall(SYS_preadv, fd, &badbase, 1, 0, 0)); break;
	case 51: r = sc(syscall(SYS_pwritev, fd, &badbase, 1, 0, 0)); break;
	case 52: r = sc(syscall(SYS_getdents64, dfd, bad, 4096)); break;
	case 53: r = sc(syscall(SYS_fstatfs, fd, bad)); break;
	case 54: r = sc(syscall(SYS_readlinkat, dfd, bad, buf, sizeof(buf))); break;
	case 55: r = sc(syscall(SYS_mkdirat, dfd, bad, 0755)); break;
	default: r = 0; *skip = 1;
	}
	close(fd);
	close(dfd);
	return r;
}

static int
case_efault(void)
{
	make_tree(mnt);
	make_tree(host);
	char *unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	munmap(unmapped, 4096);
	void *bads[] = { (void *)1, unmapped, (void *)0xffff800000001000ULL };
	int n = 0, nefault = 0;
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	for (int i = 0; i < NCALLS; i++) {
		for (size_t b = 0; b < 3; b++) {
			char s0[256], s1[256];
			int skip;
			tree_sig(host, s0, sizeof(s0));
			long want = efault_call(i, host, bads[b], &skip);
			if (skip)
				continue;
			tree_sig(mnt, s0, sizeof(s0));
			long got = efault_call(i, mnt, bads[b], &skip);
			tree_sig(mnt, s1, sizeof(s1));
			if (chdir(cwd)) {
				/* keep going */
			}
			n++;
			nefault += want == -EFAULT;
			if (want != -EFAULT)
				printf("efault: call %d with %p: the kernel says %ld "
				       "(%s)\n", i, bads[b], want,
				       strerror((int)-want));
			if (got != want)
				FAIL("efault call %d with bad pointer %p: pool %ld "
				     "(%s), host %ld (%s)", i, bads[b], got,
				     strerror((int)-got), want, strerror((int)-want));
			if (strcmp(s0, s1))
				FAIL("efault call %d changed the pool: %s -> %s",
				     i, s0, s1);
		}
	}
	/* getcwd with a bad buffer from a pool cwd */
	if (chdir(mnt) == 0) {
		long r = sc(syscall(SYS_getcwd, (void *)1, 4096));
		if (r != -EFAULT)
			FAIL("getcwd(bad) in the pool: %ld", r);
		checks++;
		if (chdir(cwd)) {
		}
	}
	printf("efault: %d calls compared with the kernel (its answer: EFAULT "
	       "for %d), and getcwd\n", n, nefault);
	checks += n;
	return n;
}

/* ---- long paths -------------------------------------------------------------- */

static int
case_longpath(void)
{
	size_t len = 1 << 20;
	char *m = mmap(NULL, len + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + len, 4096);          /* the string runs into nothing */
	int n = 0;
	for (int variant = 0; variant < 3; variant++) {
		memset(m, 'a', len);
		if (variant == 1)       /* starts inside the mount */
			memcpy(m, mnt, strlen(mnt)), m[strlen(mnt)] = '/';
		if (variant == 2) {     /* slashes every 200 bytes, in the mount */
			memcpy(m, mnt, strlen(mnt));
			for (size_t i = strlen(mnt); i < len; i += 200)
				m[i] = '/';
		}
		struct stat st;
		/* raw syscalls: a sanitizer's libc interceptor would read the
		 * unterminated string itself */
		long rs[] = {
			sc(syscall(SYS_open, m, O_RDONLY)),
			sc(syscall(SYS_open, m, O_CREAT | O_WRONLY, 0644)),
			sc(syscall(SYS_stat, m, &st)),
			sc(syscall(SYS_mkdir, m, 0755)),
			sc(syscall(SYS_unlink, m)),
			sc(syscall(SYS_rename, m, "x")),
			sc(syscall(SYS_rename, "/nonexistent-x", m)),
			sc(syscall(SYS_access, m, F_OK)),
			sc(syscall(SYS_chdir, m)),
			sc(syscall(SYS_truncate, m, 0)),
		};
		for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++, n++)
			if (rs[i] != -ENAMETOOLONG)
				FAIL("long path variant %d call %zu: %ld (%s)",
				     variant, i, rs[i], strerror((int)-rs[i]));
	}
	/* a 256-byte component in the pool, and 255 works */
	char p[4096];
	int k = snprintf(p, sizeof(p), "%s/", mnt);
	memset(p + k, 'n', 256);
	p[k + 256] = 0;
	long r = sc(open(p, O_CREAT | O_WRONLY, 0644));
	if (r != -ENAMETOOLONG)
		FAIL("256-byte name: %ld", r);
	p[k + 255] = 0;
	r = sc(open(p, O_CREAT | O_WRONLY, 0644));
	if (r < 0)
		FAIL("255-byte name: %ld", r);
	else {
		close((int)r);
		unlink(p);
	}
	n += 2;
	/* a path of exactly 4096 bytes with its NUL is too long; 4095 works */
	k = snprintf(p, sizeof(p), "%s/", mnt);
	for (int i = k; i < 4095; i++)
		p[i] = (i - k) % 100 == 99 ? '/' : 'q';
	p[4095] = 0;
	r = sc(access(p, F_OK));
	if (r != -ENOENT)
		FAIL("4095-byte path: %ld, want ENOENT", r);
	char *q = malloc(8192);
	memcpy(q, p, 4095);
	q[4095] = 'q';
	q[4096] = 0;
	r = sc(access(q, F_OK));
	if (r != -ENAMETOOLONG)
		FAIL("4096-byte path: %ld, want ENAMETOOLONG", r);
	free(q);
	n += 2;
	printf("longpath: %d calls\n", n);
	checks += n;
	munmap(m, len);
	return n;
}

/* ---- path buffer rewritten during the call ---------------------------------- */

static char race_buf[4096] __attribute__((aligned(64)));
static char race_vals[3][4096];
static volatile int race_stop;

static void *
race_writer(void *arg)
{
	(void)arg;
	unsigned i = 0;
	while (!race_stop) {
		const char *v = race_vals[i++ % 3];
		memcpy(race_buf, v, strlen(v) + 1);
	}
	return NULL;
}

static long race_fds_pool, race_fds_host, race_errs, race_leaks;
static pthread_mutex_t race_lock = PTHREAD_MUTEX_INITIALIZER;
static dev_t pool_dev, host_dev;

static void *
race_opener(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3000; i++) {
		int fd = open(race_buf, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
		if (fd < 0) {
			pthread_mutex_lock(&race_lock);
			race_errs++;
			pthread_mutex_unlock(&race_lock);
			continue;
		}
		struct stat st;
		char link[64], target[4096];
		fstat(fd, &st);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = 0;
		pthread_mutex_lock(&race_lock);
		/* A torn string (read while being rewritten) is what the
		 * target passed; what must never happen is a pool path served
		 * by the kernel on the host (a CONTINUE of an emulated call):
		 * MNT exists on the host too, so it would land there. */
		size_t ml = strlen(mnt);
		int in_mnt = !strncmp(target, mnt, ml) && target[ml] == '/';
		if (st.st_dev == pool_dev) {
			race_fds_pool++;
			if (!in_mnt)
				FAIL("race: pool fd names %s", target);
		} else if (st.st_dev == host_dev) {
			race_fds_host++;
			if (in_mnt)
				race_leaks++;
			if (in_mnt && getenv("REL_STRICT_CONTINUE"))
				FAIL("race: host fd names %s", target);
			if (strncmp(target, host, strlen(host)))
				FAIL("race: host fd names %s", target);
		} else {
			FAIL("race: fd on device %llx (%s)",
			     (unsigned long long)st.st_dev, target);
		}
		pthread_mutex_unlock(&race_lock);
		close(fd);
	}
	return NULL;
}

/*
 * Could the target have passed path, a torn mix of the values the writer
 * copies in turn (each byte from one of them at the same place: the
 * supervisor, or the kernel, read the buffer while it was rewritten)?
 * Such a name in the pool is what the target asked for.
 */
static int
race_torn(const char *path)
{
	for (size_t i = 0; i == 0 || path[i - 1]; i++) {
		int ok = 0;
		for (int k = 0; k < 3 && !ok; k++)
			ok = race_vals[k][i] == path[i];
		if (!ok)
			return 0;
	}
	return 1;
}

static int
case_race(void)
{
	struct stat st;
	stat(mnt, &st);
	pool_dev = st.st_dev;
	stat(host, &st);
	host_dev = st.st_dev;
	snprintf(race_vals[0], 4096, "%s/race-one", mnt);
	snprintf(race_vals[1], 4096, "%s/race-two-longer-name", mnt);
	snprintf(race_vals[2], 4096, "%s/race-host", host);
	strcpy(race_buf, race_vals[0]);
	pthread_t w, o[3];
	pthread_create(&w, NULL, race_writer, NULL);
	for (int i = 0; i < 3; i++)
		pthread_create(&o[i], NULL, race_opener, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(o[i], NULL);
	race_stop = 1;
	pthread_join(w, NULL);
	/* only the expected names exist in the pool */
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "ls -A %s | grep -v '^race-' | "
		 "grep -v '^[dfl]$' | grep -v '^normal-'", mnt);
	FILE *p = popen(cmd, "r");
	char line[512];
	while (p && fgets(line, sizeof(line), p)) {
		char full[4096 + 512];
		line[strcspn(line, "\n")] = 0;
		snprintf(full, sizeof(full), "%s/%s", mnt, line);
		if (race_torn(full))
			printf("NOTE race: %s, a torn mix of the names, was "
			       "created as asked\n", line);
		else
			FAIL("race: unexpected name in the pool: %s", line);
	}
	if (p)
		pclose(p);
	printf("race: %ld pool fds, %ld host fds, %ld errors (torn strings)\n",
	       race_fds_pool, race_fds_host, race_errs);
	if (race_leaks)
		printf("NOTE race: %ld opens of a pool path were run by the kernel "
		       "on the host (the buffer was rewritten between the "
		       "supervisor's read and the kernel's, after CONTINUE: the "
		       "TOCTOU seccomp_unotify(2) describes); "
		       "REL_STRICT_CONTINUE=1 makes this a failure\n", race_leaks);
	if (race_fds_pool == 0)
		FAIL("race: no call reached the pool");
	checks += 9000;
	return 1;
}

/* ---- many threads ------------------------------------------------------------ */

static pthread_barrier_t bar;
static char tfile[4096];
static long tok, tbad;

static void *
stat_thread(void *arg)
{
	(void)arg;
	struct stat st;
	pthread_barrier_wait(&bar);
	int r = stat(tfile, &st);
	pthread_mutex_lock(&race_lock);
	if (r == 0 && st.st_size == 4096)
		tok++;
	else
		tbad++;
	pthread_mutex_unlock(&race_lock);
	return NULL;
}

static int
case_threads(void)
{
	int n = getenv("REL_THREADS") ? atoi(getenv("REL_THREADS")) : 2000;
	make_tree(mnt);
	join(tfile, mnt, "f");
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 << 10);
	int started = 0;
	pthread_barrier_init(&bar, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&t[i], &a, stat_thread, NULL)) {
			FAIL("threads: pthread_create %d: %s", i, strerror(errno));
			break;
		}
		started++;
	}
	if (started < n) {
		/* let the started ones through the barrier */
		for (int i = started; i < n; i++)
			pthread_create(&t[i], &a, stat_thread, NULL);
	}
	pthread_barrier_wait(&bar);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("threads: %d threads, %ld stat ok, %ld bad\n", n, tok, tbad);
	if (tok != n)
		FAIL("threads: %ld of %d stat calls failed", tbad, n);
	checks += n;
	free(t);
	return n;
}

/* ---- fd exhaustion -------------------------------------------------------------- */

static int
case_fds(void)
{
	make_tree(mnt);
	struct rlimit rl = { 64, 64 };
	if (setrlimit(RLIMIT_NOFILE, &rl))
		FAIL("setrlimit: %s", strerror(errno));
	char f[4096];
	join(f, mnt, "f");
	int fds[128], n = 0;
	long last = 0;
	for (;;) {
		int fd = open(f, O_RDONLY);
		if (fd < 0) {
			last = -errno;
			break;
		}
		fds[n++] = fd;
		if (n == 128)
			break;
	}
	if (last != -EMFILE)
		FAIL("fds: open ended with %ld after %d opens, want EMFILE", last, n);
	/* dup at the limit: EMFILE too; other calls still work */
	long r = sc(dup(fds[0]));
	if (r != -EMFILE)
		FAIL("fds: dup at the limit: %ld", r);
	struct stat st;
	if (stat(f, &st) || st.st_size != 4096)
		FAIL("fds: stat at the limit: %s", strerror(errno));
	char buf[16];
	if (pread(fds[n - 1], buf, 16, 0) != 16)
		FAIL("fds: pread at the limit: %s", strerror(errno));
	for (int i = 0; i < n; i++)
		close(fds[i]);
	/* and again: the supervisor released everything */
	int m = 0;
	for (;;) {
		int fd = open(f, O_RDONLY);
		if (fd < 0)
			break;
		fds[m++] = fd;
		if (m == 128)
			break;
	}
	if (m != n)
		FAIL("fds: %d opens the second time, %d the first", m, n);
	for (int i = 0; i < m; i++)
		close(fds[i]);
	printf("fds: EMFILE after %d pool files, again after closing them\n", n);
	checks += 2 * n;
	return n;
}

/* ---- a child killed during a long write --------------------------------------- */

static int
case_killwrite(void)
{
	size_t len = 48u << 20;
	char f[4096];
	join(f, mnt, "killed-write");
	unlink(f);
	int rounds = 5;
	for (int round = 0; round < rounds; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			char *buf = malloc(len);
			for (size_t i = 0; i < len; i++)
				buf[i] = (char)(i / 4096 + round);
			int fd = open(f, O_CREAT | O_WRONLY | O_TRUNC, 0644);
			kill(getpid(), SIGSTOP);
			(void)!write(fd, buf, len);
			_exit(0);
		}
		int st;
		waitpid(pid, &st, WUNTRACED);
		kill(pid, SIGCONT);
		struct timespec ts = { 0, (long)round * 400000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		/* whatever got written is the right data */
		int fd = open(f, O_RDONLY);
		struct stat s;
		fstat(fd, &s);
		char *got = malloc((size_t)s.st_size + 1);
		ssize_t n = pread(fd, got, (size_t)s.st_size, 0);
		if (n != s.st_size)
			FAIL("killwrite: read %zd of %lld", n, (long long)s.st_size);
		for (ssize_t i = 0; i < n; i++)
			if (got[i] != (char)(i / 4096 + round)) {
				FAIL("killwrite: byte %zd of %zd is wrong", i, n);
				break;
			}
		printf("killwrite round %d: %lld of %zu bytes written when killed\n",
		       round, (long long)s.st_size, len);
		free(got);
		close(fd);
		normal_call("killwrite");
	}
	unlink(f);
	checks += rounds;
	return rounds;
}

/* ---- fork bomb ------------------------------------------------------------------ */

static int
case_forkbomb(void)
{
	make_tree(mnt);
	char f[4096];
	join(f, mnt, "f");
	pid_t leader = fork();
	if (leader == 0) {
		/* root ignores RLIMIT_NPROC: become nobody first */
		if (getuid() == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(3);
		}
		struct rlimit rl = { 60, 60 };
		setrlimit(RLIMIT_NPROC, &rl);
		setpgid(0, 0);
		int eagain = 0, forks = 0;
		for (int gen = 0; gen < 8; gen++) {
			pid_t c = fork();
			if (c < 0) {
				eagain++;
				continue;
			}
			if (c > 0)
				forks++;
			struct stat st;
			if (stat(f, &st) || st.st_size != 4096)
				_exit(4);
		}
		/* every process waits for its children */
		int bad = 0, st;
		while (wait(&st) > 0)
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				bad++;
		_exit(bad ? 5 : 0);
	}
	int st;
	waitpid(leader, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("forkbomb: the bomb's processes saw failures (status 0x%x)", st);
	printf("forkbomb: bounded by RLIMIT_NPROC=60, status 0x%x\n", st);
	checks++;
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s MNT HOSTDIR CASE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mnt = argv[1];
	host = argv[2];
	const char *c = argv[3];
	if (!strcmp(c, "efault"))
		case_efault();
	else if (!strcmp(c, "longpath"))
		case_longpath();
	else if (!strcmp(c, "race"))
		case_race();
	else if (!strcmp(c, "threads"))
		case_threads();
	else if (!strcmp(c, "fds"))
		case_fds();
	else if (!strcmp(c, "killwrite"))
		case_killwrite();
	else if (!strcmp(c, "forkbomb"))
		case_forkbomb();
	else {
		fprintf(stderr, "unknown case %s\n", c);
		return 2;
	}
	normal_call(c);
	printf("%s: %d checks, %d failures\n", c, checks, failures);
	return failures ? 1 : 0;
}
