/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placeholder memfds, made ahead of time. Making one costs a memfd_create
 * and an inotify_add_watch through /proc/self/fd/N (a procfs path walk):
 * together more than a notification round trip on the test machine. A
 * thread of its own keeps a small stash ready, so an open takes one and
 * only pays for ADDFD. When the stash is empty (a burst of opens), the
 * open makes its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "syscalls.h"

#define STASH 32

static struct placeholder stash[STASH];
static int nstash;
static int stopping;
static int started;
static pthread_t factory;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t low = PTHREAD_COND_INITIALIZER;

/* A new memfd with its inotify watch. 0 or -errno. */
static int make(struct placeholder *p)
{
	p->fd = memfd_create("pmemfile", MFD_CLOEXEC);
	if (p->fd < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	char self[64];
	struct stat st;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p->fd);
	p->wd = inotify_add_watch(sc_ofd_inotify_fd(), self, IN_DELETE_SELF);
	if (p->wd < 0 || fstat(p->fd, &st) < 0) {
		int err = errno;
		sc_log(SC_LOG_ERR, "cannot watch a placeholder: %s", strerror(err));
		close(p->fd);  /* IN_IGNORED for the watch, if any: unknown wd */
		return -ENFILE;
	}
	p->ino = st.st_ino;
	return 0;
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
		if (stopping || nstash >= STASH)
			close(p.fd);
		else
			stash[nstash++] = p;
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
	if (nstash < STASH / 2)
		pthread_cond_signal(&low);
	pthread_mutex_unlock(&lock);
	return have ? 0 : make(p);
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
	while (nstash > 0)
		close(stash[--nstash].fd);
}
