/* SPDX-License-Identifier: BSD-3-Clause */
/* read, pread64, readv, preadv, preadv2: straight from pool to target. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "iov.h"
#include "shm.h"

/* vector: args[1] is an iovec array; else one buffer of args[2] bytes.
 * off < 0: at the file offset. rwf: preadv2's flags (iov.h). */
static long do_read_flags(struct call *c, int vector, off_t off, unsigned rwf)
{
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	struct tbuf tb, *t = &tb;  /* on the worker's stack: no allocation */
	long ret;
	ret = vector ? tbuf_iov(t, c, c->args[1], c->args[2]) :
		tbuf_single(t, c, c->args[1], (size_t)c->args[2]);
	if (ret < 0)
		goto out;
	if ((rwf & ~RWF_KNOWN) || (rwf & RWF_NOWAIT)) {
		/* RWF_NOWAIT: as tmpfs, which has no FMODE_NOWAIT */
		ret = -EOPNOTSUPP;
		goto out;
	}
	shm_sync_ofd(o); /* what mappings stored is read at once */
	ret = pf_read_cb(o->m->pool, o->file, t->total, off, tbuf_to_target, t);
	ret = errno_filter(ret);
out:
	ofd_put(o);
	return ret;
}

static long do_read(struct call *c, int vector, off_t off)
{
	return do_read_flags(c, vector, off, 0);
}

long sys_read(struct call *c)
{
	return do_read(c, 0, -1);
}

long sys_pread64(struct call *c)
{
	if ((int64_t)c->args[3] < 0)
		return call_fd_refuse(c, (int)c->args[0], -EINVAL);
	return do_read(c, 0, (off_t)c->args[3]);
}

long sys_readv(struct call *c)
{
	return do_read(c, 1, -1);
}

long sys_preadv(struct call *c)
{
	/* x86_64: pos is args[3] (low) with args[4] unused (high) */
	if ((int64_t)c->args[3] < 0)
		return call_fd_refuse(c, (int)c->args[0], -EINVAL);
	return do_read(c, 1, (off_t)c->args[3]);
}

long sys_preadv2(struct call *c)
{
	/* offset -1: current position, as readv; other negatives: EINVAL */
	if ((int64_t)c->args[3] < -1)
		return call_fd_refuse(c, (int)c->args[0], -EINVAL);
	return do_read_flags(c, 1, (off_t)c->args[3], (unsigned)c->args[5]);
}
