/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-process state (virtual cwd, umask, "may hold pool fds"), keyed by
 * tgid. The credentials are per thread (creds.c).
 *
 * Like a thread entry, a process entry holds a pidfd of the very process
 * it describes, polled on every use and watched by the tick's reaper
 * (task.h): the state of an exited process (cwd, umask, the mark, its
 * record locks) is dropped within a tick and never reaches a process that
 * gets its pid.
 *
 * A new process inherits its parent's virtual cwd and mark. The parent is
 * known exactly: it is read from /proc/PID/status, its entry's pidfd is
 * checked alive after the child's PPid was read a second time (so the
 * parent entry's task was the child's parent at that moment; a child whose
 * parent died was reparented, and its PPid then names a subreaper, never
 * a pid that came back). Children that exist when the parent changes its
 * cwd or exits are pinned to the old cwd first (pin_children_locked), so
 * a child that shows up late still gets the cwd it was forked with.
 *
 * Lock order: tab_lock, then thr_lock (creds.c) or lk_lock (locks.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "locks.h"
#include "task.h"

struct proc {
	pid_t tgid;
	int pidfd;
	int in_table;
	int refs;                /* under tab_lock: the table's, each call's */
	int pool_fd_mark;            /* __atomic: may hold pool fds (call_fd) */
	int umask_valid;         /* __atomic, as umask */
	mode_t umask;
	struct vcwd cwd;         /* under tab_lock */
	struct proc *next;
};

#define NBUCKETS 1024
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct proc *procs[NBUCKETS];

/* ---- who may hold pool fds ---------------------------------------------- */

/*
 * A process holds a pool fd only if the supervisor put it there (ADDFD:
 * call_inject_file), if it inherited it from its parent at fork, or if it
 * received one from another process: SCM_RIGHTS (recvmsg with a control
 * buffer), pidfd_getfd, a nested seccomp supervisor's ADDFD, or an fd table
 * shared with clone(CLONE_FILES) and no CLONE_THREAD. Those calls are
 * trapped and mark the receiver (call_pool_fd_mark) before the kernel runs them,
 * or, for a shared fd table, turn the shortcut off for everyone
 * (sc_pool_fd_mark_all). The mark is never cleared. A process without it
 * gets its fd calls on host fds answered without looking the fd up
 * (call_fd).
 */
static pid_t root_tgid;   /* the command pmemfile-run started */
static int tables_shared; /* __atomic */

void sc_set_root(pid_t tgid)
{
	root_tgid = tgid;
}

void sc_pool_fd_mark_all(void)
{
	__atomic_store_n(&tables_shared, 1, __ATOMIC_SEQ_CST);
}

int call_has_pool_fd_mark(struct call *c)
{
	if (__atomic_load_n(&tables_shared, __ATOMIC_SEQ_CST))
		return 1;
	struct proc *p = call_proc(c);
	return !p || __atomic_load_n(&p->pool_fd_mark, __ATOMIC_SEQ_CST);
}

void call_pool_fd_mark(struct call *c)
{
	struct proc *p = call_proc(c);
	if (p)
		__atomic_store_n(&p->pool_fd_mark, 1, __ATOMIC_SEQ_CST);
	else
		sc_pool_fd_mark_all();  /* unknown caller: off for all */
}

/* ---- the table ---------------------------------------------------------- */

static struct proc *find_locked(pid_t tgid)
{
	for (struct proc *p = procs[(unsigned)tgid % NBUCKETS]; p; p = p->next)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

static void put_locked(struct proc *p)
{
	if (--p->refs > 0)
		return;
	vcwd_release(&p->cwd);
	close(p->pidfd);
	free(p);
}

/* Takes p out of the table (its task exited, or exit_group). A process
 * that leaves takes its record locks with it. */
static void unlink_locked(struct proc *p)
{
	if (!p->in_table)
		return;
	struct proc **pp = &procs[(unsigned)p->tgid % NBUCKETS];
	for (; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	task_unwatch(p->pidfd);
	p->in_table = 0;
	put_locked(p);
}

/* The live entry of tgid, or NULL; an exited one is dropped on the way. */
static struct proc *find_alive_locked(pid_t tgid)
{
	struct proc *p = find_locked(tgid);
	if (p && task_exited(p->pidfd)) {
		lock_exit(tgid);
		unlink_locked(p);
		p = NULL;
	}
	return p;
}

/*
 * Enters a new entry for the process of pidfd (takes the fd). Record locks
 * under its pid can only be a dead process's: a process takes locks
 * through its entry, which lived until it exited. 0 or -errno.
 */
static int insert_locked(pid_t tgid, int pidfd, const struct vcwd *cwd,
			 int pool_fd_mark, struct proc **out)
{
	struct proc *p = calloc(1, sizeof(*p));
	if (!p) {
		close(pidfd);
		return -ENOMEM;
	}
	int r = task_watch(pidfd, TASK_PROC, tgid);
	if (r < 0) {
		close(pidfd);
		free(p);
		return r;
	}
	p->tgid = tgid;
	p->pidfd = pidfd;
	p->pool_fd_mark = pool_fd_mark;
	p->refs = 1;  /* the table's */
	p->in_table = 1;
	if (cwd && cwd->m) {
		p->cwd.m = cwd->m;
		p->cwd.dir = pf_file_ref(cwd->dir);
		memcpy(p->cwd.path, cwd->path, strlen(cwd->path) + 1);
	}
	lock_exit(tgid);
	p->next = procs[(unsigned)tgid % NBUCKETS];
	procs[(unsigned)tgid % NBUCKETS] = p;
	*out = p;
	return 0;
}

/* Is parent still pid's parent (and both the tasks we think)? */
static int still_child(pid_t pid, int pidfd, struct proc *parent)
{
	struct task_status st;
	return task_status_read(-1, pid, &st) == 0 && st.ppid == parent->tgid &&
	       !task_exited(parent->pidfd) && !task_exited(pidfd);
}

/*
 * The entry of process tgid, made if missing: a process that never made a
 * call has no entry yet, so the chain of ancestors is walked up to the
 * first known one (or one we did not start), and entries are made
 * top-down, each inheriting its parent's cwd and mark. c: the call, for
 * the caller's own process (its notification must still be pending after
 * the pidfd was opened: then the pidfd is the caller's process); NULL for
 * an ancestor. 0 or -errno (-ESRCH: gone).
 */
static int get_locked(pid_t tgid, struct call *c, int depth, struct proc **out)
{
	if ((*out = find_alive_locked(tgid)))
		return 0;
	int pidfd = task_pidfd(tgid, 0);
	if (pidfd < 0)
		return pidfd;
	struct task_status st;
	int r = task_status_read(-1, tgid, &st);
	if (r == 0 && (task_exited(pidfd) || (c && call_valid(c) < 0)))
		r = -ESRCH;
	if (r < 0) {
		close(pidfd);
		return r;
	}
	struct proc *parent = NULL;
	if (st.ppid > 1 && st.ppid != getpid() && depth < 64) {
		r = get_locked(st.ppid, NULL, depth + 1, &parent);
		if (r < 0 && r != -ESRCH && r != -ENOENT) {
			close(pidfd);  /* out of something: no guess */
			return r;
		}
		if (parent && !still_child(tgid, pidfd, parent))
			parent = NULL;  /* reparented meanwhile */
	}
	/* a child has its parent's fds; an orphan (reparented to us or to a
	 * subreaper) or a process whose parent we could not follow may have
	 * pool fds */
	int pool_fd_mark = parent ?
		__atomic_load_n(&parent->pool_fd_mark, __ATOMIC_SEQ_CST) :
		tgid != root_tgid;
	return insert_locked(tgid, pidfd, parent ? &parent->cwd : NULL,
			     pool_fd_mark, out);
}

int proc_lookup(struct call *c, pid_t tgid, struct proc **out)
{
	pthread_mutex_lock(&tab_lock);
	int r = get_locked(tgid, c, 0, out);
	if (r == 0)
		(*out)->refs++;
	pthread_mutex_unlock(&tab_lock);
	if (r < 0)
		return task_gone_or_fail(c, -r, "making the process entry");
	return 0;
}

void proc_put(struct proc *p)
{
	pthread_mutex_lock(&tab_lock);
	put_locked(p);
	pthread_mutex_unlock(&tab_lock);
}

void proc_reap(pid_t tgid)
{
	pthread_mutex_lock(&tab_lock);
	find_alive_locked(tgid);
	pthread_mutex_unlock(&tab_lock);
}

pid_t proc_tgid(const struct proc *p)
{
	return p->tgid;
}

/* ---- umask --------------------------------------------------------------- */

int call_umask(struct call *c)
{
	struct proc *p = call_proc(c);
	if (!p)
		return call_who_err(c);
	/* umask and umask_valid: one word each, read and written atomically
	 * (threads of a process share them; a stale read costs a re-read) */
	if (__atomic_load_n(&p->umask_valid, __ATOMIC_ACQUIRE))
		return (int)__atomic_load_n(&p->umask, __ATOMIC_RELAXED);
	int procfd = call_procfd(c);
	if (procfd < 0)
		return procfd;
	struct task_status st;
	int r = task_status_read(procfd, c->tid, &st);
	if (r < 0)  /* never a guess: a wrong umask makes files too open */
		return task_gone_or_fail(c, -r, "reading the umask");
	__atomic_store_n(&p->umask, st.umask, __ATOMIC_RELAXED);
	__atomic_store_n(&p->umask_valid, 1, __ATOMIC_RELEASE);
	return (int)st.umask;
}

void call_forget_umask(struct call *c)
{
	struct proc *p = call_proc(c);
	if (p)
		__atomic_store_n(&p->umask_valid, 0, __ATOMIC_RELEASE);
}

/* ---- the virtual cwd ----------------------------------------------------- */

void vcwd_release(struct vcwd *v)
{
	if (v->m)
		pf_close(v->dir);
	v->m = NULL;
	v->dir = NULL;
}

void proc_get_cwd(struct proc *p, struct vcwd *out)
{
	pthread_mutex_lock(&tab_lock);
	out->m = p->cwd.m;
	out->dir = p->cwd.m ? pf_file_ref(p->cwd.dir) : NULL;
	if (p->cwd.m)
		memcpy(out->path, p->cwd.path, strlen(p->cwd.path) + 1);
	else
		out->path[0] = 0;
	pthread_mutex_unlock(&tab_lock);
}

/* Pins one child (pid, listed in p's children) to p's cwd and mark. */
static int pin_child_locked(struct proc *p, pid_t pid)
{
	if (find_alive_locked(pid))
		return 0;
	int pidfd = task_pidfd(pid, 0);
	if (pidfd < 0)
		return pidfd == -ESRCH ? 0 : pidfd;
	if (!still_child(pid, pidfd, p)) {
		close(pidfd);  /* gone, or not p's any more */
		return 0;
	}
	struct proc *child;
	return insert_locked(pid, pidfd, &p->cwd,
			     __atomic_load_n(&p->pool_fd_mark, __ATOMIC_SEQ_CST),
			     &child);
}

/*
 * Gives each not-yet-seen child of p its own copy of p's cwd (p is the
 * caller, alive). 0 or -errno: a child that could not be pinned would
 * later take p's new cwd.
 */
static int pin_one(pid_t child, void *p)
{
	return pin_child_locked(p, child);
}

static int pin_children_locked(struct proc *p)
{
	return sc_children_each(p->tgid, pin_one, p);
}

int proc_set_cwd(struct call *c, struct proc *p, struct vcwd *in)
{
	pthread_mutex_lock(&tab_lock);
	int r = pin_children_locked(p);
	struct vcwd old = p->cwd;
	if (r == 0)
		p->cwd = *in;
	pthread_mutex_unlock(&tab_lock);
	if (r < 0) {
		vcwd_release(in);
		return task_gone_or_fail(c, -r, "pinning the children to the old cwd");
	}
	vcwd_release(&old);
	in->m = NULL;
	in->dir = NULL;
	return 0;
}

void proc_exit(struct call *c)
{
	struct proc *p = call_proc(c);
	if (!p)
		return;
	pthread_mutex_lock(&tab_lock);
	int r = pin_children_locked(p);
	if (find_locked(p->tgid) == p) {
		lock_exit(p->tgid);
		unlink_locked(p);
	}
	pthread_mutex_unlock(&tab_lock);
	if (r < 0 && r != -ESRCH && r != -ENOENT)
		task_fail(-r, "pinning the children of an exiting process", c->tid);
}

/* Drops every process (shutdown, before pools close). */
void proc_clear_all(void)
{
	pthread_mutex_lock(&tab_lock);
	for (int i = 0; i < NBUCKETS; i++)
		while (procs[i])
			unlink_locked(procs[i]);
	pthread_mutex_unlock(&tab_lock);
	threads_clear_all();
}

int proc_cwd_of(pid_t pid, struct vcwd *out)
{
	int ret = 1;
	pthread_mutex_lock(&tab_lock);
	struct proc *p = find_alive_locked(pid);
	if (p && p->cwd.m) {
		out->m = p->cwd.m;
		out->dir = pf_file_ref(p->cwd.dir);
		memcpy(out->path, p->cwd.path, strlen(p->cwd.path) + 1);
		ret = 0;
	}
	pthread_mutex_unlock(&tab_lock);
	return ret;
}
