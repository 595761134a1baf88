/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linkat, link. Both ends in the same pool: core does it. Across the mount
 * boundary or between pools: EXDEV, as between two file systems.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "syscalls.h"

static long do_link(struct call *c, int d1, int p1, int d2, int p2, int flags)
{
	struct vpath a, b;
	/* linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N links that file */
	long r = call_two_paths(c, d1, p1, flags & AT_SYMLINK_FOLLOW, d2, p2,
				&a, &b);
	if (r)
		return r;
	if (a.kind != b.kind || a.m != b.m)
		return cross_errno(c, &a, 1, &b);
	if ((a.empty && !(flags & AT_EMPTY_PATH)) || b.empty)
		return -ENOENT;
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	r = pf_linkat(a.m->pool, pc, a.dir, a.path, b.dir, b.path, flags);
	/* a path that climbs out of the pool ends on the host: EXDEV */
	return errno_filter(r);
}

long sys_linkat(struct call *c)
{
	int flags = (int)c->args[4];
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return do_link(c, 0, 1, 2, 3, flags);
}

long sys_link(struct call *c)
{
	return do_link(c, -1, 0, -1, 1, 0);
}
