/* SPDX-License-Identifier: BSD-3-Clause */
/* truncate, ftruncate, fallocate. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "shm.h"
#include "fsize.h"
#include "notify.h"

static long pool_truncate(struct call *c, struct vpath *p, struct pf_caller *pc,
			  void *arg)
{
	long r = exec_write_check(c, p, pc, 0);
	if (r < 0)
		return r;
	r = lease_break_path(c, p, pc, O_WRONLY);
	if (r != 0)
		return r;
	/* RLIMIT_FSIZE when it grows (a failing stat: truncate says why) */
	struct pf_stat st;
	if (pf_fstatat(p->m->pool, pc, p->dir, p->path, &st, 0) == 0 &&
	    S_ISREG(st.mode) &&
	    (r = fsize_truncate(c, (int64_t)st.size, *(off_t *)arg)) < 0)
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
	long r = call_pool_path(c, -1, 0, 0, &p);
	if (r)
		return r;
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
	struct pf_stat st;
	int acc = pf_file_get_flags(o->file) & (O_ACCMODE | O_PATH);
	long r;
	if ((acc == O_WRONLY || acc == O_RDWR) &&
	    pf_fstat(o->m->pool, o->file, &st) == 0 && S_ISREG(st.mode) &&
	    (r = fsize_truncate(c, (int64_t)st.size, (off_t)c->args[1])) < 0)
		return r;
	struct shm_w w;
	shm_write_begin(o->m, o->file, &w);
	r = pf_ftruncate(o->m->pool, pc, o->file, (off_t)c->args[1]);
	shm_write_end(&w, 0, 0); /* the size */
	return errno_filter(r);
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
	int mode = (int)c->args[1];
	off_t off = (off_t)c->args[2], len = (off_t)c->args[3];
	struct pf_stat st;
	long r;
	/* an end past RLIMIT_FSIZE, even with FALLOC_FL_KEEP_SIZE (as
	 * Linux 6.18 on tmpfs answers) */
	if (!(mode & FALLOC_FL_PUNCH_HOLE) && off >= 0 && len > 0 &&
	    off <= INT64_MAX - len &&
	    (pf_file_get_flags(o->file) & O_ACCMODE) != O_RDONLY &&
	    pf_fstat(o->m->pool, o->file, &st) == 0 && S_ISREG(st.mode) &&
	    (r = fsize_truncate(c, -1, off + len)) < 0)
		return r;
	struct shm_w w;
	shm_write_begin(o->m, o->file, &w);
	r = pf_fallocate(o->m->pool, pc, o->file, (int)c->args[1],
			 (off_t)c->args[2], (off_t)c->args[3]);
	/* holes punched, zeros, the size */
	shm_write_end(&w, (uint64_t)c->args[2], (uint64_t)c->args[3]);
	return errno_filter(r);
}

long sys_fallocate(struct call *c)
{
	return fd_op(c, (int)c->args[0], pool_fallocate, NULL);
}
