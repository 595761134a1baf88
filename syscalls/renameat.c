/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rename, renameat, renameat2. Both ends in the same pool: core does it.
 * Across the mount boundary or between pools: EXDEV, so mv and friends
 * fall back to copying.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/stat.h>

#include "syscalls.h"
#include "notify.h"

/*
 * Is the parent of host path `path` on the file system that holds m's
 * mount point? Only known for an absolute path; otherwise no.
 */
static int parents_share_fs(const struct mount *m, const char *path)
{
	char dir[PATH_MAX];
	struct stat a, b;
	size_t n = strnlen(path, sizeof(dir) - 1);
	if (path[0] != '/')
		return 0;
	memcpy(dir, path, n);
	dir[n] = 0;
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = 0;
	char *slash = strrchr(dir, '/');
	slash[slash == dir] = 0;
	return stat(dir, &a) == 0 && stat(m->parent, &b) == 0 &&
	       a.st_dev == b.st_dev;
}

/* Does p name a pool's root by its mount point ("/mnt/pf", "/mnt/pf/")? */
static int is_mount_root(const struct vpath *p)
{
	return p->kind == VP_POOL && !p->dir && p->path[0] == '/' &&
	       p->path[strspn(p->path, "/")] == 0;
}

/* After a rename that succeeded: do both names still name one file? Then
 * they were links of it, and nothing moved (Linux: source == target). */
static int same_file(struct mount *m, struct pf_caller *pc,
		     const struct vpath *a, const struct vpath *b)
{
	struct pf_stat sa, sb;
	return pf_fstatat(m->pool, pc, a->dir, a->path, &sa,
			  AT_SYMLINK_NOFOLLOW) == 0 &&
		pf_fstatat(m->pool, pc, b->dir, b->path, &sb,
			   AT_SYMLINK_NOFOLLOW) == 0 &&
		sa.ino == sb.ino;
}

static long do_rename(struct call *c, int d1, int p1, int d2, int p2,
		      unsigned flags)
{
	struct vpath a, b;
	long r = call_two_paths(c, d1, p1, 0, d2, p2, &a, &b);
	if (r)
		return r;
	/*
	 * A mount point's parent is on the host. Linux checks the parents'
	 * mounts first (EXDEV when they differ), then refuses to move or
	 * replace a mount point (EBUSY): a pool root against a host path is
	 * EBUSY (taking the host paths to share a file system), against a
	 * path inside the pool EXDEV.
	 */
	int ra = is_mount_root(&a), rb = is_mount_root(&b);
	if (ra && rb)
		return -EBUSY;
	if (ra || rb) {
		const struct vpath *root = ra ? &a : &b, *o = ra ? &b : &a;
		return o->kind == VP_HOST &&
		       parents_share_fs(root->m, o->path) ? -EBUSY : -EXDEV;
	}
	if (a.kind != b.kind || a.m != b.m)
		return cross_errno(c, &a, 0, &b);
	if (a.empty || b.empty)
		return -ENOENT;
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	sc_ofd_events();  /* as in unlinkat.c */
	/* a FIFO or socket renamed over loses that name (twin.c) */
	uint64_t victim = flags ? 0 : twin_victim(b.m, pc, b.dir, b.path);
	r = pf_renameat2(a.m->pool, pc, a.dir, a.path, b.dir, b.path, flags);
	if (r == 0) {
		twin_name_gone(b.m, victim);
		/* only those who follow names need to know (two lookups) */
		if (ofd_any() || dnotify_count() || inotify_count())
			c->rename_noop = same_file(a.m, pc, &a, &b);
		if (!c->rename_noop && ofd_any())
			ofd_renamed(c, a.m, a.vabs, b.vabs,
				    !!(flags & RENAME_EXCHANGE));
	}
	/* a path that climbs out of the pool ends on the host: EXDEV */
	return errno_filter(r);
}

long sys_renameat2(struct call *c)
{
	return do_rename(c, 0, 1, 2, 3, (unsigned)c->args[4]);
}

long sys_renameat(struct call *c)
{
	return do_rename(c, 0, 1, 2, 3, 0);
}

long sys_rename(struct call *c)
{
	return do_rename(c, -1, 0, -1, 1, 0);
}
