/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A long-running process tree under pmemfile-run:
 *
 *   rel-longtree tree MNT     (as root, under pmemfile-run)
 *   rel-longtree check DIR    (exec'd by the tree: checks itself)
 *
 * From a cwd in the pool and with umask 027: REL_LONGTREE_N fork+exec
 * (40,000 by default, 100,000 with PF_LONG_TESTS=1; most exec /bin/true,
 * one in four a copy of it stored in the pool, every 500th execs `check`,
 * every other time from its copy in the pool), as many fork+exit without
 * exec (the child
 * stats a pool file by a relative path first), and N/2 threads (in
 * batches, each stats and reads the pool file), from two processes at
 * once. That is past pid_max
 * (32768 here), so pids and tids are reused. Then new processes must see
 * the right cwd, umask, pool contents and credentials (root; and after
 * setresuid to 65534, EACCES/EPERM), and the supervisor (our parent) must
 * hold as many fds as after the first ~100 processes (slack 8) and about
 * as much memory (slack 8 MiB).
 *
 * The supervisor had two fds per process that never went away (a procfd
 * and a pidfd per thread): 40,000 processes ran it out of fds (ENFILE,
 * then ESRCH for every call).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UMASK 027
#define PROBE "probe-contents\n"
#define FD_SLACK 8
/* Placeholder memfds (syscalls/placeholder.c) come and go with the
 * stash's refills and the releases not yet read: a snapshot holds between
 * a few and the stash's 32 reopened descriptions with their 32 slots, the
 * FREE_IDLE released slots and what the tree has open. They are bounded,
 * not compared. */
#define PLACEHOLDER_MAX 80
#define RSS_SLACK_KB (8 * 1024)

static const char *self_exe = "/proc/self/exe";
static char dir[PATH_MAX];
static int failures;

#define FAIL(...) do { printf("FAIL: " __VA_ARGS__); putchar('\n'); \
	fflush(stdout); failures++; } while (0)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The supervisor's open fds and resident memory (KiB). */
static void
sup_sample(pid_t sup, int *fds, int *memfds, long *rss)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/fd", (int)sup);
	DIR *d = opendir(p);
	*fds = *memfds = 0;
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char t[128];
			ssize_t n = readlinkat(dirfd(d), de->d_name, t,
					       sizeof(t) - 1);
			t[n > 0 ? n : 0] = 0;
			if (strncmp(t, "/memfd:pmemfile", 15) == 0)
				(*memfds)++;
			else
				(*fds)++;
		}
		closedir(d);
	}
	snprintf(p, sizeof(p), "/proc/%d/status", (int)sup);
	FILE *f = fopen(p, "re");
	char line[256];
	*rss = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", rss) == 1)
			break;
	if (f)
		fclose(f);
}

/* Checks, in the calling process, what it inherited. 0 if all is right. */
static int check_here(const char *want_cwd)
{
	int bad = 0;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, want_cwd) != 0) {
		printf("FAIL: [%d] getcwd: %s, want %s\n", (int)getpid(),
		       cwd, want_cwd);
		bad = 1;
	}
	mode_t m = umask(UMASK);
	if (m != UMASK) {
		printf("FAIL: [%d] umask %03o, want %03o\n", (int)getpid(), m, UMASK);
		bad = 1;
	}
	char buf[64] = { 0 };
	int fd = open("probe", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) != (ssize_t)strlen(PROBE) ||
	    strcmp(buf, PROBE) != 0) {
		printf("FAIL: [%d] reading probe (relative): %s\n", (int)getpid(),
		       fd < 0 ? strerror(errno) : "wrong contents");
		bad = 1;
	}
	if (fd >= 0)
		close(fd);
	char name[64];
	snprintf(name, sizeof(name), "new-%d", (int)getpid());
	fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0666);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || (st.st_mode & 0777) != (0666 & ~UMASK) ||
	    st.st_uid != getuid() || st.st_gid != getgid()) {
		printf("FAIL: [%d] create in cwd: %s (mode %o uid %d)\n", (int)getpid(),
		       fd < 0 ? strerror(errno) : "wrong mode or owner",
		       fd < 0 ? 0 : st.st_mode & 0777, fd < 0 ? -1 : (int)st.st_uid);
		bad = 1;
	}
	if (fd >= 0)
		close(fd);
	unlink(name);
	fflush(stdout);
	return bad;
}

/* As uid/gid 65534: a root file in a root 0755 dir can be neither chowned,
 * written nor unlinked (the pool must see the new ids at once). */
static int check_unprivileged(void)
{
	int bad = 0;
	struct stat st;
	if (stat("ro/f", &st) < 0) {  /* caches root's credentials first */
		printf("FAIL: [%d] stat ro/f as root: %s\n", (int)getpid(), strerror(errno));
		bad = 1;
	}
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0) {
		printf("FAIL: setresuid: %s\n", strerror(errno));
		return 1;
	}
	errno = 0;
	if (chown("ro/f", 65533, (gid_t)-1) == 0 || errno != EPERM) {
		printf("FAIL: [%d] chown as 65534: %s, want EPERM\n", (int)getpid(),
		       strerror(errno));
		bad = 1;
	}
	errno = 0;
	if (unlink("ro/f") == 0 || errno != EACCES) {
		printf("FAIL: [%d] unlink as 65534: %s, want EACCES\n", (int)getpid(),
		       strerror(errno));
		bad = 1;
	}
	errno = 0;
	int fd = open("ro/f", O_WRONLY);
	if (fd >= 0 || errno != EACCES) {
		printf("FAIL: [%d] open for writing as 65534: %s, want EACCES\n",
		       (int)getpid(), strerror(errno));
		bad = 1;
	}
	/* a user namespace of its own shows a full CapEff, worth nothing
	 * outside it (skipped where unprivileged user namespaces are off);
	 * checked in a new process too, whose credentials are read afresh */
	if (unshare(CLONE_NEWUSER) == 0) {
		pid_t pid = fork();
		if (pid > 0) {
			int ws;
			if (waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws) ||
			    WEXITSTATUS(ws) != 0)
				bad = 1;
		}
		errno = 0;
		if (chown("ro/f", 65533, (gid_t)-1) == 0 || errno != EPERM) {
			printf("FAIL: [%d] chown in a new user namespace: %s, want EPERM\n",
			       (int)getpid(), strerror(errno));
			bad = 1;
		}
		errno = 0;
		if (unlink("ro/f") == 0 || errno != EACCES) {
			printf("FAIL: [%d] unlink in a new user namespace: %s, want EACCES\n",
			       (int)getpid(), strerror(errno));
			bad = 1;
		}
		if (pid == 0)
			_exit(bad);
	} else {
		printf("note: unshare(CLONE_NEWUSER): %s: that check skipped\n",
		       strerror(errno));
	}
	fflush(stdout);
	return bad;
}

static int wait_ok(pid_t pid, const char *what)
{
	int st;
	if (pid < 0) {
		FAIL("fork (%s): %s", what, strerror(errno));
		return 1;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		FAIL("%s: child %d status 0x%x", what, (int)pid, st);
		return 1;
	}
	return 0;
}

/* cp from to (mode 0755). 0 or -1 with errno. */
static int
copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n = -1;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	int err = errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && (close(out) < 0 || fchmodat(AT_FDCWD, to, 0755, 0) < 0))
		n = -1;
	errno = err;
	return n == 0 ? 0 : -1;
}

static int spawn_exec(long i)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (i % 1000 == 0)
			execl(self_exe, "rel-longtree", "check", dir, (char *)NULL);
		else if (i % 500 == 0)
			execl("./self", "rel-longtree", "check", dir,
			      (char *)NULL);
		else if (i % 4 == 0)
			execl("./true", "true", (char *)NULL);
		else
			execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return wait_ok(pid, "fork+exec");
}

static int spawn_fork(long i)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct stat st;
		if (stat("probe", &st) < 0 || st.st_size != (off_t)strlen(PROBE))
			_exit(1);
		_exit(i % 500 == 0 ? check_here(dir) : 0);
	}
	return wait_ok(pid, "fork+exit");
}

static void *thread_body(void *arg)
{
	struct stat st;
	char buf[64];
	int fd = open("probe", O_RDONLY);
	long ok = stat("probe", &st) == 0 && st.st_size == (off_t)strlen(PROBE) &&
		  fd >= 0 && read(fd, buf, sizeof(buf)) == (ssize_t)strlen(PROBE);
	if (fd >= 0)
		close(fd);
	return (void *)ok;
}

static void threads(long n)
{
	enum { BATCH = 64 };
	pthread_t t[BATCH];
	for (long done = 0; done < n; done += BATCH) {
		int k = n - done < BATCH ? (int)(n - done) : BATCH;
		int made = 0;
		for (int j = 0; j < k; j++)
			if (pthread_create(&t[made], NULL, thread_body, NULL) == 0)
				made++;
		if (made < k)
			FAIL("pthread_create: %d of %d", made, k);
		for (int j = 0; j < made; j++) {
			void *ok;
			pthread_join(t[j], &ok);
			if (!ok)
				FAIL("a thread's stat/read of probe failed");
		}
	}
}

/* n fork+exec, n fork+exit, n/2 threads, in slices of one kind at a time. */
static void run_mix(long n)
{
	for (long i = 0; i < n && failures < 20; i++) {
		spawn_exec(i);
		spawn_fork(i);
		if (i % 128 == 127)
			threads(64);
	}
}

/* run_mix(n) split over two processes at once (two CPUs). */
static void run_lanes(long n)
{
	enum { LANES = 2 };
	pid_t lane[LANES];
	for (int l = 0; l < LANES; l++)
		if ((lane[l] = fork()) == 0) {
			run_mix(n / LANES);
			_exit(failures != 0);
		}
	for (int l = 0; l < LANES; l++)
		wait_ok(lane[l], "a lane of the mix");
}

static int tree(const char *mnt)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root (setresuid checks)\n");
		return 77;
	}
	long n = 40000;
	const char *e = getenv("PF_LONG_TESTS");
	if (e && atoi(e) > 0)
		n = 100000;
	if ((e = getenv("REL_LONGTREE_N")))
		n = atol(e);
	pid_t sup = getppid();
	snprintf(dir, sizeof(dir), "%s/longtree", mnt);
	umask(UMASK);
	/* umask 027 applies to these: 65534 must be able to search them */
	if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || chmod(dir, 0755) < 0 ||
	    chdir(dir) < 0) {
		FAIL("mkdir/chdir %s: %s", dir, strerror(errno));
		return 1;
	}
	int fd = open("probe", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, PROBE, strlen(PROBE)) != (ssize_t)strlen(PROBE)) {
		FAIL("probe: %s", strerror(errno));
		return 1;
	}
	close(fd);
	/* programs stored in the pool (pmemfile(7), EXECUTING POOL FILES) */
	if (copy_file("/bin/true", "true") < 0 ||
	    copy_file(self_exe, "self") < 0) {
		FAIL("copying programs into the pool: %s", strerror(errno));
		return 1;
	}
	if ((mkdir("ro", 0755) < 0 && errno != EEXIST) || chmod("ro", 0755) < 0 ||
	    (fd = open("ro/f", O_CREAT | O_WRONLY, 0644)) < 0) {
		FAIL("ro/f: %s", strerror(errno));
		return 1;
	}
	close(fd);

	/* warm up: workers started, caches made, pools' lanes touched */
	double t0 = now_s();
	run_mix(64);
	usleep(50000);  /* a few supervisor ticks */
	int fd0, fd1, mfd0, mfd1;
	long rss0, rss1;
	sup_sample(sup, &fd0, &mfd0, &rss0);
	double t1 = now_s();
	printf("after ~%d processes: supervisor %d fds and %d placeholders, %ld KiB (%.2f s)\n",
	       64 * 2 + 1, fd0, mfd0, rss0, t1 - t0);
	fflush(stdout);

	run_lanes(n);
	double t2 = now_s();
	usleep(50000);
	sup_sample(sup, &fd1, &mfd1, &rss1);
	printf("after %ld fork+exec, %ld fork+exit, %ld threads: supervisor %d fds and %d placeholders, %ld KiB (%.1f s, %.2f ms per fork+exec and fork+exit pair, two at a time)\n",
	       n / 2 * 2, n / 2 * 2, n / 2 / 128 * 64 * 2, fd1, mfd1, rss1,
	       t2 - t1, (t2 - t1) * 1000 / (double)n);

	/* new processes after all that */
	pid_t pid = fork();
	if (pid == 0)
		_exit(check_here(dir));
	wait_ok(pid, "final fork check");
	pid = fork();
	if (pid == 0) {
		execl(self_exe, "rel-longtree", "check", dir, (char *)NULL);
		_exit(127);
	}
	wait_ok(pid, "final exec check");
	pid = fork();
	if (pid == 0)
		_exit(check_unprivileged());
	wait_ok(pid, "final unprivileged check");
	struct stat st;
	if (stat("ro/f", &st) < 0 || st.st_uid != 0)
		FAIL("ro/f changed: %s uid %d", strerror(errno), (int)st.st_uid);
	if (check_here(dir))
		failures++;

	if (fd1 > fd0 + FD_SLACK)
		FAIL("supervisor fds grew from %d to %d", fd0, fd1);
	if (mfd1 > PLACEHOLDER_MAX)
		FAIL("supervisor holds %d placeholders, at most %d expected",
		     mfd1, PLACEHOLDER_MAX);
	if (rss1 > rss0 + RSS_SLACK_KB)
		FAIL("supervisor RSS grew from %ld to %ld KiB", rss0, rss1);
	printf("longtree: %d failures\n", failures);
	return failures != 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return check_here(argv[2]);
	if (argc == 3 && strcmp(argv[1], "tree") == 0)
		return tree(argv[2]);
	fprintf(stderr, "usage: rel-longtree tree MNT | check DIR\n");
	return 2;
}
