/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshots of the fds a lock owner holds of a file (see lockholder.h).
 *
 * close is not trapped (syscalls/HACKING.md), and inotify on a placeholder
 * reports only the release of a description, never the close of one of
 * several fds naming it. So when a process first takes record locks on a
 * file, the fds it holds of that file are noted with the placeholder
 * each names (its phid: memfd inodes are recycled); every later lock
 * request or F_GETLK on the file (and each wake of a waiter) looks whether
 * each noted fd still names the same placeholder, through a pidfd of the
 * owner (pidfd_getfd + fstat). One
 * that does not was closed (or closed and reused): the owner's record
 * locks on the file go, as POSIX says, before the asker is answered.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lockholder.h"
#include "task.h"

static int names_file(struct ofd *o, const struct mount *m, uint64_t ino)
{
	struct pf_stat st;
	return o->m == m && pf_fstat(o->m->pool, o->file, &st) == 0 &&
		st.ino == ino;
}

/* Up to max fds of (m, ino) in /proc/PID/fd that skip(arg, fd, ph) does
 * not reject. -errno if the directory cannot be read. */
static int scan(pid_t pid, int pidfd, const struct mount *m, uint64_t ino,
		int *fds, uint64_t *ph, int max, const struct holder *skip)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	int n = 0;
	struct dirent *de;
	while (n < max && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		int known = 0;
		for (int i = 0; skip && i < skip->n && !known; i++)
			known = skip->fd[i] == fd;
		struct ofd *o;
		if (known || ofd_of_pidfd(pidfd, fd, &o) != FD_POOL)
			continue;
		if (names_file(o, m, ino)) {
			fds[n] = fd;
			ph[n++] = o->phid;
		}
		ofd_put(o);
	}
	closedir(d);
	return n;
}

struct holder *holder_scan(pid_t pid, const struct mount *m, uint64_t ino)
{
	struct holder *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->pid = pid;
	h->m = m;
	h->ino = ino;
	h->refs = 1;
	h->pidfd = task_pidfd(pid, 0);
	int n = h->pidfd < 0 ?
		-1 :
		scan(pid, h->pidfd, m, ino, h->fd, h->ph, HOLDER_FDS, NULL);
	/* the pidfd was taken before the scan: the same process throughout
	 * unless it has exited, and then its locks go anyway */
	if (n < 0 || task_exited(h->pidfd)) {
		holder_put(h);
		return NULL;
	}
	h->n = n;
	return h;
}

int holder_new_fds(const struct holder *h, int *fd, uint64_t *ph, int max)
{
	int n = scan(h->pid, h->pidfd, h->m, h->ino, fd, ph, max, h);
	return n < 0 || task_exited(h->pidfd) ? 0 : n;
}

int holder_closed_one(const struct holder *h)
{
	for (int i = 0; i < h->n; i++) {
		int copy = (int)syscall(SYS_pidfd_getfd, h->pidfd, h->fd[i], 0);
		if (copy < 0) {
			if (errno == EBADF || errno == ESRCH)
				return 1; /* closed, or the process exited */
			continue; /* cannot look: keep the locks */
		}
		uint64_t phid;
		int r = ofd_phid(copy, &phid);
		if (r == 0 && phid != h->ph[i])
			return 1; /* closed and the number reused */
	}
	return h->n == 0;
}

void holder_put(struct holder *h)
{
	if (!h || __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (h->pidfd >= 0)
		close(h->pidfd);
	free(h);
}
