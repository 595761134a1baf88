/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Advisory locks: fcntl record locks (owner: the process), OFD locks and
 * flock (owner: the open file description), across every process of the
 * tree. One list under one mutex; waiters sleep on one condition variable.
 *
 * Record and OFD locks of a file are kept in the order Linux keeps them
 * (fs/locks.c), because F_GETLK reports the first lock that blocks: each
 * owner's locks together, sorted by start, never overlapping, adjacent or
 * overlapping ones of one type merged; an owner that had none on the file
 * goes after the others.
 *
 * A blocking request (F_SETLKW, F_OFD_SETLKW, flock without LOCK_NB) that
 * cannot be granted at once is handed to a thread of its own, which answers
 * the notification when the lock is granted, or with EDEADLK, or with
 * -ERESTARTSYS when the waiting thread has a signal to take (below), and
 * stops when the target is gone (ID_VALID), so no worker is tied up.
 *
 * Release at close: see lockholder.c (the first close of any fd) and
 * lock_ofd_gone (the last close of a description).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "locks.h"
#include "lockholder.h"

/* The kernel's "restart or EINTR" (include/linux/errno.h): as the answer
 * to a notification, the returning thread takes its signal, then the call
 * fails with EINTR or is restarted (SA_RESTART, no handler, a stop) as a
 * native interrupted wait is. */
#define PF_ERESTARTSYS 512
/* How often a waiter looks at its thread's signals and at closed fds. */
#define WAIT_POLL_NS (10 * 1000 * 1000)
/* fs/locks.c MAX_DEADLK_ITERATIONS */
#define DEADLK_MAX 10

enum lk_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct lk {
	const struct mount *m;
	uint64_t ino;
	enum lk_kind kind;
	int type;              /* F_RDLCK or F_WRLCK */
	int64_t start, end;    /* inclusive; end INT64_MAX: to EOF and beyond */
	pid_t pid;             /* POSIX: owner process */
	const void *ofd;       /* OFD/flock: owner description */
	struct lk *next;
};

struct req {
	const struct mount *m;
	uint64_t ino;
	enum lk_kind kind;
	int type;
	int64_t start, end;
	pid_t pid;
	const void *ofd;
	int fd; /* POSIX: the fd it came through */
	uint64_t ph; /* ...and its placeholder (struct ofd's phid) */
};

struct waiter {
	struct req r;
	int listener;
	uint64_t id;
	pid_t tid;
	int status_fd; /* /proc/TID/status of the waiting thread */
	/* the owner of the lock it waits for (deadlock detection) */
	enum lk_kind bkind;
	pid_t bpid;
	struct waiter *next;
};

static pthread_mutex_t lk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lk_changed = PTHREAD_COND_INITIALIZER;
static struct lk *locks;
static int nlocks;
static struct holder *holders; /* under lk_lock */
static unsigned holder_gen;
static struct waiter *waiters; /* under lk_lock */

static int same_owner_lk(const struct lk *a, enum lk_kind kind, pid_t pid,
			 const void *ofd)
{
	if (a->kind == LK_POSIX)
		return kind == LK_POSIX && a->pid == pid;
	return kind != LK_POSIX && a->ofd == ofd;
}

static int same_owner(const struct lk *l, const struct req *r)
{
	return same_owner_lk(l, r->kind, r->pid, r->ofd);
}

static int same_file(const struct lk *l, const struct req *r)
{
	return l->m == r->m && l->ino == r->ino &&
		(l->kind == LK_FLOCK) == (r->kind == LK_FLOCK);
}

static int pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

static void count(int d)
{
	__atomic_add_fetch(&nlocks, d, __ATOMIC_RELAXED);
}

/* First lock conflicting with r, in the list's order. Caller holds
 * lk_lock. */
static struct lk *conflict_locked(const struct req *r)
{
	for (struct lk *l = locks; l; l = l->next) {
		if (!same_file(l, r) || same_owner(l, r))
			continue;
		if (l->end < r->start || r->end < l->start)
			continue;
		if (l->type == F_RDLCK && r->type == F_RDLCK)
			continue;
		if (l->kind == LK_POSIX && !pid_alive(l->pid))
			continue;  /* killed owner: lock_exit never ran */
		return l;
	}
	return NULL;
}

static struct lk *lk_new(const struct req *r, int type, int64_t s, int64_t e)
{
	struct lk *l = malloc(sizeof(*l));
	if (!l)
		return NULL;
	*l = (struct lk){ .m = r->m,
			  .ino = r->ino,
			  .kind = r->kind,
			  .type = type,
			  .start = s,
			  .end = e,
			  .pid = r->pid,
			  .ofd = r->ofd };
	return l;
}

/*
 * A record or OFD lock request (F_UNLCK too) that conflicts with nobody:
 * the owner's locks on the file become what fs/locks.c's posix_lock_inode
 * makes of them, in place of its first old one (or last in the list).
 * Caller holds lk_lock. 0 or -ENOLCK (nothing changed).
 */
static int posix_apply_locked(const struct req *r)
{
	/* the owner's locks on the file, out of the list */
	struct lk *mine = NULL, **mt = &mine, **at = NULL, **pp;
	for (pp = &locks; *pp;) {
		struct lk *l = *pp;
		if (same_file(l, r) && same_owner(l, r)) {
			if (!at)
				at = pp;
			*pp = l->next;
			*mt = l;
			mt = &l->next;
			*mt = NULL;
		} else {
			pp = &l->next;
		}
	}
	/* what stays of each, and the new lock grown by what it absorbs */
	int64_t s = r->start, e = r->end;
	struct lk *keep = NULL, *extra[2] = { NULL, NULL };
	int ret = 0;
	for (struct lk *l = mine, *next; l; l = next) {
		next = l->next;
		int touches = r->type == l->type ?
			!(l->end < s - 1 || l->start - 1 > e) :
			!(l->end < r->start || l->start > r->end);
		if (r->type == l->type && touches) {
			/* adjacent or overlapping, one type: merge */
			if (l->start < s)
				s = l->start;
			if (l->end > e)
				e = l->end;
			free(l);
			count(-1);
			continue;
		}
		if (!touches) {
			l->next = keep;
			keep = l;
			continue;
		}
		/* another type (or unlock) over part of it */
		if (l->start < r->start && l->end > r->end) {
			struct lk *tail =
				lk_new(r, l->type, r->end + 1, l->end);
			if (!tail) {
				ret = -ENOLCK;
				tail = NULL;
			} else {
				tail->kind = l->kind;
				extra[0] = tail;
				count(1);
				l->end = r->start - 1;
			}
		} else if (l->start < r->start) {
			l->end = r->start - 1;
		} else if (l->end > r->end) {
			l->start = r->end + 1;
		} else {
			free(l);
			count(-1);
			continue;
		}
		l->next = keep;
		keep = l;
	}
	if (r->type != F_UNLCK && ret == 0) {
		extra[1] = lk_new(r, r->type, s, e);
		if (!extra[1])
			ret = -ENOLCK;
		else
			count(1);
	}
	for (int i = 0; i < 2; i++)
		if (extra[i]) {
			extra[i]->next = keep;
			keep = extra[i];
		}
	/* sorted by start (insertion sort: an owner has few locks) */
	struct lk *sorted = NULL;
	while (keep) {
		struct lk *l = keep;
		keep = l->next;
		struct lk **sp = &sorted;
		while (*sp && (*sp)->start < l->start)
			sp = &(*sp)->next;
		l->next = *sp;
		*sp = l;
	}
	if (!at) {
		for (at = &locks; *at; at = &(*at)->next)
			;
	}
	if (sorted) {
		struct lk *last = sorted;
		while (last->next)
			last = last->next;
		last->next = *at;
		*at = sorted;
	}
	pthread_cond_broadcast(&lk_changed);
	return ret;
}

/* flock: one lock per description over the whole file. Caller holds
 * lk_lock. */
static int flock_apply_locked(const struct req *r)
{
	for (struct lk **pp = &locks; *pp; pp = &(*pp)->next) {
		struct lk *l = *pp;
		if (same_file(l, r) && same_owner(l, r)) {
			*pp = l->next;
			free(l);
			count(-1);
			break;
		}
	}
	pthread_cond_broadcast(&lk_changed);
	if (r->type == F_UNLCK)
		return 0;
	struct lk *l = lk_new(r, r->type, 0, INT64_MAX);
	if (!l)
		return -ENOLCK;
	l->next = locks;
	locks = l;
	count(1);
	return 0;
}

static int apply_locked(const struct req *r)
{
	return r->kind == LK_FLOCK ? flock_apply_locked(r) :
				     posix_apply_locked(r);
}

int lock_any(void)
{
	return __atomic_load_n(&nlocks, __ATOMIC_RELAXED) > 0;
}

/* ---- owners' fds: release at the first close (lockholder.c) ------------- */

static int owner_has_locks_locked(pid_t pid, const struct mount *m,
				  uint64_t ino)
{
	for (struct lk *l = locks; l; l = l->next)
		if (l->kind == LK_POSIX && l->pid == pid && l->m == m &&
		    l->ino == ino)
			return 1;
	return 0;
}

static struct holder **holder_find_locked(pid_t pid, const struct mount *m,
					  uint64_t ino)
{
	struct holder **hp;
	for (hp = &holders; *hp; hp = &(*hp)->next)
		if ((*hp)->pid == pid && (*hp)->m == m && (*hp)->ino == ino)
			break;
	return hp;
}

static void holder_unlist_locked(struct holder **hp)
{
	struct holder *h = *hp;
	*hp = h->next;
	h->listed = 0;
	holder_put(h);
}

static void drop_posix_locked(pid_t pid, const struct mount *m, uint64_t ino)
{
	for (struct lk **pp = &locks; *pp;) {
		struct lk *l = *pp;
		if (l->kind == LK_POSIX && l->pid == pid && l->m == m &&
		    l->ino == ino) {
			*pp = l->next;
			free(l);
			count(-1);
		} else {
			pp = &l->next;
		}
	}
	pthread_cond_broadcast(&lk_changed);
}

/*
 * Has owner pid closed an fd of (m, ino) since it locked? Then its record
 * locks on the file go. With `rescan`, its fds of the file are also read
 * again (for another process's owner: one it opened or dup'ed since, and
 * closed before the next look, would be missed; an owner's own new fds
 * are noted by its requests and opens). Takes lk_lock (not held by the
 * caller).
 */
static void reconcile(const struct mount *m, uint64_t ino, pid_t pid,
		      int rescan)
{
	pthread_mutex_lock(&lk_lock);
	struct holder *h = *holder_find_locked(pid, m, ino);
	if (h)
		__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	unsigned gen = h ? h->gen : 0;
	pthread_mutex_unlock(&lk_lock);
	if (!h)
		return;
	int closed = holder_closed_one(h);
	int fd[HOLDER_FDS], k = 0;
	uint64_t ph[HOLDER_FDS];
	if (!closed && rescan && h->n < HOLDER_FDS)
		k = holder_new_fds(h, fd, ph, HOLDER_FDS - h->n);
	pthread_mutex_lock(&lk_lock);
	if (h->listed && h->gen == gen) {
		if (closed) {
			drop_posix_locked(pid, m, ino);
			holder_unlist_locked(holder_find_locked(pid, m, ino));
		} else if (k > 0) {
			for (int j = 0; j < k && h->n < HOLDER_FDS; j++) {
				h->fd[h->n] = fd[j];
				h->ph[h->n++] = ph[j];
			}
			h->gen = ++holder_gen;
		}
	}
	pthread_mutex_unlock(&lk_lock);
	holder_put(h);
}

/*
 * The first lock in r's way, with lk_lock held on return (NULL: none).
 * The owner of a record lock in the way is first asked whether it still
 * holds its fds of the file (reconcile), once per owner.
 */
static struct lk *conflict_checked(const struct req *r)
{
	pid_t seen[8];
	int n = 0;
	for (;;) {
		pthread_mutex_lock(&lk_lock);
		struct lk *l = conflict_locked(r);
		if (!l || l->kind != LK_POSIX || n == 8 ||
		    !*holder_find_locked(l->pid, r->m, r->ino))
			return l;
		int again = 0;
		for (int i = 0; i < n; i++)
			again |= seen[i] == l->pid;
		if (again)
			return l;
		pid_t pid = seen[n++] = l->pid;
		pthread_mutex_unlock(&lk_lock);
		reconcile(r->m, r->ino, pid, 1);
	}
}

/*
 * After a record lock request of r's owner was applied: its holder is
 * made by a scan of its fds the first time, and the request's fd added
 * when it is new. The holder stays while the process lives or keeps its
 * fds, so that lock/unlock cycles do not scan again. Takes lk_lock.
 */
static void holder_after(const struct req *r)
{
	if (r->kind != LK_POSIX)
		return;
	pthread_mutex_lock(&lk_lock);
	struct holder **hp = holder_find_locked(r->pid, r->m, r->ino);
	if (*hp) {
		struct holder *h = *hp;
		int seen = 0;
		for (int i = 0; i < h->n && !seen; i++)
			seen = h->fd[i] == r->fd && h->ph[i] == r->ph;
		if (!seen && h->n < HOLDER_FDS && r->fd >= 0) {
			h->fd[h->n] = r->fd;
			h->ph[h->n++] = r->ph;
			h->gen = ++holder_gen;
		}
		pthread_mutex_unlock(&lk_lock);
		return;
	}
	int has = owner_has_locks_locked(r->pid, r->m, r->ino);
	pthread_mutex_unlock(&lk_lock);
	if (!has)
		return;
	struct holder *h = holder_scan(r->pid, r->m, r->ino);
	if (!h)
		return;
	pthread_mutex_lock(&lk_lock);
	hp = holder_find_locked(r->pid, r->m, r->ino);
	if (!*hp && owner_has_locks_locked(r->pid, r->m, r->ino)) {
		h->gen = ++holder_gen;
		h->listed = 1;
		h->next = holders;
		holders = h;
		h = NULL;
	}
	pthread_mutex_unlock(&lk_lock);
	holder_put(h);
}

/* ---- deadlock detection (POSIX locks between processes) ----------------- */

/*
 * Would r, waiting for blocker, close a cycle of processes each waiting
 * for a record lock of the next (fs/locks.c posix_locks_deadlock)? OFD
 * and flock requests are never checked, as in Linux. Caller holds lk_lock.
 */
static int deadlock_locked(const struct req *r, const struct lk *blocker)
{
	if (r->kind != LK_POSIX)
		return 0;
	enum lk_kind kind = blocker->kind;
	pid_t pid = blocker->pid;
	for (int i = 0; kind == LK_POSIX; i++) {
		struct waiter *w;
		for (w = waiters; w; w = w->next)
			if (w->r.kind == LK_POSIX && w->r.pid == pid)
				break;
		if (!w || i > DEADLK_MAX)
			return 0;
		kind = w->bkind;
		pid = w->bpid;
		if (kind == LK_POSIX && pid == r->pid)
			return 1;
	}
	return 0;
}

/* ---- waiting off the worker pool ---------------------------------------- */

static uint64_t status_mask(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

/*
 * Has the waiting thread a signal to take: pending for it or its process,
 * and not blocked? A caught one runs its handler (EINTR or a restart), a
 * stop stops it, as a native interruptible wait. (A fatal one kills the
 * process: the wait sees ID_VALID fail.)
 */
int sc_signal_pending(int status_fd)
{
	char buf[4096];
	ssize_t n = pread(status_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	uint64_t pend =
		status_mask(buf, "\nSigPnd:") | status_mask(buf, "\nShdPnd:");
	return (pend & ~status_mask(buf, "\nSigBlk:")) != 0;
}

long sc_wait_tick(pthread_cond_t *cv, pthread_mutex_t *mu, int listener,
		  uint64_t id, int status_fd)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += WAIT_POLL_NS;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cv, mu, &ts);
	pthread_mutex_unlock(mu);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return 1;
	if (status_fd >= 0 && sc_signal_pending(status_fd))
		return -PF_ERESTARTSYS;
	return 0;
}

static void waiter_unlist_locked(struct waiter *w)
{
	for (struct waiter **wp = &waiters; *wp; wp = &(*wp)->next)
		if (*wp == w) {
			*wp = w->next;
			break;
		}
}

static void waiter_free(struct waiter *w)
{
	if (w->status_fd >= 0)
		close(w->status_fd);
	free(w);
}

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	long ret;
	for (;;) {
		struct lk *l = conflict_checked(&w->r);
		if (!l) {
			ret = apply_locked(&w->r);
			break;
		}
		w->bkind = l->kind;
		w->bpid = l->pid;
		if (deadlock_locked(&w->r, l)) {
			ret = -EDEADLK;
			break;
		}
		/* 1: the target was killed while waiting */
		ret = sc_wait_tick(&lk_changed, &lk_lock, w->listener, w->id,
				   w->status_fd);
		if (ret) {
			pthread_mutex_lock(&lk_lock);
			break;
		}
	}
	waiter_unlist_locked(w);
	pthread_mutex_unlock(&lk_lock);
	if (ret == 1)
		goto out;
	if (ret == 0)
		holder_after(&w->r);
	struct seccomp_notif_resp resp = { .id = w->id };
	if (ret < 0)
		resp.error = (int)ret;
	if (ioctl(w->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && ret == 0) {
		/* granted to a caller that vanished: take it back */
		pthread_mutex_lock(&lk_lock);
		w->r.type = F_UNLCK;
		apply_locked(&w->r);
		pthread_mutex_unlock(&lk_lock);
		holder_after(&w->r);
	}
out:
	waiter_free(w);
	return NULL;
}

static long request(struct call *c, const struct req *r, int wait)
{
	long ret;
	for (int pass = 0;; pass++) {
		if (r->kind == LK_FLOCK) {
			pthread_mutex_lock(&lk_lock);
			/* a conversion drops the old lock first, even when
			 * the new one must wait or fails (flock(2)) */
			for (struct lk *l = locks; l; l = l->next)
				if (same_file(l, r) && same_owner(l, r) &&
				    l->type != r->type) {
					struct req un = *r;
					un.type = F_UNLCK;
					flock_apply_locked(&un);
					break;
				}
			pthread_mutex_unlock(&lk_lock);
		}
		struct lk *l = NULL;
		if (r->type == F_UNLCK)
			pthread_mutex_lock(&lk_lock);
		else
			l = conflict_checked(r);
		if (!l) {
			ret = apply_locked(r);
			pthread_mutex_unlock(&lk_lock);
			if (ret == 0)
				holder_after(r);
			return ret;
		}
		if (pass > 0) {
			/* lk_lock still held: the deadlock check and the
			 * waiter's entry are one step, as in Linux */
			if (!wait) {
				pthread_mutex_unlock(&lk_lock);
				return r->kind == LK_FLOCK ? -EWOULDBLOCK :
							     -EAGAIN;
			}
			if (deadlock_locked(r, l)) {
				pthread_mutex_unlock(&lk_lock);
				return -EDEADLK;
			}
			struct waiter *w = calloc(1, sizeof(*w));
			if (!w) {
				pthread_mutex_unlock(&lk_lock);
				return -ENOLCK;
			}
			w->r = *r;
			w->listener = c->listener;
			w->id = c->req->id;
			w->tid = c->tid;
			w->bkind = l->kind;
			w->bpid = l->pid;
			w->status_fd = -1;
			w->next = waiters;
			waiters = w;
			pthread_mutex_unlock(&lk_lock);
			/* not under lk_lock: the thread cache has locks of
			 * its own, and lock_exit runs under the process
			 * table's */
			int pfd = call_procfd(c);
			if (pfd >= 0)
				w->status_fd = openat(pfd, "status",
						      O_RDONLY | O_CLOEXEC);
			pthread_t t;
			pthread_attr_t attr;
			pthread_attr_init(&attr);
			pthread_attr_setdetachstate(&attr,
						    PTHREAD_CREATE_DETACHED);
			pthread_attr_setstacksize(&attr, 64 * 1024);
			int e = pthread_create(&t, &attr, wait_thread, w);
			pthread_attr_destroy(&attr);
			if (e != 0) {
				pthread_mutex_lock(&lk_lock);
				waiter_unlist_locked(w);
				pthread_mutex_unlock(&lk_lock);
				waiter_free(w);
				return -ENOLCK;
			}
			return CALL_ASYNC;
		}
		pthread_mutex_unlock(&lk_lock);
		/*
		 * A lock may have gone with a close that nothing reported
		 * yet: the last close of a description, which inotify
		 * reports (lock_ofd_gone) and the main loop may not have
		 * read yet: read it now, then look again.
		 */
		sc_ofd_events();
	}
}

static int file_ino(struct ofd *o, uint64_t *ino, int64_t *size)
{
	struct pf_stat st;
	int r = pf_fstat(o->m->pool, o->file, &st);
	if (r < 0)
		return r;
	*ino = st.ino;
	if (size)
		*size = (int64_t)st.size;
	return 0;
}

/* struct flock to an inclusive range, as fs/locks.c flock_to_posix_lock. */
static int flock_range(struct ofd *o, const struct flock *fl, int64_t size,
		       struct req *q)
{
	int64_t base;
	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = pf_lseek(o->m->pool, o->file, 0, SEEK_CUR); break;
	case SEEK_END: base = size; break;
	default: return -EINVAL;
	}
	if (base < 0)
		return (int)base;
	if (fl->l_start > INT64_MAX - base)
		return -EOVERFLOW;
	int64_t start = base + fl->l_start;
	if (start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > INT64_MAX - start)
			return -EOVERFLOW;
		q->start = start;
		q->end = start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return -EINVAL;
		q->start = start + fl->l_len;
		q->end = start - 1;
	} else {
		q->start = start;
		q->end = INT64_MAX;
	}
	return 0;
}

long lock_fcntl(struct call *c, struct ofd *o, int cmd)
{
	struct flock fl;
	int r = call_read(c, c->args[2], &fl, sizeof(fl));
	if (r < 0)
		return r;
	int ofdlk = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	if (ofdlk && fl.l_pid != 0)
		return -EINVAL;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	struct req q = { .m = o->m,
			 .kind = ofdlk ? LK_OFD : LK_POSIX,
			 .type = fl.l_type,
			 .ofd = o->file,
			 .fd = (int)c->args[0],
			 .ph = o->phid };
	int64_t size;
	r = file_ino(o, &q.ino, &size);
	if (r < 0)
		return r;
	r = flock_range(o, &fl, size, &q);
	if (r < 0)
		return r;
	if (!ofdlk) {
		struct proc *p = call_proc(c);
		if (!p)
			return call_who_err(c);
		q.pid = proc_tgid(p);
	}
	int acc = pf_file_get_flags(o->file) & O_ACCMODE;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (fl.l_type == F_UNLCK)
			return -EINVAL;
		sc_ofd_events();  /* closes that came just before: see request */
		if (!ofdlk)
			reconcile(q.m, q.ino, q.pid, 0);
		struct lk *l = conflict_checked(&q);
		if (l) {
			fl.l_type = (short)l->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = l->start;
			fl.l_len = l->end == INT64_MAX ? 0 : l->end - l->start + 1;
			fl.l_pid = l->kind == LK_POSIX ? l->pid : -1;
		} else {
			fl.l_type = F_UNLCK;
		}
		pthread_mutex_unlock(&lk_lock);
		return call_write(c, c->args[2], &fl, sizeof(fl));
	}
	if ((fl.l_type == F_RDLCK && acc == O_WRONLY) ||
	    (fl.l_type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	/* the caller's own locks first: gone if it closed an fd since */
	if (!ofdlk)
		reconcile(q.m, q.ino, q.pid, 0);
	return request(c, &q, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

long lock_flock(struct call *c, struct ofd *o, int op)
{
	struct req q = { .m = o->m,
			 .kind = LK_FLOCK,
			 .ofd = o->file,
			 .start = 0,
			 .end = INT64_MAX,
			 .fd = -1 };
	switch (op & ~LOCK_NB) {
	case LOCK_SH: q.type = F_RDLCK; break;
	case LOCK_EX: q.type = F_WRLCK; break;
	case LOCK_UN: q.type = F_UNLCK; break;
	default: return -EINVAL;
	}
	int r = file_ino(o, &q.ino, NULL);
	if (r < 0)
		return r;
	return request(c, &q, !(op & LOCK_NB));
}

static void drop_where(int (*match)(const struct lk *l, const void *arg),
		       const void *arg)
{
	pthread_mutex_lock(&lk_lock);
	for (struct lk **pp = &locks; *pp;) {
		struct lk *l = *pp;
		if (match(l, arg)) {
			*pp = l->next;
			free(l);
			count(-1);
		} else {
			pp = &l->next;
		}
	}
	pthread_cond_broadcast(&lk_changed);
	pthread_mutex_unlock(&lk_lock);
}

static int match_pid(const struct lk *l, const void *arg)
{
	return l->kind == LK_POSIX && l->pid == *(const pid_t *)arg;
}

static int match_ofd(const struct lk *l, const void *arg)
{
	return l->kind != LK_POSIX && l->ofd == arg;
}

void lock_exit(pid_t tgid)
{
	if (!lock_any())
		return;
	drop_where(match_pid, &tgid);
	pthread_mutex_lock(&lk_lock);
	for (struct holder **hp = &holders; *hp;) {
		if ((*hp)->pid == tgid)
			holder_unlist_locked(hp);
		else
			hp = &(*hp)->next;
	}
	pthread_mutex_unlock(&lk_lock);
}

void lock_fd_added(struct call *c, struct ofd *o, int fd)
{
	uint64_t ino;
	if (!lock_any() || file_ino(o, &ino, NULL) < 0)
		return;
	struct proc *p = call_proc(c);
	if (!p)
		return;
	pid_t pid = proc_tgid(p);
	pthread_mutex_lock(&lk_lock);
	struct holder *h = *holder_find_locked(pid, o->m, ino);
	if (h && h->n < HOLDER_FDS) {
		h->fd[h->n] = fd;
		h->ph[h->n++] = o->phid;
		h->gen = ++holder_gen;
	}
	pthread_mutex_unlock(&lk_lock);
}

/*
 * The last close of a description: its OFD and flock locks go. Record
 * locks of owners that closed an fd of the file go when they are next in
 * someone's way, or when their owner asks (reconcile): the waiters are
 * woken now. No /proc scan here: this runs under the description table's
 * lock at shutdown.
 */
void lock_ofd_gone(struct ofd *o)
{
	if (lock_any())
		drop_where(match_ofd, o->file);
}
