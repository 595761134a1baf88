/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Making a trapped thread run another syscall in place of the one it
 * trapped on: the third way of acting on a target (DESIGN.md), for calls
 * the kernel must run with arguments other than the target's (execve of a
 * pool file: the kernel needs a real file; mmap of a shared page cache).
 *
 * The dance, all on one worker thread (the tracer):
 *   1. PTRACE_SEIZE the thread: no stop, no signal; it is still waiting
 *      for our answer (the filter waits killably, so nothing but SIGKILL
 *      ends that wait).
 *   2. prepare(): whatever must exist before the new call and needs the
 *      notification still pending (an fd added with ADDFD).
 *   3. PTRACE_INTERRUPT, then answer the notification with
 *      -ERESTARTNOINTR. On its way back to user mode the thread meets the
 *      pending trap and stops before any instruction of its own runs:
 *      no other thread can change what we set.
 *   4. At that stop: place() may write below the stack pointer (strings
 *      and arrays the new call reads: only the stopped thread runs on
 *      that stack, and the red zone is left alone); then the registers
 *      of the new call, the instruction
 *      pointer back on the `syscall` instruction, orig_rax -1 (so the
 *      kernel's own restart logic leaves them alone); PTRACE_DETACH.
 *   5. The thread executes the new call, which goes through the filter
 *      again like any other call: its arguments are judged afresh.
 * If prepare() fails, the notification is answered with its errno; if
 * place() fails, the call returns its errno.
 *
 * The first stop may be another one than ours: a group stop (SIGSTOP
 * arrived) or a signal-delivery stop. Then nothing is changed: the
 * answer -ERESTARTNOINTR makes the kernel restart the old call once the
 * signal is handled or the group stop ends, and it comes to us again.
 * After our stop, the thread runs to the new call's entry under
 * PTRACE_SYSCALL before it is let go, for the same reason: a signal that
 * arrives in between gets the old registers back (a handler's frame
 * would be built over what place() wrote below the stack pointer). An fd
 * that prepare() added stays then, close-on-exec, until the next exec.
 *
 * Limits: x86_64 only; a thread that is already traced (gdb, strace)
 * cannot be seized (EPERM). The main thread reaps children only between
 * redos (sc_reap_begin), or it could take our tracee's stops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/audit.h>

#include "syscalls.h"

#ifndef ERESTARTSYS
#define ERESTARTSYS 512 /* kernel-internal: EINTR, or restart with SA_RESTART */
#endif
#ifndef ERESTARTNOINTR
#define ERESTARTNOINTR 513 /* kernel-internal: "restart the call" */
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

/*
 * Held (shared) by every redo from PTRACE_SEIZE to PTRACE_DETACH, and
 * (exclusive) by the main thread while it reaps children: a child of the
 * main thread that a worker traces counts as the main thread's own
 * tracee for wait (same thread group), so a wait there would take the
 * worker's stop, whatever its flags.
 */
static pthread_rwlock_t reaping = PTHREAD_RWLOCK_INITIALIZER;

void sc_reap_begin(void)
{
	pthread_rwlock_wrlock(&reaping);
}

void sc_reap_end(void)
{
	pthread_rwlock_unlock(&reaping);
}

/* ---- calls set up by a redo, kept until the thread's next call ------- */

#define MAX_SAVED (256u << 10) /* bigger: not kept (an exec's huge argv) */
#define NRECORDS 256

struct record {
	pid_t tid; /* 0: free */
	long nr;
	uint64_t args[6];
	unsigned char *saved; /* [addr u64][len u64][bytes] ... */
	size_t nsaved;
};

static struct record records[NRECORDS];
static int nrecords;
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;

int redo_write(struct call *c, struct redo *d, uint64_t addr, const void *buf,
	       size_t len)
{
	if (call_write(c, addr, buf, len) < 0)
		return -EFAULT;
	size_t need = d->nsaved + 16 + len;
	if (need > MAX_SAVED) {
		d->nsaved = (size_t)-1; /* too much to keep: not kept */
		return 0;
	}
	if (d->nsaved == (size_t)-1)
		return 0;
	if (need > d->cap) {
		size_t cap = need * 2 < MAX_SAVED ? need * 2 : MAX_SAVED;
		unsigned char *n = realloc(d->saved, cap);
		if (!n) {
			d->nsaved = (size_t)-1;
			return 0;
		}
		d->saved = n;
		d->cap = cap;
	}
	uint64_t hdr[2] = { addr, len };
	memcpy(d->saved + d->nsaved, hdr, 16);
	memcpy(d->saved + d->nsaved + 16, buf, len);
	d->nsaved = need;
	return 0;
}

static void record_free(struct record *r)
{
	free(r->saved);
	r->saved = NULL;
	__atomic_store_n(&r->tid, 0, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&nrecords, 1, __ATOMIC_RELAXED);
}

/* After a redirect: the new call and what it reads, for its restarts. */
static void record_put(struct call *c, struct redo *d)
{
	if (!d->saved || d->nsaved == (size_t)-1)
		return;
	pthread_mutex_lock(&rec_lock);
	struct record *r = &records[(unsigned)c->tid % NRECORDS];
	if (r->tid)
		record_free(r); /* another thread's, or an older one */
	r->nr = d->nr;
	memcpy(r->args, d->args, sizeof(r->args));
	r->saved = d->saved;
	r->nsaved = d->nsaved;
	d->saved = NULL;
	__atomic_store_n(&r->tid, c->tid, __ATOMIC_RELAXED);
	__atomic_add_fetch(&nrecords, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&rec_lock);
}

long redo_restarted(struct call *c)
{
	/* every trapped call comes here: no lock unless this thread's slot
	 * holds a record of this thread */
	struct record *r = &records[(unsigned)c->tid % NRECORDS];
	if (!__atomic_load_n(&nrecords, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&r->tid, __ATOMIC_RELAXED) != c->tid)
		return 0;
	long ret = 0;
	pthread_mutex_lock(&rec_lock);
	if (r->tid == c->tid) {
		if (r->nr == c->nr &&
		    !memcmp(r->args, c->args, sizeof(r->args))) {
			/* a restart of the call we set up: our bytes again */
			ret = CALL_CONTINUE;
			for (size_t o = 0; o < r->nsaved;) {
				uint64_t hdr[2];
				memcpy(hdr, r->saved + o, 16);
				if (call_write(c, hdr[0], r->saved + o + 16,
					       hdr[1]) < 0)
					ret = -EFAULT;
				o += 16 + hdr[1];
			}
		} else {
			record_free(r); /* the thread has moved on */
		}
	}
	pthread_mutex_unlock(&rec_lock);
	return ret;
}

#if defined(__x86_64__)

/* Answers the notification (error err) without CONTINUE. */
static int answer(struct call *c, long err)
{
	struct seccomp_notif_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.id = c->req->id;
	resp.error = (int)err;
	return ioctl(c->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ?
		-errno :
		0;
}

enum stop { GONE, OURS, SYSCALL, GROUP, SIGNAL };

/* Waits for the tracee's next stop; *sig: the signal of a SIGNAL stop. */
static enum stop next_stop(pid_t tid, int *sig)
{
	for (;;) {
		int st;
		pid_t r = waitpid(tid, &st, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || !WIFSTOPPED(st))
			return GONE; /* exited or killed: the link is gone */
		*sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			return SYSCALL;
		if ((st >> 16) == PTRACE_EVENT_STOP)
			return WSTOPSIG(st) == SIGTRAP ? OURS : GROUP;
		*sig = WSTOPSIG(st);
		return SIGNAL; /* a signal about to be delivered */
	}
}

static void set_call(struct user_regs_struct *r, const struct redo *d)
{
	r->rip -= 2; /* `syscall` is two bytes: run it again */
	r->orig_rax = (unsigned long long)-1;
	r->rax = (unsigned long long)d->nr;
	r->rdi = d->args[0];
	r->rsi = d->args[1];
	r->rdx = d->args[2];
	r->r10 = d->args[3];
	r->r8 = d->args[4];
	r->r9 = d->args[5];
}

static void detach(pid_t tid, int sig)
{
	if (ptrace(PTRACE_DETACH, tid, 0, (void *)(long)sig) < 0 &&
	    errno != ESRCH)
		sc_log(SC_LOG_ERR, "PTRACE_DETACH of %d: %s", (int)tid,
		       strerror(errno));
}

/*
 * At our stop: the new call (or place's errno as the result). The thread
 * then runs up to the new call's entry under PTRACE_SYSCALL: a signal
 * handler that runs first would build its frame over what place() wrote,
 * so then the old registers go back (the old call restarts after the
 * handler and comes to us again).
 */
static void redirect(struct call *c, struct redo *d)
{
	struct user_regs_struct old, r;
	if (ptrace(PTRACE_GETREGS, c->tid, 0, &old) < 0) {
		detach(c->tid, 0);
		return; /* gone, or -ERESTARTNOINTR restarts the old call */
	}
	r = old;
	long err = d->place ? d->place(c, d, old.rsp) : 0;
	if (err < 0) {
		r.orig_rax = (unsigned long long)-1;
		r.rax = (unsigned long long)err;
	} else {
		set_call(&r, d);
	}
	if (ptrace(PTRACE_SETREGS, c->tid, 0, &r) < 0) {
		detach(c->tid, 0);
		return;
	}
	if (err < 0 || ptrace(PTRACE_SYSCALL, c->tid, 0, 0) < 0) {
		detach(c->tid, 0);
		return;
	}
	int sig;
	switch (next_stop(c->tid, &sig)) {
	case GONE: return;
	case SYSCALL:
		record_put(c, d); /* before the call can come back to us */
		detach(c->tid, 0); /* the new call, entering the filter */
		return;
	case OURS:
	case GROUP:
	case SIGNAL:
		if (sig && d->interruptible)
			old.rax = (unsigned long long)-ERESTARTSYS;
		(void)ptrace(PTRACE_SETREGS, c->tid, 0, &old);
		detach(c->tid, sig);
		return;
	}
}

/*
 * A signal about to be delivered before the new call started: for a call
 * that waits (d->interruptible), as if it had come during the wait:
 * -ERESTARTSYS makes it EINTR, or a restart with SA_RESTART. Else the
 * old call restarts after the handler whatever its flags
 * (-ERESTARTNOINTR, as the answer already says).
 */
static void signal_first(struct call *c, struct redo *d, int sig)
{
	struct user_regs_struct r;
	if (d->interruptible && ptrace(PTRACE_GETREGS, c->tid, 0, &r) == 0) {
		r.rax = (unsigned long long)-ERESTARTSYS;
		(void)ptrace(PTRACE_SETREGS, c->tid, 0, &r);
	}
	detach(c->tid, sig);
}

static long seized(struct call *c, struct redo *d);

long call_redo_run(struct call *c, struct redo *d)
{
	if (c->req->data.arch != AUDIT_ARCH_X86_64)
		return -ENOSYS; /* an i386 caller: other registers */
	pthread_rwlock_rdlock(&reaping);
	long ret = seized(c, d);
	pthread_rwlock_unlock(&reaping);
	free(d->saved);
	d->saved = NULL;
	return ret;
}

static long seized(struct call *c, struct redo *d)
{
	if (ptrace(PTRACE_SEIZE, c->tid, 0, PTRACE_O_TRACESYSGOOD) < 0) {
		int err = errno;
		sc_log(SC_LOG_DEBUG,
		       "cannot seize thread %d to redirect its call: %s",
		       (int)c->tid, strerror(err));
		return err == ESRCH ? -ESRCH : -EPERM;
	}
	long err = d->prepare ? d->prepare(c, d) : 0;
	/* fails only for a thread that is gone: its end is waited for below */
	(void)ptrace(PTRACE_INTERRUPT, c->tid, 0, 0);
	if (answer(c, err < 0 ? err : -ERESTARTNOINTR) < 0)
		err = -ENOENT; /* the thread is being killed */
	int sig;
	enum stop s = next_stop(c->tid, &sig);
	if (s == GONE)
		return CALL_ASYNC;
	if (s == OURS && err >= 0)
		redirect(c, d);
	else if (s == SIGNAL && err >= 0)
		signal_first(c, d, sig); /* the old call again, or EINTR */
	else
		detach(c->tid, sig); /* a group stop, or prepare's errno */
	return CALL_ASYNC;
}

#else

long call_redo_run(struct call *c, struct redo *d)
{
	(void)c;
	(void)d;
	return -ENOSYS;
}

#endif

long call_redo_or(struct call *c, struct redo *d, long err, const char *what)
{
	long r = call_redo_run(c, d);
	if (r == -EPERM || r == -ENOSYS) {
		char why[160];
		snprintf(why, sizeof(why),
			 "a traced (or non-x86_64) thread cannot %s (%s)", what,
			 strerrorname_np((int)-err));
		sc_log_unsupported(c, why);
		r = err;
	}
	return r;
}

long call_redo(struct call *c, long nr, const uint64_t args[6])
{
	struct redo d = { .nr = nr };
	memcpy(d.args, args, sizeof(d.args));
	return call_redo_run(c, &d);
}
