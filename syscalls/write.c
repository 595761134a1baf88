/* SPDX-License-Identifier: BSD-3-Clause */
/* write, pwrite64, writev, pwritev, pwritev2: straight from target to pool. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "iov.h"
#include "shm.h"
#include "fsize.h"

/* vector: args[1] is an iovec array; else one buffer of args[2] bytes.
 * off < 0: at the file offset. rwf: pwritev2's flags (iov.h). */
static long do_write(struct call *c, int vector, off_t off, unsigned rwf)
{
	/* RWF_APPEND: at the end whatever the offset, atomically (core) */
	unsigned flags = rwf & RWF_APPEND ? PF_RWF_APPEND : 0;
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
	struct pf_caller *pc = call_caller(c);
	size_t count = t->total;
	if ((rwf & ~RWF_KNOWN) || (rwf & RWF_NOWAIT))
		ret = -EOPNOTSUPP; /* RWF_NOWAIT: as tmpfs (no FMODE_NOWAIT) */
	else if (!pc)
		ret = call_who_err(c);
	else if ((ret = fsize_write(c, o, off, flags != 0, &count)) < 0)
		; /* RLIMIT_FSIZE: EFBIG, else count cut to the limit */
	else {
		/* and into the shared memfd, if the file is mapped */
		struct shm_w w;
		shm_write_begin(o->m, o->file, &w);
		if (flags)
			ret = pf_write_cb_flags(o->m->pool, pc, o->file, count,
						off, flags, tbuf_from_target,
						t);
		else
			ret = pf_write_cb(o->m->pool, pc, o->file, count, off,
					  tbuf_from_target, t);
		shm_write_done(&w, o->file, off,
			       flags || (pf_file_get_flags(o->file) & O_APPEND),
			       ret);
	}
	ret = errno_filter(ret);
out:
	ofd_put(o);
	return ret;
}

long sys_write(struct call *c)
{
	return rw_form_call(c, RW_PLAIN, do_write);
}

long sys_pwrite64(struct call *c)
{
	return rw_form_call(c, RW_P, do_write);
}

long sys_writev(struct call *c)
{
	return rw_form_call(c, RW_V, do_write);
}

long sys_pwritev(struct call *c)
{
	return rw_form_call(c, RW_PV, do_write);
}

long sys_pwritev2(struct call *c)
{
	return rw_form_call(c, RW_PV2, do_write);
}
