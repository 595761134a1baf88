/* SPDX-License-Identifier: BSD-3-Clause */
/* open, creat, openat, openat2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#ifndef OPEN_HOW_SIZE_VER0
#define OPEN_HOW_SIZE_VER0 24
#endif

#include "shm.h"
#include "notify.h"

/* what the kernel must still apply when a walk goes on on the host */
#define HOST_RESOLVE (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

static uint32_t resolve_to_pf(uint64_t resolve)
{
	return (resolve & RESOLVE_NO_SYMLINKS ? PF_RESOLVE_NO_SYMLINKS : 0) |
		(resolve & RESOLVE_NO_XDEV ? PF_RESOLVE_NO_XDEV : 0) |
		(resolve & RESOLVE_BENEATH ? PF_RESOLVE_BENEATH : 0) |
		(resolve & RESOLVE_IN_ROOT ? PF_RESOLVE_IN_ROOT : 0);
}

struct host_open {
	const char *path;
	int flags;
	mode_t mode;
	uint64_t resolve;
};

static long host_open_fn(struct call *c, void *arg)
{
	struct host_open *h = arg;
	int fd;
	if (h->resolve) {
		/* the rest of an openat2 walk, with its RESOLVE_* flags */
		struct open_how how = {
			.flags = (uint64_t)(h->flags | O_CLOEXEC),
			.mode = h->flags & (O_CREAT | __O_TMPFILE) ? h->mode :
								     0,
			.resolve = h->resolve
		};
		fd = (int)syscall(SYS_openat2, AT_FDCWD, h->path, &how,
				  sizeof(how));
	} else {
		fd = open(h->path, h->flags | O_CLOEXEC, h->mode);
	}
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

/* Opens pool path p (openat2's resolve: its RESOLVE_* flags, 0 for the
 * other calls). */
static long open_pool(struct call *c, struct vpath p, int flags, mode_t mode,
		      uint64_t resolve)
{
	int r;
	if (p.empty)
		return -ENOENT;
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	pc->resolve = resolve_to_pf(resolve);
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
		long lr = lease_break_path(c, &p, pc, flags);
		if (lr != 0)
			return lr;
		r = pf_openat(p.m->pool, pc, p.dir, p.path, flags, mode, &f);
		if (r == 0) {
			/* O_TRUNC of a mapped file: the mappings see it */
			if (flags & O_TRUNC)
				shm_reload(p.m, f);
			/* an O_TMPFILE is "DIR/#INO", as the kernel names it */
			struct pf_stat st;
			char tmpname[PATH_MAX + 32];
			const char *name = p.vabs;
			/* opened through symlinks: the name is where they
			 * led, as /proc/PID/fd/N shows it */
			char real[PATH_MAX];
			if (call_followed(c) &&
			    pool_realpath(p.m, pc, p.vabs,
					  !(flags & O_NOFOLLOW), real,
					  sizeof(real)) == 0)
				name = real;
			if ((flags & __O_TMPFILE) == __O_TMPFILE &&
			    pf_fstat(p.m->pool, f, &st) == 0) {
				char dir[PATH_MAX];
				snprintf(dir, sizeof(dir), "%s", name);
				vabs_clean(dir);
				snprintf(tmpname, sizeof(tmpname), "%s/#%llu",
					 strcmp(dir, "/") ? dir : "",
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
			struct host_open h = { p.path, flags, mode,
					       resolve & HOST_RESOLVE };
			long fd = with_target_creds(c, host_open_fn, &h);
			if (fd < 0)
				return fd;
			return call_inject_host(c, (int)fd, flags & O_CLOEXEC);
		}
	}
	return -ELOOP;
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
	return open_pool(c, p, flags, mode, 0);
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

/* fs/open.c's VALID_OPEN_FLAGS and O_PATH_FLAGS */
#define VALID_OPEN_FLAGS                                                       \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |        \
	 O_NONBLOCK | O_SYNC | O_DSYNC | FASYNC | O_DIRECT | SC_O_LARGEFILE |  \
	 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH |           \
	 __O_TMPFILE)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)
#define VALID_RESOLVE                                                          \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |       \
	 RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* What openat2 refuses before it looks at the path (fs/open.c
 * build_open_flags), in its order. */
static long how_check(const struct open_how *how)
{
	uint64_t flags = how->flags & ~(uint64_t)O_CLOEXEC;
	if (flags & ~(uint64_t)VALID_OPEN_FLAGS)
		return -EINVAL;
	if (how->resolve & ~(uint64_t)VALID_RESOLVE)
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) &&
	    (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (flags & (O_CREAT | __O_TMPFILE)) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL;
	if (flags & __O_TMPFILE) {
		if (!(flags & O_DIRECTORY))
			return -EINVAL;
		if ((flags & O_ACCMODE) != O_WRONLY &&
		    (flags & O_ACCMODE) != O_RDWR)
			return -EINVAL;
	}
	if ((flags & O_PATH) && (flags & ~(uint64_t)O_PATH_FLAGS))
		return -EINVAL;
	if ((how->resolve & RESOLVE_CACHED) &&
	    (flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
		return -EAGAIN;
	return 0;
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
	if (size > sizeof(how)) {
		/* a newer struct: what this kernel does not know must be 0 */
		char extra[4096];
		size_t n = size - sizeof(how);
		r = call_read(c, c->args[2] + sizeof(how), extra, n);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			if (extra[i])
				return -E2BIG;
	}
	const char *s;
	r = call_read_path(c, c->args[1], &s);
	if (r < 0)
		return r;
	int absolute = s[0] == '/';
	if (how.resolve & RESOLVE_IN_ROOT) {
		/* relative to dirfd, which is the root */
		while (s[0] == '/' && s[1] == '/')
			s++;
		if (s[0] == '/')
			s = s[1] ? s + 1 : ".";
	}
	/* a /proc magic link is followed to a pool file only when openat2
	 * may follow it at all (else it is procfs's: the kernel answers) */
	c->follow_proc = !(how.flags & O_NOFOLLOW) &&
		!(how.resolve &
		  (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |
		   RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_NO_XDEV));
	struct vpath p;
	r = vpath_classify(c, (int)c->args[0], s, c->abs[c->nstr - 1], &p);
	if (r < 0)
		return r;
	/* host paths go to the kernel untouched: it checks everything */
	if (p.kind == VP_HOST)
		return CALL_CONTINUE;
	long e = how_check(&how);
	if (e < 0)
		return e;
	/* an absolute path walks from /, another mount than the pool's */
	if (absolute && (how.resolve & (RESOLVE_BENEATH | RESOLVE_NO_XDEV)))
		return -EXDEV;
	if (!p.dir) {
		/* entered the pool from a host directory */
		if (how.resolve & RESOLVE_NO_XDEV)
			return -EXDEV;
		/* the scope starts at the pool's root (see pmemfile(7)) */
		while (p.path[0] == '/')
			p.path++;
		if (!p.path[0])
			p.path = ".";
	}
	return open_pool(c, p, (int)how.flags, (mode_t)how.mode, how.resolve);
}
