/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FIFOs and UNIX sockets whose names go while they are open, bound or
 * listening, and many of them made and removed in turn. An unlinked FIFO
 * that is open keeps working (data, fstat, /proc/self/fd reopen); a bound
 * socket whose name is unlinked keeps its connections and its name
 * (getsockname), while a connect by the name gets ENOENT; a new FIFO or
 * socket of the same name is another one; a hard link or a rename keeps
 * a socket reachable; a rename over its name does not.
 *
 * Under pmemfile-run each pool FIFO and bound socket has a host twin in
 * the supervisor's runtime directory (syscalls/twin.c). Making and
 * removing 2000 of each must not leave 2000 twins there: the count of
 * host twins is checked to stay bounded (pool and sandbox runs; natively
 * there is no supervisor and the count is not checked).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "check.h"

#define MANY 2000

/* ---- the supervisor's host twins, seen from outside ------------------ */

static long ppid_of(long pid)
{
	char p[64], buf[512];
	snprintf(p, sizeof(p), "/proc/%ld/stat", pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *e = strrchr(buf, ')'); /* comm may hold anything */
	long pp;
	return e && sscanf(e + 1, " %*c %ld", &pp) == 1 ? pp : -1;
}

/*
 * The runtime directory of the supervisor above us (syscalls/rundir.c:
 * /dev/shm/pmemfile-run-PID-XXXXXX, or in $TMPDIR or /tmp), PID the
 * nearest ancestor that has one; "" when none does.
 */
static const char *rundir(void)
{
	static char dir[4096];
	if (dir[0])
		return dir;
	const char *tmp = getenv("TMPDIR");
	const char *roots[] = { "/dev/shm", tmp && *tmp ? tmp : "/tmp",
				"/tmp" };
	for (long pid = getppid(); pid > 1; pid = ppid_of(pid))
		for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
			char pat[4200];
			glob_t g;
			snprintf(pat, sizeof(pat), "%s/pmemfile-run-%ld-*",
				 roots[i], pid);
			if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc == 1)
				snprintf(dir, sizeof(dir), "%s", g.gl_pathv[0]);
			globfree(&g);
			if (dir[0])
				return dir;
		}
	return dir;
}

static long entries(const char *d)
{
	DIR *dd = opendir(d);
	if (!dd)
		return 0; /* not made yet: no twin of that kind so far */
	long n = 0;
	struct dirent *de;
	while ((de = readdir(dd)))
		n += de->d_name[0] != '.';
	closedir(dd);
	return n;
}

/* Host twins (FIFOs in f/, sockets in s/) now; -1 natively. */
static long twins_now(void)
{
	if (!g_pool)
		return -1;
	const char *d = rundir();
	CHECK(d[0]); /* under pmemfile-run, a pool FIFO or socket was made */
	char f[4200], s[4200];
	snprintf(f, sizeof(f), "%s/f", d);
	snprintf(s, sizeof(s), "%s/s", d);
	return entries(f) + entries(s);
}

/* At most `extra` twins more than `base` (pool runs only). */
static void check_twins_bounded(long base, long extra, int round)
{
	long n = twins_now();
	if (n < 0)
		return;
	if (n > base + extra)
		PFT_FAIL("round %d: %ld host twins, at most %ld expected",
			 round, n, base + extra);
}

/* ---- helpers ------------------------------------------------------------ */

/* A child that goes on only once the parent says go (after letting go of
 * what the child must then hold alone): returns 0 in the child, the pid
 * in the parent, with *go the fd to write one byte to. */
static pid_t fork_on_go(int *go)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		close(p[1]);
		char b;
		if (read(p[0], &b, 1) != 1)
			_exit(1);
		close(p[0]);
		return 0;
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int listener(const char *p)
{
	int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	struct sockaddr_un sa;
	socklen_t l = un_addr(&sa, p);
	CHECK_OK(bind(s, (struct sockaddr *)&sa, l));
	CHECK_OK(listen(s, 8));
	return s;
}

static int connect_to(int s, const char *p)
{
	struct sockaddr_un sa;
	socklen_t l = un_addr(&sa, p);
	return connect(s, (struct sockaddr *)&sa, l);
}

static int client(const char *p)
{
	int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(connect_to(c, p));
	return c;
}

/* One byte each way between a connected pair. */
static void ping(int a, int b)
{
	char x = 0;
	CHECK_EQ(1, write(a, "p", 1));
	CHECK_EQ(1, read(b, &x, 1));
	CHECK_EQ('p', x);
	CHECK_EQ(1, write(b, "q", 1));
	CHECK_EQ(1, read(a, &x, 1));
	CHECK_EQ('q', x);
}

/* Has listener s a connection to accept? */
static int pending(int s)
{
	struct pollfd pf = { .fd = s, .events = POLLIN };
	return CHECK_OK(poll(&pf, 1, 0));
}

static void check_sockname(int s, const char *want, int peer)
{
	struct sockaddr_un sa;
	socklen_t l = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	if (peer)
		CHECK_OK(getpeername(s, (struct sockaddr *)&sa, &l));
	else
		CHECK_OK(getsockname(s, (struct sockaddr *)&sa, &l));
	CHECK_STR(want, sa.sun_path);
}

/* ---- cases -------------------------------------------------------------- */

/*
 * A server that binds a new name per client: 2000 names bound, used,
 * unlinked (before or after the close) and gone.
 */
static void t_many_sockets(void)
{
	char name[64];
	int first = listener(path("first.sock")); /* the directory exists */
	/* a client whose server and its name go first: it shows the name
	 * (getpeername) for as long as it lives, however many come after */
	int old_srv = listener(path("old.sock"));
	int old = client(path("old.sock"));
	close(CHECK_OK(accept(old_srv, NULL, NULL)));
	close(old_srv);
	CHECK_OK(unlink(path("old.sock")));
	long base = twins_now();
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "m%d.sock", i);
		const char *p = path(name);
		int srv = listener(p);
		int c = client(p);
		int a = CHECK_OK(accept(srv, NULL, NULL));
		ping(c, a);
		if (i % 2) {
			CHECK_OK(unlink(p));
			close(srv);
		} else {
			close(srv);
			CHECK_OK(unlink(p));
		}
		ping(a, c); /* a connection outlives its listener and name */
		close(a);
		close(c);
		if (i % 100 == 99) {
			int x = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
			CHECK_ERR(ENOENT, connect_to(x, p));
			close(x);
			check_twins_bounded(base, 4, i);
		}
	}
	check_sockname(old, path("old.sock"), 1);
	close(old);
	close(first);
	CHECK_OK(unlink(path("first.sock")));
	check_twins_bounded(base - 1, 0, MANY);
}

/* 2000 FIFOs made, opened, used, unlinked (before or after the close). */
static void t_many_fifos(void)
{
	char name[64];
	umask(0);
	CHECK_OK(mkfifo(path("first.fifo"), 0600));
	int first = CHECK_OK(open(path("first.fifo"), O_RDWR));
	long base = twins_now();
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "m%d.fifo", i);
		const char *p = path(name);
		CHECK_OK(mkfifo(p, 0600));
		int r = CHECK_OK(open(p, O_RDONLY | O_NONBLOCK));
		int w = CHECK_OK(open(p, O_WRONLY));
		if (i % 2)
			CHECK_OK(unlink(p));
		char x = 0;
		CHECK_EQ(1, write(w, "f", 1));
		CHECK_EQ(1, read(r, &x, 1));
		CHECK_EQ('f', x);
		close(r);
		close(w);
		if (!(i % 2))
			CHECK_OK(unlink(p));
		if (i % 100 == 99) {
			CHECK_ERR(ENOENT, open(p, O_RDWR));
			check_twins_bounded(base, 4, i);
		}
	}
	close(first);
	CHECK_OK(unlink(path("first.fifo")));
	check_twins_bounded(base, 0, MANY);
}

/*
 * An open FIFO whose name is gone keeps working, in this process and in
 * another one that holds it alone; a new FIFO by the name is another.
 */
static void t_unlinked_fifo(void)
{
	const char *p = path("gone.fifo");
	struct stat dir, st, st2;
	umask(0);
	CHECK_OK(stat(g_dir, &dir));
	CHECK_OK(mkfifo(p, 0640));
	int r = CHECK_OK(open(p, O_RDONLY | O_NONBLOCK));
	int w = CHECK_OK(open(p, O_WRONLY));
	long base = twins_now();
	CHECK_OK(unlink(p));
	CHECK_ERR(ENOENT, open(p, O_RDWR));
	/* the inode is the file system's, with no name left */
	CHECK_OK(fstat(w, &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(0640, st.st_mode & 07777);
	CHECK_EQ(0, st.st_nlink);
	CHECK_EQ(dir.st_dev, st.st_dev);
	char link[64], want[4200], got[4200], buf[8];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", w);
	ssize_t n = CHECK_OK(readlink(link, got, sizeof(got) - 1));
	got[n] = 0;
	snprintf(want, sizeof(want), "%s (deleted)", p);
	CHECK_STR(want, got);
	CHECK_EQ(3, write(w, "abc", 3));
	CHECK_EQ(3, read(r, buf, sizeof(buf)));
	CHECK_MEM("abc", buf, 3);
	/* reopened through /proc: the same pipe */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", r);
	int w2 = CHECK_OK(open(link, O_WRONLY));
	CHECK_EQ(2, write(w2, "de", 2));
	CHECK_EQ(2, read(r, buf, sizeof(buf)));
	CHECK_MEM("de", buf, 2);
	close(w2);
	/* the name again: another FIFO */
	CHECK_OK(mkfifo(p, 0600));
	int r2 = CHECK_OK(open(p, O_RDONLY | O_NONBLOCK));
	int wn = CHECK_OK(open(p, O_WRONLY));
	CHECK_OK(fstat(wn, &st2));
	CHECK(st.st_ino != st2.st_ino);
	CHECK_EQ(1, st2.st_nlink);
	CHECK_EQ(0600, st2.st_mode & 07777);
	CHECK_EQ(3, write(wn, "new", 3));
	CHECK_ERR(EAGAIN, read(r, buf, sizeof(buf)));
	CHECK_EQ(3, read(r2, buf, sizeof(buf)));
	CHECK_MEM("new", buf, 3);
	close(r2);
	close(wn);
	CHECK_OK(unlink(p));
	/* the unlinked one held by another process alone */
	int go;
	pid_t pid = fork_on_go(&go);
	if (pid == 0) { /* once the parent has closed its ends */
		struct stat cs;
		if (fstat(w, &cs) < 0 || cs.st_nlink != 0 ||
		    cs.st_dev != dir.st_dev || (cs.st_mode & 07777) != 0640)
			_exit(2);
		char cb[4];
		if (write(w, "xyz", 3) != 3 || read(r, cb, 4) != 3 ||
		    memcmp(cb, "xyz", 3))
			_exit(3);
		_exit(0);
	}
	close(r);
	close(w);
	CHECK_EQ(1, write(go, "g", 1));
	close(go);
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status));
	CHECK_EQ(0, WEXITSTATUS(status));
	check_twins_bounded(base - 1, 0, 0);
}

/*
 * A listening socket whose name is unlinked: its queue, its connections
 * and its name (getsockname, the peer's getpeername) stay; a connect by
 * the name is ENOENT, and a new socket can take the name.
 */
static void t_unlinked_socket(void)
{
	const char *p = path("gone.sock");
	int srv = listener(p);
	long base = twins_now();
	int c0 = client(p), c1 = client(p); /* queued, not accepted yet */
	CHECK_OK(unlink(p));
	int x = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(ENOENT, connect_to(x, p));
	close(x);
	int a0 = CHECK_OK(accept(srv, NULL, NULL));
	ping(c0, a0);
	check_sockname(srv, p, 0);
	check_sockname(a0, p, 0);
	check_sockname(c0, p, 1);
	/* the name again: another socket */
	int srv2 = listener(p);
	int c2 = client(p);
	int a2 = CHECK_OK(accept(srv2, NULL, NULL));
	ping(c2, a2);
	check_sockname(srv2, p, 0);
	check_sockname(srv, p, 0);
	/* the old listener, held by another process alone, accepts the
	 * connection still queued on it */
	int go;
	pid_t pid = fork_on_go(&go);
	if (pid == 0) { /* once the parent has let go */
		char b;
		int a = accept(srv, NULL, NULL);
		if (a < 0)
			_exit(2);
		struct sockaddr_un sa;
		socklen_t l = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		if (getsockname(srv, (struct sockaddr *)&sa, &l) < 0 ||
		    strcmp(sa.sun_path, p))
			_exit(3);
		if (read(a, &b, 1) != 1 || write(a, "k", 1) != 1)
			_exit(4);
		_exit(0);
	}
	close(a0);
	close(c0);
	close(srv);
	CHECK_EQ(1, write(go, "g", 1));
	close(go);
	CHECK_EQ(1, write(c1, "z", 1));
	char b = 0;
	CHECK_EQ(1, read(c1, &b, 1));
	CHECK_EQ('k', b);
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status));
	CHECK_EQ(0, WEXITSTATUS(status));
	/* the listener, its connections and its name all gone: a client
	 * still shows the address it connected to */
	check_sockname(c1, p, 1);
	close(c1);
	/* closed, name kept: refused; unlinked too: gone */
	close(a2);
	close(c2);
	close(srv2);
	x = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(ECONNREFUSED, connect_to(x, p));
	CHECK_OK(unlink(p));
	CHECK_ERR(ENOENT, connect_to(x, p));
	close(x);
	check_twins_bounded(base - 1, 0, 0);
}

/*
 * A socket keeps a name while one is left: through a hard link after the
 * first is unlinked, under its new name after a rename; a rename over its
 * name takes it (ECONNREFUSED for the plain file there now).
 */
static void t_socket_names(void)
{
	const char *p = path("a.sock"), *q = path("b.sock");
	int srv = listener(p);
	long base = twins_now();
	CHECK_OK(link(p, q));
	CHECK_OK(unlink(p));
	int c = client(q);
	int a = CHECK_OK(accept(srv, NULL, NULL));
	ping(c, a);
	close(a);
	close(c);
	check_sockname(srv, p, 0);
	/* renamed: reachable by the new name only */
	CHECK_OK(rename(q, p));
	int x = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(ENOENT, connect_to(x, q));
	close(x);
	c = client(p);
	a = CHECK_OK(accept(srv, NULL, NULL));
	ping(c, a);
	close(a);
	close(c);
	/* another socket renamed over it: that one answers */
	int srv2 = listener(q);
	CHECK_OK(rename(q, p));
	c = client(p);
	CHECK_EQ(0, pending(srv));
	a = CHECK_OK(accept(srv2, NULL, NULL));
	ping(c, a);
	close(a);
	close(c);
	/* a plain file renamed over it: refused */
	int fd = CHECK_OK(open(q, O_CREAT | O_WRONLY, 0666));
	close(fd);
	CHECK_OK(rename(q, p));
	x = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(ECONNREFUSED, connect_to(x, p));
	close(x);
	check_sockname(srv2, q, 0);
	close(srv);
	close(srv2);
	CHECK_OK(unlink(p));
	check_twins_bounded(base - 1, 0, 0);
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "unlinked_fifo", t_unlinked_fifo },
		{ "unlinked_socket", t_unlinked_socket },
		{ "socket_names", t_socket_names },
		{ "many_sockets", t_many_sockets },
		{ "many_fifos", t_many_fifos },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
