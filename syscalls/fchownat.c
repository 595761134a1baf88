/* SPDX-License-Identifier: BSD-3-Clause */
/* chown, lchown, fchown, fchownat. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "syscalls.h"

struct chown_arg { uint32_t uid, gid; int flags; };

static long pool_chown(struct call *c, struct vpath *p, struct pf_caller *pc,
		       void *arg)
{
	struct chown_arg *a = arg;
	return pf_fchownat(p->m->pool, pc, p->dir, p->path, a->uid, a->gid,
			   a->flags);
}

static long host_chown(struct call *c, const char *path, void *arg)
{
	struct chown_arg *a = arg;
	return fchownat(AT_FDCWD, path, a->uid, a->gid,
			a->flags & AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static long do_chown(struct call *c, int dirfd_arg, int path_arg, int flags)
{
	int base = dirfd_arg < 0 ? 1 : 2;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct vpath p;
	long r = call_pool_path_at(c, dirfd_arg, path_arg, flags, &p);
	if (r)
		return r;
	struct chown_arg a = { (uint32_t)c->args[base], (uint32_t)c->args[base + 1],
			       flags };
	return path_op_resolved(c, &p, pool_chown, host_chown, &a);
}

long sys_fchownat(struct call *c)
{
	return do_chown(c, 0, 1, (int)c->args[4]);
}

long sys_chown(struct call *c)
{
	return do_chown(c, -1, 0, 0);
}

long sys_lchown(struct call *c)
{
	return do_chown(c, -1, 0, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(struct call *c)
{
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	struct pf_caller *pc = call_caller(c);
	long ret = pc ? errno_filter(pf_fchown(o->m->pool, pc, o->file,
					       (uint32_t)c->args[1],
					       (uint32_t)c->args[2]))
		      : call_who_err(c);
	ofd_put(o);
	return ret;
}
