/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The notification loop. Each worker: zero the buffer, RECV, dispatch
 * (handlers read target memory and check ID_VALID before acting), answer
 * with SEND, ADDFD+SEND, or CONTINUE. ENOENT means the target went away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "launcher.h"
#include "syscalls.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/*
 * Workers grow on demand: when the last idle one takes a notification,
 * another starts, so a call that blocks (a host pipe written on a
 * target's behalf) can never leave the tree without a server.
 */
#define MAX_WORKERS 256
static pthread_t workers[MAX_WORKERS];
static int nworkers;
static int busy;
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_attr_t worker_attr;
static int listener_fd = -1;
static int stopping;  /* read and written with __atomic */
static struct seccomp_notif_sizes sizes;

static void respond(struct call *c, long r)
{
	if (r == CALL_ASYNC)
		return;
	/* with --trace, the line is printed before the target can run on,
	 * so lines come out in the order the calls completed */
	int tracing = log_tracing() > (r == CALL_CONTINUE);
	char line[PATH_MAX + 512];
	if (tracing)
		log_trace_lock();
	if (r == CALL_INJECT) {
		struct seccomp_notif_addfd a = {
			.id = c->req->id,
			.flags = SECCOMP_ADDFD_FLAG_SEND,
			.srcfd = (uint32_t)c->inject_fd,
			.newfd_flags = c->inject_cloexec,
		};
		long fd = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
		long err = fd < 0 ? -errno : 0;
		call_after_inject(c, fd < 0 ? err : fd);
		if (fd >= 0 || err == -ENOENT) {
			if (tracing) {
				sc_trace_format(c, fd < 0 ? err : fd, line, sizeof(line));
				log_trace_unlock(line);
			}
			return;
		}
		r = err;  /* e.g. EMFILE: the call fails with it */
	}
	if (tracing) {
		sc_trace_format(c, r, line, sizeof(line));
		log_trace_unlock(line);
	}
	struct seccomp_notif_resp *resp = alloca(sizes.seccomp_notif_resp);
	memset(resp, 0, sizes.seccomp_notif_resp);
	resp->id = c->req->id;
	if (r == CALL_CONTINUE)
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (r < 0)
		resp->error = (int)r;
	else
		resp->val = r;
	if (ioctl(c->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 &&
	    errno != ENOENT)
		log_msg(4, "SEND: %s", strerror(errno));
}

static void grow(void);

static void *worker(void *arg)
{
	struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
	struct call *c = calloc(1, sizeof(*c));
	if (!req || !c) {
		log_msg(1, "out of memory starting a worker");
		return NULL;
	}
	while (!__atomic_load_n(&stopping, __ATOMIC_RELAXED)) {
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			if (!__atomic_load_n(&stopping, __ATOMIC_RELAXED))
				log_msg(1, "RECV: %s", strerror(errno));
			break;
		}
		if (__atomic_add_fetch(&busy, 1, __ATOMIC_RELAXED) >=
		    __atomic_load_n(&nworkers, __ATOMIC_RELAXED))
			grow();
		c->req = req;
		c->listener = listener_fd;
		c->tid = (pid_t)req->pid;
		c->nr = req->data.nr;
		memcpy(c->args, req->data.args, sizeof(c->args));
		c->thr = NULL;
		c->proc = NULL;
		c->have_caller = 0;
		c->nstr = 0;
		c->nheld = 0;
		c->follow_proc = 0;
		c->inject_fd = -1;
		c->inject_ofd = NULL;
		long r = sc_dispatch(c);
		respond(c, r);
		call_end(c);
		__atomic_sub_fetch(&busy, 1, __ATOMIC_RELAXED);
	}
	free(req);
	free(c);
	return NULL;
}

/* Starts one more worker, all signals but SIGUSR2 blocked. */
static void grow(void)
{
	pthread_mutex_lock(&grow_lock);
	if (!__atomic_load_n(&stopping, __ATOMIC_RELAXED) && nworkers < MAX_WORKERS) {
		sigset_t all, old;
		sigfillset(&all);
		sigdelset(&all, SIGUSR2);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&workers[nworkers], &worker_attr, worker, NULL) == 0)
			__atomic_add_fetch(&nworkers, 1, __ATOMIC_RELAXED);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_mutex_unlock(&grow_lock);
}

static void wake(int sig)
{
}

void workers_start(int listener, int n)
{
	listener_fd = listener;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		die("SECCOMP_GET_NOTIF_SIZES: %s", strerror(errno));
	if (sizes.seccomp_notif < sizeof(struct seccomp_notif))
		sizes.seccomp_notif = sizeof(struct seccomp_notif);
	if (sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
		sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
	/* keep the serving thread on the target's CPU (Linux 6.6+) */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		  SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0)
		log_msg(3, "SYNC_WAKE_UP not available: %s", strerror(errno));
	/* SIGUSR2 interrupts a blocked RECV at shutdown (no SA_RESTART) */
	struct sigaction sa = { .sa_handler = wake };
	sigaction(SIGUSR2, &sa, NULL);
	pthread_attr_init(&worker_attr);
	pthread_attr_setstacksize(&worker_attr, 1 << 20);
	for (int i = 0; i < n; i++)
		grow();
	if (nworkers == 0)
		die("cannot start worker threads: out of resources");
}

void workers_stop(void)
{
	pthread_mutex_lock(&grow_lock);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&grow_lock);
	for (int i = 0; i < nworkers; i++)
		pthread_kill(workers[i], SIGUSR2);
	for (int i = 0; i < nworkers; i++) {
		/* a worker between its check and RECV may miss one signal */
		struct timespec ts;
		while (pthread_tryjoin_np(workers[i], NULL) != 0) {
			pthread_kill(workers[i], SIGUSR2);
			ts.tv_sec = 0;
			ts.tv_nsec = 1000000;
			nanosleep(&ts, NULL);
		}
	}
	nworkers = 0;
}
