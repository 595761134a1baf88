/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placeholder fds: what a target holds for each open of a pool file.
 *
 * A placeholder is an open file description of a memfd: its inode names
 * the description while it lives (ofd.c), and an inotify watch on that
 * inode reports IN_CLOSE_WRITE when the description is released (its last
 * fd closed and last mapping gone, anywhere; it is opened O_RDWR, so its
 * release is always a CLOSE_WRITE).
 *
 * Memfds are recycled. The supervisor keeps an fd of each memfd it made
 * (a *slot*: the memfd, its watch, its inode), and each open gets a new
 * description of a slot's inode, a reopen through /proc/self/fd. The
 * target's close then releases only that description (as closing a file
 * of tmpfs does) instead of destroying an inode and its watch, and the
 * next open reuses the slot: measured on the 2-vCPU test machine (thread
 * CPU time): a fresh memfd with its watch cost 10.7 us to make and 5.0 us
 * to close (in the target, on the call's path), a reopen 4.5 us and its
 * close 1.3 us. A slot is reused only after the release of its previous
 * description was read from the queue (ofd.c gives it back then), so a
 * slot's inode has at most one description outstanding and inotify's
 * merging of identical events cannot hide a release.
 *
 * Releases are read on the supervisor's 10 ms tick, so a program that
 * opens and closes in a loop has a tick's worth of slots in flight: the
 * released ones wait in a free list. Slots in use are as many as the
 * tree's open descriptions; besides them the supervisor keeps the stash's
 * and, once nobody has opened for IDLE_NS, FREE_IDLE released ones (so its
 * fd count follows the tree), and at most keep_max in all (a sixteenth of
 * the fd limit); past that, a placeholder is a memfd of its own, as
 * before: the same watch, released the same way, and its inode dies with
 * it.
 *
 * A thread of its own keeps a small stash ready, so an open takes one and
 * only pays for ADDFD. When the stash is empty (a burst of opens), the
 * open reads the releases waiting in the queue (a loop of opens and closes
 * outruns the tick) and makes its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "syscalls.h"

#define STASH 32
#define KEEP_MAX 4096 /* slots in existence, at most */
#define FREE_IDLE 4 /* released slots kept while no one opens */
#define IDLE_NS 20000000 /* no open for this long: idle */

static struct placeholder stash[STASH];
static int nstash;
static int stopping;
static int started;
static pthread_t factory;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t low = PTHREAD_COND_INITIALIZER;

/* slots whose description was released: keep >= 0, ready for reuse */
static struct placeholder *freeslots;
static int nfree;
static int kept; /* slots in existence (free or in use) */
static int keep_max = -1;
static int procfd = -1; /* /proc/self/fd */

static void limits_locked(void)
{
	if (keep_max >= 0)
		return;
	struct rlimit rl;
	keep_max = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		keep_max = rl.rlim_cur / 16 < KEEP_MAX ?
			(int)(rl.rlim_cur / 16) :
			KEEP_MAX;
	else
		keep_max = KEEP_MAX;
	freeslots = calloc((size_t)keep_max + 1, sizeof(*freeslots));
	procfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!freeslots || procfd < 0)
		keep_max = 0;
}

/* A new memfd with its watch: p->fd. 0 or -errno. */
static int memfd_watched(struct placeholder *p)
{
	p->fd = memfd_create("pmemfile", MFD_CLOEXEC);
	if (p->fd < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	char self[64];
	struct stat st;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p->fd);
	p->wd = inotify_add_watch(sc_ofd_inotify_fd(), self, IN_CLOSE_WRITE);
	if (p->wd < 0 || fstat(p->fd, &st) < 0) {
		int err = errno;
		sc_log(SC_LOG_ERR, "cannot watch a placeholder: %s", strerror(err));
		close(p->fd);  /* IN_IGNORED for the watch, if any: unknown wd */
		return -ENFILE;
	}
	p->ino = st.st_ino;
	return 0;
}

/* A new description of slot s's memfd, emptied (an mmap snapshot of the
 * last one may be there). 0 or -errno. */
static int reopen(struct placeholder *p, const struct placeholder *s)
{
	char name[16];
	snprintf(name, sizeof(name), "%d", s->keep);
	if (ftruncate(s->keep, 0) < 0)
		return -errno;
	int fd = openat(procfd, name, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	*p = *s;
	p->fd = fd;
	return 0;
}

/* A placeholder: a reopened slot, else a memfd of its own. 0 or -errno. */
static int make(struct placeholder *p)
{
	struct placeholder s;
	pthread_mutex_lock(&lock);
	limits_locked();
	int have = nfree > 0, grow = !have && kept < keep_max;
	if (have)
		s = freeslots[--nfree];
	if (grow)
		kept++;
	pthread_mutex_unlock(&lock);
	if (grow) {
		int r = memfd_watched(&s);
		if (r < 0) {
			pthread_mutex_lock(&lock);
			kept--;
			pthread_mutex_unlock(&lock);
			return r;
		}
		s.keep = s.fd;
		have = 1;
	}
	if (have) {
		int r = reopen(p, &s);
		if (r == 0)
			return 0;
		placeholder_recycle(&s);
		return r;
	}
	p->keep = -1;
	return memfd_watched(p);
}

void placeholder_recycle(const struct placeholder *s)
{
	pthread_mutex_lock(&lock);
	int keep = !stopping && nfree < keep_max;
	if (keep)
		freeslots[nfree++] = *s;
	else
		kept--;
	pthread_mutex_unlock(&lock);
	if (!keep)
		close(s->keep); /* its IN_CLOSE_WRITE names no description */
}

void placeholder_drop(const struct placeholder *p)
{
	/* closing a description never handed out queues its CLOSE_WRITE,
	 * which must not meet the slot's next description: no reuse */
	close(p->fd);
	if (p->keep < 0)
		return;
	close(p->keep);
	pthread_mutex_lock(&lock);
	kept--;
	pthread_mutex_unlock(&lock);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t last_get; /* under lock */

void placeholder_trim(void)
{
	int fds[64], n = 0;
	pthread_mutex_lock(&lock);
	if (nfree > FREE_IDLE && mono_ns() - last_get > IDLE_NS)
		while (nfree > FREE_IDLE && n < 64) {
			fds[n++] = freeslots[--nfree].keep;
			kept--;
		}
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < n; i++)
		close(fds[i]); /* its CLOSE_WRITE names no description */
}

static void *factory_main(void *arg)
{
	pthread_mutex_lock(&lock);
	while (!stopping) {
		if (nstash >= STASH) {
			pthread_cond_wait(&low, &lock);
			continue;
		}
		pthread_mutex_unlock(&lock);
		struct placeholder p;
		int r = make(&p);
		pthread_mutex_lock(&lock);
		if (r < 0) {
			/* out of fds or watches: openers make their own and
			 * report the error; retry when asked again */
			pthread_cond_wait(&low, &lock);
			continue;
		}
		if (stopping || nstash >= STASH) {
			pthread_mutex_unlock(&lock);
			placeholder_drop(&p);
			pthread_mutex_lock(&lock);
		} else {
			stash[nstash++] = p;
		}
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int placeholder_get(struct placeholder *p)
{
	pthread_mutex_lock(&lock);
	if (!started && !stopping) {
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		started = pthread_create(&factory, NULL, factory_main, NULL) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	int have = nstash > 0;
	if (have)
		*p = stash[--nstash];
	last_get = mono_ns();
	if (nstash < STASH / 2)
		pthread_cond_signal(&low);
	pthread_mutex_unlock(&lock);
	if (have)
		return 0;
	/* a burst: the releases waiting for the tick give their slots
	 * (making a slot costs about three reuses) */
	sc_ofd_events();
	return make(p);
}

void placeholder_shutdown(void)
{
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_broadcast(&low);
	int join = started;
	pthread_mutex_unlock(&lock);
	if (join)
		pthread_join(factory, NULL);
	while (nstash > 0) {
		struct placeholder *p = &stash[--nstash];
		close(p->fd);
		if (p->keep >= 0)
			close(p->keep);
	}
	while (nfree > 0)
		close(freeslots[--nfree].keep);
	free(freeslots);
	freeslots = NULL;
	if (procfd >= 0)
		close(procfd);
	procfd = -1;
}
