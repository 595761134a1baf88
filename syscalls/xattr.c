/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * setxattr, lsetxattr, fsetxattr, setxattrat; getxattr, lgetxattr,
 * fgetxattr, getxattrat; listxattr, llistxattr, flistxattr, listxattrat;
 * removexattr, lremovexattr, fremovexattr, removexattrat.
 *
 * One do_xattr over argument indexes serves all sixteen. The arguments are
 * checked in the kernel's order (fs/xattr.c): *at flags, flags, the name
 * (ERANGE for "" or over 255 bytes), the size (E2BIG), the value (read
 * once, EFAULT), and only then the path or fd; a host path or fd is the
 * kernel's (CONTINUE) before any of that is read. Values and lists go
 * through one 64 KiB buffer on the worker's stack.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "syscalls.h"

enum xop { X_SET, X_GET, X_LIST, X_REMOVE };

/* struct xattr_args of setxattrat/getxattrat (include/uapi/linux/xattr.h) */
struct xattr_args_v0 {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};
#define XATTR_ARGS_SIZE_VER0 16

/* one call, decoded */
struct xreq {
	enum xop op;
	int at_flags; /* AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH */
	const char *name; /* X_SET, X_GET, X_REMOVE */
	uint64_t addr; /* value or list in the target */
	size_t size;
	int flags; /* XATTR_CREATE, XATTR_REPLACE */
	char *buf; /* PF_XATTR_SIZE_MAX bytes */
};

/* Where the arguments are: -1 for "not in this call". */
struct xargs {
	int dirfd, path, fd; /* dirfd/path: path forms; fd: f forms */
	int at_flags; /* the *at forms: their at_flags argument */
	int name, value, size, flags;
	int uargs; /* setxattrat/getxattrat: struct xattr_args */
};

/* the name argument: ERANGE for "" or too long (import_xattr_name) */
static int read_name(struct call *c, uint64_t addr, const char **out)
{
	int r = call_read_path(c, addr, out);
	if (r == -ENAMETOOLONG)
		return -ERANGE;
	if (r)
		return r;
	size_t n = strlen(*out);
	return n == 0 || n > PF_XATTR_NAME_MAX ? -ERANGE : 0;
}

/*
 * Everything the kernel checks before it looks at the path or fd: 0, or
 * the error it would give first.
 */
static int decode(struct call *c, const struct xargs *a, struct xreq *x)
{
	if (a->uargs >= 0) {
		/* copy_struct_from_user: a larger struct must be zero beyond
		 * what this kernel knows */
		size_t usize = (size_t)c->args[a->uargs + 1];
		if (usize < XATTR_ARGS_SIZE_VER0)
			return -EINVAL;
		if (usize > 4096)
			return -E2BIG;
		struct xattr_args_v0 ua;
		int r = call_read(c, c->args[a->uargs], &ua, sizeof(ua));
		if (r)
			return r;
		for (size_t off = sizeof(ua); off < usize; off += 8) {
			uint64_t w = 0;
			size_t n = usize - off < 8 ? usize - off : 8;
			r = call_read(c, c->args[a->uargs] + off, &w, n);
			if (r)
				return r;
			if (w)
				return -E2BIG;
		}
		if (x->op == X_GET && ua.flags)
			return -EINVAL;
		x->addr = ua.value;
		x->size = ua.size;
		x->flags = (int)ua.flags;
	} else {
		if (a->value >= 0)
			x->addr = c->args[a->value];
		if (a->size >= 0)
			x->size = (size_t)c->args[a->size];
		if (a->flags >= 0)
			x->flags = (int)c->args[a->flags];
	}
	if (x->op == X_SET && (x->flags & ~(XATTR_CREATE | XATTR_REPLACE)))
		return -EINVAL;
	if (a->name >= 0) {
		int r = read_name(c, c->args[a->name], &x->name);
		if (r)
			return r;
	}
	if (x->op == X_SET) {
		if (x->size > PF_XATTR_SIZE_MAX)
			return -E2BIG;
		if (x->size) {
			int r = call_read(c, x->addr, x->buf, x->size);
			if (r)
				return r;
		}
	}
	/* larger buffers are clamped (the kernel allocates no more) */
	if (x->op == X_GET && x->size > PF_XATTR_SIZE_MAX)
		x->size = PF_XATTR_SIZE_MAX;
	if (x->op == X_LIST && x->size > PF_XATTR_LIST_MAX)
		x->size = PF_XATTR_LIST_MAX;
	return 0;
}

/* Copies a get's value or a list out; the kernel's E2BIG for a buffer of
 * the maximum size that is still too small. */
static long finish(struct call *c, const struct xreq *x, long r)
{
	if (r == -ERANGE &&
	    ((x->op == X_GET && x->size >= PF_XATTR_SIZE_MAX) ||
	     (x->op == X_LIST && x->size >= PF_XATTR_LIST_MAX)))
		return -E2BIG;
	if (r > 0 && x->size && (x->op == X_GET || x->op == X_LIST)) {
		int w = call_write(c, x->addr, x->buf, (size_t)r);
		if (w)
			return w;
	}
	return errno_filter(r);
}

static long pool_xattr(struct call *c, struct vpath *p, struct pf_caller *pc,
		       void *arg)
{
	struct xreq *x = arg;
	pf_pool *pool = p->m->pool;
	int at = x->at_flags;
	switch (x->op) {
	case X_SET:
		return pf_setxattrat(pool, pc, p->dir, p->path, at, x->name,
				     x->buf, x->size, x->flags);
	case X_GET:
		return pf_getxattrat(pool, pc, p->dir, p->path, at, x->name,
				     x->buf, x->size);
	case X_LIST:
		return pf_listxattrat(pool, pc, p->dir, p->path, at, x->buf,
				      x->size);
	case X_REMOVE:
		return pf_removexattrat(pool, pc, p->dir, p->path, at, x->name);
	}
	return -EINVAL;
}

/* A path that left the pool: the host's call, on the target's behalf. */
static long host_xattr(struct call *c, const char *path, void *arg)
{
	(void)c;
	struct xreq *x = arg;
	int nofollow = (x->at_flags & AT_SYMLINK_NOFOLLOW) != 0;
	ssize_t r = -1;
	switch (x->op) {
	case X_SET:
		r = (nofollow ? lsetxattr : setxattr)(path, x->name, x->buf,
						      x->size, x->flags);
		break;
	case X_GET:
		r = (nofollow ? lgetxattr : getxattr)(path, x->name, x->buf,
						      x->size);
		break;
	case X_LIST:
		r = (nofollow ? llistxattr : listxattr)(path, x->buf, x->size);
		break;
	case X_REMOVE:
		r = (nofollow ? lremovexattr : removexattr)(path, x->name);
		break;
	}
	return r < 0 ? -errno : r;
}

/* The f forms, on a pool description: core answers EBADF for O_PATH. */
static long file_xattr(struct call *c, pf_pool *pool, pf_file *f,
		       struct xreq *x)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	switch (x->op) {
	case X_SET:
		return pf_fsetxattr(pool, pc, f, x->name, x->buf, x->size,
				    x->flags);
	case X_GET: return pf_fgetxattr(pool, pc, f, x->name, x->buf, x->size);
	case X_LIST: return pf_flistxattr(pool, pc, f, x->buf, x->size);
	case X_REMOVE: return pf_fremovexattr(pool, pc, f, x->name);
	}
	return -EINVAL;
}

/* An fd form (or an *at form with AT_EMPTY_PATH and no path). */
static long do_fd(struct call *c, const struct xargs *a, struct xreq *x, int fd)
{
	struct ofd *o;
	int r = call_fd(c, fd, &o);
	if (r == FD_HOST)
		return CALL_CONTINUE;
	int d = decode(c, a, x);
	if (r < 0 || d < 0) {
		if (r == FD_POOL)
			ofd_put(o);
		return d < 0 ? d : r;
	}
	long ret = file_xattr(c, o->m->pool, o->file, x);
	ofd_put(o);
	return finish(c, x, ret);
}

/* No path with AT_EMPTY_PATH on AT_FDCWD, for a get or set: the working
 * directory, classified as call_path does. */
static int cwd_vpath(struct call *c, struct vpath *p)
{
	struct proc *pr = call_proc(c);
	if (!pr)
		return call_who_err(c);
	struct vcwd cwd;
	proc_get_cwd(pr, &cwd);
	memset(p, 0, offsetof(struct vpath, vabs));
	p->dirfd = AT_FDCWD;
	p->empty = 1;
	p->path = "";
	if (!cwd.m) {
		p->kind = VP_HOST;
		p->vabs[0] = 0;
		return 0;
	}
	p->kind = VP_POOL;
	p->m = cwd.m;
	p->dir = cwd.dir;
	snprintf(p->vabs, sizeof(p->vabs), "%s", cwd.path);
	call_hold(c, cwd.dir); /* dropped by call_end */
	return 0;
}

/* at: the *at flags of the forms that have none (the l forms) */
static long do_xattr(struct call *c, const struct xargs *a, enum xop op, int at)
{
	char buf[PF_XATTR_SIZE_MAX];
	struct xreq x = { .op = op, .at_flags = at, .buf = buf };
	if (a->at_flags >= 0) {
		x.at_flags = (int)c->args[a->at_flags];
		if (x.at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
	}
	if (a->fd >= 0)
		return do_fd(c, a, &x, (int)c->args[a->fd]);
	int dirfd = a->dirfd >= 0 ? (int)c->args[a->dirfd] : AT_FDCWD;
	struct vpath p;
	int r;
	c->follow_proc = !(x.at_flags & AT_SYMLINK_NOFOLLOW);
	/* no path or "" with AT_EMPTY_PATH is the fd itself; on AT_FDCWD,
	 * Linux 6.18 gets and sets the working directory's attributes but
	 * lists and removes on the fd (EBADF) */
	bool cwd_ok = op == X_SET || op == X_GET;
	if (!c->args[a->path] && (x.at_flags & AT_EMPTY_PATH)) {
		if (dirfd != AT_FDCWD || !cwd_ok)
			return do_fd(c, a, &x, dirfd);
		r = cwd_vpath(c, &p);
	} else {
		r = call_path(c, a->dirfd, a->path, &p);
	}
	if (r >= 0 && p.kind == VP_HOST)
		return CALL_CONTINUE;
	/* (EBADF for an O_PATH fd, as the f forms) */
	if (r >= 0 && p.empty && (x.at_flags & AT_EMPTY_PATH) &&
	    (dirfd != AT_FDCWD || !cwd_ok))
		return do_fd(c, a, &x, dirfd);
	int d = decode(c, a, &x);
	if (d < 0)
		return d;
	if (r < 0)
		return r;
	if (p.empty && !(x.at_flags & AT_EMPTY_PATH))
		return -ENOENT;
	return finish(c, &x,
		      path_op_resolved(c, &p, pool_xattr, host_xattr, &x));
}

/* argument positions: dirfd, path, fd, at_flags, name, value, size,
 * flags, uargs */
static const struct xargs A_SET = { -1, 0, -1, -1, 1, 2, 3, 4, -1 },
			  A_FSET = { -1, -1, 0, -1, 1, 2, 3, 4, -1 },
			  A_SETAT = { 0, 1, -1, 2, 3, -1, -1, -1, 4 },
			  A_GET = { -1, 0, -1, -1, 1, 2, 3, -1, -1 },
			  A_FGET = { -1, -1, 0, -1, 1, 2, 3, -1, -1 },
			  A_GETAT = { 0, 1, -1, 2, 3, -1, -1, -1, 4 },
			  A_LIST = { -1, 0, -1, -1, -1, 1, 2, -1, -1 },
			  A_FLIST = { -1, -1, 0, -1, -1, 1, 2, -1, -1 },
			  A_LISTAT = { 0, 1, -1, 2, -1, 3, 4, -1, -1 },
			  A_REMOVE = { -1, 0, -1, -1, 1, -1, -1, -1, -1 },
			  A_FREMOVE = { -1, -1, 0, -1, 1, -1, -1, -1, -1 },
			  A_REMOVEAT = { 0, 1, -1, 2, 3, -1, -1, -1, -1 };

long sys_setxattr(struct call *c)
{
	return do_xattr(c, &A_SET, X_SET, 0);
}
long sys_lsetxattr(struct call *c)
{
	return do_xattr(c, &A_SET, X_SET, AT_SYMLINK_NOFOLLOW);
}
long sys_fsetxattr(struct call *c)
{
	return do_xattr(c, &A_FSET, X_SET, 0);
}
long sys_setxattrat(struct call *c)
{
	return do_xattr(c, &A_SETAT, X_SET, 0);
}

long sys_getxattr(struct call *c)
{
	return do_xattr(c, &A_GET, X_GET, 0);
}
long sys_lgetxattr(struct call *c)
{
	return do_xattr(c, &A_GET, X_GET, AT_SYMLINK_NOFOLLOW);
}
long sys_fgetxattr(struct call *c)
{
	return do_xattr(c, &A_FGET, X_GET, 0);
}
long sys_getxattrat(struct call *c)
{
	return do_xattr(c, &A_GETAT, X_GET, 0);
}

long sys_listxattr(struct call *c)
{
	return do_xattr(c, &A_LIST, X_LIST, 0);
}
long sys_llistxattr(struct call *c)
{
	return do_xattr(c, &A_LIST, X_LIST, AT_SYMLINK_NOFOLLOW);
}
long sys_flistxattr(struct call *c)
{
	return do_xattr(c, &A_FLIST, X_LIST, 0);
}
long sys_listxattrat(struct call *c)
{
	return do_xattr(c, &A_LISTAT, X_LIST, 0);
}

long sys_removexattr(struct call *c)
{
	return do_xattr(c, &A_REMOVE, X_REMOVE, 0);
}
long sys_lremovexattr(struct call *c)
{
	return do_xattr(c, &A_REMOVE, X_REMOVE, AT_SYMLINK_NOFOLLOW);
}
long sys_fremovexattr(struct call *c)
{
	return do_xattr(c, &A_FREMOVE, X_REMOVE, 0);
}
long sys_removexattrat(struct call *c)
{
	return do_xattr(c, &A_REMOVEAT, X_REMOVE, 0);
}
