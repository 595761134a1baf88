/* SPDX-License-Identifier: BSD-3-Clause */
/* statfs, fstatfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/statfs.h>

#include "syscalls.h"

#define PMEMFILE_MAGIC 0x504d4546  /* "PMEF": f_type of a pool */

static long fill(struct call *c, struct mount *m, uint64_t addr)
{
	struct pf_statfs s;
	sc_ofd_events();  /* files closed already count as free */
	int r = pf_statfs(m->pool, &s);
	if (r < 0)
		return errno_filter(r);
	struct statfs st;
	memset(&st, 0, sizeof(st));
	st.f_type = PMEMFILE_MAGIC;
	st.f_bsize = (long)s.bsize;
	st.f_frsize = (long)s.frsize;
	st.f_blocks = s.blocks;
	st.f_bfree = s.bfree;
	st.f_bavail = s.bavail;
	st.f_files = s.files;
	st.f_ffree = s.ffree;
	st.f_namelen = (long)s.namelen;
	memcpy(&st.f_fsid, &s.fsid, sizeof(st.f_fsid));
	/*
	 * As the kernel's flags_by_mnt(): ST_VALID says f_flags is filled in;
	 * a pool behaves like a nodev, noexec, relatime mount (pmemfile(7)).
	 */
	st.f_flags = 0x0020 /* ST_VALID */ | 0x0004 /* ST_NODEV */ |
		0x0008 /* ST_NOEXEC */ | 0x1000 /* ST_RELATIME */;
	return call_write(c, addr, &st, sizeof(st));
}

static long pool_statfs(struct call *c, struct vpath *p, struct pf_caller *pc,
			void *arg)
{
	struct pf_stat st;
	/* the path must exist */
	int r = pf_fstatat(p->m->pool, pc, p->dir, p->path, &st, 0);
	return r < 0 ? r : fill(c, p->m, *(uint64_t *)arg);
}

long sys_statfs(struct call *c)
{
	uint64_t addr = c->args[1];
	c->follow_proc = 1;
	return path_op(c, -1, 0, pool_statfs, NULL, &addr);
}

long sys_fstatfs(struct call *c)
{
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	long ret = fill(c, o->m, c->args[1]);
	ofd_put(o);
	return ret;
}
