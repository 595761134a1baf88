/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UNIX sockets bound to paths in a pool: bind, connect, sendto, sendmsg,
 * getsockname, getpeername.
 *
 * The pool keeps the socket inode (its name, mode, owner); the socket
 * itself is the kernel's, bound to a host twin in the runtime directory
 * (s/, twin.c). So:
 *   - bind(fd, "/pool/sock"): the socket inode is made in the pool as the
 *     caller (EADDRINUSE if the name exists, the directory's permissions
 *     apply, mode 0777 less the umask), then the supervisor binds the
 *     caller's own socket (pidfd_getfd: the same socket) to the twin;
 *   - connect, sendto, sendmsg to "/pool/sock": the pool path is resolved
 *     as the caller (ENOENT, ENOTDIR, EACCES without write permission on
 *     the inode, ECONNREFUSED for a file that is not a socket or a socket
 *     that nothing is bound to since the supervisor started), then the
 *     caller's thread runs the same call with the twin's address in place
 *     of the pool path (call_redo_run): a connect that blocks blocks in
 *     the caller, and the call meets the filter again as the host's. A
 *     non-blocking socket's connect, which never waits, is done here on
 *     the caller's socket (pidfd_getfd);
 *   - getsockname, getpeername of a socket bound to a twin show the path
 *     bind was given (a relative one stays relative, as Linux keeps it).
 * Addresses are read once; an address that is not a pool path is the
 * kernel's (CONTINUE). Abstract and unnamed sockets never concern us.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "syscalls.h"
#include "rundir.h"

#define RED_ZONE 128

/* A pool path named by a sockaddr_un the caller passed. */
struct upath {
	struct vpath p;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	char abs[PATH_MAX];
};

/*
 * Reads the address (addr, len): 0 with u filled when it is an AF_UNIX
 * path in a pool, CALL_CONTINUE when it is not ours, or -errno.
 */
static long read_addr(struct call *c, uint64_t addr, uint64_t len,
		      struct upath *u)
{
	struct sockaddr_un sa;
	if (!addr || len <= offsetof(struct sockaddr_un, sun_path) ||
	    len > sizeof(sa))
		return CALL_CONTINUE; /* the kernel's EINVAL, or nothing */
	memset(&sa, 0, sizeof(sa));
	int r = call_read(c, addr, &sa, (size_t)len);
	if (r < 0)
		return r;
	if (sa.sun_family != AF_UNIX || sa.sun_path[0] == 0)
		return CALL_CONTINUE; /* another family, or abstract */
	size_t n = len - offsetof(struct sockaddr_un, sun_path);
	memcpy(u->path, sa.sun_path, n);
	u->path[n] = 0;
	r = vpath_classify(c, AT_FDCWD, u->path, u->abs, &u->p);
	if (r < 0)
		return r;
	return u->p.kind == VP_POOL ? 0 : CALL_CONTINUE;
}

/*
 * The twin a connect or send to pool path u reaches: 0 with its address
 * in sa, or -errno as Linux answers for that path.
 */
static long reach(struct call *c, struct upath *u, struct sockaddr_un *sa)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	pf_file *f;
	int r;
	for (int i = 0;; i++) {
		r = pf_openat(u->p.m->pool, pc, u->p.dir, u->p.path, O_PATH, 0,
			      &f);
		if (r != -PF_ESCAPED)
			break;
		if (i == PF_SYMLOOP_MAX)
			return -ELOOP;
		if ((r = vpath_escape(c, &u->p)) < 0)
			return r;
		if (u->p.kind == VP_HOST) {
			/* a pool symlink to a host socket: that one */
			memset(sa, 0, sizeof(*sa));
			sa->sun_family = AF_UNIX;
			if (strlen(u->p.path) >= sizeof(sa->sun_path))
				return -ENAMETOOLONG;
			strcpy(sa->sun_path, u->p.path);
			return 0;
		}
	}
	if (r < 0)
		return r;
	/* write permission first, then the type: unix_find_bsd's order (a
	 * FIFO the caller may not write is EACCES, not ECONNREFUSED) */
	struct pf_stat st;
	r = pf_faccessat(u->p.m->pool, pc, f, "", W_OK, AT_EMPTY_PATH);
	if (r == 0)
		r = pf_fstat(u->p.m->pool, f, &st);
	if (r == 0 && !S_ISSOCK(st.mode))
		r = -ECONNREFUSED;
	pf_close(f);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (r == 0)
		r = host_twin(u->p.m, &st, "s", sa->sun_path,
			      sizeof(sa->sun_path));
	if (r == -ENAMETOOLONG)
		return -ENAMETOOLONG;
	if (r == 0 && access(sa->sun_path, F_OK) < 0)
		r = -ECONNREFUSED; /* nothing bound to it since we started */
	return r;
}

/* ---- bind ----------------------------------------------------------- */

struct host_bind {
	int sock;
	const struct sockaddr_un *sa;
};

static long host_bind_fn(struct call *c, void *arg)
{
	struct host_bind *h = arg;
	return bind(h->sock, (const struct sockaddr *)h->sa, sizeof(*h->sa)) <
			0 ?
		-errno :
		0;
}

/* Binds socket *arg to its twin's path host. The inode is new, so
 * nothing should be there; a leftover would make bind EADDRINUSE. */
static int bind_twin(const char *host, void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", host);
	unlink(host);
	return bind(*(int *)arg, (struct sockaddr *)&sa, sizeof(sa)) < 0 ?
		-errno :
		0;
}

static long bind_pool(struct call *c, struct upath *u, int sock)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	int um = call_umask(c);
	if (um < 0)
		return um;
	struct vpath *p = &u->p;
	int r;
	for (int i = 0;; i++) {
		r = pf_mknodat(p->m->pool, pc, p->dir, p->path,
			       S_IFSOCK | (0777 & ~(mode_t)um), 0);
		if (r != -PF_ESCAPED)
			break;
		if (i == PF_SYMLOOP_MAX)
			return -ELOOP;
		if ((r = vpath_escape(c, p)) < 0)
			return r;
		if (p->kind == VP_HOST) {
			/* the name is on the host after all: bind there */
			struct sockaddr_un sa = { .sun_family = AF_UNIX };
			if (strlen(p->path) >= sizeof(sa.sun_path))
				return -ENAMETOOLONG;
			strcpy(sa.sun_path, p->path);
			struct host_bind h = { sock, &sa };
			return with_target_creds(c, host_bind_fn, &h);
		}
	}
	if (r == -EEXIST)
		return -EADDRINUSE;
	if (r < 0)
		return errno_filter(r);
	pf_file *f;
	struct pf_stat st;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	r = pf_openat(p->m->pool, pc, p->dir, p->path, O_PATH | O_NOFOLLOW, 0,
		      &f);
	if (r == 0) {
		r = pf_fstat(p->m->pool, f, &st);
		if (r == 0)
			r = host_twin(p->m, &st, "s", sa.sun_path,
				      sizeof(sa.sun_path));
		if (r == 0) {
			vabs_clean(p->vabs);
			r = twin_make(p->m, f, sa.sun_path, p->vabs, u->path,
				      bind_twin, &sock);
		}
		pf_close(f);
	}
	if (r < 0) /* the name goes again, as a failed bind leaves none */
		pf_unlinkat(p->m->pool, pc, p->dir, p->path, 0);
	return r == -ENOMEM ? -ENOMEM : errno_filter(r);
}

long sys_bind(struct call *c)
{
	struct upath u;
	long r = read_addr(c, c->args[1], c->args[2], &u);
	if (r)
		return r;
	int sock = call_getfd(c, (int)c->args[0]);
	if (sock < 0)
		return sock;
	struct stat st;
	long ret;
	if (fstat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		ret = -ENOTSOCK;
	else
		ret = bind_pool(c, &u, sock);
	close(sock);
	return ret;
}

/* ---- connect, sendto, sendmsg: the call again, with the twin ---------- */

struct readdr {
	struct sockaddr_un sa;
	int addr_arg, len_arg; /* where the new address goes */
	struct msghdr msg; /* sendmsg: the caller's, with our name */
	int msg_arg;
};

static long place_addr(struct call *c, struct redo *d, uint64_t sp)
{
	struct readdr *ra = d->arg;
	uint64_t top = (sp - RED_ZONE - sizeof(ra->sa)) & ~(uint64_t)7;
	if (redo_write(c, d, top, &ra->sa, sizeof(ra->sa)) < 0)
		return -EFAULT;
	if (ra->msg_arg < 0) {
		d->args[ra->addr_arg] = top;
		d->args[ra->len_arg] = sizeof(ra->sa);
		return 0;
	}
	ra->msg.msg_name = (void *)(uintptr_t)top;
	ra->msg.msg_namelen = sizeof(ra->sa);
	top = (top - sizeof(ra->msg)) & ~(uint64_t)7;
	if (redo_write(c, d, top, &ra->msg, sizeof(ra->msg)) < 0)
		return -EFAULT;
	d->args[ra->msg_arg] = top;
	return 0;
}

static long redo_with(struct call *c, struct readdr *ra)
{
	struct redo d = {
		.nr = c->nr, .place = place_addr, .arg = ra, .interruptible = 1
	};
	memcpy(d.args, c->args, sizeof(d.args));
	return call_redo_or(c, &d, -ECONNREFUSED, "reach pool sockets");
}

/*
 * Whether the kernel looks at a send's address at all: only a datagram
 * socket's sendmsg does. A seqpacket socket ignores it (ENOTCONN when
 * unconnected), a stream socket refuses it (EOPNOTSUPP, EISCONN), both
 * before any lookup; so a pool path's ENOENT or EACCES must not come
 * first. 0 for a datagram socket, CALL_CONTINUE for a socket that
 * ignores it (or an fd that is none: the kernel's EBADF, ENOTSOCK), or
 * -errno.
 */
static long send_uses_addr(struct call *c, int fd)
{
	int sock = call_getfd(c, fd);
	if (sock < 0)
		return sock == -EBADF ? CALL_CONTINUE : sock;
	int type = 0;
	socklen_t len = sizeof(type);
	int r = getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len);
	close(sock);
	return r == 0 && type == SOCK_DGRAM ? 0 : CALL_CONTINUE;
}

/*
 * A datagram send fails in the kernel's order: a socket shut down for
 * writing (EPIPE), a full one (EAGAIN), too long a message (EMSGSIZE)
 * before the address is looked up. So a pool path the lookup refuses is
 * not answered at once: the call runs again with a host address that the
 * kernel refuses the same way (e/ in the runtime directory), and the
 * kernel picks the first error. 0 with sa filled, or the error itself
 * when it has no such address.
 */
static pthread_once_t refusals_once = PTHREAD_ONCE_INIT;
static char refusals[PATH_MAX];

static void refusals_make(void)
{
	char dir[PATH_MAX], p[PATH_MAX + 8];
	if (rundir_sub("e", dir, sizeof(dir)) < 0)
		return;
	/* file: writable, not a socket (ECONNREFUSED; file/x ENOTDIR);
	 * ro: not writable (EACCES); loop (ELOOP); none (ENOENT) */
	static const struct {
		const char *name;
		mode_t mode;
	} files[] = { { "file", 0666 }, { "ro", 0 } };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i].name);
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 || fchmod(fd, files[i].mode) < 0) {
			if (fd >= 0)
				close(fd);
			return;
		}
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/loop", dir);
	if (symlink("loop", p) < 0 && errno != EEXIST)
		return;
	snprintf(refusals, sizeof(refusals), "%s", dir);
}

static long refusal_addr(long err, struct sockaddr_un *sa)
{
	const char *leaf = err == -ENOENT ? "none" :
		err == -ENOTDIR		  ? "file/x" :
		err == -ECONNREFUSED	  ? "file" :
		err == -EACCES		  ? "ro" :
		err == -ELOOP		  ? "loop" :
					    NULL;
	if (!leaf)
		return err;
	pthread_once(&refusals_once, refusals_make);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!refusals[0] ||
	    snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", refusals,
		     leaf) >= (int)sizeof(sa->sun_path))
		return err;
	return 0;
}

/* connect, sendto: the address is args[ai], its length args[ai + 1]. */
static long addr_call(struct call *c, int ai)
{
	struct upath u;
	long r = read_addr(c, c->args[ai], c->args[ai + 1], &u);
	if (r)
		return r;
	struct readdr ra = { .addr_arg = ai, .len_arg = ai + 1, .msg_arg = -1 };
	long ret = reach(c, &u, &ra.sa);
	if (ret < 0)
		ret = refusal_addr(ret, &ra.sa);
	return ret < 0 ? ret : redo_with(c, &ra);
}

long sys_connect(struct call *c)
{
	struct upath u;
	long r = read_addr(c, c->args[1], c->args[2], &u);
	if (r)
		return r;
	struct readdr ra = { .addr_arg = 1, .len_arg = 2, .msg_arg = -1 };
	long ret = reach(c, &u, &ra.sa);
	if (ret < 0)
		return ret;
	int sock = call_getfd(c, (int)c->args[0]);
	/* it may show the twin's address as long as it lives (twin.c) */
	struct stat st;
	if (sock >= 0 && fstat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
		twin_connecting(ra.sa.sun_path, st.st_ino);
	/* a non-blocking socket's connect never waits: done here, on the
	 * caller's own socket; under --sandbox always (the tree may not
	 * connect to host sockets, twins included), where a listener with a
	 * full backlog then holds a worker until it accepts */
	if (sock >= 0 &&
	    ((fcntl(sock, F_GETFL) & O_NONBLOCK) || sc_sandbox.active)) {
		ret = connect(sock, (struct sockaddr *)&ra.sa, sizeof(ra.sa)) <
				0 ?
			-errno :
			0;
		close(sock);
		return ret;
	}
	if (sock >= 0)
		close(sock);
	return redo_with(c, &ra);
}

long sys_sendto(struct call *c)
{
	long r = send_uses_addr(c, (int)c->args[0]);
	if (r)
		return r;
	return addr_call(c, 4);
}

long sys_sendmsg(struct call *c)
{
	struct readdr ra = { .msg_arg = 1 };
	if (call_read(c, c->args[1], &ra.msg, sizeof(ra.msg)) < 0)
		return CALL_CONTINUE; /* the kernel's EFAULT */
	struct upath u;
	long r = read_addr(c, (uint64_t)(uintptr_t)ra.msg.msg_name,
			   ra.msg.msg_namelen, &u);
	if (r)
		return r;
	if ((r = send_uses_addr(c, (int)c->args[0])))
		return r;
	long ret = reach(c, &u, &ra.sa);
	if (ret < 0)
		ret = refusal_addr(ret, &ra.sa);
	return ret < 0 ? ret : redo_with(c, &ra);
}

/* ---- getsockname, getpeername: the path bind was given -------------- */

static long name_call(struct call *c, int peer)
{
	char vpath[PATH_MAX];
	if (!twin_count())
		return CALL_CONTINUE;
	int sock = call_getfd(c, (int)c->args[0]);
	if (sock < 0)
		return sock == -EBADF ? CALL_CONTINUE : sock;
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	int r = peer ? getpeername(sock, (struct sockaddr *)&sa, &len) :
		       getsockname(sock, (struct sockaddr *)&sa, &len);
	close(sock);
	if (r < 0 || sa.sun_family != AF_UNIX ||
	    len <= offsetof(struct sockaddr_un, sun_path) ||
	    !twin_addr(sa.sun_path, vpath, sizeof(vpath)))
		return CALL_CONTINUE; /* not a twin: the kernel's answer */
	/* the path as bind was given it (relative stays relative, as the
	 * kernel keeps it), cut to sun_path as the kernel cuts a long name */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	size_t n = strnlen(vpath, sizeof(sa.sun_path));
	memcpy(sa.sun_path, vpath, n);
	socklen_t full = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				     n + (n < sizeof(sa.sun_path)));
	socklen_t room;
	if (call_read(c, c->args[2], &room, sizeof(room)) < 0)
		return -EFAULT;
	if ((int)room < 0)
		return -EINVAL;
	if (call_write(c, c->args[1], &sa, room < full ? room : full) < 0 ||
	    call_write(c, c->args[2], &full, sizeof(full)) < 0)
		return -EFAULT;
	return 0;
}

long sys_getsockname(struct call *c)
{
	return name_call(c, 0);
}

long sys_getpeername(struct call *c)
{
	return name_call(c, 1);
}
