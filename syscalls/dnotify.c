/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Directory notification (fcntl F_NOTIFY, "dnotify") on pool directories,
 * for every process of the tree, as fs/notify/dnotify/dnotify.c keeps it:
 * one registration per (description, process), its DN_* events added up
 * by each request, cleared by an argument without events; the signal
 * (sigio.c: SIGIO or the F_SETSIG signal, si_fd the registering fd) goes
 * to the description's owner, which the request sets if it had none.
 * Without DN_MULTISHOT a registration goes after its first signal.
 *
 * Events come from one place: sc_dispatch, after any handler that served
 * a pool call with success, calls dnotify_after, which knows from the
 * syscall number what the call did (dn_ops) and to which names or fds,
 * and finds the directories concerned (the parent of each name, as
 * fsnotify_parent does, and a directory that is itself the object).
 * Nothing is looked at while no registration exists (ndn).
 *
 * A registration goes with its description's last close, with its
 * process, and when the fd it was made through no longer names the
 * description (Linux drops it at that fd's close: dnotify_flush).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "notify.h"

struct dn {
	const struct mount *m;
	uint64_t ino; /* the pool directory */
	const struct ofd *o; /* the description it was made on */
	uint64_t ph; /* its placeholder's inode */
	pid_t tgid; /* the process (Linux: its fd table) */
	int fd; /* si_fd */
	unsigned long mask; /* DN_* including DN_MULTISHOT */
	struct dn *next;
};

static pthread_mutex_t dn_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dn *dns;
static int ndn;

int dnotify_count(void)
{
	return __atomic_load_n(&ndn, __ATOMIC_RELAXED);
}

static void dn_unlink_locked(struct dn *d)
{
	for (struct dn **pp = &dns; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	free(d);
	__atomic_sub_fetch(&ndn, 1, __ATOMIC_RELAXED);
}

long dnotify_set(struct call *c, struct ofd *o, int fd, unsigned long arg)
{
	struct proc *pr = call_proc(c);
	if (!pr)
		return call_who_err(c);
	pid_t tgid = proc_tgid(pr);
	pthread_mutex_lock(&dn_lock);
	struct dn *d = dns;
	while (d && !(d->o == o && d->tgid == tgid))
		d = d->next;
	if ((arg & ~(unsigned long)DN_MULTISHOT) == 0) {
		/* clears, on any file (before the ENOTDIR check) */
		if (d)
			dn_unlink_locked(d);
		pthread_mutex_unlock(&dn_lock);
		return 0;
	}
	pthread_mutex_unlock(&dn_lock);
	struct pf_stat st;
	int r = pf_fstat(o->m->pool, o->file, &st);
	if (r < 0)
		return r;
	if (!S_ISDIR(st.mode))
		return -ENOTDIR;
	/* fcntl_dirnotify: __f_setown(filp, caller, PIDTYPE_TGID, 0) */
	sigio_own_default(c, fd, tgid);
	pthread_mutex_lock(&dn_lock);
	d = dns;
	while (d && !(d->o == o && d->tgid == tgid))
		d = d->next;
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d) {
			pthread_mutex_unlock(&dn_lock);
			return -ENOMEM;
		}
		d->m = o->m;
		d->ino = st.ino;
		d->o = o;
		d->ph = o->ino;
		d->tgid = tgid;
		d->next = dns;
		dns = d;
		__atomic_add_fetch(&ndn, 1, __ATOMIC_RELAXED);
	}
	/* attach_dn: the events add up; the fd is the latest */
	d->fd = fd;
	d->mask |= arg;
	pthread_mutex_unlock(&dn_lock);
	return 0;
}

void dnotify_ofd_gone(struct ofd *o)
{
	if (!dnotify_count())
		return;
	pthread_mutex_lock(&dn_lock);
	struct dn *next;
	for (struct dn *d = dns; d; d = next) {
		next = d->next;
		if (d->o == o)
			dn_unlink_locked(d);
	}
	pthread_mutex_unlock(&dn_lock);
}

struct fire {
	pid_t tgid;
	int fd;
	uint64_t ph;
	const struct ofd *o;
};

/* dnotify_handle_event for directory ino of m and events ev (DN_*). */
static void dn_event(const struct mount *m, uint64_t ino, unsigned long ev)
{
	struct fire f[32];
	int n = 0;
	pthread_mutex_lock(&dn_lock);
	struct dn *next;
	for (struct dn *d = dns; d && n < 32; d = next) {
		next = d->next;
		if (d->m != m || d->ino != ino || !(d->mask & ev))
			continue;
		f[n++] = (struct fire){ d->tgid, d->fd, d->ph, d->o };
		if (!(d->mask & DN_MULTISHOT))
			dn_unlink_locked(d);
	}
	pthread_mutex_unlock(&dn_lock);
	for (int i = 0; i < n; i++) {
		int r = sigio_send_to(f[i].tgid, f[i].fd, f[i].ph, 1);
		if (r != -EBADF && r != -ESRCH && r != -ENOENT)
			continue;
		/* its fd was closed, or its process is gone */
		pthread_mutex_lock(&dn_lock);
		for (struct dn *d = dns; d; d = d->next)
			if (d->o == f[i].o && d->tgid == f[i].tgid) {
				dn_unlink_locked(d);
				break;
			}
		pthread_mutex_unlock(&dn_lock);
	}
}

/* ---- what a served call did, and where ---------------------------------- */

/* The pool directory holding name s (relative to dirfd): 0 with *m and
 * *ino, or -1 (not in a pool, gone). */
static int parent_of(struct call *c, int dirfd, const char *s,
		     const struct mount **m, uint64_t *ino)
{
	char parent[PATH_MAX], abs[PATH_MAX];
	size_t len = strnlen(s, PATH_MAX - 1);
	memcpy(parent, s, len);
	parent[len] = 0;
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = 0;
	char *slash = strrchr(parent, '/');
	if (!slash)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = 0;
	else
		*slash = 0;
	struct pf_caller *pc = call_caller(c);
	struct vpath p;
	struct pf_stat st;
	if (!pc || vpath_classify(c, dirfd, parent, abs, &p) < 0 ||
	    p.kind != VP_POOL ||
	    pf_fstatat(p.m->pool, pc, p.dir, p.path, &st, 0) < 0 ||
	    !S_ISDIR(st.mode))
		return -1;
	*m = p.m;
	*ino = st.ino;
	return 0;
}

/* Events for the directory holding the name, or a directory that is the
 * object itself (fsnotify_parent and fsnotify_dentry's two marks). */
static void at_dir_of(struct call *c, int dirfd, const char *s,
		      unsigned long ev, int self_too)
{
	const struct mount *pm;
	uint64_t pino;
	if (parent_of(c, dirfd, s, &pm, &pino) == 0)
		dn_event(pm, pino, ev);
	struct pf_caller *pc = call_caller(c);
	if (!self_too || !pc)
		return;
	char abs[PATH_MAX];
	struct vpath p;
	struct pf_stat st;
	if (vpath_classify(c, dirfd, s, abs, &p) == 0 && p.kind == VP_POOL &&
	    pf_fstatat(p.m->pool, pc, p.dir, p.path, &st, 0) == 0 &&
	    S_ISDIR(st.mode))
		dn_event(p.m, st.ino, ev);
}

/* The same for the file behind the caller's fd. */
static void at_dir_of_fd(struct call *c, int fd, unsigned long ev)
{
	struct ofd *o;
	if (call_fd(c, fd, &o) != FD_POOL)
		return;
	struct pf_stat st;
	if (pf_fstat(o->m->pool, o->file, &st) == 0 && S_ISDIR(st.mode))
		dn_event(o->m, st.ino, ev);
	char path[PATH_MAX];
	if (pool_file_vpath(o->m, o->file, o->path, path, sizeof(path)) == 0 &&
	    strcmp(path, "/") != 0)
		at_dir_of(c, AT_FDCWD, path, ev, 0);
	ofd_put(o);
}

static const char *str(const struct call *c, int i)
{
	return i < c->nstr ? c->str[i] : NULL;
}

/* fsnotify_move: FS_MOVED_FROM to the old directory, FS_MOVED_TO to the
 * new one, and DN_RENAME (FS_RENAME) when both are one directory: one
 * signal each. */
static void rename_ev(struct call *c, int d1, int d2)
{
	const char *s1 = str(c, 0), *s2 = str(c, 1);
	const struct mount *m1, *m2;
	uint64_t i1, i2;
	if (!s1 || !s2)
		return;
	int dir1 = fsev_dirfd(c, d1), dir2 = fsev_dirfd(c, d2);
	int h1 = parent_of(c, dir1, s1, &m1, &i1) == 0;
	int h2 = parent_of(c, dir2, s2, &m2, &i2) == 0;
	if (h1 && h2 && m1 == m2 && i1 == i2)
		dn_event(m1, i1, DN_RENAME);
	if (h1)
		dn_event(m1, i1, DN_DELETE);
	if (h2)
		dn_event(m2, i2, DN_CREATE);
}

static void open_ev(struct call *c, long r, int d, int flags)
{
	const char *s = str(c, 0);
	if (r != CALL_INJECT || !c->inject_ofd || !s || !s[0])
		return;
	if (pf_file_created(c->inject_ofd->file) > 0)
		at_dir_of(c, fsev_dirfd(c, d), s, DN_CREATE, 0);
	else if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY)
		at_dir_of(c, fsev_dirfd(c, d), s, DN_MODIFY, 0);
}

static unsigned long dn_of(enum fsev ev)
{
	return ev == FSEV_ATTRIB  ? DN_ATTRIB :
		ev == FSEV_MODIFY ? DN_MODIFY :
				    DN_ACCESS;
}

static void dn_create(struct call *c, int dirfd, const char *s)
{
	at_dir_of(c, dirfd, s, DN_CREATE, 0);
}

static void dn_remove(struct call *c, int dirfd, const char *s)
{
	at_dir_of(c, dirfd, s, DN_DELETE, 0);
}

static void dn_rename(struct call *c, int d1, int d2, unsigned flags)
{
	(void)flags;
	rename_ev(c, d1, d2);
}

/* the object itself too, if a directory (an attribute change of it) */
static void dn_name(struct call *c, int dirfd, const char *s, int nofollow,
		    enum fsev ev)
{
	(void)nofollow;
	at_dir_of(c, dirfd, s, dn_of(ev), 1);
}

static void dn_fd(struct call *c, int fd, enum fsev ev)
{
	at_dir_of_fd(c, fd, dn_of(ev));
}

static const struct fsev_ops dn_ops = {
	.open = open_ev,
	.create = dn_create,
	.remove = dn_remove,
	.link = dn_create,
	.rename = dn_rename,
	.name = dn_name,
	.fd = dn_fd,
};

void dnotify_after(struct call *c, long r)
{
	fsev_decode(c, r, &dn_ops);
}
