/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fsync, fdatasync, syncfs, sync_file_range, fadvise64, readahead. Pool
 * writes are durable when they return, so these only validate the fd;
 * fsync and fdatasync first write back what was stored through shared
 * mappings of the file (shm.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "shm.h"

struct check {
	fd_fn fn;
};

/* None of these takes an O_PATH fd (fdget): EBADF, as Linux. */
static long not_opath(struct call *c, struct ofd *o, void *arg)
{
	const struct check *k = arg;
	if (pf_file_get_flags(o->file) & O_PATH)
		return -EBADF;
	return k->fn ? k->fn(c, o, NULL) : 0;
}

static long on_pool_fd(struct call *c, fd_fn check)
{
	struct check k = { check };
	return fd_op(c, (int)c->args[0], not_opath, &k);
}

static long do_fsync(struct call *c, struct ofd *o, void *arg)
{
	shm_sync_ofd(o); /* what mappings stored */
	return errno_filter(pf_fsync(o->m->pool, o->file));
}

static long do_fdatasync(struct call *c, struct ofd *o, void *arg)
{
	shm_sync_ofd(o);
	return errno_filter(pf_fdatasync(o->m->pool, o->file));
}

static long check_sfr(struct call *c, struct ofd *o, void *arg)
{
	unsigned flags = (unsigned)c->args[3];
	if ((int64_t)c->args[1] < 0 || (int64_t)c->args[2] < 0 ||
	    flags & ~7u)
		return -EINVAL;
	return 0;
}

static long check_fadvise(struct call *c, struct ofd *o, void *arg)
{
	int advice = (int)c->args[3];
	if (advice < 0 || advice > 5 || (int64_t)c->args[2] < 0)
		return -EINVAL;
	return 0;
}

long sys_fsync(struct call *c) { return on_pool_fd(c, do_fsync); }
long sys_fdatasync(struct call *c) { return on_pool_fd(c, do_fdatasync); }
long sys_syncfs(struct call *c) { return on_pool_fd(c, NULL); }
long sys_sync_file_range(struct call *c) { return on_pool_fd(c, check_sfr); }
long sys_fadvise64(struct call *c) { return on_pool_fd(c, check_fadvise); }
long sys_readahead(struct call *c) { return on_pool_fd(c, NULL); }
