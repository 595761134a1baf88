/* SPDX-License-Identifier: BSD-3-Clause */
/* lseek. */
#define _GNU_SOURCE
#include <errno.h>

#include "syscalls.h"

static long pool_lseek(struct call *c, struct ofd *o, void *arg)
{
	return errno_filter(pf_lseek(o->m->pool, o->file, (off_t)c->args[1],
				     (int)c->args[2]));
}

long sys_lseek(struct call *c)
{
	return fd_op(c, (int)c->args[0], pool_lseek, NULL);
}
