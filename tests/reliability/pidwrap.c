/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Credentials across a pid wrap-around, under pmemfile-run:
 *
 *   rel-pidwrap MNT     (as root)
 *
 * Spawns more processes than /proc/sys/kernel/pid_max (read, never
 * changed), from two lanes at once, until the pids have wrapped and
 * REL_PIDWRAP_EXTRA (2000) more have run. Every process first uses the
 * pool as root (stat, chown to root: its credentials get cached), and every
 * fourth then drops to uid/gid 65534 (setgroups, setresgid, setresuid) and
 * tries to chown a root file to 65533, unlink it from a root 0755
 * directory and open it for writing: EPERM, EACCES, EACCES every time. A
 * process served with another's (or its own old) credentials, or with
 * ESRCH, fails. The file must be root's and present at the end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ROOT_STAT = 1, ROOT_CHOWN = 2, SETID = 4, CHOWN = 8, UNLINK = 16,
       OPENW = 32 };

static int child(long i)
{
	int bad = 0;
	struct stat st;
	if (stat("d/f", &st) < 0 || st.st_uid != 0)
		bad |= ROOT_STAT;
	if (chown("d/f", 0, 0) < 0)
		bad |= ROOT_CHOWN;
	if (i % 4 != 0)
		return bad;
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		return bad | SETID;
	errno = 0;
	if (chown("d/f", 65533, (gid_t)-1) == 0 || errno != EPERM)
		bad |= CHOWN;
	errno = 0;
	if (unlink("d/f") == 0 || errno != EACCES)
		bad |= UNLINK;
	errno = 0;
	int fd = open("d/f", O_WRONLY);
	if (fd >= 0 || errno != EACCES)
		bad |= OPENW;
	if (fd >= 0)
		close(fd);
	return bad;
}

/* One lane: count processes, numbered first, first+step...; writes what
 * it saw (failure bits, failures, wraps, pid range) to out. */
static int lane(long first, long count, long step, int out)
{
	int seen = 0;
	long fails = 0;
	pid_t lo = INT32_MAX, hi = 0, last = 0;
	long wraps = 0;
	for (long i = first; i < first + count * step; i += step) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(child(i));
		if (pid < 0) {
			seen |= 128;
			fails++;
			continue;
		}
		if (pid < last)
			wraps++;
		last = pid;
		if (pid < lo)
			lo = pid;
		if (pid > hi)
			hi = pid;
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			int bits = WIFEXITED(st) ? WEXITSTATUS(st) : 64;
			if (fails < 10)
				printf("FAIL: process %ld (pid %d): bits 0x%x\n", i, (int)pid, bits);
			seen |= bits;
			fails++;
		}
	}
	dprintf(out, "%d %ld %ld %d %d\n", seen, fails, wraps, (int)lo, (int)hi);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: rel-pidwrap MNT\n");
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	long pid_max = 0;
	if (!f || fscanf(f, "%ld", &pid_max) != 1) {
		printf("FAIL: reading pid_max\n");
		return 1;
	}
	fclose(f);
	long extra = 2000;
	const char *e = getenv("REL_PIDWRAP_EXTRA");
	if (e)
		extra = atol(e);
	long total = pid_max + extra;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/pidwrap", argv[1]);
	umask(022);
	int fd;
	if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || chdir(dir) < 0 ||
	    (mkdir("d", 0755) < 0 && errno != EEXIST) ||
	    (fd = open("d/f", O_CREAT | O_WRONLY, 0644)) < 0) {
		printf("FAIL: setting up %s: %s\n", dir, strerror(errno));
		return 1;
	}
	close(fd);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int p[2];
	if (pipe(p) < 0)
		return 1;
	enum { LANES = 2 };
	for (int l = 0; l < LANES; l++)
		if (fork() == 0) {
			close(p[0]);
			_exit(lane(l, total / LANES + 1, LANES, p[1]));
		}
	close(p[1]);
	int failures = 0;
	long wraps = 0;
	FILE *in = fdopen(p[0], "r");
	for (int l = 0; l < LANES; l++) {
		int seen, lo, hi;
		long fails, w;
		if (fscanf(in, "%d %ld %ld %d %d", &seen, &fails, &w, &lo, &hi) != 5) {
			printf("FAIL: a lane died\n");
			failures++;
			continue;
		}
		printf("lane %d: %ld failed processes (bits 0x%x), pids %d..%d, %ld wraps\n",
		       l, fails, seen, lo, hi, w);
		failures += fails != 0;
		wraps += w;
	}
	while (wait(NULL) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("pidwrap: %ld processes (pid_max %ld) in %.1f s\n", total, pid_max, s);
	if (wraps == 0) {
		printf("FAIL: the pids did not wrap around\n");
		failures++;
	}
	struct stat st;
	if (stat("d/f", &st) < 0 || st.st_uid != 0) {
		printf("FAIL: d/f: %s, uid %d\n", strerror(errno), (int)st.st_uid);
		failures++;
	}
	printf("pidwrap: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
