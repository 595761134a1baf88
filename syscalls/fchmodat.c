/* SPDX-License-Identifier: BSD-3-Clause */
/* chmod, fchmod, fchmodat, fchmodat2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "syscalls.h"

struct chmod_arg { mode_t mode; int flags; };

static long pool_chmod(struct call *c, struct vpath *p, struct pf_caller *pc,
		       void *arg)
{
	struct chmod_arg *a = arg;
	return pf_fchmodat(p->m->pool, pc, p->dir, p->path, a->mode, a->flags);
}

static long host_chmod(struct call *c, const char *path, void *arg)
{
	struct chmod_arg *a = arg;
	return fchmodat(AT_FDCWD, path, a->mode, a->flags & AT_SYMLINK_NOFOLLOW)
		< 0 ? -errno : 0;
}

static long do_chmod(struct call *c, int dirfd_arg, int path_arg, mode_t mode,
		     int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct vpath p;
	/* /proc/self/fd/N followed: glibc's lchmod without fchmodat2 */
	long r = call_pool_path_at(c, dirfd_arg, path_arg, flags, &p);
	if (r)
		return r;
	struct chmod_arg a = { mode & 07777, flags };
	return path_op_resolved(c, &p, pool_chmod, host_chmod, &a);
}

long sys_fchmodat2(struct call *c)
{
	return do_chmod(c, 0, 1, (mode_t)c->args[2], (int)c->args[3]);
}

long sys_fchmodat(struct call *c)
{
	return do_chmod(c, 0, 1, (mode_t)c->args[2], 0);
}

long sys_chmod(struct call *c)
{
	return do_chmod(c, -1, 0, (mode_t)c->args[1], 0);
}

long sys_fchmod(struct call *c)
{
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	struct pf_caller *pc = call_caller(c);
	long ret = pc ? errno_filter(pf_fchmod(o->m->pool, pc, o->file,
					       (mode_t)c->args[1] & 07777))
		      : call_who_err(c);
	ofd_put(o);
	return ret;
}
