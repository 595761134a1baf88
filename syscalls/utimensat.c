/* SPDX-License-Identifier: BSD-3-Clause */
/* utimensat (incl. futimens: NULL path), utime, utimes, futimesat. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <utime.h>

#include "syscalls.h"

struct ut_arg { struct timespec ts[2]; int now; int flags; };

static long pool_ut(struct call *c, struct vpath *p, struct pf_caller *pc,
		    void *arg)
{
	struct ut_arg *a = arg;
	return pf_utimensat(p->m->pool, pc, p->dir, p->path,
			    a->now ? NULL : a->ts, a->flags);
}

static long host_ut(struct call *c, const char *path, void *arg)
{
	struct ut_arg *a = arg;
	return utimensat(AT_FDCWD, path, a->now ? NULL : a->ts,
			 a->flags & AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static long do_ut(struct call *c, int dirfd_arg, int path_arg,
		  struct ut_arg *a)
{
	if (a->flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (path_arg >= 0 && c->args[path_arg] == 0) {
		/* do_utimes(): a NULL path names the fd itself (futimens,
		 * futimesat(fd, NULL)), with no flags; without a dirfd
		 * (utime, utimes) or with AT_FDCWD it is a bad path */
		if (dirfd_arg < 0 || (int)c->args[dirfd_arg] == AT_FDCWD)
			return -EFAULT;
		if (a->flags)
			return -EINVAL;
		struct ofd *o;
		long r = call_pool_fd(c, (int)c->args[dirfd_arg], &o);
		if (r)
			return r;
		struct pf_caller *pc = call_caller(c);
		/* an O_PATH fd is no fd for this (fdget) */
		if (pf_file_get_flags(o->file) & O_PATH) {
			ofd_put(o);
			return -EBADF;
		}
		long ret = pc ? pf_utimensat(o->m->pool, pc, o->file, "",
					     a->now ? NULL : a->ts,
					     AT_EMPTY_PATH) : call_who_err(c);
		ofd_put(o);
		return errno_filter(ret);
	}
	struct vpath p;
	long r = call_pool_path_at(c, dirfd_arg, path_arg, a->flags, &p);
	if (r)
		return r;
	return path_op_resolved(c, &p, pool_ut, host_ut, a);
}

static int valid_ts(const struct timespec *t)
{
	return t->tv_nsec == UTIME_NOW || t->tv_nsec == UTIME_OMIT ||
	       (t->tv_nsec >= 0 && t->tv_nsec < 1000000000);
}

long sys_utimensat(struct call *c)
{
	struct ut_arg a = { .flags = (int)c->args[3], .now = c->args[2] == 0 };
	if (!a.now) {
		int r = call_read(c, c->args[2], a.ts, sizeof(a.ts));
		if (r < 0)
			return r;
		/* as the kernel: nothing to do, not even a path to check */
		if (a.ts[0].tv_nsec == UTIME_OMIT && a.ts[1].tv_nsec == UTIME_OMIT)
			return 0;
		if (!valid_ts(&a.ts[0]) || !valid_ts(&a.ts[1]))
			return -EINVAL;
	}
	return do_ut(c, 0, 1, &a);
}

/* utimes/futimesat: struct timeval[2] or NULL */
static long do_timeval(struct call *c, int dirfd_arg, int path_arg,
		       uint64_t tv_addr)
{
	struct ut_arg a = { .flags = 0, .now = tv_addr == 0 };
	if (!a.now) {
		struct timeval tv[2];
		int r = call_read(c, tv_addr, tv, sizeof(tv));
		if (r < 0)
			return r;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			a.ts[i].tv_sec = tv[i].tv_sec;
			a.ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	return do_ut(c, dirfd_arg, path_arg, &a);
}

long sys_utimes(struct call *c)
{
	return do_timeval(c, -1, 0, c->args[1]);
}

long sys_futimesat(struct call *c)
{
	return do_timeval(c, 0, 1, c->args[2]);
}

long sys_utime(struct call *c)
{
	struct ut_arg a = { .flags = 0, .now = c->args[1] == 0 };
	if (!a.now) {
		struct utimbuf ub;
		int r = call_read(c, c->args[1], &ub, sizeof(ub));
		if (r < 0)
			return r;
		a.ts[0].tv_sec = ub.actime;
		a.ts[1].tv_sec = ub.modtime;
	}
	if (c->args[0] == 0)
		return -EFAULT;
	return do_ut(c, -1, 0, &a);
}
