/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who is calling: per-thread cache (tgid, credentials) and per-process state
 * (virtual cwd, umask), keyed by tid and tgid.
 *
 * Tids are reused (pid_max may be 32768), so every cache entry holds a
 * pidfd of the task taken when the entry was made: it polls readable once
 * that task has exited, which tells a stale entry from a live one at the
 * cost of one cheap syscall (cache_alive). Without pidfds (Linux < 6.9 for
 * threads), a lookup in the O_PATH /proc/TID directory fd, which fails for
 * a dead task, does the same more slowly. An entry checked less than
 * ALIVE_NS ago is not checked again: for its tid to name another task by
 * then, that task would have had to exit and the kernel to hand out every
 * other pid first (it allocates them cyclically): tens of thousands of
 * clones, which take far longer (a clone costs microseconds).
 *
 * A new process inherits its parent's virtual cwd. Children that exist when
 * the parent changes its cwd are pinned to the old one first (proc_set_cwd),
 * so a child that shows up late still gets the cwd it was forked with.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "syscalls.h"

struct thread {
	pid_t tid, tgid;
	int procfd;
	int pidfd;
	int64_t alive_ns;        /* when cache_alive last said yes */
	int creds_valid;
	uint32_t ruid, rgid, fsuid, fsgid;
	uint64_t caps, capprm;
	uint32_t ngroups;
	uint32_t groups[SC_MAX_GROUPS];
	struct thread *next;
};

struct proc {
	pid_t tgid;
	int procfd;
	int pidfd;
	int64_t alive_ns;
	int pool_fds;            /* may hold pool fds (see call_fd_shortcut) */
	int refs;
	int umask_valid;
	mode_t umask;
	struct vcwd cwd;
	struct proc *next;
};

#define NBUCKETS 1024
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread *threads[NBUCKETS];
static struct proc *procs[NBUCKETS];

static int open_procdir(pid_t pid)
{
	char p[32];
	snprintf(p, sizeof(p), "/proc/%d", (int)pid);
	return open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

static int open_pidfd(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

#define ALIVE_NS 1000000  /* 1 ms */

static int cache_alive(int procfd, int pidfd, int64_t *alive_ns)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (now - *alive_ns < ALIVE_NS)
		return 1;
	int alive;
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		alive = poll(&p, 1, 0) == 0;
	} else {
		alive = faccessat(procfd, "stat", F_OK, 0) == 0;
	}
	if (alive)
		*alive_ns = now;
	return alive;
}

static void close_if(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Parses /proc/TID/status into t (and ppid, umask). */
static int read_status(int procfd, struct thread *t, pid_t *ppid,
		       mode_t *umask)
{
	int fd = openat(procfd, "status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = 0;
	unsigned a, b, cc, d;
	for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "Tgid: %d", &t->tgid) == 1)
			continue;
		if (ppid && sscanf(l, "PPid: %d", ppid) == 1)
			continue;
		if (umask && sscanf(l, "Umask: %o", umask) == 1)
			continue;
		if (sscanf(l, "Uid: %u %u %u %u", &a, &b, &cc, &d) == 4) {
			t->ruid = a;
			t->fsuid = d;
		} else if (sscanf(l, "Gid: %u %u %u %u", &a, &b, &cc, &d) == 4) {
			t->rgid = a;
			t->fsgid = d;
		} else if (strncmp(l, "Groups:", 7) == 0) {
			char *p = l + 7, *end;
			t->ngroups = 0;
			for (;;) {
				unsigned long g = strtoul(p, &end, 10);
				if (end == p || t->ngroups >= SC_MAX_GROUPS)
					break;
				t->groups[t->ngroups++] = (uint32_t)g;
				p = end;
			}
		} else if (sscanf(l, "CapEff: %lx", &t->caps) == 1) {
		} else if (sscanf(l, "CapPrm: %lx", &t->capprm) == 1) {
		}
	}
	t->creds_valid = 1;
	return 0;
}

static struct thread *thread_get(struct call *c)
{
	if (c->thr)
		return c->thr;
	unsigned h = (unsigned)c->tid % NBUCKETS;
	pthread_mutex_lock(&tab_lock);
	struct thread **pp = &threads[h], *t;
	for (t = *pp; t; pp = &t->next, t = t->next)
		if (t->tid == c->tid)
			break;
	if (t)
		*pp = t->next;  /* unlink while we check it; only we serve tid */
	pthread_mutex_unlock(&tab_lock);

	if (t && !cache_alive(t->procfd, t->pidfd, &t->alive_ns)) {
		close(t->procfd);
		close_if(t->pidfd);
		free(t);
		t = NULL;
	}
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		t->tid = c->tid;
		t->procfd = open_procdir(c->tid);
		t->pidfd = open_pidfd(c->tid, PIDFD_THREAD);
		if (t->procfd < 0 || read_status(t->procfd, t, NULL, NULL) < 0) {
			close_if(t->procfd);
			close_if(t->pidfd);
			free(t);
			return NULL;
		}
	} else if (!t->creds_valid) {
		read_status(t->procfd, t, NULL, NULL);
	}
	pthread_mutex_lock(&tab_lock);
	t->next = threads[h];
	threads[h] = t;
	pthread_mutex_unlock(&tab_lock);
	c->thr = t;
	return t;
}

int call_procfd(struct call *c)
{
	struct thread *t = thread_get(c);
	return t ? t->procfd : -ESRCH;
}

int call_pidfd(struct call *c)
{
	struct thread *t = thread_get(c);
	return t ? t->pidfd : -ESRCH;
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
	c->caller.fsuid = t->fsuid;
	c->caller.fsgid = t->fsgid;
	c->caller.ngroups = t->ngroups;
	c->caller.groups = t->groups;
	c->caller.caps = t->caps;
	c->caller.escape = c->escape;
	c->caller.escape_size = sizeof(c->escape);
	c->caller.policy = host_policy();
	c->have_caller = 1;
	return &c->caller;
}

/* access(2) checks with the real ids (faccessat without AT_EACCESS). */
void call_caller_real(struct call *c, struct pf_caller *out)
{
	struct pf_caller *pc = call_caller(c);
	*out = *pc;
	if (c->thr) {
		out->fsuid = c->thr->ruid;
		out->fsgid = c->thr->rgid;
		out->caps = c->thr->ruid == 0 ? c->thr->capprm : 0;
	}
}

void call_forget_creds(struct call *c)
{
	struct thread *t = thread_get(c);
	if (t)
		t->creds_valid = 0;
	c->have_caller = 0;
}

/* ---- processes ---------------------------------------------------------- */

/*
 * Which processes may hold pool fds. A process holds one only if the
 * supervisor put it there (ADDFD: call_inject_file), if it inherited it
 * from its parent at fork, or if it received one from another process:
 * SCM_RIGHTS (recvmsg with a control buffer), pidfd_getfd, a nested
 * seccomp supervisor's ADDFD, or an fd table shared with clone(CLONE_FILES)
 * and no CLONE_THREAD. Those calls are trapped and mark the receiver
 * (call_taint) before the kernel runs them, or, for a shared fd table,
 * turn the shortcut off for everyone (sc_fd_tables_shared). The mark is
 * never cleared. A process without it gets its fd calls on host fds
 * answered without looking the fd up (call_fd).
 */
static pid_t root_tgid;   /* the command pmemfile-run started */
static int tables_shared; /* __atomic */

void sc_set_root(pid_t tgid)
{
	root_tgid = tgid;
}

void sc_fd_tables_shared(void)
{
	__atomic_store_n(&tables_shared, 1, __ATOMIC_SEQ_CST);
}

int call_may_hold_pool_fds(struct call *c)
{
	if (__atomic_load_n(&tables_shared, __ATOMIC_SEQ_CST))
		return 1;
	struct proc *p = call_proc(c);
	return !p || __atomic_load_n(&p->pool_fds, __ATOMIC_SEQ_CST);
}

void call_taint(struct call *c)
{
	struct proc *p = call_proc(c);
	if (p)
		__atomic_store_n(&p->pool_fds, 1, __ATOMIC_SEQ_CST);
	else
		sc_fd_tables_shared();  /* unknown caller: off for all */
}

static struct proc *proc_find_locked(pid_t tgid)
{
	for (struct proc *p = procs[(unsigned)tgid % NBUCKETS]; p; p = p->next)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

static void proc_unlink_locked(struct proc *p)
{
	struct proc **pp = &procs[(unsigned)p->tgid % NBUCKETS];
	for (; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static void proc_put_locked(struct proc *p)
{
	if (--p->refs > 0)
		return;
	vcwd_release(&p->cwd);
	close_if(p->procfd);
	close_if(p->pidfd);
	free(p);
}

static struct proc *proc_new_locked(pid_t tgid, int procfd,
				    const struct vcwd *cwd, int pool_fds)
{
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	p->pool_fds = pool_fds;
	p->procfd = procfd;
	p->pidfd = open_pidfd(tgid, 0);
	p->refs = 1;  /* the table's */
	if (cwd && cwd->m) {
		p->cwd = *cwd;
		pf_file_ref(cwd->dir);
	}
	p->next = procs[(unsigned)tgid % NBUCKETS];
	procs[(unsigned)tgid % NBUCKETS] = p;
	return p;
}

static pid_t read_ppid(int procfd)
{
	struct thread tmp;
	pid_t ppid = 0;
	memset(&tmp, 0, sizeof(tmp));
	read_status(procfd, &tmp, &ppid, NULL);
	return ppid;
}

/*
 * The entry of process tgid, made if missing: a process that never made a
 * cwd-dependent call has no entry yet, so the chain of ancestors is walked
 * up to the first known one (or one we did not start), and entries are
 * made top-down, each inheriting its parent's cwd. Caller holds tab_lock.
 */
static struct proc *proc_get_locked(pid_t tgid, int depth)
{
	struct proc *p = proc_find_locked(tgid);
	if (p && !cache_alive(p->procfd, p->pidfd, &p->alive_ns)) {
		proc_unlink_locked(p);
		proc_put_locked(p);
		p = NULL;
	}
	if (p)
		return p;
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", (int)tgid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	pid_t ppid = read_ppid(fd);
	struct proc *parent = NULL;
	if (ppid > 1 && ppid != getpid() && depth < 64)
		parent = proc_get_locked(ppid, depth + 1);
	/* a child has its parent's fds; an orphan (reparented to us) or a
	 * process whose parent we could not follow may have pool fds */
	int pool_fds = parent ?
		__atomic_load_n(&parent->pool_fds, __ATOMIC_SEQ_CST) :
		tgid != root_tgid;
	p = proc_new_locked(tgid, fd, parent ? &parent->cwd : NULL, pool_fds);
	if (!p)
		close(fd);
	return p;
}

struct proc *call_proc(struct call *c)
{
	if (c->proc)
		return c->proc;
	struct thread *t = thread_get(c);
	if (!t)
		return NULL;
	pthread_mutex_lock(&tab_lock);
	struct proc *p = proc_get_locked(t->tgid, 0);
	if (p)
		p->refs++;
	pthread_mutex_unlock(&tab_lock);
	c->proc = p;
	return p;
}

void call_hold(struct call *c, pf_file *f)
{
	if (c->nheld < 4)
		c->held[c->nheld++] = f;
}

void call_end(struct call *c)
{
	while (c->nheld > 0)
		pf_close(c->held[--c->nheld]);
	if (c->proc) {
		pthread_mutex_lock(&tab_lock);
		proc_put_locked(c->proc);
		pthread_mutex_unlock(&tab_lock);
		c->proc = NULL;
	}
}

pid_t proc_tgid(const struct proc *p)
{
	return p->tgid;
}

mode_t call_umask(struct call *c)
{
	struct proc *p = call_proc(c);
	if (!p)
		return 022;
	/* umask and umask_valid: one word each, read and written atomically
	 * (threads of a process share them; a stale read costs a re-read) */
	if (!__atomic_load_n(&p->umask_valid, __ATOMIC_ACQUIRE)) {
		struct thread tmp;
		mode_t m = 022;
		memset(&tmp, 0, sizeof(tmp));
		if (read_status(call_procfd(c), &tmp, NULL, &m) == 0) {
			__atomic_store_n(&p->umask, m, __ATOMIC_RELAXED);
			__atomic_store_n(&p->umask_valid, 1, __ATOMIC_RELEASE);
		}
		return m;
	}
	return __atomic_load_n(&p->umask, __ATOMIC_RELAXED);
}

void call_forget_umask(struct call *c)
{
	struct proc *p = call_proc(c);
	if (p)
		__atomic_store_n(&p->umask_valid, 0, __ATOMIC_RELEASE);
}

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

/* Gives each not-yet-seen child of p its own copy of p's cwd. */
static void pin_children_locked(struct proc *p)
{
	DIR *d = NULL;
	int tfd = openat(p->procfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd >= 0)
		d = fdopendir(tfd);
	if (!d) {
		if (tfd >= 0)
			close(tfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[300];
		snprintf(path, sizeof(path), "%s/children", de->d_name);
		int fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		for (char *s = buf, *end; *s; s = end) {
			long pid = strtol(s, &end, 10);
			if (end == s)
				break;
			if (proc_find_locked((pid_t)pid))
				continue;
			snprintf(path, sizeof(path), "/proc/%ld", pid);
			int cfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (cfd >= 0)
				proc_new_locked((pid_t)pid, cfd, &p->cwd,
					__atomic_load_n(&p->pool_fds,
							__ATOMIC_SEQ_CST));
		}
	}
	closedir(d);
}

void proc_set_cwd(struct call *c, struct proc *p, struct vcwd *in)
{
	pthread_mutex_lock(&tab_lock);
	pin_children_locked(p);
	struct vcwd old = p->cwd;
	p->cwd = *in;
	pthread_mutex_unlock(&tab_lock);
	vcwd_release(&old);
	in->m = NULL;
	in->dir = NULL;
}

void proc_exit(struct call *c)
{
	struct proc *p = call_proc(c);
	if (!p)
		return;
	pthread_mutex_lock(&tab_lock);
	pin_children_locked(p);
	if (proc_find_locked(p->tgid) == p) {
		proc_unlink_locked(p);
		proc_put_locked(p);  /* the table's reference */
	}
	pthread_mutex_unlock(&tab_lock);
}

/* Drops every process (shutdown, before pools close). */
void proc_clear_all(void)
{
	pthread_mutex_lock(&tab_lock);
	for (int i = 0; i < NBUCKETS; i++) {
		while (procs[i]) {
			struct proc *p = procs[i];
			procs[i] = p->next;
			proc_put_locked(p);
		}
		while (threads[i]) {
			struct thread *t = threads[i];
			threads[i] = t->next;
			close(t->procfd);
			close_if(t->pidfd);
			free(t);
		}
	}
	pthread_mutex_unlock(&tab_lock);
}

int proc_cwd_of(pid_t pid, struct vcwd *out)
{
	int ret = 1;
	pthread_mutex_lock(&tab_lock);
	struct proc *p = proc_find_locked(pid);
	if (p && p->cwd.m) {
		out->m = p->cwd.m;
		out->dir = pf_file_ref(p->cwd.dir);
		memcpy(out->path, p->cwd.path, strlen(p->cwd.path) + 1);
		ret = 0;
	}
	pthread_mutex_unlock(&tab_lock);
	return ret;
}
