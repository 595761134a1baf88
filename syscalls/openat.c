/* SPDX-License-Identifier: BSD-3-Clause */
/* open, creat, openat, openat2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>

#ifndef OPEN_HOW_SIZE_VER0
#define OPEN_HOW_SIZE_VER0 24
#endif

#include "shm.h"

struct host_open { const char *path; int flags; mode_t mode; };

static long host_open_fn(struct call *c, void *arg)
{
	struct host_open *h = arg;
	int fd = open(h->path, h->flags | O_CLOEXEC, h->mode);
	return fd < 0 ? -errno : fd;
}

/*
 * The few host files whose contents must name the pools: a pool fd's
 * /proc/PID/fdinfo/N, and the mount tables. Every other host open goes
 * to the kernel.
 */
static long host_open(struct call *c, const char *path, int flags)
{
	if (path[0] != '/' || (path[1] != 'p' && path[1] != 'e'))
		return CALL_CONTINUE;
	long r = fdinfo_open(c, path, flags);
	return r == CALL_CONTINUE ? mounttab_open(c, path, flags) : r;
}

static long do_open(struct call *c, int dirfd_arg, int path_arg, int flags,
		    mode_t mode)
{
	struct vpath p;
	c->follow_proc = !(flags & O_NOFOLLOW);
	int r = call_path(c, dirfd_arg, path_arg, &p);
	if (r < 0)
		return r;
	if (p.kind == VP_HOST)
		return host_open(c, p.path, flags);
	if (p.empty)
		return -ENOENT;
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	if (flags & (O_CREAT | __O_TMPFILE)) {
		int um = call_umask(c);
		if (um < 0)
			return um;
		mode &= ~(mode_t)um & 07777;
	}
	int writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	for (int i = 0; i < PF_SYMLOOP_MAX; i++) {
		pf_file *f;
		r = writes && !(flags & O_PATH) ?
			(int)exec_write_check(c, &p, pc, flags & O_NOFOLLOW) :
			0;
		if (r < 0)
			return r;
		r = pf_openat(p.m->pool, pc, p.dir, p.path, flags, mode, &f);
		if (r == 0) {
			/* O_TRUNC of a mapped file: the mappings see it */
			if (flags & O_TRUNC)
				shm_reload(p.m, f);
			/* an O_TMPFILE is "DIR/#INO", as the kernel names it */
			struct pf_stat st;
			char tmpname[PATH_MAX + 32];
			const char *name = p.vabs;
			if ((flags & __O_TMPFILE) == __O_TMPFILE &&
			    pf_fstat(p.m->pool, f, &st) == 0) {
				vabs_clean(p.vabs);
				snprintf(tmpname, sizeof(tmpname), "%s/#%llu",
					 strcmp(p.vabs, "/") ? p.vabs : "",
					 (unsigned long long)st.ino);
				name = tmpname;
			}
			return call_inject_file(c, p.m, f, name,
						flags & O_CLOEXEC);
		}
		if (r == -ENXIO && !(flags & O_PATH))
			return fifo_open(c, &p, pc, flags); /* or ENXIO again */
		if (r != -PF_ESCAPED)
			return errno_filter(r);
		r = vpath_escape(c, &p);
		if (r < 0)
			return r;
		if (p.kind == VP_HOST) {
			struct host_open h = { p.path, flags, mode };
			long fd = with_target_creds(c, host_open_fn, &h);
			if (fd < 0)
				return fd;
			return call_inject_host(c, (int)fd, flags & O_CLOEXEC);
		}
	}
	return -ELOOP;
}

long sys_openat(struct call *c)
{
	return do_open(c, 0, 1, (int)c->args[2], (mode_t)c->args[3]);
}

long sys_open(struct call *c)
{
	return do_open(c, -1, 0, (int)c->args[1], (mode_t)c->args[2]);
}

long sys_creat(struct call *c)
{
	return do_open(c, -1, 0, O_CREAT | O_WRONLY | O_TRUNC,
		       (mode_t)c->args[1]);
}

long sys_openat2(struct call *c)
{
	struct open_how how;
	size_t size = (size_t)c->args[3];
	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	memset(&how, 0, sizeof(how));
	int r = call_read(c, c->args[2], &how,
			  size < sizeof(how) ? size : sizeof(how));
	if (r < 0)
		return r;
	struct vpath p;
	/* peek at the path first: host paths go to the kernel untouched */
	r = call_path(c, 0, 1, &p);
	if (r < 0)
		return r;
	if (p.kind == VP_HOST)
		return CALL_CONTINUE;
	if (how.resolve) {
		sc_log_unsupported(c, "RESOLVE_* flags are not supported in a pool");
		return -EOPNOTSUPP;
	}
	if (how.flags > 0xffffffffu || (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE))))
		return -EINVAL;
	c->nstr = 0;  /* re-read in do_open */
	return do_open(c, 0, 1, (int)how.flags, (mode_t)how.mode);
}
