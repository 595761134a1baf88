/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmap of a pool file. A pool file has no page cache, but its placeholder
 * is a memfd: for a private mapping (and a read-only shared one) the
 * supervisor copies the file into the placeholder and lets the kernel map
 * that. The mapping is a snapshot: it does not see later writes by others
 * (POSIX leaves that unspecified for MAP_PRIVATE). A writable shared
 * mapping would lose its writes: ENODEV.
 *
 * CONTINUE is safe here: mmap's arguments are values, not pointers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "syscalls.h"

struct snap { int fd; };

static ssize_t to_memfd(void *arg, void *pool_mem, size_t len, size_t pos)
{
	struct snap *s = arg;
	if (!pool_mem)
		return (ssize_t)len;  /* a hole: the memfd reads zeros there */
	ssize_t n = pwrite(s->fd, pool_mem, len, (off_t)pos);
	return n < 0 ? -errno : n;
}

/* Makes the placeholder hold the file's current contents. */
static long refresh(struct call *c, struct ofd *o, int fd)
{
	struct pf_stat st;
	long r = pf_fstat(o->m->pool, o->file, &st);
	if (r < 0)
		return r;
	if (o->snap_valid && o->snap_size == st.size &&
	    o->snap_mtime.tv_sec == st.mtime.tv_sec &&
	    o->snap_mtime.tv_nsec == st.mtime.tv_nsec)
		return 0;  /* ld.so maps a library in several pieces */
	struct snap s = { call_getfd(c, fd) };
	if (s.fd < 0)
		return s.fd;
	r = 0;
	if (ftruncate(s.fd, 0) < 0 || ftruncate(s.fd, (off_t)st.size) < 0)
		r = -ENOMEM;
	for (uint64_t done = 0; r == 0 && done < st.size;) {
		ssize_t n = pf_read_cb(o->m->pool, o->file, st.size - done,
				       (off_t)done, to_memfd, &s);
		if (n <= 0) {
			r = n < 0 ? n : -EIO;
			break;
		}
		done += (uint64_t)n;
	}
	close(s.fd);
	if (r == 0) {
		o->snap_size = st.size;
		o->snap_mtime = st.mtime;
		o->snap_valid = 1;
	}
	return r;
}

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
/* include/linux/mman.h LEGACY_MAP_MASK: what MAP_SHARED_VALIDATE knows */
#define LEGACY_MAP_MASK                                                        \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS |                \
	 MAP_DENYWRITE | MAP_EXECUTABLE | 0x4000000 /* MAP_UNINITIALIZED */ |  \
	 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |           \
	 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* What mmap refuses of a file mapping before it looks at the file's
 * access mode (arch mmap, ksys_mmap_pgoff, do_mmap), in their order. */
static long mmap_flags_check(struct call *c)
{
	uint64_t len = c->args[1], off = c->args[5];
	int flags = (int)c->args[3];
	if (off & 4095)
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -EINVAL; /* a pool file is not on hugetlbfs */
	if (len == 0)
		return -EINVAL;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED_VALIDATE:
		if (flags & ~LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		return 0;
	case MAP_SHARED:
	case MAP_PRIVATE: return 0;
	default: return -EINVAL;
	}
}

long sys_mmap(struct call *c)
{
	int flags = (int)c->args[3], prot = (int)c->args[2];
	if (flags & MAP_ANONYMOUS)
		return CALL_CONTINUE;
	struct ofd *o;
	int fd = (int)c->args[4];
	int r = call_fd(c, fd, &o);
	if (r != FD_POOL)
		return r == FD_HOST ? CALL_CONTINUE : r;
	long ret;
	int type = flags & MAP_TYPE;
	int acc = pf_file_get_flags(o->file) & O_ACCMODE;
	if ((ret = mmap_flags_check(c)) < 0) {
		/* as do_mmap: the flags, before the access mode */
	} else if (acc == O_WRONLY ||
		   (type != MAP_PRIVATE && (prot & PROT_WRITE) &&
		    acc != O_RDWR)) {
		ret = -EACCES;
	} else if (type != MAP_PRIVATE && (prot & PROT_WRITE)) {
		sc_log_unsupported(c, "writable shared mappings of pool files are not supported (ENODEV)");
		ret = -ENODEV;
	} else {
		ret = refresh(c, o, fd);
		if (ret == 0)
			ret = CALL_CONTINUE;
	}
	ofd_put(o);
	return errno_filter(ret);
}
