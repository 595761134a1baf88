/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The notification loop. Each worker: zero the buffer, RECV, dispatch
 * (handlers read target memory and check ID_VALID before acting), answer
 * with SEND, ADDFD+SEND, or CONTINUE. ENOENT means the target went away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
 * At most one worker waits in RECV at a time: with several waiting, every
 * notification wakes a thread on another CPU first (measured: 4 waiting
 * workers cost 2.7 round trips per call instead of 1). The others park on
 * a condition variable. workers_tick() (the main loop, every 10 ms) hands
 * the listener to a parked or new worker when a notification is pending
 * and nobody is in RECV, which happens only when the receiving worker is
 * stuck in a call that blocks (a host pipe written on a target's behalf):
 * the tree is never left without a server.
 */
#define MAX_WORKERS 256
static pthread_t workers[MAX_WORKERS];
static int nworkers;
static int in_recv;   /* workers in (or entering) RECV; under park_lock */
static int parked;
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_attr_t worker_attr;
static int listener_fd = -1;
static int stopping;  /* read and written with __atomic */
static struct seccomp_notif_sizes sizes;
int o_report; /* --report: time each call (report.c) */

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
		/*
		 * ADDFD, then SEND: never ADDFD_FLAG_SEND. With FLAG_SEND the
		 * target returns at once and wakes us (the end of ADDFD) while
		 * it runs on, so the scheduler puts us on the other CPU, a
		 * cross-CPU wake-up that the target's next call waits for
		 * (bench/notify_rtt.c on the 2-vCPU test machine: 58-68 us
		 * per fd, against 10.6-10.9 us for ADDFD then SEND with
		 * SYNC_WAKE_UP; on a busy machine 9.1 against 8.4, and 3.42
		 * against 3.61 on an Intel one). Apart, the target sleeps
		 * again after installing the fd, and the SEND wakes it here.
		 * It also lets what must happen before the target runs on
		 * happen (call_after_inject: the fd noted for record locks,
		 * our copy of a host fd closed).
		 */
		struct seccomp_notif_addfd a = {
			.id = c->req->id,
			.srcfd = (uint32_t)c->inject_fd,
			.newfd_flags = c->inject_cloexec,
		};
		long fd = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
		long err = fd < 0 ? -errno : 0;
		call_after_inject(c, fd < 0 ? err : fd);
		if (fd < 0 && err == -ENOENT) {
			if (tracing) {
				sc_trace_format(c, err, line, sizeof(line));
				log_trace_unlock(line);
			}
			return; /* the caller is gone, or its call */
		}
		r = fd >= 0 ? fd :
			      err; /* e.g. EMFILE: the call fails with it */
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

/* sc_serve_again: a call handed off (CALL_ASYNC) that must now be served
 * as a new one, on the handing thread */
static void serve_again(const struct seccomp_notif *req, int listener)
{
	struct seccomp_notif *copy = calloc(1, sizes.seccomp_notif);
	struct call *c = calloc(1, sizeof(*c));
	if (!copy || !c) {
		struct seccomp_notif_resp resp = { .id = req->id,
						   .error = -ENOMEM };
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		free(copy);
		free(c);
		return;
	}
	memcpy(copy, req, sizeof(*req));
	call_begin(c, copy, listener);
	respond(c, sc_dispatch(c));
	call_end(c);
	free(copy);
	free(c);
}

/*
 * Called by the main loop every few milliseconds: if a notification waits
 * and no worker is in RECV (the receiver is stuck in a blocking call), wake
 * a parked worker or start one.
 */
void workers_tick(void)
{
	struct pollfd p = { .fd = listener_fd, .events = POLLIN };
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
		return;
	pthread_mutex_lock(&park_lock);
	int nobody = in_recv == 0;
	int sleeping = parked;
	if (nobody && sleeping)
		pthread_cond_signal(&park_cond);
	pthread_mutex_unlock(&park_lock);
	if (nobody && !sleeping)
		grow();
}

static void *worker(void *arg)
{
	struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
	struct call *c = calloc(1, sizeof(*c));
	if (!req || !c) {
		log_msg(1, "out of memory starting a worker");
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&park_lock);
		while (in_recv > 0 && !__atomic_load_n(&stopping, __ATOMIC_RELAXED)) {
			parked++;
			pthread_cond_wait(&park_cond, &park_lock);
			parked--;
		}
		in_recv++;
		pthread_mutex_unlock(&park_lock);
		if (__atomic_load_n(&stopping, __ATOMIC_RELAXED)) {
			pthread_mutex_lock(&park_lock);
			in_recv--;
			pthread_mutex_unlock(&park_lock);
			break;
		}
		memset(req, 0, sizes.seccomp_notif);
		int got = ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req);
		int err = errno;
		pthread_mutex_lock(&park_lock);
		in_recv--;
		pthread_mutex_unlock(&park_lock);
		if (got < 0) {
			if (err == EINTR || err == ENOENT)
				continue;
			if (!__atomic_load_n(&stopping, __ATOMIC_RELAXED))
				log_msg(1, "RECV: %s", strerror(err));
			break;
		}
		struct timespec t0, t1;
		if (o_report)
			clock_gettime(CLOCK_MONOTONIC, &t0);
		call_begin(c, req, listener_fd);
		long r = sc_dispatch(c);
		respond(c, r);
		if (o_report) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			report_call(c, r,
				    (uint64_t)((t1.tv_sec - t0.tv_sec) *
						       1000000000LL +
					       (t1.tv_nsec - t0.tv_nsec)));
		}
		call_end(c);
	}
	/* let a parked worker take over RECV (or see that we stop) */
	pthread_mutex_lock(&park_lock);
	pthread_cond_signal(&park_cond);
	pthread_mutex_unlock(&park_lock);
	free(req);
	free(c);
	return NULL;
}

/* Starts one more worker, all signals but SIGUSR2 blocked. */
static void grow(void)
{
	pthread_mutex_lock(&grow_lock);
	if (!__atomic_load_n(&stopping, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&nworkers, __ATOMIC_RELAXED) < MAX_WORKERS) {
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
	sc_serve_again = serve_again;
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
	if (__atomic_load_n(&nworkers, __ATOMIC_RELAXED) == 0)
		die("cannot start worker threads: out of resources");
}

void workers_stop(void)
{
	pthread_mutex_lock(&grow_lock);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&grow_lock);
	pthread_mutex_lock(&park_lock);
	pthread_cond_broadcast(&park_cond);
	pthread_mutex_unlock(&park_lock);
	int n = __atomic_load_n(&nworkers, __ATOMIC_RELAXED);
	for (int i = 0; i < n; i++)
		pthread_kill(workers[i], SIGUSR2);
	for (int i = 0; i < n; i++) {
		/* a worker between its check and RECV may miss one signal */
		struct timespec ts;
		while (pthread_tryjoin_np(workers[i], NULL) != 0) {
			pthread_mutex_lock(&park_lock);
			pthread_cond_broadcast(&park_cond);
			pthread_mutex_unlock(&park_lock);
			pthread_kill(workers[i], SIGUSR2);
			sandbox_kick(); /* a worker may wait for a runner */
			ts.tv_sec = 0;
			ts.tv_nsec = 1000000;
			nanosleep(&ts, NULL);
		}
	}
	__atomic_store_n(&nworkers, 0, __ATOMIC_RELAXED);
}
