/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The syscalls layer's part of --sandbox (the launcher's part, Landlock,
 * is launcher/sandbox.c).
 *
 * Landlock makes the kernel refuse host writes the tree does itself, but
 * it does not govern everything that changes a file: chmod, chown, the
 * times, extended attributes, and connecting to a named UNIX socket are
 * outside it (Linux 6.18, ABI 7; checked: a domain that only reads
 * the host connects to a named socket there). Those calls are trapped; when their
 * handler would let the kernel run them (CALL_CONTINUE: a host path or
 * fd), the call is instead performed here, on the target's behalf, from
 * what we read once: the path is opened O_PATH by a thread of the
 * sandbox's Landlock domain (as the target would resolve it), the file
 * that fd names is checked against the --rw roots, and the change is
 * made through that fd (AT_EMPTY_PATH). The target cannot swap the path
 * or the fd between our check and the change: the kernel never reads its
 * buffers again.
 *
 * Host operations of the handlers themselves (a pool symlink to a host
 * path, `..` out of a pool: with_target_creds) run in a thread of the
 * same Landlock domain (sc_sandbox.run), so they obey the tree's rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <linux/fs.h>
#include <seccomp.h>

#include "syscalls.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

struct sc_sandbox sc_sandbox;

int sc_sandbox_filter(void *ctx)
{
	if (!sc_sandbox.active || !sc_sandbox.net_none)
		return 0;
	/*
	 * socket families by value (race-free, no round trip): only UNIX and
	 * netlink (glibc's getaddrinfo and if_nameindex ask the kernel
	 * through it) may be made; AF_INET, AF_INET6, AF_PACKET, AF_VSOCK,
	 * AF_XDP... cannot. socketpair exists for UNIX only.
	 */
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket),
				 1, SCMP_A0(SCMP_CMP_EQ, AF_UNSPEC, 0));
	for (int fam = AF_UNIX + 1; fam < AF_NETLINK && r == 0; fam++)
		r = seccomp_rule_add(
			ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
			SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
				     SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_GT, AF_NETLINK, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EOPNOTSUPP),
				     SCMP_SYS(socketpair), 1,
				     SCMP_A0(SCMP_CMP_NE, AF_UNIX, 0));
	/*
	 * A UNIX datagram socket can send to any named socket with sendto or
	 * sendmsg (an address in target memory, re-read by the kernel):
	 * refused at creation (SOCK_TYPE_MASK is 0xf).
	 */
	if (r == 0)
		r = seccomp_rule_add(
			ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 2,
			SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0),
			SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM));
	if (r == 0)
		r = seccomp_rule_add(
			ctx, SCMP_ACT_ERRNO(EOPNOTSUPP), SCMP_SYS(socketpair),
			2, SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0),
			SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect),
				     0);
	return r;
}

/* Is the file behind our fd under a --rw root? */
static int fd_under_rw(int fd)
{
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/')
		return 0;
	path[n] = 0;
	for (int i = 0; i < sc_sandbox.nrw; i++) {
		const char *root = sc_sandbox.rw[i];
		size_t len = strlen(root);
		if (strcmp(root, "/") == 0)
			return 1;
		if (strncmp(path, root, len) == 0 &&
		    (path[len] == 0 || path[len] == '/'))
			return 1;
	}
	return 0;
}

void sc_sandbox_deny(struct call *c, const char *what, int err)
{
	if (sc_sandbox.on_deny)
		sc_sandbox.on_deny(c, what, err);
}

/* A host metadata change, decided and done on the target's behalf. */
struct meta {
	int nr;
	int base; /* our copy of the dirfd or fd (-1: none) */
	const char *path; /* NULL or "": the base itself */
	int nofollow;
	/* what to apply */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];
	int have_ts;
	const char *name; /* xattr */
	const void *value;
	size_t size;
	int xflags;
	const void *attr; /* file_setattr */
	size_t attr_size;
	long res;
};

static long meta_apply(struct meta *m, int fd)
{
	long r;
	switch (m->nr) {
	case __NR_chmod:
	case __NR_fchmod:
	case __NR_fchmodat:
	case __NR_fchmodat2:
		r = syscall(__NR_fchmodat2, fd, "", m->mode, AT_EMPTY_PATH);
		break;
	case __NR_chown:
	case __NR_lchown:
	case __NR_fchown:
	case __NR_fchownat:
		r = fchownat(fd, "", m->uid, m->gid, AT_EMPTY_PATH);
		break;
	case __NR_utime:
	case __NR_utimes:
	case __NR_futimesat:
	case __NR_utimensat:
		r = utimensat(fd, "", m->have_ts ? m->ts : NULL, AT_EMPTY_PATH);
		break;
	case __NR_setxattr:
	case __NR_lsetxattr:
	case __NR_fsetxattr:
	case __NR_setxattrat: {
		struct {
			uint64_t value;
			uint32_t size, flags;
		} xa = { (uint64_t)(uintptr_t)m->value, (uint32_t)m->size,
			 (uint32_t)m->xflags };
		(void)xa;
		/* setxattrat(fd, "", AT_EMPTY_PATH) takes the fd as a file
		 * and refuses an O_PATH one (EBADF): the magic link instead
		 * reaches the very inode (a symlink's own, for lsetxattr) */
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		r = setxattr(self, m->name, m->value, m->size, m->xflags);
		break;
	}
	case __NR_removexattr:
	case __NR_lremovexattr:
	case __NR_fremovexattr:
	case __NR_removexattrat: {
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		r = removexattr(self, m->name);
		break;
	}
	case __NR_file_setattr:
		r = syscall(__NR_file_setattr, fd, "", m->attr, m->attr_size,
			    AT_EMPTY_PATH);
		break;
	default: errno = EACCES; r = -1;
	}
	return r < 0 ? -errno : r;
}

/* In a thread of the sandbox's Landlock domain. */
static long meta_run(void *arg)
{
	struct meta *m = arg;
	int fd = m->base;
	int own = 0;
	if (m->path && m->path[0]) {
		fd = openat(m->base, m->path,
			    O_PATH | O_CLOEXEC |
				    (m->nofollow ? O_NOFOLLOW : 0));
		if (fd < 0)
			return -errno;
		own = 1;
	}
	long r = fd_under_rw(fd) ? meta_apply(m, fd) : -EACCES;
	if (own)
		close(fd);
	return r;
}

/* Our copy of the target's directory fd, or of its host cwd. */
static int base_fd(struct call *c, int dirfd)
{
	if (dirfd != AT_FDCWD)
		return call_getfd(c, dirfd);
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/cwd", (int)c->tid);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int read_times(struct call *c, uint64_t addr, struct meta *m)
{
	if (!addr)
		return 0;
	m->have_ts = 1;
	if (m->nr == __NR_utime) {
		struct {
			long a, m;
		} ub;
		if (call_read(c, addr, &ub, sizeof(ub)))
			return -EFAULT;
		m->ts[0] = (struct timespec){ ub.a, 0 };
		m->ts[1] = (struct timespec){ ub.m, 0 };
	} else if (m->nr == __NR_utimensat) {
		if (call_read(c, addr, m->ts, sizeof(m->ts)))
			return -EFAULT;
	} else {
		struct timeval tv[2];
		if (call_read(c, addr, tv, sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			m->ts[i] = (struct timespec){ tv[i].tv_sec,
						      tv[i].tv_usec * 1000 };
		}
	}
	return 0;
}

/*
 * The host side of a gated metadata call the handler let through; or,
 * with abs set, of one whose path left a pool for the host path abs.
 */
static long meta_prepare_and_run(struct call *c, const char *abs,
				 struct meta *mp, char **xvp);

static long meta_host(struct call *c, const char *abs)
{
	struct meta m = { .nr = c->nr, .base = -1 };
	char *xvalue = NULL;
	long ret = meta_prepare_and_run(c, abs, &m, &xvalue);
	free(xvalue);
	return ret;
}

static long meta_prepare_and_run(struct call *c, const char *abs,
				 struct meta *mp, char **xvp)
{
	const uint64_t *a = c->args;
	int dirfd = AT_FDCWD, fdcall = 0, path_arg = -1, flags = 0;
	int r;
	if (!abs)
		c->nstr = 0;
	switch (c->nr) {
	case __NR_chmod:
		path_arg = 0;
		mp->mode = (mode_t)a[1];
		break;
	case __NR_fchmod:
		fdcall = 1;
		mp->mode = (mode_t)a[1];
		break;
	case __NR_fchmodat:
		dirfd = (int)a[0];
		path_arg = 1;
		mp->mode = (mode_t)a[2];
		break;
	case __NR_fchmodat2:
		dirfd = (int)a[0];
		path_arg = 1;
		mp->mode = (mode_t)a[2];
		flags = (int)a[3];
		break;
	case __NR_chown:
	case __NR_lchown:
		path_arg = 0;
		mp->uid = (uid_t)a[1];
		mp->gid = (gid_t)a[2];
		mp->nofollow = c->nr == __NR_lchown;
		break;
	case __NR_fchown:
		fdcall = 1;
		mp->uid = (uid_t)a[1];
		mp->gid = (gid_t)a[2];
		break;
	case __NR_fchownat:
		dirfd = (int)a[0];
		path_arg = 1;
		mp->uid = (uid_t)a[2];
		mp->gid = (gid_t)a[3];
		flags = (int)a[4];
		break;
	case __NR_utime:
	case __NR_utimes:
		path_arg = 0;
		if ((r = read_times(c, a[1], mp)) < 0)
			return r;
		break;
	case __NR_futimesat:
		dirfd = (int)a[0];
		path_arg = a[1] ? 1 : -1;
		fdcall = !a[1];
		if ((r = read_times(c, a[2], mp)) < 0)
			return r;
		break;
	case __NR_utimensat:
		dirfd = (int)a[0];
		flags = (int)a[3];
		if (a[1])
			path_arg = 1;
		else
			fdcall = 1;
		if ((r = read_times(c, a[2], mp)) < 0)
			return r;
		break;
	case __NR_setxattr:
	case __NR_lsetxattr:
	case __NR_fsetxattr:
	case __NR_removexattr:
	case __NR_lremovexattr:
	case __NR_fremovexattr: {
		int isfd =
			c->nr == __NR_fsetxattr || c->nr == __NR_fremovexattr;
		fdcall = isfd;
		path_arg = isfd ? -1 : 0;
		mp->nofollow =
			c->nr == __NR_lsetxattr || c->nr == __NR_lremovexattr;
		mp->name = ""; /* read after the path (call_read_path) */
		if (c->nr == __NR_setxattr || c->nr == __NR_lsetxattr ||
		    c->nr == __NR_fsetxattr) {
			if (a[3] > XATTR_SIZE_MAX)
				return -E2BIG;
			/* rare: allocated (a static TLS buffer would grow
			 * every thread's minimum stack) */
			*xvp = malloc(a[3] ? (size_t)a[3] :
					     1); /* freed by meta_host */
			if (!*xvp)
				return -ENOMEM;
			if (call_read(c, a[2], *xvp, (size_t)a[3]))
				return -EFAULT;
			mp->value = *xvp;
			mp->size = (size_t)a[3];
			mp->xflags = (int)a[4];
		}
		break;
	}
	default:
		/* setxattrat, removexattrat, file_setattr: not taken apart
		 * here; refused on the host */
		sc_sandbox_deny(c, "", EACCES);
		return -EACCES;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		mp->nofollow = 1;
	if (mp->name && abs) {
		/* an escape from a pool: xattr.c's handler read the name
		 * last (its decode, after the path): use that copy */
		if (c->nstr < 2) {
			sc_sandbox_deny(c, abs, EACCES);
			return -EACCES;
		}
		mp->name = c->str[c->nstr - 1];
	} else if (mp->name) {
		/* the xattr name: its own string, read once */
		const char *s;
		r = call_read_path(c, a[1], &s);
		if (r < 0)
			return r == -ENAMETOOLONG ? -ERANGE : r;
		if (strlen(s) > XATTR_NAME_MAX)
			return -ERANGE;
		mp->name = s;
	}
	if (abs) {
		mp->path = abs;
		mp->base = AT_FDCWD;
	} else if (fdcall) {
		mp->base = call_getfd(c, (int)a[0]);
		if (mp->base < 0)
			return mp->base;
	} else {
		const char *s;
		r = call_read_path(c, a[path_arg], &s);
		if (r < 0)
			return r;
		if (!s[0] && !(flags & AT_EMPTY_PATH))
			return -ENOENT;
		mp->path = s;
		if (s[0] != '/' || !s[0]) {
			mp->base = base_fd(c, dirfd);
			if (mp->base < 0)
				return mp->base == -EBADF ? -EBADF : mp->base;
		} else {
			mp->base = AT_FDCWD;
		}
	}
	long ret = sc_sandbox_as_target(c, meta_run, mp);
	if (mp->base >= 0)
		close(mp->base);
	if (ret == -EACCES)
		sc_sandbox_deny(c, mp->path ? mp->path : "", EACCES);
	return ret;
}

/* In a thread of the sandbox's Landlock domain: its scoping lets the
 * connection reach an abstract socket of the tree and no other. */
struct conn {
	int fd;
	struct sockaddr_un sa;
	socklen_t len;
};

static long conn_run(void *arg)
{
	struct conn *k = arg;
	return connect(k->fd, (struct sockaddr *)&k->sa, k->len) < 0 ? -errno :
								       0;
}

/*
 * connect under --net none. Another family's socket parses the address as
 * its own family, so only UNIX sockets need care: a named address (a host
 * socket) is refused, anything else is connected here with our copy of
 * the address, never CONTINUEd (the target could rewrite it into a name).
 */
static long sandbox_connect(struct call *c)
{
	int fd = call_getfd(c, (int)c->args[0]);
	if (fd < 0)
		return fd == -EBADF ? -EBADF : fd;
	int dom = 0;
	socklen_t dl = sizeof(dom);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &dl) < 0) {
		long e = errno == ENOTSOCK ? -ENOTSOCK : -errno;
		close(fd);
		return e;
	}
	if (dom != AF_UNIX) {
		close(fd);
		return CALL_CONTINUE;
	}
	struct conn k = { .fd = fd };
	uint64_t len = c->args[2];
	if (len > sizeof(k.sa) || len < sizeof(sa_family_t)) {
		close(fd);
		return -EINVAL;
	}
	long r = call_read(c, c->args[1], &k.sa, (size_t)len);
	if (r == 0)
		r = call_valid(c);
	if (r < 0) {
		close(fd);
		return r == -ENOENT ? -ENOENT : -EFAULT;
	}
	k.len = (socklen_t)len;
	if (k.sa.sun_family == AF_UNIX && len > sizeof(sa_family_t) &&
	    k.sa.sun_path[0]) {
		char name[sizeof(k.sa.sun_path) + 1] = "";
		memcpy(name, k.sa.sun_path, len - sizeof(sa_family_t));
		close(fd);
		sc_sandbox_deny(c, name, EACCES);
		return -EACCES;
	}
	r = sc_sandbox_as_target(c, conn_run, &k);
	close(fd);
	if (r == -EPERM) {
		char name[sizeof(k.sa.sun_path) + 2] = "@";
		if (len > sizeof(sa_family_t) + 1)
			memcpy(name + 1, k.sa.sun_path + 1,
			       len - sizeof(sa_family_t) - 1);
		sc_sandbox_deny(c, name, EPERM);
	}
	return r;
}

int sc_sandbox_is_meta(int nr)
{
	switch (nr) {
	case __NR_chmod:
	case __NR_fchmod:
	case __NR_fchmodat:
	case __NR_fchmodat2:
	case __NR_chown:
	case __NR_lchown:
	case __NR_fchown:
	case __NR_fchownat:
	case __NR_utime:
	case __NR_utimes:
	case __NR_futimesat:
	case __NR_utimensat:
	case __NR_setxattr:
	case __NR_lsetxattr:
	case __NR_fsetxattr:
	case __NR_removexattr:
	case __NR_lremovexattr:
	case __NR_fremovexattr:
	case __NR_setxattrat:
	case __NR_removexattrat:
	case __NR_file_setattr: return 1;
	}
	return 0;
}

long sc_sandbox_meta_path(struct call *c, const char *abs)
{
	return meta_host(c, abs);
}

/* An ioctl that changes a host file's attributes, made on our copy of
 * the fd with our copy of the argument (or refused). */
struct fs_ioctl {
	int fd;
	unsigned long cmd;
	void *arg;
};

static long fs_ioctl_run(void *arg)
{
	struct fs_ioctl *k = arg;
	if (!fd_under_rw(k->fd))
		return -EPERM;
	return ioctl(k->fd, k->cmd, k->arg) < 0 ? -errno : 0;
}

/*
 * The inode-attribute ioctls work on a file opened read-only (chattr):
 * the flags and fsxattr setters are made on the target's behalf under a
 * --rw path, the rarer setters refused (EPERM, as for a file not ours).
 */
static long sandbox_ioctl(struct call *c)
{
	unsigned long cmd = (unsigned long)c->args[1];
	size_t len;
	switch (cmd) {
	case FS_IOC_SETFLAGS:
	case FS_IOC32_SETFLAGS: len = sizeof(int); break;
	case FS_IOC_FSSETXATTR: len = sizeof(struct fsxattr); break;
	case FS_IOC_SETVERSION:
	case FS_IOC32_SETVERSION:
	case FS_IOC_SET_ENCRYPTION_POLICY:
	case FS_IOC_SETFSLABEL:
#ifdef FS_IOC_ENABLE_VERITY
	case FS_IOC_ENABLE_VERITY:
#endif
		sc_sandbox_deny(c, "", EPERM);
		return -EPERM;
	default: return CALL_CONTINUE;
	}
	union {
		int flags;
		struct fsxattr fx;
	} a;
	if (call_read(c, c->args[2], &a, len))
		return -EFAULT;
	struct fs_ioctl k = { call_getfd(c, (int)c->args[0]), cmd, &a };
	if (k.fd < 0)
		return k.fd;
	long r = sc_sandbox_as_target(c, fs_ioctl_run, &k);
	if (r == -EPERM) {
		char link[64], path[PATH_MAX] = "";
		snprintf(link, sizeof(link), "/proc/self/fd/%d", k.fd);
		ssize_t n = readlink(link, path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = 0;
		sc_sandbox_deny(c, path, EPERM);
	}
	close(k.fd);
	return r;
}

long sc_sandbox_gate(struct call *c, long r)
{
	if (!sc_sandbox.active)
		return r;
	if (c->nr == __NR_connect && sc_sandbox.net_none && r == CALL_CONTINUE)
		return sandbox_connect(c);
	if (r == CALL_CONTINUE && c->nr == __NR_ioctl)
		return sandbox_ioctl(c);
	/* a file handle names a file without a path: Landlock could not
	 * place it (and it takes CAP_DAC_READ_SEARCH anyway) */
	if (r == CALL_CONTINUE && c->nr == __NR_open_by_handle_at) {
		sc_sandbox_deny(c, "", EPERM);
		return -EPERM;
	}
	if (r != CALL_CONTINUE || !sc_sandbox_is_meta(c->nr))
		return r;
	return meta_host(c, NULL);
}
