/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmap and msync of pool files.
 *
 * A shared mapping maps the pool inode's shared memfd (shm.c): the
 * supervisor installs an open of it in the caller (ADDFD) and makes the
 * caller run mmap again with that fd in place of the pool fd (call_redo,
 * under ptrace). The new call meets the filter again, names a host file,
 * and is let through: the kernel checks every argument (PROT_WRITE
 * against the open's mode, MAP_SHARED_VALIDATE flags, lengths, offsets).
 *
 * A private mapping of a file that is mapped shared maps the same memfd
 * (privately: it sees later writes until it writes a page, as on Linux).
 * Otherwise it is a snapshot: the supervisor copies the file (after
 * writing back what mappings stored) into the placeholder and lets the
 * kernel map that, without the cost of a shared page cache (ld.so, git);
 * it does not see later writes by others (POSIX leaves that unspecified
 * for MAP_PRIVATE). Without call_redo (a thread already
 * traced, by a debugger say), a read-only shared mapping is such a
 * snapshot too, and a writable one is refused with ENODEV.
 *
 * CONTINUE is safe here: mmap's and msync's arguments are values.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "shm.h"
#include <sys/syscall.h>

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

/* A shared mapping: the caller maps the inode's memfd instead. */
static long map_shared(struct call *c, struct ofd *o, int acc)
{
	for (int tries = 0; tries < 3; tries++) {
		struct shm *s;
		long r = shm_get(c, o, &s);
		if (r < 0)
			return r;
		int tfd = shm_target_fd(c, s, acc);
		shm_put(s);
		if (tfd == -EAGAIN)
			continue; /* retired meanwhile: make a new one */
		if (tfd < 0)
			return tfd;
		uint64_t a[6];
		memcpy(a, c->args, sizeof(a));
		a[4] = (uint64_t)tfd;
		return call_redo(c, SYS_mmap, a);
	}
	return -EAGAIN;
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
	long r = call_pool_fd(c, fd, &o);
	if (r)
		return r;
	long ret;
	int type = flags & MAP_TYPE;
	int acc = pf_file_get_flags(o->file) & O_ACCMODE;
	int shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	if ((ret = mmap_flags_check(c)) < 0)
		goto out; /* as do_mmap: the flags before the access mode */
	struct pf_stat st;
	if (shared && acc != O_RDONLY &&
	    pf_fstat(o->m->pool, o->file, &st) == 0 &&
	    (st.flags & PF_FL_APPEND)) {
		ret = -EACCES; /* do_mmap: no shared mapping of an append-only
				  file through a writable open */
		goto out;
	}
	if (shared) {
		ret = map_shared(c, o, acc);
		if (ret != -ENOSYS && ret != -EPERM)
			goto out;
		if (prot & PROT_WRITE) {
			sc_log_unsupported(
				c,
				"writable shared mappings need ptrace of the caller (ENODEV)");
			ret = acc == O_RDWR ? -ENODEV : -EACCES;
			goto out;
		}
	} else if (type == MAP_PRIVATE && acc != O_WRONLY && shm_exists(o)) {
		/* the file is mapped shared: a private mapping of its pages
		 * sees later writes until it writes a page, as on Linux (a
		 * read-only open: a private mapping needs no more) */
		ret = map_shared(c, o, O_RDONLY);
		if (ret != -ENOSYS && ret != -EPERM)
			goto out;
	}
	if (acc == O_WRONLY) {
		ret = -EACCES;
	} else {
		shm_sync_ofd(o); /* what mappings stored is in the snapshot */
		ret = errno_filter(refresh(c, o, fd));
		if (ret == 0)
			ret = CALL_CONTINUE;
	}
out:
	ofd_put(o);
	return ret;
}

/*
 * msync: what was stored through shared mappings of pool files goes to
 * the pool (all of them: the range's file is the kernel's to know), then
 * the kernel validates and does its part on the memfd.
 */
long sys_msync(struct call *c)
{
	int flags = (int)c->args[2];
	if (!(flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) &&
	    (flags & (MS_ASYNC | MS_SYNC)) != (MS_ASYNC | MS_SYNC))
		shm_sync_all();
	return CALL_CONTINUE;
}
