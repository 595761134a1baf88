/* SPDX-License-Identifier: BSD-3-Clause */
/* truncate, ftruncate, fallocate. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "shm.h"

static long pool_truncate(struct call *c, struct vpath *p, struct pf_caller *pc,
			  void *arg)
{
	long r = exec_write_check(c, p, pc, 0);
	if (r < 0)
		return r;
	/* a mapped file's memfd follows the size: open it (O_PATH, no
	 * permission needed) to find it; the truncate itself checks */
	pf_file *f = NULL;
	struct shm_w w = { NULL };
	int mapped =
		pf_openat(p->m->pool, pc, p->dir, p->path, O_PATH, 0, &f) == 0;
	if (mapped)
		shm_write_begin(p->m, f, &w);
	r = pf_truncate(p->m->pool, pc, p->dir, p->path, *(off_t *)arg);
	if (mapped) {
		shm_write_end(&w, 0, 0);
		pf_close(f);
	}
	return r;
}

static long host_truncate(struct call *c, const char *path, void *arg)
{
	return truncate(path, *(off_t *)arg) < 0 ? -errno : 0;
}

long sys_truncate(struct call *c)
{
	off_t len = (off_t)c->args[1];
	struct vpath p;
	c->follow_proc = 1;
	int r = call_path(c, -1, 0, &p);
	if (r < 0 || p.kind == VP_HOST)
		return r < 0 ? r : CALL_CONTINUE;
	if (p.empty)
		return -ENOENT;
	if (len < 0)
		return -EINVAL;
	return path_op_resolved(c, &p, pool_truncate, host_truncate, &len);
}

static long pool_ftruncate(struct call *c, struct ofd *o, void *arg)
{
	struct pf_caller *pc = call_caller(c);
	if ((off_t)c->args[1] < 0)
		return -EINVAL;
	if (!pc)
		return call_who_err(c);
	struct shm_w w;
	shm_write_begin(o->m, o->file, &w);
	long r = pf_ftruncate(o->m->pool, pc, o->file, (off_t)c->args[1]);
	shm_write_end(&w, 0, 0); /* the size */
	return r;
}

long sys_ftruncate(struct call *c)
{
	return fd_op(c, (int)c->args[0], pool_ftruncate, NULL);
}

static long pool_fallocate(struct call *c, struct ofd *o, void *arg)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	struct shm_w w;
	shm_write_begin(o->m, o->file, &w);
	long r = pf_fallocate(o->m->pool, pc, o->file, (int)c->args[1],
			      (off_t)c->args[2], (off_t)c->args[3]);
	/* holes punched, zeros, the size */
	shm_write_end(&w, (uint64_t)c->args[2], (uint64_t)c->args[3]);
	return r;
}

long sys_fallocate(struct call *c)
{
	return fd_op(c, (int)c->args[0], pool_fallocate, NULL);
}
