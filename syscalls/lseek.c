/* SPDX-License-Identifier: BSD-3-Clause */
/* lseek. */
#define _GNU_SOURCE
#include <errno.h>

#include "syscalls.h"

long sys_lseek(struct call *c)
{
	struct ofd *o;
	int r = call_fd(c, (int)c->args[0], &o);
	if (r)
		return r > 0 ? CALL_CONTINUE : r;
	long ret = pf_lseek(o->m->pool, o->file, (off_t)c->args[1],
			    (int)c->args[2]);
	ofd_put(o);
	return errno_filter(ret);
}
