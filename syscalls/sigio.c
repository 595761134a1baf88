/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sending a target the signal the kernel sends for a lease break or a
 * directory notification: SIGIO, or the F_SETSIG signal with si_code
 * POLL_MSG, si_band and si_fd, to the owner of a description
 * (F_SETOWN/F_SETOWN_EX), as fs/fcntl.c send_sigio does.
 *
 * A siginfo with si_code >= 0 cannot be forged for another process
 * (rt_sigqueueinfo answers EPERM), so the kernel sends it: a "gun" is a
 * fresh read-only open of a new memfd on which we take a kernel write
 * lease through fd number N, gives it the owner and signal of the
 * target's description, and opens it for writing with O_NONBLOCK: the
 * kernel breaks that lease and signals the owner with si_fd = N (the fd
 * the lease was taken through). N is one of the target's fd numbers, so
 * the F_SETLEASE runs in a thread of ours with a private fd table (made
 * empty), where any number is free.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "notify.h"

static pthread_mutex_t gun_lock = PTHREAD_MUTEX_INITIALIZER; /* one at a time */
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_cv = PTHREAD_COND_INITIALIZER;
static int started, broken;
static int req_fd, req_n, req_ret, req_state; /* 1 asked, 2 answered */

/* In the helper: the lease on main-table fd `fd` taken through number n. */
static int setlease_as(int self, int fd, int n)
{
	int x = (int)syscall(SYS_pidfd_getfd, self, fd, 0);
	if (x < 0)
		return -errno;
	if (x != n && dup3(x, n, O_CLOEXEC) < 0) {
		int err = errno;
		close(x);
		return -err;
	}
	int r = fcntl(n, F_SETLEASE, F_WRLCK) < 0 ? -errno : 0;
	if (x != n)
		close(x);
	close(n);
	return r;
}

static void *helper(void *arg)
{
	int self = -1;
	int err = unshare(CLONE_FILES) < 0 ? -errno : 0;
	if (!err) {
		/* nothing of the supervisor's stays open here */
		syscall(SYS_close_range, 0, ~0U, 0);
		self = (int)syscall(SYS_pidfd_open, getpid(), 0);
		if (self < 0)
			err = -errno;
	}
	pthread_mutex_lock(&slot_lock);
	for (;;) {
		while (req_state != 1)
			pthread_cond_wait(&slot_cv, &slot_lock);
		int n = req_n;
		if (!err && n == self) {
			/* the number asked for is our pidfd's: move it */
			int s2 = fcntl(self, F_DUPFD_CLOEXEC, n + 1);
			if (s2 >= 0) {
				close(self);
				self = s2;
			}
		}
		req_ret = err ? err : setlease_as(self, req_fd, n);
		req_state = 2;
		pthread_cond_broadcast(&slot_cv);
	}
	return NULL;
}

/* A kernel write lease on gun, taken through number n. Caller holds
 * gun_lock. */
static int setlease_through(int gun, int n)
{
	pthread_mutex_lock(&slot_lock);
	if (!started && !broken) {
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		started = pthread_create(&t, &attr, helper, NULL) == 0;
		broken = !started;
		pthread_attr_destroy(&attr);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (broken) {
		pthread_mutex_unlock(&slot_lock);
		return -EAGAIN;
	}
	req_fd = gun;
	req_n = n;
	req_state = 1;
	pthread_cond_broadcast(&slot_cv);
	while (req_state != 2)
		pthread_cond_wait(&slot_cv, &slot_lock);
	req_state = 0;
	int r = req_ret;
	pthread_mutex_unlock(&slot_lock);
	return r;
}

int sigio_send(int desc, int n)
{
	struct f_owner_ex own;
	if (fcntl(desc, F_GETOWN_EX, &own) < 0)
		return -errno;
	if (own.pid == 0)
		return 0; /* no owner: no signal, as send_sigio */
	int sig = fcntl(desc, F_GETSIG);
	if (sig < 0)
		return -errno;
	int m = memfd_create("pmemfile-sigio", MFD_CLOEXEC);
	if (m < 0)
		return -errno;
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", m);
	int gun = open(p, O_RDONLY | O_CLOEXEC);
	int err = gun < 0 ? -errno : 0;
	close(m);
	if (err)
		return err;
	pthread_mutex_lock(&gun_lock);
	int r = setlease_through(gun, n);
	pthread_mutex_unlock(&gun_lock);
	if (r == 0 &&
	    (fcntl(gun, F_SETOWN_EX, &own) < 0 ||
	     fcntl(gun, F_SETSIG, sig) < 0))
		r = -errno;
	if (r == 0) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", gun);
		int b = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (b >= 0)
			close(b); /* no lease to break: no signal went */
		r = b >= 0 ? -EAGAIN : errno == EWOULDBLOCK ? 0 : -errno;
	}
	close(gun);
	return r;
}

/* A copy of process pidfd's fd n if it is an fd of placeholder ph. */
static int desc_of(int pidfd, int n, uint64_t ph)
{
	int desc = (int)syscall(SYS_pidfd_getfd, pidfd, n, 0);
	if (desc < 0)
		return -errno;
	struct stat st;
	if (fstat(desc, &st) == 0 && st.st_ino == ph)
		return desc;
	close(desc);
	return -EBADF;
}

int sigio_send_to(pid_t tgid, int fd, uint64_t ph, int strict)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return -errno;
	int desc = desc_of(pidfd, fd, ph);
	if (desc == -EBADF && !strict) {
		/* fd was closed (or replaced), the description lives on in
		 * another fd: the signal still names fd, as fa_fd does */
		char dir[64];
		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)tgid);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && desc < 0 && (e = readdir(d)))
			if (e->d_name[0] != '.')
				desc = desc_of(pidfd, atoi(e->d_name), ph);
		if (d)
			closedir(d);
	}
	close(pidfd);
	if (desc < 0)
		return desc;
	int r = sigio_send(desc, fd);
	close(desc);
	return r;
}

int sigio_fd_names(pid_t tgid, int fd, uint64_t ph)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return 0;
	int desc = desc_of(pidfd, fd, ph);
	close(pidfd);
	if (desc < 0)
		return 0;
	close(desc);
	return 1;
}

int sigio_own_default(struct call *c, int fd, pid_t tgid)
{
	int desc = call_getfd(c, fd);
	if (desc < 0)
		return desc;
	struct f_owner_ex own;
	int r = fcntl(desc, F_GETOWN_EX, &own) < 0 ? -errno : 0;
	if (r == 0 && own.pid == 0) {
		own.type = F_OWNER_PID;
		own.pid = tgid;
		r = fcntl(desc, F_SETOWN_EX, &own) < 0 ? -errno : 0;
	}
	close(desc);
	return r;
}
