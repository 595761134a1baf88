/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Advisory locks: fcntl record locks (owner: the process), OFD locks and
 * flock (owner: the open file description), across every process of the
 * tree. One list under one mutex; waiters sleep on one condition variable.
 *
 * A blocking request (F_SETLKW, F_OFD_SETLKW, flock without LOCK_NB) that
 * cannot be granted at once is handed to a thread of its own, which answers
 * the notification when the lock is granted or stops when the target is
 * gone (ID_VALID), so no worker is tied up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "locks.h"

enum lk_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct lk {
	struct mount *m;
	uint64_t ino;
	enum lk_kind kind;
	int type;              /* F_RDLCK or F_WRLCK */
	int64_t start, end;    /* inclusive; end INT64_MAX: to EOF and beyond */
	pid_t pid;             /* POSIX: owner process */
	const void *ofd;       /* OFD/flock: owner description */
	struct lk *next;
};

static pthread_mutex_t lk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lk_changed = PTHREAD_COND_INITIALIZER;
static struct lk *locks;
static int nlocks;

struct req {
	struct mount *m;
	uint64_t ino;
	enum lk_kind kind;
	int type;
	int64_t start, end;
	pid_t pid;
	const void *ofd;
};

static int same_owner(const struct lk *l, const struct req *r)
{
	if (l->kind == LK_POSIX)
		return r->kind == LK_POSIX && l->pid == r->pid;
	return r->kind != LK_POSIX && l->ofd == r->ofd;
}

static int pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/* First lock conflicting with r. Caller holds lk_lock. */
static struct lk *conflict_locked(const struct req *r)
{
	for (struct lk *l = locks; l; l = l->next) {
		if (l->m != r->m || l->ino != r->ino)
			continue;
		if ((l->kind == LK_FLOCK) != (r->kind == LK_FLOCK))
			continue;  /* flock and record locks are independent */
		if (same_owner(l, r))
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

/* Removes owner's locks over [start, end], splitting partial overlaps. */
static int unlock_locked(const struct req *r)
{
	for (struct lk **pp = &locks; *pp;) {
		struct lk *l = *pp;
		if (l->m != r->m || l->ino != r->ino || !same_owner(l, r) ||
		    (l->kind == LK_FLOCK) != (r->kind == LK_FLOCK) ||
		    l->end < r->start || r->end < l->start) {
			pp = &l->next;
			continue;
		}
		if (l->start < r->start && l->end > r->end) {
			struct lk *tail = malloc(sizeof(*tail));
			if (!tail)
				return -ENOLCK;
			*tail = *l;
			tail->start = r->end + 1;
			l->end = r->start - 1;
			tail->next = l->next;
			l->next = tail;
			__atomic_add_fetch(&nlocks, 1, __ATOMIC_RELAXED);
			return 0;
		}
		if (l->start < r->start) {
			l->end = r->start - 1;
			pp = &l->next;
		} else if (l->end > r->end) {
			l->start = r->end + 1;
			pp = &l->next;
		} else {
			*pp = l->next;
			free(l);
			__atomic_sub_fetch(&nlocks, 1, __ATOMIC_RELAXED);
		}
	}
	return 0;
}

static int apply_locked(const struct req *r)
{
	int ret = unlock_locked(r);
	if (ret < 0 || r->type == F_UNLCK) {
		pthread_cond_broadcast(&lk_changed);
		return ret;
	}
	struct lk *l = malloc(sizeof(*l));
	if (!l)
		return -ENOLCK;
	l->m = r->m;
	l->ino = r->ino;
	l->kind = r->kind;
	l->type = r->type;
	l->start = r->start;
	l->end = r->end;
	l->pid = r->pid;
	l->ofd = r->ofd;
	l->next = locks;
	locks = l;
	__atomic_add_fetch(&nlocks, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&lk_changed);
	return 0;
}

int lock_any(void)
{
	return __atomic_load_n(&nlocks, __ATOMIC_RELAXED) > 0;
}

/* ---- waiting off the worker pool ---------------------------------------- */

struct waiter {
	struct req r;
	int listener;
	uint64_t id;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	long ret = -EINTR;
	pthread_mutex_lock(&lk_lock);
	for (;;) {
		if (!conflict_locked(&w->r)) {
			ret = apply_locked(&w->r);
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&lk_changed, &lk_lock, &ts);
		uint64_t id = w->id;
		if (ioctl(w->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
			goto gone;  /* the target was killed while waiting */
	}
	pthread_mutex_unlock(&lk_lock);
	struct seccomp_notif_resp resp = { .id = w->id };
	if (ret < 0)
		resp.error = (int)ret;
	if (ioctl(w->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && ret == 0) {
		/* granted to a caller that vanished: take it back */
		pthread_mutex_lock(&lk_lock);
		w->r.type = F_UNLCK;
		apply_locked(&w->r);
		pthread_mutex_unlock(&lk_lock);
	}
	free(w);
	return NULL;
gone:
	pthread_mutex_unlock(&lk_lock);
	free(w);
	return NULL;
}

static long request(struct call *c, const struct req *r, int wait)
{
	long ret;
	for (int pass = 0;; pass++) {
		pthread_mutex_lock(&lk_lock);
		struct lk *l = r->type == F_UNLCK ? NULL : conflict_locked(r);
		if (!l) {
			ret = apply_locked(r);
			pthread_mutex_unlock(&lk_lock);
			return ret;
		}
		pthread_mutex_unlock(&lk_lock);
		/*
		 * Every lock may go with the last close of a description,
		 * which inotify reports (lock_ofd_gone); the target may have
		 * closed it just before this call, and the main loop may not
		 * have read the event yet: read it now, then look again.
		 */
		if (pass > 0)
			break;
		sc_ofd_events();
	}
	if (!wait)
		return r->kind == LK_FLOCK ? -EWOULDBLOCK : -EAGAIN;
	struct waiter *w = malloc(sizeof(*w));
	if (!w)
		return -ENOLCK;
	w->r = *r;
	w->listener = c->listener;
	w->id = c->req->id;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&t, &attr, wait_thread, w) != 0) {
		pthread_attr_destroy(&attr);
		free(w);
		return -ENOLCK;
	}
	pthread_attr_destroy(&attr);
	return CALL_ASYNC;
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
	struct req q = { .m = o->m, .kind = ofdlk ? LK_OFD : LK_POSIX,
			 .type = fl.l_type, .ofd = o->file };
	int64_t size;
	r = file_ino(o, &q.ino, &size);
	if (r < 0)
		return r;
	int64_t base;
	switch (fl.l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = pf_lseek(o->m->pool, o->file, 0, SEEK_CUR); break;
	case SEEK_END: base = size; break;
	default: return -EINVAL;
	}
	int64_t start = base + fl.l_start;
	if (fl.l_len > 0) {
		q.start = start;
		q.end = start + fl.l_len - 1;
	} else if (fl.l_len < 0) {
		q.start = start + fl.l_len;
		q.end = start - 1;
	} else {
		q.start = start;
		q.end = INT64_MAX;
	}
	if (q.start < 0)
		return -EINVAL;
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
		pthread_mutex_lock(&lk_lock);
		struct lk *l = conflict_locked(&q);
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
	return request(c, &q, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

long lock_flock(struct call *c, struct ofd *o, int op)
{
	struct req q = { .m = o->m, .kind = LK_FLOCK, .ofd = o->file,
			 .start = 0, .end = INT64_MAX };
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
			__atomic_sub_fetch(&nlocks, 1, __ATOMIC_RELAXED);
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
	if (lock_any())
		drop_where(match_pid, &tgid);
}

struct pid_ino { pid_t pid; const struct mount *m; uint64_t ino; };

static int match_pid_ino(const struct lk *l, const void *arg)
{
	const struct pid_ino *a = arg;
	return l->kind == LK_POSIX && l->pid == a->pid && l->m == a->m &&
	       l->ino == a->ino;
}

/*
 * The last close of a description. Its OFD and flock locks go. Record
 * locks belong to processes, and POSIX drops a process's locks at its
 * first close of any fd of the file; but close is not trapped (a trapped
 * close interrupted by a signal before the supervisor takes it returns
 * EINTR without closing: dash then waits forever on the write end of its
 * own command-substitution pipe). So the record locks on the file of each
 * owner that holds no other fd of it go now: a process keeps its locks
 * while it has another fd of the file open (more locking than POSIX, never
 * less; sqlite never closes such an fd while it holds locks).
 */
void lock_ofd_gone(struct ofd *o)
{
	if (!lock_any())
		return;
	drop_where(match_ofd, o->file);
	uint64_t ino;
	if (file_ino(o, &ino, NULL) < 0)
		return;
	pid_t owners[64];
	int n = 0;
	pthread_mutex_lock(&lk_lock);
	for (struct lk *l = locks; l && n < 64; l = l->next) {
		if (l->kind != LK_POSIX || l->m != o->m || l->ino != ino)
			continue;
		int seen = 0;
		for (int i = 0; i < n && !seen; i++)
			seen = owners[i] == l->pid;
		if (!seen)
			owners[n++] = l->pid;
	}
	pthread_mutex_unlock(&lk_lock);
	for (int i = 0; i < n; i++) {
		struct pid_ino a = { owners[i], o->m, ino };
		if (!ofd_process_holds(owners[i], o->m, ino))
			drop_where(match_pid_ino, &a);
	}
}
