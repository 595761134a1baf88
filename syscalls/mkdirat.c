/* SPDX-License-Identifier: BSD-3-Clause */
/* mkdir, mkdirat, mknod, mknodat. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "syscalls.h"

struct mk_arg { mode_t mode; dev_t dev; };

static long pool_mkdir(struct call *c, struct vpath *p, struct pf_caller *pc,
		       void *arg)
{
	struct mk_arg *a = arg;
	return pf_mkdirat(p->m->pool, pc, p->dir, p->path, a->mode);
}

static long host_mkdir(struct call *c, const char *path, void *arg)
{
	struct mk_arg *a = arg;
	return mkdir(path, a->mode) < 0 ? -errno : 0;
}

static long pool_mknod(struct call *c, struct vpath *p, struct pf_caller *pc,
		       void *arg)
{
	struct mk_arg *a = arg;
	return pf_mknodat(p->m->pool, pc, p->dir, p->path, a->mode, a->dev);
}

static long host_mknod(struct call *c, const char *path, void *arg)
{
	struct mk_arg *a = arg;
	return mknod(path, a->mode, a->dev) < 0 ? -errno : 0;
}

static long do_mkdir(struct call *c, int dirfd_arg, int path_arg, mode_t mode)
{
	struct vpath p;
	long r = call_pool_path(c, dirfd_arg, path_arg, 0, &p);
	if (r)
		return r;
	int um = call_umask(c);
	if (um < 0)
		return um;
	struct mk_arg a = { mode & 07777 & ~(mode_t)um, 0 };
	return path_op_resolved(c, &p, pool_mkdir, host_mkdir, &a);
}

long sys_mkdirat(struct call *c)
{
	return do_mkdir(c, 0, 1, (mode_t)c->args[2]);
}

long sys_mkdir(struct call *c)
{
	return do_mkdir(c, -1, 0, (mode_t)c->args[1]);
}

static long do_mknod(struct call *c, int dirfd_arg, int path_arg, mode_t mode,
		     dev_t dev)
{
	struct vpath p;
	long r = call_pool_path(c, dirfd_arg, path_arg, 0, &p);
	if (r)
		return r;
	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	int um = call_umask(c);
	if (um < 0)
		return um;
	struct mk_arg a = { (mode & S_IFMT) | (mode & 07777 & ~(mode_t)um), dev };
	return path_op_resolved(c, &p, pool_mknod, host_mknod, &a);
}

long sys_mknodat(struct call *c)
{
	return do_mknod(c, 0, 1, (mode_t)c->args[2], (dev_t)c->args[3]);
}

long sys_mknod(struct call *c)
{
	return do_mknod(c, -1, 0, (mode_t)c->args[1], (dev_t)c->args[2]);
}
