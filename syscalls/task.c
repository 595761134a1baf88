/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Liveness of the tasks behind cache entries (see task.h): pidfds, and the
 * epoll set of every cached pidfd that the supervisor's tick reads to drop
 * the entries of exited tasks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "task.h"

static int epfd = -1;
static pthread_once_t ep_once = PTHREAD_ONCE_INIT;

static void ep_open(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		sc_log(SC_LOG_ERR, "epoll_create1: %s: entries of exited processes are dropped only when their pid is seen again",
		       strerror(errno));
}

int task_pidfd(pid_t pid, unsigned flags)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, flags);
	return fd < 0 ? -errno : fd;
}

int task_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r = poll(&p, 1, 0);
	return r != 0;  /* readable, or poll failed: not usable */
}

/* The supervisor's own user namespace, read once. */
static struct stat own_userns;
static int own_userns_ok;
static pthread_once_t userns_once = PTHREAD_ONCE_INIT;

static void userns_read(void)
{
	own_userns_ok = stat("/proc/self/ns/user", &own_userns) == 0;
}

/*
 * Capabilities count only in the supervisor's user namespace: a process
 * that made its own (unshare -U) shows a full CapEff there, which gives it
 * no power over the host's files, nor over the pool's.
 */
static int in_own_userns(int dirfd, pid_t pid)
{
	pthread_once(&userns_once, userns_read);
	char p[64];
	struct stat st;
	if (dirfd >= 0)
		snprintf(p, sizeof(p), "ns/user");
	else
		snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
	return own_userns_ok && fstatat(dirfd >= 0 ? dirfd : AT_FDCWD, p, &st, 0) == 0 &&
	       st.st_dev == own_userns.st_dev && st.st_ino == own_userns.st_ino;
}

enum { HAVE_TGID = 1, HAVE_PPID = 2, HAVE_UID = 4, HAVE_GID = 8,
       HAVE_GROUPS = 16, HAVE_CAPEFF = 32, HAVE_CAPPRM = 64, HAVE_ALL = 127 };

int task_status_read(int dirfd, pid_t pid, struct task_status *t)
{
	char path[64];
	int fd;
	if (dirfd >= 0) {
		fd = openat(dirfd, "status", O_RDONLY | O_CLOEXEC);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = 0;
	memset(t, 0, offsetof(struct task_status, groups));
	t->umask = 077;  /* kernels before 4.7 do not show it: the strictest */
	unsigned a, b, cc, d, have = 0;
	for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "Tgid: %d", &t->tgid) == 1) {
			have |= HAVE_TGID;
		} else if (sscanf(l, "PPid: %d", &t->ppid) == 1) {
			have |= HAVE_PPID;
		} else if (sscanf(l, "Umask: %o", &a) == 1) {
			t->umask = a & 0777;
		} else if (sscanf(l, "Uid: %u %u %u %u", &a, &b, &cc, &d) == 4) {
			t->ruid = a;
			t->fsuid = d;
			have |= HAVE_UID;
		} else if (sscanf(l, "Gid: %u %u %u %u", &a, &b, &cc, &d) == 4) {
			t->rgid = a;
			t->fsgid = d;
			have |= HAVE_GID;
		} else if (strncmp(l, "Groups:", 7) == 0) {
			char *p = l + 7, *end;
			have |= HAVE_GROUPS;
			for (;;) {
				unsigned long g = strtoul(p, &end, 10);
				if (end == p || t->ngroups >= SC_MAX_GROUPS)
					break;
				t->groups[t->ngroups++] = (uint32_t)g;
				p = end;
			}
		} else if (sscanf(l, "CapEff: %lx", &t->caps) == 1) {
			have |= HAVE_CAPEFF;
		} else if (sscanf(l, "CapPrm: %lx", &t->capprm) == 1) {
			have |= HAVE_CAPPRM;
		}
	}
	if (have != HAVE_ALL)
		return -EIO;  /* truncated or not a status file: trust none of it */
	if ((t->caps || t->capprm) && !in_own_userns(dirfd, pid)) {
		t->caps = 0;
		t->capprm = 0;
	}
	return 0;
}

static uint64_t key(int kind, pid_t id)
{
	return (uint64_t)kind << 32 | (uint32_t)id;
}

int task_watch(int pidfd, int kind, pid_t id)
{
	pthread_once(&ep_once, ep_open);
	if (epfd < 0)
		return -ENOSYS;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = key(kind, id) };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0 ? -errno : 0;
}

void task_unwatch(int pidfd)
{
	if (epfd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, pidfd, NULL);
}

/*
 * Level-triggered: a key whose entry is gone by the time we look (the
 * lookup that found it dead dropped it, or a new task's entry replaced it)
 * is harmless, the reapers check the entry they find.
 */
void sc_tasks_reap(void)
{
	threads_tick();
	if (epfd < 0)
		return;
	struct epoll_event ev[64];
	for (int round = 0; round < 1024; round++) {
		int n = epoll_wait(epfd, ev, 64, 0);
		for (int i = 0; i < n; i++) {
			pid_t id = (pid_t)(uint32_t)ev[i].data.u64;
			if (ev[i].data.u64 >> 32 == TASK_THREAD)
				thread_reap(id);
			else
				proc_reap(id);
		}
		if (n < 64)
			return;
	}
	/* the rest on the next tick */
}

int task_gone_or_fail(struct call *c, int err, const char *what)
{
	if ((err == ESRCH || err == ENOENT) && call_valid(c) < 0)
		return -ESRCH;
	return task_fail(err, what, c->tid);
}

int task_fail(int err, const char *what, pid_t tid)
{
	static unsigned long count;  /* __atomic */
	unsigned long n = __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
	int ret = err == EMFILE || err == ENFILE ? -ENFILE :
		  err == ENOMEM ? -ENOMEM : -EACCES;
	if ((n & (n - 1)) == 0)  /* the 1st, 2nd, 4th, 8th... time */
		sc_log(SC_LOG_ERR, "cannot tell who thread %d is: %s: %s (answering %s; %lu time%s so far)",
		       (int)tid, what, strerror(err), strerror(-ret), n, n > 1 ? "s" : "");
	return ret;
}

/* The whole of a /proc children file (a seq_file: read to the end; a
 * fixed buffer would cut a list of hundreds of children short). NULL on
 * failure with errno set. */
static char *read_all(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (cap - len < 1024) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			int err = errno;
			free(buf);
			buf = NULL;
			errno = err;
			break;
		}
		if (n == 0) {
			buf[len] = 0;
			break;
		}
		len += (size_t)n;
	}
	int err = errno;
	close(fd);
	errno = err;
	return buf;
}

int sc_children_each(pid_t tgid, int (*fn)(pid_t child, void *arg), void *arg)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)tgid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	int ret = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%.32s/children", de->d_name);
		char *list = read_all(dirfd(d), path);
		if (!list) {
			/* a thread that exited meanwhile has no list */
			if (errno != ENOENT && errno != ESRCH)
				ret = -errno;
			continue;
		}
		for (char *s = list, *end; *s; s = end) {
			long pid = strtol(s, &end, 10);
			if (end == s)
				break;
			int r = fn((pid_t)pid, arg);
			if (r < 0)
				ret = r;
		}
		free(list);
	}
	closedir(d);
	return ret;
}
