/* SPDX-License-Identifier: BSD-3-Clause */
/* access, faccessat, faccessat2: real ids unless AT_EACCESS. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "syscalls.h"

struct acc_arg { int mode, flags; struct pf_caller real; };

static long pool_access(struct call *c, struct vpath *p, struct pf_caller *pc,
			void *arg)
{
	struct acc_arg *a = arg;
	struct pf_caller *who = (a->flags & AT_EACCESS) ? pc : &a->real;
	return pf_faccessat(p->m->pool, who, p->dir, p->path, a->mode, a->flags);
}

static long host_access(struct call *c, const char *path, void *arg)
{
	struct acc_arg *a = arg;
	return faccessat(AT_FDCWD, path, a->mode,
			 AT_EACCESS | (a->flags & AT_SYMLINK_NOFOLLOW)) < 0
		? -errno : 0;
}

static long do_access(struct call *c, int dirfd_arg, int path_arg, int mode,
		      int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK) ||
	    flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct vpath p;
	long r = call_pool_path_at(c, dirfd_arg, path_arg, flags, &p);
	if (r)
		return r;
	struct acc_arg a = { .mode = mode, .flags = flags };
	r = call_caller_real(c, &a.real);
	if (r < 0)
		return r;
	return path_op_resolved(c, &p, pool_access, host_access, &a);
}

long sys_faccessat2(struct call *c)
{
	return do_access(c, 0, 1, (int)c->args[2], (int)c->args[3]);
}

long sys_faccessat(struct call *c)
{
	return do_access(c, 0, 1, (int)c->args[2], 0);
}

long sys_access(struct call *c)
{
	return do_access(c, -1, 0, (int)c->args[1], 0);
}
