/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File leases (fcntl F_SETLEASE, F_GETLEASE) on pool files, for the whole
 * tree, with fs/locks.c's rules: one entry per (pool inode, holder
 * description), its type, and the break in progress (unlock or downgrade
 * pending, with its deadline from /proc/sys/fs/lease-break-time).
 *
 * A conflicting open or a truncate of the inode (lease_break_path, before
 * the call reaches core) marks the leases it conflicts with as breaking
 * and signals each holder's owner (sigio.c: the kernel's own SIGIO or
 * F_SETSIG signal with si_fd). An O_NONBLOCK opener gets EWOULDBLOCK; any
 * other waits on a thread of its own, not a worker: it answers
 * -ERESTARTSYS when the caller has a signal to take (EINTR, or a restart
 * with SA_RESTART), and when no lease is in the way any more (released,
 * downgraded, or removed by force at its deadline, as time_out_leases
 * does) the call is served again from the start.
 *
 * Nothing is looked up while no lease exists (nleases).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "notify.h"
#include "locks.h"

#define PF_ERESTARTSYS 512
#define SC_CAP_LEASE (1ULL << 28)

void (*sc_serve_again)(const struct seccomp_notif *req, int listener);

struct lease {
	const struct mount *m;
	uint64_t ino; /* the pool inode */
	const struct ofd *o; /* the holder: an open file description */
	uint64_t ph; /* its placeholder's inode */
	int type; /* F_RDLCK or F_WRLCK */
	int unlock_pending; /* FL_UNLOCK_PENDING, until break_time */
	int downgrade_pending; /* FL_DOWNGRADE_PENDING, until downgrade_time */
	int64_t break_time, downgrade_time; /* ns, CLOCK_MONOTONIC; 0: none */
	pid_t tgid; /* who set it last, through fd: the */
	int fd; /* signal's si_fd */
	struct lease *next;
};

static pthread_mutex_t ls_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ls_changed = PTHREAD_COND_INITIALIZER;
static struct lease *leases;
static int nleases;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* fs/locks.c past_time: 0 is "no deadline" (lease-break-time 0) */
static int past(int64_t t, int64_t now)
{
	return t != 0 && now >= t;
}

static void lease_free_locked(struct lease *l)
{
	for (struct lease **pp = &leases; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	free(l);
	__atomic_sub_fetch(&nleases, 1, __ATOMIC_RELAXED);
}

/* lease_modify: the new type, and the pending breaks it settles. */
static void modify_locked(struct lease *l, int arg)
{
	if (arg == F_UNLCK) {
		lease_free_locked(l);
		return;
	}
	l->type = arg;
	if (arg == F_RDLCK) {
		l->downgrade_pending = 0;
		l->downgrade_time = 0;
	}
}

/* time_out_leases */
static void expire_locked(void)
{
	int64_t now = now_ns();
	struct lease *next;
	for (struct lease *l = leases; l; l = next) {
		next = l->next;
		if (l->downgrade_pending && past(l->downgrade_time, now))
			modify_locked(l, F_RDLCK);
		if (l->unlock_pending && past(l->break_time, now))
			modify_locked(l, F_UNLCK);
	}
}

/* target_leasetype: what the holder must go to during a break */
static int target_type(const struct lease *l)
{
	if (l->unlock_pending)
		return F_UNLCK;
	if (l->downgrade_pending)
		return F_RDLCK;
	return l->type;
}

static int conflicts(const struct lease *l, const struct mount *m, uint64_t ino,
		     int want_write)
{
	return l->m == m && l->ino == ino && (want_write || l->type == F_WRLCK);
}

static int any_conflict_locked(const struct mount *m, uint64_t ino,
			       int want_write)
{
	for (struct lease *l = leases; l; l = l->next)
		if (conflicts(l, m, ino, want_write))
			return 1;
	return 0;
}

static struct lease *mine_locked(const struct ofd *o)
{
	for (struct lease *l = leases; l; l = l->next)
		if (l->o == o)
			return l;
	return NULL;
}

long lease_get(struct ofd *o)
{
	if (!__atomic_load_n(&nleases, __ATOMIC_RELAXED))
		return F_UNLCK;
	pthread_mutex_lock(&ls_lock);
	expire_locked();
	struct lease *l = mine_locked(o);
	int r = l ? target_type(l) : F_UNLCK;
	pthread_mutex_unlock(&ls_lock);
	return r;
}

static int add_or_remove(struct ofd *o, const struct pf_stat *st, pid_t tgid,
			 int fd, int arg);

long lease_set(struct call *c, struct ofd *o, int fd, int arg)
{
	if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
		return -EINVAL; /* lease_alloc's assign_type */
	struct pf_caller *pc = call_caller(c);
	struct proc *pr = pc ? call_proc(c) : NULL;
	if (!pr)
		return call_who_err(c);
	pid_t tgid = proc_tgid(pr);
	struct pf_stat st;
	int r = pf_fstat(o->m->pool, o->file, &st);
	if (r < 0)
		return r;
	/* generic_setlease */
	if (st.uid != pc->fsuid && !(pc->caps & SC_CAP_LEASE))
		return -EACCES;
	if (!S_ISREG(st.mode))
		return -EINVAL;
	/* a read lease on a descriptor open for writing: nothing to wait for */
	if (arg == F_RDLCK &&
	    (pf_file_get_flags(o->file) & O_ACCMODE) != O_RDONLY)
		return -EAGAIN;
	/* a last close not yet told may be what is in the way (inotify
	 * not read, or a worker, descheduled, still holding its copy of the
	 * placeholder): read them, then look again for up to 20 ms, as
	 * exec's writers check does; a real EAGAIN costs those 20 ms */
	for (int pass = 0;; pass++) {
		r = add_or_remove(o, &st, tgid, fd, arg);
		if (r != -EAGAIN || arg == F_UNLCK || pass == 20)
			break;
		if (pass > 0)
			usleep(1000); /* as exec's writers check */
		sc_ofd_events();
	}
	/* lease_setup: the description's owner is the caller, unless it
	 * has one */
	if (r == 0 && arg != F_UNLCK)
		sigio_own_default(c, fd, tgid);
	return r;
}

/* generic_add_lease, generic_delete_lease */
static int add_or_remove(struct ofd *o, const struct pf_stat *st, pid_t tgid,
			 int fd, int arg)
{
	int r = 0;
	if (arg != F_UNLCK) {
		/* check_conflicting_open, with the pool's opens */
		int others = 0, writers = 0;
		ofd_opens(o->m, st->ino, o, &others, &writers);
		if (arg == F_RDLCK ? writers > 0 : others > 0)
			return -EAGAIN;
	}
	pthread_mutex_lock(&ls_lock);
	expire_locked();
	struct lease *mine = mine_locked(o);
	if (arg == F_UNLCK) {
		/* none is EAGAIN */
		r = mine ? 0 : -EAGAIN;
		if (mine)
			modify_locked(mine, F_UNLCK);
		goto out;
	}
	/* no write lease beside another lease, no new lease while someone
	 * opens for writing */
	for (struct lease *l = leases; l; l = l->next) {
		if (l == mine || l->m != o->m || l->ino != st->ino)
			continue;
		if (arg == F_WRLCK || l->unlock_pending) {
			r = -EAGAIN;
			goto out;
		}
	}
	if (!mine) {
		mine = calloc(1, sizeof(*mine));
		if (!mine) {
			r = -ENOLCK;
			goto out;
		}
		mine->m = o->m;
		mine->ino = st->ino;
		mine->o = o;
		mine->ph = o->ino;
		mine->next = leases;
		leases = mine;
		__atomic_add_fetch(&nleases, 1, __ATOMIC_RELAXED);
	}
	modify_locked(mine, arg);
	mine->tgid = tgid;
	mine->fd = fd;
out:
	pthread_cond_broadcast(&ls_changed);
	pthread_mutex_unlock(&ls_lock);
	return r;
}

void lease_ofd_gone(struct ofd *o)
{
	if (!__atomic_load_n(&nleases, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&ls_lock);
	struct lease *l;
	while ((l = mine_locked(o)))
		lease_free_locked(l);
	pthread_cond_broadcast(&ls_changed);
	pthread_mutex_unlock(&ls_lock);
}

/* /proc/sys/fs/lease-break-time, in ns from now (0: none) */
static int64_t break_deadline(void)
{
	long secs = 45;
	FILE *f = fopen("/proc/sys/fs/lease-break-time", "re");
	if (f) {
		if (fscanf(f, "%ld", &secs) != 1)
			secs = 45;
		fclose(f);
	}
	return secs > 0 ? now_ns() + secs * 1000000000LL : 0;
}

struct sig_to {
	pid_t tgid;
	int fd;
	uint64_t ph;
};

/*
 * Is a lease in the way? Its description may have had its last close
 * already, not yet told (inotify, or a worker still dropping its copy of
 * the placeholder): while a conflicting lease's holder no longer has the
 * fd it took the lease through, look again for up to 20 ms, as exec's
 * writers check does. A holder that still has it is in the way at once.
 */
static int lease_in_way(const struct mount *m, uint64_t ino, int want_write)
{
	for (int i = 0;; i++) {
		struct sig_to h[16];
		int n = 0, r = 0;
		pthread_mutex_lock(&ls_lock);
		expire_locked();
		for (struct lease *l = leases; l; l = l->next)
			if (conflicts(l, m, ino, want_write)) {
				r = 1;
				if (n < 16)
					h[n++] =
						(struct sig_to){ l->tgid, l->fd,
								 l->ph };
			}
		pthread_mutex_unlock(&ls_lock);
		if (!r || i == 20)
			return r;
		for (int k = 0; k < n; k++)
			if (sigio_fd_names(h[k].tgid, h[k].fd, h[k].ph))
				return 1;
		if (i > 0)
			usleep(1000);
		sc_ofd_events();
	}
}

/* __break_lease's first part: marks the conflicting leases as breaking
 * and signals their holders (those not already breaking that way). 0 if
 * nothing is in the way, 1 if something is. */
static int start_break(const struct mount *m, uint64_t ino, int want_write)
{
	struct sig_to to[64];
	int nto = 0;
	pthread_mutex_lock(&ls_lock);
	expire_locked();
	if (!any_conflict_locked(m, ino, want_write)) {
		pthread_mutex_unlock(&ls_lock);
		return 0;
	}
	int64_t t = break_deadline();
	for (struct lease *l = leases; l; l = l->next) {
		if (!conflicts(l, m, ino, want_write))
			continue;
		if (want_write) {
			if (l->unlock_pending)
				continue;
			l->unlock_pending = 1;
			l->break_time = t;
		} else {
			if (l->unlock_pending || l->downgrade_pending)
				continue;
			l->downgrade_pending = 1;
			l->downgrade_time = t;
		}
		if (nto < (int)(sizeof(to) / sizeof(to[0])))
			to[nto++] = (struct sig_to){ l->tgid, l->fd, l->ph };
	}
	pthread_mutex_unlock(&ls_lock);
	for (int i = 0; i < nto; i++) {
		int r = sigio_send_to(to[i].tgid, to[i].fd, to[i].ph, 0);
		if (r < 0 && r != -ESRCH && r != -EBADF)
			sc_log(SC_LOG_DEBUG, "lease break signal to %d: %s",
			       (int)to[i].tgid, strerror(-r));
	}
	return 1;
}

struct breaker {
	struct seccomp_notif req;
	int listener;
	int status_fd;
	const struct mount *m;
	uint64_t ino;
	int want_write;
};

static void *break_wait(void *arg)
{
	struct breaker *b = arg;
	long ret = 0;
	pthread_mutex_lock(&ls_lock);
	for (;;) {
		expire_locked();
		if (!any_conflict_locked(b->m, b->ino, b->want_write))
			break;
		/* 1: the caller is gone */
		ret = sc_wait_tick(&ls_changed, &ls_lock, b->listener,
				   b->req.id, b->status_fd);
		pthread_mutex_lock(&ls_lock);
		if (ret)
			break;
	}
	pthread_mutex_unlock(&ls_lock);
	if (ret < 0) {
		struct seccomp_notif_resp resp = { .id = b->req.id,
						   .error = (int)ret };
		ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	} else if (ret == 0) {
		/* __break_lease is done: the open (or truncate) goes on,
		 * looked at afresh */
		sc_serve_again(&b->req, b->listener);
	}
	if (b->status_fd >= 0)
		close(b->status_fd);
	free(b);
	return NULL;
}

static long wait_async(struct call *c, const struct mount *m, uint64_t ino,
		       int want_write)
{
	if (!sc_serve_again)
		return -EWOULDBLOCK;
	struct breaker *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->req = *c->req;
	b->listener = c->listener;
	b->m = m;
	b->ino = ino;
	b->want_write = want_write;
	int pfd = call_procfd(c);
	b->status_fd =
		pfd >= 0 ? openat(pfd, "status", O_RDONLY | O_CLOEXEC) : -1;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&t, &attr, break_wait, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e != 0) {
		if (b->status_fd >= 0)
			close(b->status_fd);
		free(b);
		return -ENOMEM;
	}
	return CALL_ASYNC;
}

long lease_break_path(struct call *c, const struct vpath *p,
		      struct pf_caller *pc, int flags)
{
	if (!__atomic_load_n(&nleases, __ATOMIC_RELAXED) || (flags & O_PATH))
		return 0;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return 0; /* a new file, or EEXIST first */
	pf_file *f;
	if (pf_openat(p->m->pool, pc, p->dir, p->path,
		      O_PATH | (flags & O_NOFOLLOW), 0, &f) < 0)
		return 0; /* missing, escaping...: the real call says */
	struct pf_stat st;
	long r = 0;
	int want_write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if (pf_fstat(p->m->pool, f, &st) == 0 && S_ISREG(st.mode)) {
		/* an open that fails its permission check breaks nothing:
		 * may_open comes before break_lease */
		int acc = ((flags & O_ACCMODE) != O_WRONLY ? R_OK : 0) |
			(want_write ? W_OK : 0);
		if (pf_faccessat(p->m->pool, pc, f, "", acc, AT_EMPTY_PATH) ==
			    0 &&
		    lease_in_way(p->m, st.ino, want_write) &&
		    start_break(p->m, st.ino, want_write)) {
			r = flags & O_NONBLOCK ?
				-EWOULDBLOCK :
				wait_async(c, p->m, st.ino, want_write);
		}
	}
	pf_close(f);
	return r;
}
