/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host twins: the host FIFO or bound socket in the runtime directory that
 * stands for a FIFO or socket inode in a pool (fifo.c, socket.c). A
 * target holds the twin itself (a real pipe, a real socket), so data
 * never passes through us; what must still show the pool is what names or
 * describes the inode: fstat of such an fd gives the pool inode's stat,
 * /proc/PID/fd/N and getsockname/getpeername its pool path.
 *
 * The table keeps, per twin, its host inode number, its path, the pool
 * file (an O_PATH reference) and its pool path. Lookups cost nothing
 * while no twin exists; then an fstat of a host fd costs a pidfd_getfd
 * and an fstat more, to see whether it is one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "syscalls.h"
#include "rundir.h"

struct twin {
	struct twin *next;
	uint64_t host_ino;
	struct mount *m;
	pf_file *f; /* O_PATH: the pool inode */
	char host[PATH_MAX];
	char vpath[PATH_MAX];
	char addr[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
};

static struct twin *twins;
static int ntwins;
static dev_t twin_dev;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int host_twin(struct mount *m, const struct pf_stat *st, const char *kind,
	      char *out, size_t size)
{
	char dir[PATH_MAX];
	int r = rundir_sub(kind, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (snprintf(out, size, "%s/%d-%llu-%lld.%09ld", dir, m->mnt_id,
		     (unsigned long long)st->ino, (long long)st->btime.tv_sec,
		     st->btime.tv_nsec) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

void twin_add(struct mount *m, pf_file *f, const char *host, const char *vpath,
	      const char *addr)
{
	struct stat hs;
	if (lstat(host, &hs) < 0)
		return;
	pthread_mutex_lock(&lock);
	struct twin *t;
	for (t = twins; t && strcmp(t->host, host); t = t->next)
		;
	if (!t && (t = calloc(1, sizeof(*t)))) {
		t->next = twins;
		twins = t;
		__atomic_add_fetch(&ntwins, 1, __ATOMIC_RELAXED);
	}
	if (t) {
		pf_close(t->f);
		t->f = pf_file_ref(f);
		t->m = m;
		t->host_ino = hs.st_ino;
		twin_dev = hs.st_dev;
		snprintf(t->host, sizeof(t->host), "%s", host);
		snprintf(t->vpath, sizeof(t->vpath), "%s", vpath);
		snprintf(t->addr, sizeof(t->addr), "%s", addr ? addr : "");
	}
	pthread_mutex_unlock(&lock);
}

int twin_count(void)
{
	return __atomic_load_n(&ntwins, __ATOMIC_RELAXED);
}

/* 1 with the twin's vpath (addr 0) or bound address (addr 1) in out */
static int twin_lookup(const char *host, int addr, char *out, size_t size)
{
	if (!__atomic_load_n(&ntwins, __ATOMIC_RELAXED) || !rundir_owns(host))
		return 0;
	int found = 0;
	pthread_mutex_lock(&lock);
	for (struct twin *t = twins; t && !found; t = t->next)
		if (!strcmp(t->host, host) && (!addr || t->addr[0])) {
			snprintf(out, size, "%s", addr ? t->addr : t->vpath);
			found = 1;
		}
	pthread_mutex_unlock(&lock);
	return found;
}

int twin_vpath(const char *host, char *out, size_t size)
{
	return twin_lookup(host, 0, out, size);
}

int twin_addr(const char *host, char *out, size_t size)
{
	return twin_lookup(host, 1, out, size);
}

int call_fd_twin(struct call *c, int fd, struct pf_stat *st, struct mount **m)
{
	if (!__atomic_load_n(&ntwins, __ATOMIC_RELAXED) || fd < 0)
		return 0;
	int pidfd = call_pidfd(c);
	if (pidfd < 0)
		return 0;
	int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		return 0;
	struct stat hs;
	int r = fstat(copy, &hs);
	close(copy);
	if (r < 0 || hs.st_dev != twin_dev ||
	    !(S_ISFIFO(hs.st_mode) || S_ISSOCK(hs.st_mode)))
		return 0;
	int found = 0;
	pthread_mutex_lock(&lock);
	for (struct twin *t = twins; t && !found; t = t->next)
		if (t->host_ino == hs.st_ino) {
			found = pf_fstat(t->m->pool, t->f, st) == 0;
			*m = t->m;
		}
	pthread_mutex_unlock(&lock);
	return found;
}

void twin_shutdown(void)
{
	pthread_mutex_lock(&lock);
	while (twins) {
		struct twin *t = twins;
		twins = t->next;
		pf_close(t->f);
		free(t);
	}
	ntwins = 0;
	pthread_mutex_unlock(&lock);
}
