/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common shapes of fd and path syscalls. An fd call: CONTINUE for a
 * host fd, else the pool operation on its description. A path call:
 * classify, let the kernel have host
 * paths, run the pool operation, and when core reports that resolution
 * left the pool (PF_ESCAPED), finish on the host on the target's behalf
 * with its credentials (never CONTINUE: the kernel would resolve the
 * original string from the wrong place).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "syscalls.h"

struct host_call { host_op fn; const char *path; void *arg; };

static long host_trampoline(struct call *c, void *a)
{
	struct host_call *h = a;
	return h->fn(c, h->path, h->arg);
}

long path_op_resolved(struct call *c, struct vpath *p, pool_op pop,
		      host_op hop, void *arg)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	for (int i = 0; i < PF_SYMLOOP_MAX; i++) {
		long r = pop(c, p, pc, arg);
		if (r != -PF_ESCAPED)
			return errno_filter(r);
		r = vpath_escape(c, p);
		if (r < 0)
			return r;
		if (p->kind == VP_HOST) {
			if (!hop)
				return -EXDEV;
			if (sc_sandbox.active && sc_sandbox_is_meta(c->nr))
				return sc_sandbox_meta_path(c, p->path);
			struct host_call h = { hop, p->path, arg };
			return with_target_creds(c, host_trampoline, &h);
		}
	}
	return -ELOOP;
}

long path_op(struct call *c, int dirfd_arg, int path_arg, pool_op pop,
	     host_op hop, void *arg)
{
	struct vpath p;
	long r = call_pool_path(c, dirfd_arg, path_arg, 1, &p);
	if (r)
		return r; /* host: CONTINUE; "" is pop's to judge */
	return path_op_resolved(c, &p, pop, hop, arg);
}

long fd_op(struct call *c, int fd, fd_fn fn, void *arg)
{
	struct ofd *o;
	long r = call_pool_fd(c, fd, &o);
	if (r)
		return r;
	long ret = fn ? fn(c, o, arg) : 0;
	ofd_put(o);
	return ret;
}

/* What looking up p (whole, or only its parent) as the caller answers
 * before a cross-device check: 0 or -errno (ENOENT, ENOTDIR, EACCES,
 * ELOOP). A host path is looked up when it is absolute. */
static long lookup_err(struct call *c, const struct vpath *p, int whole)
{
	char parent[PATH_MAX];
	const char *path = p->path;
	if (!whole) {
		/* the parent: up to the last name (trailing slashes kept off) */
		size_t n = strlen(path);
		while (n > 1 && path[n - 1] == '/')
			n--;
		while (n > 0 && path[n - 1] != '/')
			n--;
		if (n == 0)
			return 0; /* the base directory itself */
		memcpy(parent, path, n);
		parent[n] = 0;
		path = parent;
	}
	if (p->kind == VP_HOST) {
		struct stat st;
		if (path[0] != '/' || stat(path, &st) == 0)
			return whole || path[0] != '/' || S_ISDIR(st.st_mode) ?
				0 :
				-ENOTDIR;
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES ||
				errno == ELOOP ?
			-errno :
			0;
	}
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	struct pf_stat st;
	long r = pf_fstatat(p->m->pool, pc, p->dir, path, &st,
			    whole ? AT_SYMLINK_NOFOLLOW : 0);
	if (r == -ENOENT || r == -ENOTDIR || r == -EACCES || r == -ELOOP)
		return r;
	return r == 0 && !whole && !S_ISDIR(st.mode) ? -ENOTDIR : 0;
}

long cross_errno(struct call *c, const struct vpath *a, int a_whole,
		 const struct vpath *b)
{
	long r = lookup_err(c, a, a_whole);
	if (r == 0)
		r = lookup_err(c, b, 0);
	return r ? r : -EXDEV;
}
