/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker: holds up to NSLOT descriptors and runs one command at a time
 * for the coordinator, answering with the op's log line. Lines never show
 * fd numbers, inode numbers or times, nor the addresses accept and
 * recvfrom report (in a pool they name the host twin: man/pmemfile.7).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipcstress.h"

#define BUFSZ 65536

struct slot {
	int fd; /* -1: empty */
	int sock; /* a socket (send/recv), else read/write */
	int nonblock;
};

static struct slot slots[NSLOT];
static volatile sig_atomic_t sigpipes, alarms;
static unsigned char buf[BUFSZ];

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

struct out {
	char *p;
	size_t left;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p, o->left, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= o->left)
		n = o->left ? (int)o->left - 1 : 0;
	o->p += n;
	o->left -= (size_t)n;
}

static long res(long r)
{
	return r < 0 ? -errno : r;
}

static void put_res(struct out *o, long r)
{
	if (r >= 0) {
		put(o, " = %ld", r);
	} else {
		const char *n = strerrorname_np((int)-r);
		put(o, " = -1 %s", n ? n : "?");
	}
}

/* an fd result is shown as "ok": numbers are not compared */
static void put_fd_res(struct out *o, long r)
{
	if (r >= 0)
		put(o, " = ok");
	else
		put_res(o, r);
}

static void fill(uint64_t seed, size_t len)
{
	struct rng g = { seed };
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = rng_next(&g);
		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

static const char *type_name(mode_t m)
{
	return S_ISFIFO(m)  ? "fifo" :
		S_ISSOCK(m) ? "sock" :
		S_ISREG(m)  ? "file" :
		S_ISDIR(m)  ? "dir" :
		S_ISLNK(m)  ? "link" :
			      "other";
}

static void put_stat(struct out *o, const struct stat *st)
{
	put(o, " %s 0%o nlink %lu uid %u", type_name(st->st_mode),
	    st->st_mode & 07777, (unsigned long)st->st_nlink, st->st_uid);
}

static void slot_close(int s)
{
	if (slots[s].fd >= 0)
		close(slots[s].fd);
	slots[s].fd = -1;
}

static void slot_set(int s, int fd, int sock, int nonblock)
{
	slot_close(s);
	slots[s] = (struct slot){ fd, sock, nonblock };
}

static const char *acc_name(int flags)
{
	static const char *const n[] = { "RDONLY", "WRONLY", "RDWR", "?" };
	return n[flags & O_ACCMODE];
}

static const char *stype_name(int t)
{
	return t == SOCK_STREAM ? "stream" :
		t == SOCK_DGRAM ? "dgram" :
				  "seqpacket";
}

static socklen_t mkaddr(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			   strlen(name) + 1);
}

/* what a recvmsg brought: data hash, flags, and every passed file read */
static void put_received(struct out *o, struct msghdr *m, long r)
{
	if (r < 0)
		return;
	put(o, " hash %016llx%s%s%s",
	    (unsigned long long)fnv(FNV_INIT, buf, (size_t)r),
	    m->msg_flags & MSG_TRUNC ? " TRUNC" : "",
	    m->msg_flags & MSG_CTRUNC ? " CTRUNC" : "",
	    m->msg_namelen > sizeof(sa_family_t) ? " from-named" : "");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			struct stat st;
			static unsigned char fb[BUFSZ];
			long got = fstat(fd, &st) < 0 ? -errno : 0;
			put(o, " [fd");
			if (got == 0) {
				put_stat(o, &st);
				got = res(pread(fd, fb, sizeof(fb), 0));
			}
			put_res(o, got);
			if (got >= 0)
				put(o, " hash %016llx",
				    (unsigned long long)fnv(FNV_INIT, fb,
							    (size_t)got));
			put(o, "]");
			close(fd);
		}
	}
}

static long do_read(struct out *o, const struct cmd *c)
{
	struct slot *s = &slots[c->slot];
	size_t len = (size_t)c->len;
	if (s->sock) {
		struct sockaddr_un from;
		union {
			char b[CMSG_SPACE(4 * sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { buf, len };
		struct msghdr m = { .msg_name = &from,
				    .msg_namelen = sizeof(from),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.b,
				    .msg_controllen = sizeof(ctl.b) };
		long r = res(
			recvmsg(s->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
		put(o, "recv s%d %zu", c->slot, len);
		put_res(o, r);
		put_received(o, &m, r);
		return r;
	}
	struct iovec iov = { buf, len };
	long r = s->nonblock ? res(read(s->fd, buf, len)) :
			       res(preadv2(s->fd, &iov, 1, -1, RWF_NOWAIT));
	put(o, "read s%d %zu", c->slot, len);
	put_res(o, r);
	if (r >= 0)
		put(o, " hash %016llx",
		    (unsigned long long)fnv(FNV_INIT, buf, (size_t)r));
	return r;
}

static long do_write(struct out *o, const struct cmd *c)
{
	struct slot *s = &slots[c->slot];
	size_t len = (size_t)c->len;
	fill(c->dseed, len);
	long r;
	if (s->sock) {
		r = res(send(s->fd, buf, len,
			     MSG_DONTWAIT | (c->flags ? MSG_NOSIGNAL : 0)));
		put(o, "send s%d %zu%s", c->slot, len,
		    c->flags ? " nosignal" : "");
	} else {
		struct iovec iov = { buf, len };
		r = s->nonblock ? res(write(s->fd, buf, len)) :
				  res(pwritev2(s->fd, &iov, 1, -1, RWF_NOWAIT));
		put(o, "write s%d %zu", c->slot, len);
	}
	put_res(o, r);
	put(o, " hash %016llx", (unsigned long long)fnv(FNV_INIT, buf, len));
	return r;
}

static long do_sendto(struct out *o, const struct cmd *c)
{
	struct sockaddr_un sa;
	socklen_t sl = mkaddr(&sa, c->name);
	size_t len = (size_t)c->len;
	fill(c->dseed, len);
	long r;
	if (c->flags) {
		struct iovec iov = { buf, len };
		struct msghdr m = { .msg_name = &sa,
				    .msg_namelen = sl,
				    .msg_iov = &iov,
				    .msg_iovlen = 1 };
		r = res(sendmsg(slots[c->slot].fd, &m,
				MSG_DONTWAIT | MSG_NOSIGNAL));
	} else {
		r = res(sendto(slots[c->slot].fd, buf, len,
			       MSG_DONTWAIT | MSG_NOSIGNAL,
			       (struct sockaddr *)&sa, sl));
	}
	put(o, "%s s%d %s %zu", c->flags ? "sendmsg" : "sendto", c->slot,
	    c->name, len);
	put_res(o, r);
	put(o, " hash %016llx", (unsigned long long)fnv(FNV_INIT, buf, len));
	return r;
}

/* a regular file of the pool (or what the name is) over the socket */
static long do_sendfd(struct out *o, const struct cmd *c)
{
	put(o, "sendfd s%d %s", c->slot, c->name);
	int f = open(c->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (f < 0) {
		put(o, " open");
		put_res(o, -errno);
		return -errno;
	}
	struct stat st;
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(f);
		put(o, " not a file");
		return -EINVAL;
	}
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = { "F", 1 };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &f, sizeof(int));
	long r = res(
		sendmsg(slots[c->slot].fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL));
	close(f);
	put_res(o, r);
	return r;
}

static void put_addr(struct out *o, const char *what, long r,
		     const struct sockaddr_un *sa, socklen_t len)
{
	put(o, " %s", what);
	put_res(o, r);
	if (r < 0)
		return;
	put(o, " len %u", len);
	if (len > offsetof(struct sockaddr_un, sun_path))
		put(o, " '%.*s'",
		    (int)(len - offsetof(struct sockaddr_un, sun_path)),
		    sa->sun_path);
}

static long do_names(struct out *o, const struct cmd *c)
{
	int fd = slots[c->slot].fd;
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	put(o, "names s%d", c->slot);
	long r = res(getsockname(fd, (struct sockaddr *)&sa, &len));
	put_addr(o, "sock", r, &sa, len);
	len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	long p = res(getpeername(fd, (struct sockaddr *)&sa, &len));
	put_addr(o, "peer", p, &sa, len);
	return r;
}

static long do_poll(struct out *o)
{
	struct pollfd p[NSLOT];
	int n = 0;
	for (int s = 0; s < NSLOT; s++)
		if (slots[s].fd >= 0)
			p[n++] = (struct pollfd){ slots[s].fd,
						  POLLIN | POLLOUT | POLLPRI,
						  0 };
	long r = res(poll(p, (nfds_t)n, 0));
	put(o, "poll");
	put_res(o, r);
	n = 0;
	for (int s = 0; s < NSLOT; s++)
		if (slots[s].fd >= 0) {
			short e = p[n++].revents;
			put(o, " s%d:%s%s%s%s%s", s, e & POLLIN ? "I" : "",
			    e & POLLOUT ? "O" : "", e & POLLERR ? "E" : "",
			    e & POLLHUP ? "H" : "", e & POLLNVAL ? "N" : "");
		}
	return r;
}

static long do_accept(struct out *o, const struct cmd *c)
{
	struct pollfd p = { slots[c->slot].fd, POLLIN, 0 };
	put(o, "accept s%d -> s%d%s", c->slot, c->slot2,
	    c->flags ? " nonblock" : "");
	/* a listener with nothing pending would wait; anything else answers
	 * at once (EINVAL, EOPNOTSUPP) */
	if (c->mode && (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))) {
		put(o, " not ready");
		return -EAGAIN;
	}
	long r = res(accept4(slots[c->slot].fd, NULL, NULL,
			     SOCK_CLOEXEC | (c->flags ? SOCK_NONBLOCK : 0)));
	put_fd_res(o, r);
	if (r >= 0)
		slot_set(c->slot2, (int)r, 1, !!c->flags);
	return r;
}

/*
 * An end opened and closed, then at once the other: no reader left
 * (ENXIO for a non-blocking writer), no writer left (EOF for a reader),
 * unless another process holds one. Nothing may hold the closed end a
 * moment longer (the supervisor's copy of an fd it handed over did).
 */
static long do_reopen(struct out *o, const struct cmd *c)
{
	int first = c->flags | O_NONBLOCK | O_CLOEXEC;
	put(o, "reopen %s %s", c->name, acc_name(c->flags));
	long r = res(open(c->name, first));
	put_fd_res(o, r);
	if (r < 0)
		return r;
	close((int)r);
	if (c->flags == O_RDONLY) {
		r = res(open(c->name, O_WRONLY | O_NONBLOCK | O_CLOEXEC));
		put(o, ", WRONLY");
		put_fd_res(o, r);
		if (r >= 0)
			close((int)r);
		return r;
	}
	r = res(open(c->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	put(o, ", RDONLY");
	put_fd_res(o, r);
	if (r < 0)
		return r;
	long n = res(read((int)r, buf, (size_t)c->len));
	close((int)r);
	put(o, ", read %d", c->len);
	put_res(o, n);
	if (n >= 0)
		put(o, " hash %016llx",
		    (unsigned long long)fnv(FNV_INIT, buf, (size_t)n));
	return n;
}

/* one step of a churn: logged as " what = result"; the result */
static long step(struct out *o, const char *what, long r)
{
	put(o, " %s", what);
	put_res(o, r);
	return r;
}

static long connect_name(int fd, const char *name)
{
	struct sockaddr_un sa;
	socklen_t sl = mkaddr(&sa, name);
	return res(connect(fd, (struct sockaddr *)&sa, sl));
}

/* a connect by the name from a new socket of type t: what it answers */
static void probe(struct out *o, int t, const char *name)
{
	int x = socket(AF_UNIX, t | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	step(o, "connect", x < 0 ? -errno : connect_name(x, name));
	if (x >= 0)
		close(x);
}

static void put_hash(struct out *o, long n)
{
	if (n >= 0)
		put(o, " hash %016llx",
		    (unsigned long long)fnv(FNV_INIT, buf, (size_t)n));
}

/* a FIFO churn (do_churn): fd[0] the reader, fd[1] the writer */
static long churn_fifo(struct out *o, const struct cmd *c, int *fd)
{
	long r;
	if ((r = step(o, "mkfifo", res(mkfifo(c->name, 0600)))) < 0)
		return r;
	r = res(open(c->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	if (step(o, "open-r", r < 0 ? r : 0) < 0)
		return r;
	fd[0] = (int)r;
	r = res(open(c->name, O_WRONLY | O_CLOEXEC)); /* a reader is there */
	if (step(o, "open-w", r < 0 ? r : 0) < 0)
		return r;
	fd[1] = (int)r;
	if (c->len) {
		step(o, "unlink", res(unlink(c->name)));
		step(o, "open", res(open(c->name, O_RDWR | O_CLOEXEC)));
	}
	fill(c->dseed, 64);
	step(o, "write", res(write(fd[1], buf, 64)));
	put_hash(o, step(o, "read", res(read(fd[0], buf, 128))));
	struct stat st;
	if (step(o, "fstat", res(fstat(fd[1], &st))) == 0)
		put_stat(o, &st);
	return 0;
}

/* a socket churn (do_churn): fd[0] the bound one, fd[1] the client,
 * fd[2] the accepted one */
static long churn_sock(struct out *o, const struct cmd *c, int t, int *fd)
{
	long r;
	struct sockaddr_un sa;
	socklen_t sl = mkaddr(&sa, c->name);
	if ((fd[0] = socket(AF_UNIX, t | SOCK_CLOEXEC, 0)) < 0 ||
	    (fd[1] = socket(AF_UNIX, t | SOCK_CLOEXEC, 0)) < 0)
		return step(o, "socket", -errno);
	if ((r = step(o, "bind",
		      res(bind(fd[0], (struct sockaddr *)&sa, sl)))) < 0)
		return r;
	if (t != SOCK_DGRAM &&
	    (r = step(o, "listen", res(listen(fd[0], 4)))) < 0)
		return r;
	if ((r = step(o, "connect", connect_name(fd[1], c->name))) < 0)
		return r;
	if (t != SOCK_DGRAM) {
		r = res(accept4(fd[0], NULL, NULL, SOCK_CLOEXEC));
		if (step(o, "accept", r < 0 ? r : 0) < 0)
			return r;
		fd[2] = (int)r;
	}
	fill(c->dseed, 64);
	step(o, "send", res(send(fd[1], buf, 64, MSG_DONTWAIT | MSG_NOSIGNAL)));
	put_hash(o,
		 step(o, "recv",
		      res(recv(fd[2] >= 0 ? fd[2] : fd[0], buf, 128,
			       MSG_DONTWAIT))));
	if (c->len) {
		step(o, "unlink", res(unlink(c->name)));
		probe(o, t, c->name);
	}
	return 0;
}

/*
 * A name used once (c0, c1...), as a server that binds a new name per
 * client or a program that makes and removes FIFOs in a loop: made,
 * used, then unlinked before (c->len) or after the closes. c->flags: 0 a
 * FIFO, 1 stream, 2 seqpacket, 3 datagram sockets. c->mode 1 keeps the
 * server's side in c->slot (the FIFO's reader, the listener or bound
 * datagram socket), 2 the client's side (the FIFO's writer, the client
 * socket, whose peer is then gone: getpeername still shows the name);
 * what is kept has no name left. The first failure of a step that makes
 * something ends the op; then nothing is kept and the name goes.
 */
static long do_churn(struct out *o, const struct cmd *c)
{
	static const int types[] = { 0, SOCK_STREAM, SOCK_SEQPACKET,
				     SOCK_DGRAM };
	int t = types[c->flags & 3];
	int fd[3] = { -1, -1, -1 }; /* server side, client side, accepted */
	put(o, "churn %s %s %s keep %d -> s%d:", t ? stype_name(t) : "fifo",
	    c->name, c->len ? "unlink-first" : "close-first", c->mode, c->slot);
	long r = t ? churn_sock(o, c, t, fd) : churn_fifo(o, c, fd);
	int keep = r < 0 ? -1 : c->mode - 1; /* index in fd */
	if (fd[2] >= 0)
		close(fd[2]);
	if (keep != 0 && fd[0] >= 0)
		close(fd[0]);
	if (r >= 0 && t) {
		struct sockaddr_un sa;
		socklen_t len = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		long p = res(getpeername(fd[1], (struct sockaddr *)&sa, &len));
		put_addr(o, "peer", p, &sa, len);
		if (!c->len && keep != 0)
			probe(o, t, c->name); /* nothing bound: refused */
		step(o, "send",
		     res(send(fd[1], buf, 64, MSG_DONTWAIT | MSG_NOSIGNAL)));
	}
	if (keep != 1 && fd[1] >= 0)
		close(fd[1]);
	if (r < 0 || !c->len) {
		long u = res(unlink(c->name));
		if (r >= 0)
			step(o, "unlink", u);
	}
	if (r >= 0 && t)
		probe(o, t, c->name); /* no name: ENOENT */
	if (keep >= 0 && fd[keep] >= 0)
		slot_set(c->slot, fd[keep], t != 0, keep == 0 && !t);
	return r < 0 ? r : 0;
}

static long run_cmd(struct out *o, const struct cmd *c)
{
	struct stat st;
	long r;
	int fd = c->slot >= 0 && c->slot < NSLOT ? slots[c->slot].fd : -1;
	switch (c->op) {
	case OP_MKFIFO:
		r = res(c->flags ?
				mknod(c->name, S_IFIFO | (mode_t)c->mode, 0) :
				mkfifo(c->name, (mode_t)c->mode));
		put(o, "%s %s 0%o", c->flags ? "mknod" : "mkfifo", c->name,
		    c->mode);
		put_res(o, r);
		return r;
	case OP_OPEN:
	case OP_OPEN_WAIT:
		alarm(BLOCK_ALARM);
		r = res(open(c->name, c->flags | O_CLOEXEC));
		alarm(0);
		put(o, "open %s %s%s -> s%d", c->name, acc_name(c->flags),
		    c->flags & O_NONBLOCK ? "|NONBLOCK" : "", c->slot);
		put_fd_res(o, r);
		if (r >= 0) {
			/* a regular file never waits: plain read and write */
			int plain = (c->flags & O_NONBLOCK) ||
				(fstat((int)r, &st) == 0 &&
				 S_ISREG(st.st_mode));
			slot_set(c->slot, (int)r, 0, plain);
		}
		return r;
	case OP_WRITE: return do_write(o, c);
	case OP_READ: return do_read(o, c);
	case OP_CLOSE:
		r = res(close(fd));
		slots[c->slot].fd = -1;
		put(o, "close s%d", c->slot);
		put_res(o, r);
		return r;
	case OP_POLL: return do_poll(o);
	case OP_STAT:
		r = res(lstat(c->name, &st));
		put(o, "stat %s", c->name);
		put_res(o, r);
		if (r == 0)
			put_stat(o, &st);
		return r;
	case OP_FSTAT:
		r = res(fstat(fd, &st));
		put(o, "fstat s%d", c->slot);
		put_res(o, r);
		/* a socket's fstat is sockfs's inode, not the name's */
		if (r == 0 && !S_ISSOCK(st.st_mode))
			put_stat(o, &st);
		else if (r == 0)
			put(o, " sock");
		return r;
	case OP_RENAME:
		r = res(renameat2(AT_FDCWD, c->name, AT_FDCWD, c->name2,
				  (unsigned)c->flags));
		put(o, "rename %s %s%s", c->name, c->name2,
		    c->flags ? " noreplace" : "");
		put_res(o, r);
		return r;
	case OP_SYMLINK:
		r = res(symlink(c->name2, c->name));
		put(o, "symlink %s -> %s", c->name, c->name2);
		put_res(o, r);
		return r;
	case OP_LINK:
		r = res(link(c->name, c->name2));
		put(o, "link %s %s", c->name, c->name2);
		put_res(o, r);
		return r;
	case OP_UNLINK:
		r = res(unlink(c->name));
		put(o, "unlink %s", c->name);
		put_res(o, r);
		return r;
	case OP_CHMOD:
		r = res(chmod(c->name, (mode_t)c->mode));
		put(o, "chmod %s 0%o", c->name, c->mode);
		put_res(o, r);
		return r;
	case OP_SOCKET:
		r = res(socket(AF_UNIX,
			       c->flags | SOCK_CLOEXEC |
				       (c->mode ? SOCK_NONBLOCK : 0),
			       0));
		put(o, "socket %s%s -> s%d", stype_name(c->flags),
		    c->mode ? " nonblock" : "", c->slot);
		put_fd_res(o, r);
		if (r >= 0)
			slot_set(c->slot, (int)r, 1, c->mode);
		return r;
	case OP_BIND: {
		struct sockaddr_un sa;
		socklen_t sl = mkaddr(&sa, c->name);
		r = res(bind(fd, (struct sockaddr *)&sa, sl));
		put(o, "bind s%d %s", c->slot, c->name);
		put_res(o, r);
		return r;
	}
	case OP_LISTEN:
		r = res(listen(fd, c->len));
		put(o, "listen s%d %d", c->slot, c->len);
		put_res(o, r);
		return r;
	case OP_CONNECT: {
		struct sockaddr_un sa;
		socklen_t sl = mkaddr(&sa, c->name);
		alarm(BLOCK_ALARM);
		r = res(connect(fd, (struct sockaddr *)&sa, sl));
		alarm(0);
		put(o, "connect s%d %s", c->slot, c->name);
		put_res(o, r);
		return r;
	}
	case OP_ACCEPT: return do_accept(o, c);
	case OP_SENDTO: return do_sendto(o, c);
	case OP_SENDFD: return do_sendfd(o, c);
	case OP_NAMES: return do_names(o, c);
	case OP_REOPEN: return do_reopen(o, c);
	case OP_CHURN: return do_churn(o, c);
	case OP_SHUTDOWN:
		r = res(shutdown(fd, c->flags));
		put(o, "shutdown s%d %s", c->slot,
		    c->flags == SHUT_RD		? "rd" :
			    c->flags == SHUT_WR ? "wr" :
						  "rdwr");
		put_res(o, r);
		return r;
	}
	put(o, "op %d?", c->op);
	return -EINVAL;
}

void worker_main(int ctl)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_alarm; /* no SA_RESTART: a wait ends with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	for (int s = 0; s < NSLOT; s++)
		slots[s].fd = -1;
	for (;;) {
		struct cmd c;
		ssize_t n = recv(ctl, &c, sizeof(c), 0);
		if (n != (ssize_t)sizeof(c) || c.op == OP_QUIT)
			break;
		struct reply rp;
		memset(&rp, 0, sizeof(rp));
		struct out o = { rp.text, sizeof(rp.text) };
		if (c.unpriv) {
			put(&o, "as %d: ", UNPRIV_ID);
			setfsgid(UNPRIV_ID);
			setfsuid(UNPRIV_ID);
		}
		int pipes = sigpipes, alarmed = alarms;
		rp.ret = run_cmd(&o, &c);
		if (c.unpriv) {
			setfsuid(0);
			setfsgid(0);
		}
		if (sigpipes != pipes)
			put(&o, " SIGPIPE");
		rp.blocked = alarms != alarmed;
		if (send(ctl, &rp, sizeof(rp), 0) != (ssize_t)sizeof(rp))
			break;
	}
	for (int s = 0; s < NSLOT; s++)
		slot_close(s);
	_exit(0);
}
