/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared mappings of pool files: one page cache per pool inode.
 *
 * A pool file has no page cache, and each open has a placeholder memfd of
 * its own (its identity, ofd.c), so two opens mapped through their
 * placeholders would be two copies. While a pool inode is mapped shared,
 * it gets one more memfd (its "shm") and every shared mapping of it, in
 * every process, maps that memfd: one set of pages, as a page cache.
 *
 * Where the truth is: the pool stays the truth for everything but the
 * bytes stored through mappings since the last write-back. write(),
 * truncate, fallocate, copy_file_range... go to the pool as always and
 * are then copied into the memfd (write-through, under the shm's lock so
 * both see the same order), so mappings see them at once. Stores through
 * mappings reach the pool at write-back: msync, fsync/fdatasync of any fd
 * of the file, before any read of the file (so read() sees them at once),
 * when the memfd is retired (no mapping and no fd of it left anywhere),
 * and at supervisor shutdown. Write-back compares the memfd with the pool
 * page by page and writes only the pages that differ (with pool writes:
 * durable when they return, torn at worst within a page by a crash).
 *
 * The target gets its own open of the memfd (a reopen through
 * /proc/self/fd, with the pool fd's access mode: the kernel then judges
 * PROT_WRITE, mprotect and MAP_SHARED_VALIDATE as for the file), one per
 * process, installed with ADDFD (O_CLOEXEC) and reused while that fd is
 * still an open of the memfd. The supervisor's own open is never closed
 * while the shm lives, so the release of a target's open (its last fd
 * closed and last mapping unmapped, or the process gone) is an inotify
 * IN_CLOSE_* on the memfd; then the holders are looked at (their fd, then
 * /proc/PID/maps), and with none left the shm is written back and retired.
 *
 * This file: the table, making a shm, the targets' fds, retiring.
 * shm_data.c: loading, write-through, write-back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#include "shm_impl.h"

/* the lock order is in shm_impl.h */
static pthread_rwlock_t gate;
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shm *tab;
static int nshm; /* read without the lock: a fast "none" */

static void gate_init(void)
{
	pthread_rwlockattr_t a;
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(
		&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&gate, &a);
	pthread_rwlockattr_destroy(&a);
}

void shm_gate_rd(void)
{
	pthread_once(&gate_once, gate_init);
	pthread_rwlock_rdlock(&gate);
}

void shm_gate_wr(void)
{
	pthread_once(&gate_once, gate_init);
	pthread_rwlock_wrlock(&gate);
}

void shm_gate_unlock(void)
{
	pthread_rwlock_unlock(&gate);
}

/* The shm of (m, ino), referenced, or NULL. */
struct shm *shm_lookup(struct mount *m, uint64_t ino)
{
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&tab_lock);
	struct shm *s;
	for (s = tab; s; s = s->next)
		if (s->m == m && s->ino == ino)
			break;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&tab_lock);
	return s;
}

struct shm *shm_lookup_file(struct mount *m, pf_file *f)
{
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return NULL;
	struct pf_stat st;
	if (pf_fstat(m->pool, f, &st) < 0)
		return NULL;
	return shm_lookup(m, st.ino);
}

void shm_put(struct shm *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&tab_lock);
	int last = --s->refs == 0;
	pthread_mutex_unlock(&tab_lock);
	if (!last)
		return;
	pf_close(s->file);
	if (s->map)
		munmap(s->map, s->maplen);
	close(s->fd);
	free(s->h);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Every shm, referenced; *n of them. NULL when there are none (or no
 * memory: then the caller's write-back is skipped and logged). */
struct shm **shm_all(int *n)
{
	*n = 0;
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&tab_lock);
	int cnt = 0;
	for (struct shm *s = tab; s; s = s->next)
		cnt++;
	struct shm **v = calloc((size_t)cnt + 1, sizeof(*v));
	if (v)
		for (struct shm *s = tab; s; s = s->next) {
			s->refs++;
			v[(*n)++] = s;
		}
	pthread_mutex_unlock(&tab_lock);
	if (!v)
		sc_log(SC_LOG_ERR,
		       "out of memory: mapped pool files not written back");
	return v;
}

/* A new shm for o's inode ino, filled from the pool. Caller holds the gate
 * exclusive. */
static int make(struct ofd *o, uint64_t ino, struct shm **out)
{
	struct shm *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->m = o->m;
	s->ino = ino;
	s->fd = -1;
	s->wd = -1;
	s->refs = 1;
	pthread_mutex_init(&s->lock, NULL);
	int r = pf_openat(o->m->pool, &shm_wb_caller, o->file, PF_PATH_SELF,
			  O_RDWR, 0, &s->file);
	if (r < 0)
		goto fail;
	s->fd = memfd_create("pmemfile-shared", MFD_CLOEXEC);
	struct stat ms;
	if (s->fd < 0 || fstat(s->fd, &ms) < 0) {
		r = errno == EMFILE ? -ENFILE : -errno;
		goto fail;
	}
	s->mdev = ms.st_dev;
	s->mino = ms.st_ino;
	r = shm_load(s, 0, UINT64_MAX);
	if (r < 0)
		goto fail;
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", s->fd);
	s->wd = inotify_add_watch(sc_ofd_inotify_fd(), self,
				  IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
	if (s->wd < 0) {
		r = -ENFILE;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	shm_put(s);
	return r;
}

int shm_get(struct call *c, struct ofd *o, struct shm **out)
{
	struct pf_stat st;
	int r = pf_fstat(o->m->pool, o->file, &st);
	if (r < 0)
		return r;
	if ((*out = shm_lookup(o->m, st.ino)))
		return 0;
	shm_gate_wr();
	if (!(*out = shm_lookup(o->m, st.ino))) {
		struct shm *s = NULL;
		r = make(o, st.ino, &s);
		if (r == 0) {
			pthread_mutex_lock(&tab_lock);
			s->refs++; /* the table's */
			s->next = tab;
			tab = s;
			__atomic_add_fetch(&nshm, 1, __ATOMIC_RELEASE);
			pthread_mutex_unlock(&tab_lock);
			*out = s;
		}
	}
	shm_gate_unlock();
	return r;
}

/* Is the holder's fd still an open of s's memfd with its access mode? */
static int holder_fd_ok(struct shm *s, const struct holder *h)
{
	int pidfd = (int)syscall(SYS_pidfd_open, h->tgid, 0);
	if (pidfd < 0)
		return 0;
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, h->fd, 0);
	close(pidfd);
	if (fd < 0)
		return 0;
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	int ok = fstat(fd, &st) == 0 && st.st_dev == s->mdev &&
		st.st_ino == s->mino && fl >= 0 && (fl & O_ACCMODE) == h->acc;
	close(fd);
	return ok;
}

/* Does process tgid map s's memfd? */
static int holder_maps(struct shm *s, pid_t tgid)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tgid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long long ino;
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) ==
		    3)
			found = ino == s->mino && makedev(maj, min) == s->mdev;
		/* a line longer than the buffer: skip its rest */
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			;
	}
	fclose(f);
	return found;
}

struct tree_scan {
	struct shm *s;
	int found;
	int depth;
};

/* sc_children_each: does this process, or one below it, map the memfd? */
static int scan_maps(pid_t pid, void *arg)
{
	struct tree_scan *t = arg;
	if (t->found || t->depth > 64)
		return 0;
	if (holder_maps(t->s, pid)) {
		t->found = 1;
		return 0;
	}
	t->depth++;
	sc_children_each(pid, scan_maps, t);
	t->depth--;
	return 0;
}

/*
 * Is the memfd still open or mapped anywhere in the tree? The holders
 * (processes we gave an fd) first; then, when none holds it, every
 * process of the tree's maps, for a forked child that kept a mapping
 * (its fd copy alone does not count: the program does not know it).
 */
static int in_use(struct shm *s)
{
	int used = 0;
	for (int i = 0; i < s->nh; i++) {
		struct holder *h = &s->h[i];
		if (holder_fd_ok(s, h) || holder_maps(s, h->tgid))
			used = 1;
		else
			s->h[i--] = s->h[--s->nh];
	}
	if (used)
		return 1;
	struct tree_scan t = { s, 0, 0 };
	sc_children_each(getpid(), scan_maps, &t);
	return t.found;
}

int shm_target_fd(struct call *c, struct shm *s, int acc)
{
	struct proc *p = call_proc(c);
	if (!p)
		return call_who_err(c);
	pid_t tgid = proc_tgid(p);
	pthread_mutex_lock(&s->lock);
	int r = -EAGAIN;
	if (s->dead)
		goto out;
	for (int i = 0; i < s->nh; i++) {
		struct holder *h = &s->h[i];
		if (h->tgid != tgid || h->acc != acc)
			continue;
		if (holder_fd_ok(s, h)) {
			r = h->fd;
			goto out;
		}
		s->h[i--] = s->h[--s->nh]; /* closed, or replaced */
	}
	if (s->nh == s->caph) {
		int cap = s->caph ? 2 * s->caph : 4;
		struct holder *n = realloc(s->h, (size_t)cap * sizeof(*n));
		if (!n) {
			r = -ENOMEM;
			goto out;
		}
		s->h = n;
		s->caph = cap;
	}
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", s->fd);
	int fd = open(self, acc | O_CLOEXEC);
	if (fd < 0) {
		r = errno == EMFILE ? -ENFILE : -ENOMEM;
		goto out;
	}
	if (acc != O_RDONLY)
		s->writable = 1;
	struct seccomp_notif_addfd a = {
		.id = c->req->id,
		.srcfd = (uint32_t)fd,
		.newfd_flags = O_CLOEXEC,
	};
	r = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	if (r < 0) /* the caller's table is full: mmap's word is ENFILE */
		r = errno == EMFILE ? -ENFILE : -errno;
	else
		s->h[s->nh++] = (struct holder){ tgid, r, acc };
	close(fd); /* after a failed ADDFD: released, seen by shm_inotify_event */
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

int shm_exists(struct ofd *o)
{
	struct shm *s = shm_lookup_file(o->m, o->file);
	int live = s && !s->dead;
	shm_put(s);
	return live;
}

/* Drops s from the table and writes it back. Caller holds s->lock. */
static void retire_locked(struct shm *s)
{
	shm_writeback(s);
	s->dead = 1;
	pthread_mutex_lock(&tab_lock);
	for (struct shm **pp = &tab; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	__atomic_sub_fetch(&nshm, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tab_lock);
	inotify_rm_watch(sc_ofd_inotify_fd(), s->wd);
}

int shm_inotify_event(int wd)
{
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&tab_lock);
	struct shm *s;
	for (s = tab; s; s = s->next)
		if (s->wd == wd)
			break;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&tab_lock);
	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (!s->dead && !in_use(s)) {
		retire_locked(s);
		pthread_mutex_unlock(&s->lock);
		shm_put(s); /* the table's */
	} else {
		pthread_mutex_unlock(&s->lock);
	}
	shm_put(s);
	return 1;
}

void shm_shutdown(void)
{
	int n;
	struct shm **v = shm_all(&n);
	for (int i = 0; i < n; i++) {
		pthread_mutex_lock(&v[i]->lock);
		int was = v[i]->dead;
		if (!was)
			retire_locked(v[i]);
		pthread_mutex_unlock(&v[i]->lock);
		if (!was)
			shm_put(v[i]);
		shm_put(v[i]);
	}
	free(v);
}
