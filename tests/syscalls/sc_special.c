/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FIFOs and UNIX sockets in DIR: fifo(7)'s open rules (who waits, ENXIO),
 * data, poll, FIONREAD, pipe sizes, EPIPE, EINTR and restart of a waiting
 * open, fstat and /proc/self/fd of an open FIFO, permissions; bind,
 * connect, sendto and sendmsg by path for stream, datagram and seqpacket
 * sockets, with their errnos (EADDRINUSE, ENOENT, ECONNREFUSED, EACCES),
 * getsockname/getpeername, unlink of a bound name. Natively on tmpfs these
 * are Linux's answers; in a pool they must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "check.h"

/* A child that opens p with flags after ms milliseconds, writes or reads
 * one byte, and exits. */
static pid_t later(const char *p, int flags, int ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		usleep((useconds_t)ms * 1000);
		int fd = open(p, flags);
		if (fd < 0)
			_exit(1);
		char b = 'x';
		if ((flags & O_ACCMODE) == O_WRONLY ? write(fd, &b, 1) != 1 :
						      read(fd, &b, 1) < 0)
			_exit(2);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid, int want)
{
	int st;
	CHECK_EQ(pid, waitpid(pid, &st, 0));
	CHECK(WIFEXITED(st));
	CHECK_EQ(want, WEXITSTATUS(st));
}

static void t_fifo_open_rules(void)
{
	const char *f = path("fifo");
	CHECK_OK(mkfifo(f, 0644));
	/* who does not wait */
	int r = CHECK_OK(open(f, O_RDONLY | O_NONBLOCK));
	int w = CHECK_OK(open(f, O_WRONLY | O_NONBLOCK)); /* a reader exists */
	close(w);
	close(r);
	CHECK_ERR(ENXIO, open(f, O_WRONLY | O_NONBLOCK));
	int rw = CHECK_OK(open(f, O_RDWR));
	CHECK_EQ(3, write(rw, "abc", 3));
	char buf[8];
	CHECK_EQ(3, read(rw, buf, sizeof(buf)));
	close(rw);
	/* a reader waits for a writer, and the other way round */
	double t0 = now();
	pid_t p = later(f, O_WRONLY, 150);
	r = CHECK_OK(open(f, O_RDONLY));
	CHECK(now() - t0 > 0.1);
	CHECK_EQ(1, read(r, buf, 1));
	close(r);
	reap(p, 0);
	t0 = now();
	p = later(f, O_RDONLY, 150);
	w = CHECK_OK(open(f, O_WRONLY));
	CHECK(now() - t0 > 0.1);
	CHECK_EQ(1, write(w, "y", 1));
	close(w);
	reap(p, 0);
	/* what only the name means */
	CHECK_ERR(EEXIST,
		  open(f, O_RDONLY | O_NONBLOCK | O_CREAT | O_EXCL, 0644));
	CHECK_ERR(ENOTDIR, open(f, O_RDONLY | O_NONBLOCK | O_DIRECTORY));
	CHECK_OK(symlink("fifo", path("fifolink")));
	CHECK_ERR(ELOOP,
		  open(path("fifolink"), O_RDONLY | O_NONBLOCK | O_NOFOLLOW));
	r = CHECK_OK(open(path("fifolink"), O_RDONLY | O_NONBLOCK | O_TRUNC));
	close(r);
	CHECK_OK(unlink(path("fifolink")));
	CHECK_OK(unlink(f));
}

static void t_fifo_data(void)
{
	const char *f = path("fifo");
	CHECK_OK(mkfifo(f, 0640));
	int r = CHECK_OK(open(f, O_RDONLY | O_NONBLOCK));
	int w = CHECK_OK(open(f, O_WRONLY));
	/* what the inode is: the pool's, by fstat, stat and /proc */
	struct stat a, b;
	CHECK_OK(fstat(r, &a));
	CHECK_OK(stat(f, &b));
	CHECK(S_ISFIFO(a.st_mode));
	CHECK_EQ(b.st_ino, a.st_ino);
	CHECK_EQ(b.st_dev, a.st_dev);
	CHECK_EQ(0640, a.st_mode & 07777);
	char link[4096], fdp[64];
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", r);
	ssize_t n = CHECK_OK(readlink(fdp, link, sizeof(link) - 1));
	link[n] = 0;
	CHECK_STR(f, link);
	/* poll, FIONREAD, non-blocking reads, pipe size */
	struct pollfd pf = { .fd = r, .events = POLLIN };
	CHECK_EQ(0, poll(&pf, 1, 0));
	char buf[100];
	CHECK_ERR(EAGAIN, read(r, buf, sizeof(buf)));
	CHECK_EQ(5, write(w, "hello", 5));
	CHECK_EQ(1, poll(&pf, 1, 1000));
	int avail = 0;
	CHECK_OK(ioctl(r, FIONREAD, &avail));
	CHECK_EQ(5, avail);
	CHECK_EQ(5, read(r, buf, sizeof(buf)));
	CHECK_EQ(65536, fcntl(w, F_GETPIPE_SZ));
	CHECK_OK(fcntl(w, F_SETPIPE_SZ, 4096));
	CHECK_EQ(4096, fcntl(r, F_GETPIPE_SZ));
	/* data between processes */
	pid_t p = fork();
	if (p == 0) {
		int ww = open(f, O_WRONLY);
		for (int i = 0; i < 1000; i++)
			if (write(ww, "0123456789", 10) != 10)
				_exit(1);
		_exit(0);
	}
	long got = 0;
	int fl = fcntl(r, F_GETFL);
	CHECK_OK(fcntl(r, F_SETFL, fl & ~O_NONBLOCK));
	while (got < 10000) {
		ssize_t k = read(r, buf, sizeof(buf));
		if (k <= 0)
			break;
		got += k;
	}
	CHECK_EQ(10000, got);
	reap(p, 0);
	/* no reader: EPIPE (SIGPIPE ignored here) */
	close(r);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(EPIPE, write(w, "z", 1));
	signal(SIGPIPE, SIG_DFL);
	close(w);
	/* unlinked while open: the pipe goes on; a new FIFO by the same
	 * name is another pipe */
	r = CHECK_OK(open(f, O_RDWR));
	CHECK_OK(unlink(f));
	CHECK_EQ(2, write(r, "ok", 2));
	CHECK_OK(mkfifo(f, 0644));
	int r2 = CHECK_OK(open(f, O_RDONLY | O_NONBLOCK));
	CHECK_EQ(0,
		 read(r2, buf, sizeof(buf))); /* no writer: not the old pipe */
	CHECK_EQ(2, read(r, buf, sizeof(buf)));
	close(r);
	close(r2);
	CHECK_OK(unlink(f));
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void t_fifo_signals(void)
{
	const char *f = path("fifo");
	CHECK_OK(mkfifo(f, 0644));
	/* a handler without SA_RESTART: the waiting open fails with EINTR */
	struct sigaction sa = { .sa_handler = on_alarm };
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarms = 0;
	ualarm(100000, 0);
	CHECK_ERR(EINTR, open(f, O_RDONLY));
	CHECK_EQ(1, alarms);
	/* with SA_RESTART: it waits on, and a writer ends the wait */
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	pid_t p = later(f, O_WRONLY, 300);
	ualarm(100000, 0);
	int r = CHECK_OK(open(f, O_RDONLY));
	CHECK_EQ(2, alarms);
	char b;
	CHECK_EQ(1, read(r, &b, 1));
	close(r);
	reap(p, 0);
	signal(SIGALRM, SIG_DFL);
	/* permissions are the inode's */
	if (geteuid() == 0) {
		CHECK_OK(chmod(f, 0600));
		p = fork();
		if (p == 0) {
			if (setresuid(65534, 65534, 65534) < 0)
				_exit(98);
			int fd = open(f, O_RDONLY | O_NONBLOCK);
			_exit(fd < 0 ? errno : 0);
		}
		reap(p, EACCES);
	}
	CHECK_OK(unlink(f));
}

static int sock_at(int type, const char *p, int do_bind)
{
	int s = CHECK_OK(socket(AF_UNIX, type, 0));
	if (do_bind) {
		struct sockaddr_un sa;
		socklen_t l = un_addr(&sa, p);
		CHECK_OK(bind(s, (struct sockaddr *)&sa, l));
	}
	return s;
}

static int connect_to(int s, const char *p)
{
	struct sockaddr_un sa;
	socklen_t l = un_addr(&sa, p);
	return connect(s, (struct sockaddr *)&sa, l);
}

static void t_stream(void)
{
	const char *sp = path("srv.sock");
	umask(022);
	int srv = sock_at(SOCK_STREAM, sp, 1);
	CHECK_OK(listen(srv, 4));
	struct stat st;
	CHECK_OK(stat(sp, &st));
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(0755, st.st_mode & 07777);
	struct sockaddr_un sa;
	socklen_t l = sizeof(sa);
	CHECK_OK(getsockname(srv, (struct sockaddr *)&sa, &l));
	CHECK_STR(sp, sa.sun_path);
	CHECK_EQ(offsetof(struct sockaddr_un, sun_path) + strlen(sp) + 1, l);
	/* the name is taken, whatever is there */
	int other = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	l = un_addr(&sa, sp);
	CHECK_ERR(EADDRINUSE, bind(other, (struct sockaddr *)&sa, l));
	write_file(path("plain"), "x");
	l = un_addr(&sa, path("plain"));
	CHECK_ERR(EADDRINUSE, bind(other, (struct sockaddr *)&sa, l));
	l = un_addr(&sa, path("nodir/s"));
	CHECK_ERR(ENOENT, bind(other, (struct sockaddr *)&sa, l));
	close(other);
	/* a client in another process */
	pid_t p = fork();
	if (p == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect_to(c, sp) < 0)
			_exit(1);
		struct sockaddr_un pa;
		socklen_t pl = sizeof(pa);
		if (getpeername(c, (struct sockaddr *)&pa, &pl) < 0 ||
		    strcmp(pa.sun_path, sp))
			_exit(2);
		if (write(c, "ping", 4) != 4)
			_exit(3);
		char b[8];
		if (read(c, b, sizeof(b)) != 4 || memcmp(b, "pong", 4))
			_exit(4);
		_exit(0);
	}
	int a = CHECK_OK(accept(srv, NULL, NULL));
	char b[8];
	CHECK_EQ(4, read(a, b, sizeof(b)));
	CHECK_MEM("ping", b, 4);
	CHECK_EQ(4, write(a, "pong", 4));
	reap(p, 0);
	close(a);
	/* from a cwd in DIR, by a relative name */
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(chdir(g_dir));
	int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(connect_to(c, "srv.sock"));
	close(c);
	CHECK_OK(chdir(saved));
	/* errors of connect */
	c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(ENOENT, connect_to(c, path("missing")));
	CHECK_ERR(ECONNREFUSED, connect_to(c, path("plain")));
	CHECK_OK(mknod(path("unbound"), S_IFSOCK | 0777, 0));
	CHECK_ERR(ECONNREFUSED, connect_to(c, path("unbound")));
	if (geteuid() == 0) {
		CHECK_OK(chmod(sp, 0755));
		p = fork();
		if (p == 0) {
			if (setresuid(65534, 65534, 65534) < 0)
				_exit(98);
			int s = socket(AF_UNIX, SOCK_STREAM, 0);
			_exit(connect_to(s, sp) < 0 ? errno : 0);
		}
		reap(p, EACCES);
	}
	/* closed listener: refused; unlinked name: gone */
	close(srv);
	CHECK_ERR(ECONNREFUSED, connect_to(c, sp));
	CHECK_OK(unlink(sp));
	CHECK_ERR(ENOENT, connect_to(c, sp));
	close(c);
	CHECK_OK(unlink(path("plain")));
	CHECK_OK(unlink(path("unbound")));
}

static void t_unlink_bound(void)
{
	const char *sp = path("u.sock");
	int srv = sock_at(SOCK_STREAM, sp, 1);
	CHECK_OK(listen(srv, 4));
	int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(connect_to(c, sp));
	CHECK_OK(unlink(sp));
	int a = CHECK_OK(accept(srv, NULL, NULL));
	CHECK_EQ(2, write(c, "hi", 2));
	char b[4];
	CHECK_EQ(2, read(a, b, sizeof(b)));
	/* a new socket can take the name again */
	int srv2 = sock_at(SOCK_STREAM, sp, 1);
	CHECK_OK(listen(srv2, 4));
	int c2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(connect_to(c2, sp));
	int a2 = CHECK_OK(accept(srv2, NULL, NULL));
	close(a);
	close(a2);
	close(c);
	close(c2);
	close(srv);
	close(srv2);
	CHECK_OK(unlink(sp));
}

static void t_dgram(void)
{
	const char *sb = getenv("PFTEST_SANDBOX");
	if (sb && !strcmp(sb, "1")) {
		/* --sandbox's --net none has no UNIX datagram sockets
		 * (pmemfile-run(1), SANDBOX) */
		CHECK_ERR(EACCES, socket(AF_UNIX, SOCK_DGRAM, 0));
		return;
	}
	const char *sp = path("dg.sock");
	int srv = sock_at(SOCK_DGRAM, sp, 1);
	int c = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
	struct sockaddr_un sa;
	socklen_t l = un_addr(&sa, sp);
	CHECK_EQ(3, sendto(c, "one", 3, 0, (struct sockaddr *)&sa, l));
	struct iovec iov = { "two", 3 };
	struct msghdr m = { .msg_name = &sa,
			    .msg_namelen = l,
			    .msg_iov = &iov,
			    .msg_iovlen = 1 };
	CHECK_EQ(3, sendmsg(c, &m, 0));
	char b[8];
	CHECK_EQ(3, recv(srv, b, sizeof(b), 0));
	CHECK_MEM("one", b, 3);
	CHECK_EQ(3, recv(srv, b, sizeof(b), 0));
	CHECK_MEM("two", b, 3);
	/* a bound client: the server sees its name */
	const char *cp = path("cl.sock");
	int c2 = sock_at(SOCK_DGRAM, cp, 1);
	CHECK_EQ(3, sendto(c2, "hey", 3, 0, (struct sockaddr *)&sa, l));
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	CHECK_EQ(3,
		 recvfrom(srv, b, sizeof(b), 0, (struct sockaddr *)&from, &fl));
	/* connected datagram socket, then send without an address */
	CHECK_OK(connect(c, (struct sockaddr *)&sa, l));
	CHECK_EQ(4, send(c, "four", 4, 0));
	CHECK_EQ(4, recv(srv, b, sizeof(b), 0));
	CHECK_ERR(ENOENT,
		  sendto(c2, "x", 1, 0, (struct sockaddr *)&sa,
			 un_addr(&sa, path("nothing"))));
	close(c);
	close(c2);
	close(srv);
	CHECK_OK(unlink(sp));
	CHECK_OK(unlink(cp));
}

static void t_seqpacket_abstract(void)
{
	const char *sp = path("sp.sock");
	int srv = sock_at(SOCK_SEQPACKET, sp, 1);
	CHECK_OK(listen(srv, 2));
	int c = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
	CHECK_OK(connect_to(c, sp));
	int a = CHECK_OK(accept(srv, NULL, NULL));
	CHECK_EQ(5, send(c, "12345", 5, 0));
	char b[16];
	CHECK_EQ(5, recv(a, b, sizeof(b), 0));
	close(a);
	close(c);
	close(srv);
	CHECK_OK(unlink(sp));
	/* abstract names are not paths: untouched */
	int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "pf-sc-special-%d",
		 (int)getpid());
	socklen_t l = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				  strlen(sa.sun_path + 1));
	CHECK_OK(bind(s, (struct sockaddr *)&sa, l));
	CHECK_OK(listen(s, 1));
	int c3 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(connect(c3, (struct sockaddr *)&sa, l));
	close(c3);
	close(s);
}

static long sendto_path(int s, const char *p)
{
	struct sockaddr_un sa;
	socklen_t l = un_addr(&sa, p);
	return sendto(s, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&sa, l);
}

/*
 * An end closed is gone at once: a non-blocking writer's open right after
 * the last reader's close is ENXIO, a read right after the last writer's
 * close is EOF. In a pool the supervisor closed its copy of a twin end it
 * handed over only after the target ran on (pf-ipcstress seed 1002: the
 * open succeeded in 2 of 5 runs of 1000 tries here).
 */
static void t_fifo_close_at_once(void)
{
	const char *fp = path("once.fifo");
	CHECK_OK(mkfifo(fp, 0644));
	for (int i = 0; i < 3000; i++) {
		int r = CHECK_OK(open(fp, O_RDONLY | O_NONBLOCK));
		close(r);
		CHECK_ERR(ENXIO, open(fp, O_WRONLY | O_NONBLOCK));
	}
	int r = CHECK_OK(open(fp, O_RDONLY | O_NONBLOCK));
	char b;
	for (int i = 0; i < 3000; i++) {
		int w = CHECK_OK(open(fp, O_WRONLY | O_NONBLOCK));
		close(w);
		CHECK_EQ(0, read(r, &b, 1));
	}
	close(r);
	CHECK_OK(unlink(fp));
}

/*
 * The kernel's order around a socket address, where pf-ipcstress found
 * the pool answering otherwise (tests/ipcstress/README.md): write
 * permission before the type (EACCES, not ECONNREFUSED, for a FIFO the
 * caller may not write); a stream or seqpacket send never looks its
 * address up; a datagram send's EPIPE comes before the lookup's errors;
 * getsockname shows a relative name as bind was given it.
 */
static void t_addr_order(void)
{
	const char *sb = getenv("PFTEST_SANDBOX");
	int dgram = !(sb && !strcmp(sb, "1")); /* --sandbox: none */
	const char *fp = path("ord.fifo"), *np = path("ord.none");
	umask(022);
	CHECK_OK(mkfifo(fp, 0644));
	if (geteuid() == 0) {
		pid_t p = fork();
		if (p == 0) {
			if (setresuid(65534, 65534, 65534) < 0)
				_exit(98);
			int s = socket(AF_UNIX, SOCK_STREAM, 0);
			if (connect_to(s, fp) == 0 || errno != EACCES)
				_exit(1);
			if (dgram) {
				int d = socket(AF_UNIX, SOCK_DGRAM, 0);
				if (sendto_path(d, fp) >= 0 || errno != EACCES)
					_exit(2);
			}
			_exit(0);
		}
		reap(p, 0);
	}
	int st = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(ECONNREFUSED, connect_to(st, fp));
	CHECK(sendto_path(st, np) < 0 && errno != ENOENT);
	CHECK(sendto_path(st, fp) < 0 && errno != ECONNREFUSED);
	close(st);
	int sq = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
	CHECK_ERR(ENOTCONN, sendto_path(sq, np));
	CHECK_ERR(ENOTCONN, sendto_path(sq, fp));
	close(sq);
	if (dgram) {
		int d = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
		CHECK_ERR(ENOENT, sendto_path(d, np));
		CHECK_ERR(ECONNREFUSED, sendto_path(d, fp));
		CHECK_OK(shutdown(d, SHUT_WR));
		CHECK_ERR(EPIPE, sendto_path(d, np));
		CHECK_ERR(EPIPE, sendto_path(d, fp));
		close(d);
	}
	CHECK_OK(unlink(fp));
	/* bound by a relative name: getsockname and getpeername say so */
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(chdir(g_dir));
	int srv = sock_at(SOCK_STREAM, "rel.sock", 1);
	CHECK_OK(listen(srv, 1));
	struct sockaddr_un sa;
	socklen_t l = sizeof(sa);
	CHECK_OK(getsockname(srv, (struct sockaddr *)&sa, &l));
	CHECK_EQ((long)(offsetof(struct sockaddr_un, sun_path) + 9), (long)l);
	CHECK_MEM("rel.sock", sa.sun_path, 9);
	int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(connect_to(c, "rel.sock"));
	l = sizeof(sa);
	CHECK_OK(getpeername(c, (struct sockaddr *)&sa, &l));
	CHECK_EQ((long)(offsetof(struct sockaddr_un, sun_path) + 9), (long)l);
	CHECK_MEM("rel.sock", sa.sun_path, 9);
	close(c);
	close(srv);
	CHECK_OK(unlink("rel.sock"));
	CHECK_OK(chdir(saved));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "fifo_open_rules", t_fifo_open_rules },
		{ "fifo_data", t_fifo_data },
		{ "fifo_signals", t_fifo_signals },
		{ "stream", t_stream },
		{ "unlink_bound", t_unlink_bound },
		{ "dgram", t_dgram },
		{ "seqpacket_abstract", t_seqpacket_abstract },
		{ "addr_order", t_addr_order },
		{ "fifo_close_at_once", t_fifo_close_at_once },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
