/* SPDX-License-Identifier: BSD-3-Clause */
/* symlink, symlinkat. The target string is stored as given. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "syscalls.h"

static long pool_symlink(struct call *c, struct vpath *p, struct pf_caller *pc,
			 void *arg)
{
	return pf_symlinkat(p->m->pool, pc, arg, p->dir, p->path);
}

static long host_symlink(struct call *c, const char *path, void *arg)
{
	return symlink(arg, path) < 0 ? -errno : 0;
}

static long do_symlink(struct call *c, int target_arg, int dirfd_arg,
		       int path_arg)
{
	const char *target;
	long r = call_read_path(c, c->args[target_arg], &target);
	if (r < 0)
		return r;
	struct vpath p;
	r = call_pool_path(c, dirfd_arg, path_arg, 0, &p);
	if (r)
		return r;
	if (!target[0])
		return -ENOENT;
	return path_op_resolved(c, &p, pool_symlink, host_symlink, (void *)target);
}

long sys_symlinkat(struct call *c)
{
	return do_symlink(c, 0, 1, 2);
}

long sys_symlink(struct call *c)
{
	return do_symlink(c, 0, -1, 1);
}
