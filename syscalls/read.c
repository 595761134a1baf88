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
static long do_read(struct call *c, int vector, off_t off, unsigned rwf)
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

long sys_read(struct call *c)
{
	return rw_form_call(c, RW_PLAIN, do_read);
}

long sys_pread64(struct call *c)
{
	return rw_form_call(c, RW_P, do_read);
}

long sys_readv(struct call *c)
{
	return rw_form_call(c, RW_V, do_read);
}

long sys_preadv(struct call *c)
{
	return rw_form_call(c, RW_PV, do_read);
}

long sys_preadv2(struct call *c)
{
	return rw_form_call(c, RW_PV2, do_read);
}
