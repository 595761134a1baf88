/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening a FIFO stored in a pool. The pool keeps the inode (its name,
 * mode, owner, times); the pipe itself must be the kernel's, so that read,
 * write, poll, epoll, O_NONBLOCK, SIGPIPE, F_SETPIPE_SZ and FIONREAD are
 * the kernel's with no call of ours in between. Each pool FIFO has a host
 * FIFO standing for it in the runtime directory (f/, rundir.c), named
 * after the pool, the inode number and its birth time (a reused inode
 * number is another FIFO). An open that never waits (O_RDWR, O_NONBLOCK)
 * is done here and its fd installed in the caller; any other open of the
 * pool FIFO becomes the caller's own open of the host FIFO
 * (call_redo_run): it blocks as
 * fifo(7) says (O_RDONLY until a writer comes, O_WRONLY until a reader,
 * O_RDWR and O_RDONLY|O_NONBLOCK not at all, O_WRONLY|O_NONBLOCK ENXIO
 * without a reader) in the caller's thread, not in a worker, and a signal
 * ends the wait with EINTR or restarts it, as on Linux. The open meets
 * the filter again with a host path: the kernel's.
 *
 * Permission to open is checked on the pool inode first; the host FIFO
 * is mode 0666 in a directory nobody can list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "syscalls.h"

struct fifo_open {
	char host[PATH_MAX];
	int flags;
};

/* The host FIFO's name, below the caller's stack pointer. */
static long place_path(struct call *c, struct redo *d, uint64_t sp)
{
	struct fifo_open *fo = d->arg;
	size_t len = strlen(fo->host) + 1;
	uint64_t at = (sp - 128 - len) & ~(uint64_t)7;
	if (redo_write(c, d, at, fo->host, len) < 0)
		return -EFAULT;
	d->args[1] = at;
	return 0;
}

static int make_fifo(const char *host, void *arg)
{
	(void)arg;
	return mknod(host, S_IFIFO | 0666, 0) < 0 && errno != EEXIST ? -errno :
								       0;
}

long fifo_open(struct call *c, struct vpath *p, struct pf_caller *pc, int flags)
{
	pf_file *f;
	int r = pf_openat(p->m->pool, pc, p->dir, p->path,
			  O_PATH | (flags & O_NOFOLLOW), 0, &f);
	if (r < 0)
		return r;
	struct pf_stat st;
	r = pf_fstat(p->m->pool, f, &st);
	if (r == 0 && !S_ISFIFO(st.mode))
		r = -ENXIO; /* a socket, or a device: as Linux opens them */
	int acc = flags & O_ACCMODE;
	int want = acc == O_RDONLY ? R_OK :
		acc == O_WRONLY	   ? W_OK :
				     R_OK | W_OK;
	if (r == 0)
		r = pf_faccessat(p->m->pool, pc, f, "", want, AT_EMPTY_PATH);
	struct fifo_open fo;
	if (r == 0)
		r = host_twin(p->m, &st, "f", fo.host, sizeof(fo.host));
	if (r == 0) {
		vabs_clean(p->vabs);
		/* ENOENT: unlinked since our look-up, as if before it */
		r = twin_make(p->m, f, fo.host, p->vabs, NULL, make_fifo, NULL);
	}
	pf_close(f);
	if (r < 0)
		return r;
	/* what the caller asked for, minus what only the pool's name means */
	fo.flags = flags &
		~(O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW | O_DIRECTORY);
	if ((flags & O_ACCMODE) == O_RDWR || (flags & O_NONBLOCK)) {
		/* an open that never waits: ours, handed over (ADDFD) */
		int fd = open(fo.host, (fo.flags & ~O_CLOEXEC) | O_CLOEXEC);
		if (fd < 0)
			return errno == EMFILE ? -ENFILE : -errno;
		return call_inject_host(c, fd, flags & O_CLOEXEC);
	}
	struct redo d = {
		.nr = SYS_openat,
		.args = { (uint64_t)AT_FDCWD, 0, (uint64_t)fo.flags, 0 },
		.place = place_path,
		.arg = &fo,
		.interruptible = 1,
	};
	return call_redo_or(c, &d, -ENXIO, "open pool FIFOs");
}
