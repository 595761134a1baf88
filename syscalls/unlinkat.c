/* SPDX-License-Identifier: BSD-3-Clause */
/* unlink, unlinkat, rmdir. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "syscalls.h"

static long pool_unlink(struct call *c, struct vpath *p, struct pf_caller *pc,
			void *arg)
{
	/* a close the target already made frees the file now, as Linux */
	sc_ofd_events();
	uint64_t victim = twin_victim(p->m, pc, p->dir, p->path);
	int r = pf_unlinkat(p->m->pool, pc, p->dir, p->path, *(int *)arg);
	if (r == 0) {
		twin_name_gone(p->m, victim);
		ofd_unlinked(c, p->m, p->vabs);
	}
	return r;
}

static long host_unlink(struct call *c, const char *path, void *arg)
{
	return unlinkat(AT_FDCWD, path, *(int *)arg) < 0 ? -errno : 0;
}

static long do_unlink(struct call *c, int dirfd_arg, int path_arg, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct vpath p;
	long r = call_pool_path(c, dirfd_arg, path_arg, 0, &p);
	if (r)
		return r;
	if (p.dir == NULL && p.path[0] == '/' && p.path[1] == 0)
		return flags ? -EBUSY : -EISDIR;  /* the mount point itself */
	return path_op_resolved(c, &p, pool_unlink, host_unlink, &flags);
}

long sys_unlinkat(struct call *c)
{
	return do_unlink(c, 0, 1, (int)c->args[2]);
}

long sys_unlink(struct call *c)
{
	return do_unlink(c, -1, 0, 0);
}

long sys_rmdir(struct call *c)
{
	return do_unlink(c, -1, 0, AT_REMOVEDIR);
}
