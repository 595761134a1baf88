/*
 * Directory notification (fcntl F_NOTIFY) as Linux has it: ENOTDIR, the
 * owner a request sets, which calls give which events (one signal per
 * fsnotify event: three for a rename within the directory), si_fd and si_code of the F_SETSIG
 * signal, SIGIO without it, one-shot and DN_MULTISHOT registrations,
 * requests adding up, clearing with 0, events from another process, and
 * the registration going at the close of its fd; and random sequences of
 * calls, each call's signals compared with the kernel's for a host
 * directory.
 */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define DN_ALL                                                                 \
	(DN_ACCESS | DN_MODIFY | DN_CREATE | DN_DELETE | DN_RENAME | DN_ATTRIB)

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
}

/* How many of sig are queued (each must name fd, with code). */
static int drain(int sig, int fd, int code)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	struct timespec ts = { 0, 0 };
	siginfo_t si;
	int n = 0;
	while (sigtimedwait(&s, &si, &ts) == sig) {
		n++;
		CHECK_EQ(code, si.si_code);
		if (code == POLL_MSG)
			CHECK_EQ(fd, si.si_fd);
	}
	return n;
}

static void touch(const char *p)
{
	int fd = CHECK_OK(open(p, O_CREAT | O_WRONLY | O_EXCL, 0644));
	close(fd);
}

static void t_errnos(void)
{
	const char *f = path("dn-file");
	write_file(f, "x");
	int fd = CHECK_OK(open(f, O_RDONLY));
	CHECK_ERR(ENOTDIR, fcntl(fd, F_NOTIFY, DN_CREATE));
	/* clearing is fine anywhere */
	CHECK_OK(fcntl(fd, F_NOTIFY, 0));
	CHECK_OK(fcntl(fd, F_NOTIFY, DN_MULTISHOT));
	close(fd);
	const char *d = path("dn-e");
	CHECK_OK(mkdir(d, 0755));
	int dfd = CHECK_OK(open(d, O_RDONLY | O_DIRECTORY));
	CHECK_EQ(0, fcntl(dfd, F_GETOWN));
	CHECK_OK(fcntl(dfd, F_NOTIFY, DN_CREATE | DN_MULTISHOT));
	/* the request makes the caller the owner */
	CHECK_EQ(getpid(), fcntl(dfd, F_GETOWN));
	CHECK_OK(fcntl(dfd, F_NOTIFY, 0));
	close(dfd);
	CHECK_OK(rmdir(d));
	CHECK_OK(unlink(f));
}

/* Every kind of event, each one signal (F_SETSIG: si_fd, POLL_MSG). */
static void t_events(void)
{
	int sig = SIGRTMIN + 2;
	block(sig);
	const char *d = path("dn-ev");
	CHECK_OK(mkdir(d, 0755));
	int dfd = CHECK_OK(open(d, O_RDONLY | O_DIRECTORY));
	CHECK_OK(fcntl(dfd, F_SETSIG, sig));
	CHECK_OK(fcntl(dfd, F_NOTIFY, DN_ALL | DN_MULTISHOT));
	char p[PATH_MAX], q[PATH_MAX], s[PATH_MAX];
	snprintf(p, sizeof(p), "%s/f", d);
	snprintf(q, sizeof(q), "%s/g", d);
	snprintf(s, sizeof(s), "%s/sub", d);
	int fd = CHECK_OK(open(p, O_CREAT | O_WRONLY, 0644));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* create */
	CHECK_EQ(1, write(fd, "x", 1));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* modify */
	close(fd);
	CHECK_EQ(0, drain(sig, dfd, POLL_MSG));
	fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_EQ(0, drain(sig, dfd, POLL_MSG)); /* opening is nothing */
	char b[4];
	CHECK_EQ(1, read(fd, b, sizeof(b)));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* access */
	CHECK_EQ(0, read(fd, b, sizeof(b)));
	CHECK_EQ(0, drain(sig, dfd, POLL_MSG));
	close(fd);
	CHECK_OK(chmod(p, 0600));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* attrib */
	CHECK_OK(truncate(p, 10));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* modify */
	CHECK_OK(utimes(p, NULL));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* attrib */
	CHECK_OK(setxattr(p, "user.k", "v", 1, 0));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* attrib */
	fd = CHECK_OK(open(p, O_WRONLY | O_TRUNC));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* modify */
	close(fd);
	CHECK_OK(rename(p, q));
	CHECK_EQ(3, drain(sig, dfd, POLL_MSG)); /* rename, from, to */
	CHECK_OK(mkdir(s, 0755));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* create */
	CHECK_OK(chmod(d, 0750));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* the directory itself */
	snprintf(p, sizeof(p), "%s/sub/g", d);
	CHECK_OK(rename(q, p));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* moved from: no rename */
	CHECK_OK(unlink(p));
	CHECK_EQ(0, drain(sig, dfd, POLL_MSG)); /* not in d */
	CHECK_OK(rmdir(s));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* delete */
	CHECK_OK(symlink("x", q));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG));
	snprintf(p, sizeof(p), "%s/h", d);
	CHECK_OK(link(q, p));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG));
	CHECK_OK(unlink(q));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG));
	CHECK_OK(unlink(p));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG));
	char dents[1024];
	CHECK_OK(syscall(SYS_getdents64, dfd, dents, sizeof(dents)));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG)); /* reading the directory */
	CHECK_OK(fcntl(dfd, F_NOTIFY, 0));
	touch(q);
	CHECK_EQ(0, drain(sig, dfd, POLL_MSG));
	CHECK_OK(unlink(q));
	close(dfd);
	CHECK_OK(rmdir(d));
}

/* One-shot, requests adding up, a filter, plain SIGIO, another process,
 * and the close of the fd. */
static void t_shots(void)
{
	block(SIGIO);
	int sig = SIGRTMIN + 3;
	block(sig);
	const char *d = path("dn-shot");
	CHECK_OK(mkdir(d, 0755));
	int dfd = CHECK_OK(open(d, O_RDONLY | O_DIRECTORY));
	char a[PATH_MAX], b[PATH_MAX];
	snprintf(a, sizeof(a), "%s/a", d);
	snprintf(b, sizeof(b), "%s/b", d);
	/* one-shot, plain SIGIO */
	CHECK_OK(fcntl(dfd, F_NOTIFY, DN_CREATE));
	touch(a);
	touch(b);
	CHECK_EQ(1, drain(SIGIO, dfd, SI_KERNEL));
	CHECK_OK(unlink(a));
	CHECK_OK(unlink(b));
	CHECK_EQ(0, drain(SIGIO, dfd, SI_KERNEL));
	/* a filter: creating is not deleting */
	CHECK_OK(fcntl(dfd, F_SETSIG, sig));
	CHECK_OK(fcntl(dfd, F_NOTIFY, DN_DELETE | DN_MULTISHOT));
	touch(a);
	CHECK_EQ(0, drain(sig, dfd, POLL_MSG));
	CHECK_OK(unlink(a));
	CHECK_EQ(1, drain(sig, dfd, POLL_MSG));
	/* requests add up */
	CHECK_OK(fcntl(dfd, F_NOTIFY, DN_CREATE));
	touch(a);
	CHECK_OK(unlink(a));
	CHECK_EQ(2, drain(sig, dfd, POLL_MSG));
	/* another process's calls; si_fd is the latest request's fd */
	int dfd2 = CHECK_OK(fcntl(dfd, F_DUPFD, 20));
	CHECK_OK(fcntl(dfd2, F_NOTIFY, DN_CREATE));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		touch(a);
		_exit(0);
	}
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK_EQ(0, status);
	CHECK_EQ(1, drain(sig, dfd2, POLL_MSG));
	/* a close of the fd ends it, though the description lives on */
	close(dfd2);
	CHECK_OK(unlink(a));
	CHECK_EQ(0, drain(sig, dfd, POLL_MSG));
	close(dfd);
	CHECK_OK(rmdir(d));
}

/* ---- random sequences: the pool against the host's tmpfs ---- */

/* A hash of /proc/self/fd/fd's text after base. */
static int link_hash(int fd, const char *base)
{
	char l[64], t[PATH_MAX];
	snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
	ssize_t n = CHECK_OK(readlink(l, t, sizeof(t) - 1));
	t[n] = 0;
	size_t bl = strlen(base);
	const char *s = strncmp(t, base, bl) == 0 ? t + bl : t;
	unsigned h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return (int)(h & 0x7fffffff);
}

/* Random calls on names in base/a, base/a/b and base/c, with DN_ALL |
 * DN_MULTISHOT on a (signal sa) and on a/b (signal sb). out[4 * i...]:
 * step i's result (0 or errno), the signals a and b got, and a hash of
 * where /proc/self/fd shows the open file (below base). */
static void rand_run(const char *base, unsigned seed, int *out, int n)
{
	static const char *const dirs[] = { "a", "a/b", "c" };
	int sa = SIGRTMIN + 4, sb = SIGRTMIN + 5;
	char a[PATH_MAX], b[PATH_MAX], p[PATH_MAX], q[PATH_MAX];
	block(sa);
	block(sb);
	CHECK_OK(mkdir(base, 0755));
	snprintf(a, sizeof(a), "%s/a", base);
	snprintf(b, sizeof(b), "%s/a/b", base);
	snprintf(p, sizeof(p), "%s/c", base);
	CHECK_OK(mkdir(a, 0755));
	CHECK_OK(mkdir(b, 0755));
	CHECK_OK(mkdir(p, 0755));
	int da = CHECK_OK(open(a, O_RDONLY | O_DIRECTORY));
	int db = CHECK_OK(open(b, O_RDONLY | O_DIRECTORY));
	CHECK_OK(fcntl(da, F_SETSIG, sa));
	CHECK_OK(fcntl(db, F_SETSIG, sb));
	CHECK_OK(fcntl(da, F_NOTIFY, DN_ALL | DN_MULTISHOT));
	CHECK_OK(fcntl(db, F_NOTIFY, DN_ALL | DN_MULTISHOT));
	int fd = -1;
	for (int i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		unsigned x = seed;
		snprintf(p, sizeof(p), "%s/%s/n%u", base, dirs[x % 3],
			 x / 3 % 4);
		x /= 12;
		snprintf(q, sizeof(q), "%s/%s/n%u", base, dirs[x % 3],
			 x / 3 % 4);
		x /= 12;
		char buf[8];
		int r;
		switch (x % 15) {
		case 0: r = open(p, O_CREAT | O_WRONLY, 0644); break;
		case 1: r = mkdir(p, 0755); break;
		case 2: r = unlink(p); break;
		case 3: r = rmdir(p); break;
		case 4: r = rename(p, q); break;
		case 5: r = link(p, q); break;
		case 6: r = symlink("t", p); break;
		case 7: r = chmod(p, 0600); break;
		case 8: r = truncate(p, 3); break;
		case 9: r = utimes(p, NULL); break;
		case 10: r = setxattr(p, "user.k", "v", 1, 0); break;
		case 11: r = open(p, O_WRONLY | O_TRUNC); break;
		case 12: r = open(p, O_RDONLY); break;
		case 13: r = fd >= 0 ? (int)write(fd, "xy", 2) : -2; break;
		default:
			r = fd >= 0 ? (int)read(fd, buf, sizeof(buf)) : -2;
			break;
		}
		int err = r == -1 ? errno : 0;
		if (r >= 0 && (x % 15 == 0 || x % 15 == 11 || x % 15 == 12)) {
			if (fd >= 0)
				close(fd);
			fd = r;
		}
		if (getenv("DNDBG")) {
			char l[64], t[PATH_MAX] = "";
			snprintf(l, 64, "/proc/self/fd/%d", fd);
			if (fd >= 0)
				t[readlink(l, t, sizeof(t) - 1) > 0 ?
					  strlen(t) :
					  0] = 0;
			fprintf(stderr, "%d op %u %s %s r=%d err=%d fd=%s\n", i,
				x % 15, p, q, r, err, t);
		}
		out[4 * i] = err;
		out[4 * i + 1] = drain(sa, da, POLL_MSG);
		out[4 * i + 2] = drain(sb, db, POLL_MSG);
		out[4 * i + 3] = fd < 0 ? -1 : link_hash(fd, base);
	}
	if (fd >= 0)
		close(fd);
	close(da);
	close(db);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	CHECK_EQ(0, system(cmd));
}

/* Random sequences of 400 calls (eight; PFTEST_SEEDS=N for more): the
 * signals each watched directory gets after each call, and each call's
 * errno, as the kernel gives them for a host directory. */
static void t_random(void)
{
	enum { N = 400 };
	const char *env = getenv("PFTEST_SEEDS");
	unsigned seeds = env ? (unsigned)atoi(env) : 8;
	static int x[4 * N], y[4 * N];
	static const char *const what[] = { "errno", "signals of a",
					    "signals of a/b",
					    "the open file's /proc name" };
	for (unsigned seed = 1; seed <= seeds; seed++) {
		rand_run(path("rand"), seed * 2654435761u, x, N);
		rand_run(hpath("rand"), seed * 2654435761u, y, N);
		for (int i = 0; i < 4 * N; i++)
			if (x[i] != y[i])
				PFT_FAIL("seed %u step %d: %s %d here, %d on "
					 "the host",
					 seed, i / 4, what[i % 4], x[i], y[i]);
	}
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "errnos", t_errnos }, { "events", t_events },
		{ "shots", t_shots },	{ "random", t_random },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
