/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who is calling: the per-thread cache (tgid, credentials, an O_PATH fd of
 * /proc/TID and a pidfd of the thread), keyed by tid.
 *
 * Tids are reused (pid_max may be 32768, and a nearly full pid space
 * reuses one after a few clones), so an entry is trusted only while the
 * very task it was read from lives: its pidfd is polled on every use
 * (task_exited: one cheap syscall). A new entry is made from the pidfd
 * and /proc/TID, then the notification is checked (ID_VALID): still
 * pending means the caller lived all along, so both named it. Entries of
 * exited threads are dropped by the supervisor's tick (sc_tasks_reap),
 * never left for the tid to come back.
 *
 * Credentials are read again after anything that may change them:
 * set*id, setgroups, capset, unshare and setns bump the thread's
 * generation (call_forget_creds), an exec bumps every thread of the
 * process (call_exec: a set-id program, and a non-leader's exec takes over
 * the leader's tid). A failure to read them fails the call (task_fail):
 * old credentials are never served in their place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "task.h"

struct thread {
	pid_t tid, tgid;     /* tgid: set before the entry is shared */
	int procfd, pidfd;
	int refs;            /* under thr_lock: the table's, and each call's */
	int in_table;
	unsigned gen;        /* __atomic: bumped to forget the credentials */
	unsigned read_gen;   /* gen when they were read: valid while equal */
	struct proc *proc;   /* a reference, made by the thread's first
				call_proc: right while the thread lives */
	struct task_status st;
	struct thread *next;
};

#define NBUCKETS 1024
static pthread_mutex_t thr_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread *threads[NBUCKETS];

/*
 * Execs in flight by a thread that is not its process's leader: when it
 * succeeds, that thread takes over the leader's tid (and its cache entry,
 * whose pidfd follows the tid), so credentials the leader has read in the
 * meantime would outlive the exec. While one is in flight, the process's
 * credentials are read for each call and not kept; it is settled when the
 * exec'ing thread calls again (the exec failed) or its pidfd fires (it
 * succeeded, or the thread died). Under thr_lock.
 */
#define MAX_EXECS 64
static struct { pid_t tgid; struct thread *x; } execs[MAX_EXECS];
static int nexecs;  /* written under thr_lock, read with __atomic */

static struct thread *find_locked(pid_t tid)
{
	for (struct thread *t = threads[(unsigned)tid % NBUCKETS]; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static void free_thread(struct thread *t)
{
	if (t->proc)
		proc_put(t->proc);
	if (t->procfd >= 0)
		close(t->procfd);
	if (t->pidfd >= 0)
		close(t->pidfd);
	free(t);
}

/* Drops one reference; 1 if the caller must free t (after unlocking). */
static int put_locked(struct thread *t)
{
	return --t->refs == 0;
}

static void thread_put(struct thread *t)
{
	pthread_mutex_lock(&thr_lock);
	int last = put_locked(t);
	pthread_mutex_unlock(&thr_lock);
	if (last)
		free_thread(t);
}

/* Takes t out of the table; 1 if the caller must free it. */
static int unlink_locked(struct thread *t)
{
	if (!t->in_table)
		return 0;
	struct thread **pp = &threads[(unsigned)t->tid % NBUCKETS];
	for (; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	task_unwatch(t->pidfd);
	t->in_table = 0;
	return put_locked(t);
}

static void bump_tgid_locked(pid_t tgid)
{
	for (int i = 0; i < NBUCKETS; i++)
		for (struct thread *t = threads[i]; t; t = t->next)
			if (t->tgid == tgid)
				__atomic_add_fetch(&t->gen, 1, __ATOMIC_SEQ_CST);
}

/* Removes exec record i; returns its thread to put. Under thr_lock. */
static struct thread *exec_drop_locked(int i)
{
	struct thread *x = execs[i].x;
	execs[i] = execs[nexecs - 1];
	__atomic_store_n(&nexecs, nexecs - 1, __ATOMIC_RELEASE);
	return put_locked(x) ? x : NULL;
}

/*
 * Settles the exec records of process tgid (0: of every process): one is
 * done when its thread is self (calling again: the exec failed) or has
 * exited (it succeeded, or the thread died); what was read while it was
 * in flight is then forgotten. Returns whether one of tgid's is still in
 * flight.
 */
static int settle_execs(pid_t tgid, struct thread *self)
{
	if (__atomic_load_n(&nexecs, __ATOMIC_ACQUIRE) == 0)
		return 0;
	struct thread *dead[MAX_EXECS];
	int ndead = 0, busy = 0;
	pthread_mutex_lock(&thr_lock);
	for (int i = 0; i < nexecs; i++) {
		if (tgid && execs[i].tgid != tgid)
			continue;
		if (execs[i].x != self && !task_exited(execs[i].x->pidfd)) {
			busy = 1;
			continue;
		}
		bump_tgid_locked(execs[i].tgid);
		dead[ndead] = exec_drop_locked(i--);
		ndead += dead[ndead] != NULL;
	}
	pthread_mutex_unlock(&thr_lock);
	for (int i = 0; i < ndead; i++)
		free_thread(dead[i]);
	return busy;
}

/* Is an exec in flight in t's process (see execs)? */
static int exec_in_flight(struct thread *t)
{
	return settle_execs(t->tgid, t);
}

void threads_tick(void)
{
	settle_execs(0, NULL);
}

/* (Re)reads t's credentials, keeping them unless an exec is in flight. */
static int refresh(struct call *c, struct thread *t)
{
	unsigned g = __atomic_load_n(&t->gen, __ATOMIC_SEQ_CST);
	int r = task_status_read(t->procfd, t->tid, &t->st);
	if (r < 0)
		return r;
	if (!exec_in_flight(t))
		__atomic_store_n(&t->read_gen, g, __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * A new entry for the caller (one reference, the caller's), in the table
 * if it can be watched. 0 or -errno (task_gone_or_fail's).
 */
static int thread_new(struct call *c, struct thread **out)
{
	struct thread *t = calloc(1, sizeof(*t));
	if (!t)
		return task_fail(ENOMEM, "a thread entry", c->tid);
	t->tid = c->tid;
	t->refs = 1;
	t->gen = 1;
	t->procfd = -1;
	t->pidfd = task_pidfd(c->tid, PIDFD_THREAD);
	int err = 0;
	const char *what = NULL;
	/* EINVAL: a kernel without thread pidfds (before 6.9); the entry is
	 * then good for this call only */
	if (t->pidfd < 0 && t->pidfd != -EINVAL) {
		err = -t->pidfd;
		what = "pidfd_open";
	} else {
		char p[32];
		snprintf(p, sizeof(p), "/proc/%d", (int)c->tid);
		t->procfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (t->procfd < 0) {
			err = errno;
			what = "opening /proc/TID";
		} else {
			int r = task_status_read(t->procfd, t->tid, &t->st);
			err = -r;
			what = "reading /proc/TID/status";
		}
	}
	if (err == 0 && call_valid(c) < 0) {
		err = ESRCH;
		what = "ID_VALID";
	}
	t->tgid = t->st.tgid;
	if (err) {
		free_thread(t);
		return task_gone_or_fail(c, err, what);
	}
	if (!exec_in_flight(t))
		t->read_gen = t->gen;
	if (t->pidfd < 0) {
		*out = t;
		return 0;
	}
	struct thread *old = NULL;
	pthread_mutex_lock(&thr_lock);
	struct thread *o = find_locked(t->tid);
	if (o && unlink_locked(o))  /* an older task's (killed in a call) */
		old = o;
	if (task_watch(t->pidfd, TASK_THREAD, t->tid) == 0) {
		t->next = threads[(unsigned)t->tid % NBUCKETS];
		threads[(unsigned)t->tid % NBUCKETS] = t;
		t->in_table = 1;
		t->refs++;
	}
	pthread_mutex_unlock(&thr_lock);
	if (old)
		free_thread(old);
	*out = t;
	return 0;
}

static struct thread *thread_get(struct call *c)
{
	if (c->thr)
		return c->thr;
	if (c->who_err)
		return NULL;
	pthread_mutex_lock(&thr_lock);
	struct thread *t = find_locked(c->tid);
	if (t)
		t->refs++;
	pthread_mutex_unlock(&thr_lock);
	if (t && task_exited(t->pidfd)) {
		/* an exited thread's: its tid names someone else now */
		pthread_mutex_lock(&thr_lock);
		int last = unlink_locked(t);
		last |= put_locked(t);
		pthread_mutex_unlock(&thr_lock);
		if (last)
			free_thread(t);
		t = NULL;
	}
	if (!t) {
		int r = thread_new(c, &t);
		if (r < 0) {
			c->who_err = r;
			return NULL;
		}
	} else if (__atomic_load_n(&t->read_gen, __ATOMIC_SEQ_CST) !=
		   __atomic_load_n(&t->gen, __ATOMIC_SEQ_CST) ||
		   exec_in_flight(t)) {
		int r = refresh(c, t);
		if (r < 0) {
			/* fail closed: never the old credentials */
			c->who_err = task_gone_or_fail(c, -r,
				"reading /proc/TID/status again");
			thread_put(t);
			return NULL;
		}
	}
	c->thr = t;
	return t;
}

void call_thread_end(struct call *c)
{
	if (c->thr)
		thread_put(c->thr);
	c->thr = NULL;
}

void thread_reap(pid_t tid)
{
	pthread_mutex_lock(&thr_lock);
	struct thread *t = find_locked(tid);
	int last = t && task_exited(t->pidfd) && unlink_locked(t);
	pthread_mutex_unlock(&thr_lock);
	if (last)
		free_thread(t);
}

/* Drops every entry (shutdown); freed outside thr_lock (proc_put). */
void threads_clear_all(void)
{
	struct thread *dead = NULL;
	pthread_mutex_lock(&thr_lock);
	while (nexecs > 0) {
		struct thread *x = exec_drop_locked(0);
		if (x) {
			x->next = dead;
			dead = x;
		}
	}
	for (int i = 0; i < NBUCKETS; i++)
		while (threads[i]) {
			struct thread *t = threads[i];
			if (unlink_locked(t)) {
				t->next = dead;
				dead = t;
			}
		}
	pthread_mutex_unlock(&thr_lock);
	while (dead) {
		struct thread *t = dead;
		dead = t->next;
		free_thread(t);
	}
}

int call_who_err(const struct call *c)
{
	return c->who_err ? c->who_err : -ESRCH;
}

/*
 * The caller's process entry: looked up (and checked) once per thread, then
 * kept in the thread entry, which is right while the thread lives; a
 * process outlives each of its threads.
 */
struct proc *call_proc(struct call *c)
{
	if (c->proc)
		return c->proc;
	struct thread *t = thread_get(c);
	if (!t)
		return NULL;
	if (!t->proc) {
		int r = proc_lookup(c, t->tgid, &t->proc);
		if (r < 0) {
			c->who_err = r;
			return NULL;
		}
	}
	c->proc = t->proc;  /* the thread's reference covers the call */
	return c->proc;
}

int call_procfd(struct call *c)
{
	struct thread *t = thread_get(c);
	return t ? t->procfd : call_who_err(c);
}

int call_followed(const struct call *c)
{
	return c->have_caller && pf_symlinks_followed() != c->followed0;
}

int call_pidfd(struct call *c)
{
	struct thread *t = thread_get(c);
	if (!t)
		return call_who_err(c);
	return t->pidfd >= 0 ? t->pidfd : -ENOSYS;
}

/* The host's fs.protected_* sysctls that the core applies, read once. */
static uint32_t policy;
static pthread_once_t policy_once = PTHREAD_ONCE_INIT;

static void policy_read(void)
{
	FILE *f = fopen("/proc/sys/fs/protected_hardlinks", "re");
	int v = 0;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	if (v)
		policy |= PF_POLICY_PROTECTED_HARDLINKS;
}

static uint32_t host_policy(void)
{
	pthread_once(&policy_once, policy_read);
	return policy;
}

struct pf_caller *call_caller(struct call *c)
{
	if (c->have_caller)
		return &c->caller;
	struct thread *t = thread_get(c);
	if (!t)
		return NULL;
	c->caller.fsuid = t->st.fsuid;
	c->caller.fsgid = t->st.fsgid;
	c->caller.ngroups = t->st.ngroups;
	c->caller.groups = t->st.groups;
	c->caller.caps = t->st.caps;
	c->caller.escape = c->escape;
	c->caller.escape_size = sizeof(c->escape);
	c->caller.policy = host_policy();
	c->caller.resolve = 0; /* openat2 sets its own */
	c->followed0 = pf_symlinks_followed();
	c->have_caller = 1;
	return &c->caller;
}

/* access(2) checks with the real ids (faccessat without AT_EACCESS). */
int call_caller_real(struct call *c, struct pf_caller *out)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	*out = *pc;
	out->fsuid = c->thr->st.ruid;
	out->fsgid = c->thr->st.rgid;
	out->caps = c->thr->st.ruid == 0 ? c->thr->st.capprm : 0;
	return 0;
}

void call_forget_creds(struct call *c)
{
	struct thread *t = thread_get(c);
	if (t)
		__atomic_add_fetch(&t->gen, 1, __ATOMIC_SEQ_CST);
	c->have_caller = 0;
}

int call_exec(struct call *c)
{
	struct thread *t = thread_get(c);
	if (!t)
		return 0;  /* nothing cached: nothing to forget */
	int r = 0;
	pthread_mutex_lock(&thr_lock);
	bump_tgid_locked(t->tgid);
	if (t->tid != t->tgid && t->pidfd >= 0) {
		if (nexecs < MAX_EXECS) {
			t->refs++;
			execs[nexecs].tgid = t->tgid;
			execs[nexecs].x = t;
			__atomic_store_n(&nexecs, nexecs + 1, __ATOMIC_RELEASE);
		} else {
			r = -EAGAIN;
		}
	}
	pthread_mutex_unlock(&thr_lock);
	c->have_caller = 0;
	if (r < 0)
		sc_log(SC_LOG_WARN, "more than %d execs in flight by non-leader threads: one fails with EAGAIN",
		       MAX_EXECS);
	return r;
}
