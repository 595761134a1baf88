/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * inotify_add_watch on pool paths.
 *
 * The target's inotify instance is the kernel's (inotify_init1,
 * inotify_rm_watch, read, poll, FIONREAD are never trapped). A watch on
 * a pool inode is a kernel watch, added into that very instance (a
 * pidfd_getfd copy of the target's fd), on a host *shadow* standing for
 * the pool inode: a file or a directory in the runtime directory's n/,
 * one per pool inode whatever the number of instances and processes
 * watching it. The answer is the kernel's own watch descriptor, so the
 * same wd for two paths of one inode, IN_MASK_ADD, IN_MASK_CREATE's
 * EEXIST, IN_ONESHOT, IN_EXCL_UNLINK, max_user_watches, the queue, its
 * merging and overflow are all the kernel's.
 *
 * Events: sc_dispatch calls inotify_after after every pool call served
 * with success (as dnotify_after); it does on the shadows what the pool
 * call did, and the kernel queues the real events, cookies included:
 *   a name created, removed, renamed in a watched directory: the same in
 *     its shadow directory, which holds an empty entry per name of the
 *     pool directory (made when the shadow is, mirrored after); a side
 *     that is not watched is the scratch directory t/;
 *   IN_ATTRIB: chmod of the shadow to its own mode; IN_MODIFY, IN_ACCESS:
 *     utimensat of the mtime or the atime alone (fsnotify_change);
 *   IN_OPEN: an open of the shadows with the same access mode, held by
 *     the pool description and closed with it (IN_CLOSE_WRITE,
 *     IN_CLOSE_NOWRITE: read on the placeholders' 10 ms tick, and
 *     drained before any later pool event, so the order holds for what
 *     one thread does);
 *   IN_MOVE_SELF: a rename of the shadow; link counts: a pool inode
 *     whose count changed gets IN_ATTRIB, and one that lost its last
 *     name its shadow unlinked (or removed: IN_DELETE_SELF, IN_IGNORED),
 *     kept by an O_PATH fd (no events since 6.5) while the pool file is
 *     still open, as the dentry keeps the inode on Linux.
 * The order of each parent watch's event before the inode's own is
 * Linux's (fsnotify_parent).
 *
 * Shadows stay until their pool inode is gone or the supervisor exits
 * (no watch count can be read from the kernel): nshadow > 0 then costs
 * every pool call a lookup; none costs one atomic load.
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
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "notify.h"
#include "rundir.h"

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif
/* fs/notify/inotify/inotify_user.c's ALL_INOTIFY_BITS */
#define SC_IN_BITS                                                             \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED |             \
	 IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD |          \
	 IN_MASK_CREATE | IN_ISDIR | IN_ONESHOT)

struct shadow {
	struct shadow *next;
	const struct mount *m;
	uint64_t ino;
	pf_file *f; /* O_PATH reference: the number cannot name another */
	int isdir;
	uint32_t nlink;
	int hold; /* an unlinked shadow kept while the pool file is open */
	char host[PATH_MAX];
};

/* What a pool description holds open: its parent's entry and its shadow */
struct held {
	struct held *next;
	const struct ofd *o;
	int pfd, sfd;
};

/* recursive: an ofd_put under it may be the last (inotify_ofd_gone) */
static pthread_mutex_t in_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct shadow *shadows;
static struct held *helds;
static int nshadow; /* shadows and held records */
static unsigned serial;

int inotify_count(void)
{
	return __atomic_load_n(&nshadow, __ATOMIC_RELAXED);
}

static struct shadow *find_locked(const struct mount *m, uint64_t ino)
{
	for (struct shadow *s = shadows; s; s = s->next)
		if (s->m == m && s->ino == ino && s->hold < 0 && s->nlink)
			return s;
	return NULL;
}

static int new_name(const char *sub, const struct mount *m, uint64_t ino,
		    char *out)
{
	char dir[PATH_MAX];
	int r = rundir_sub(sub, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (snprintf(out, PATH_MAX, "%s/%d-%llu-%u", dir, m ? m->mnt_id : 0,
		     (unsigned long long)ino, ++serial) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* An empty entry of the kind of pool mode `mode` (mkdir: IN_ISDIR). */
static int make_entry(int dfd, const char *name, int isdir)
{
	int r = isdir ? mkdirat(dfd, name, 0700) :
			mknodat(dfd, name, S_IFREG | 0600, 0);
	return r < 0 ? -errno : 0;
}

/* A directory shadow gets an entry per name of the pool directory. */
static int populate(const struct mount *m, pf_file *f, const char *host)
{
	struct pf_caller sup = { .caps = ~0ULL };
	pf_file *d;
	int r = pf_openat(m->pool, &sup, f, PF_PATH_SELF,
			  O_RDONLY | O_DIRECTORY, 0, &d);
	if (r < 0)
		return r;
	int dfd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		pf_close(d);
		return -errno;
	}
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;
	while ((n = pf_getdents64(m->pool, d, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			struct pf_dirent64 *e = (struct pf_dirent64 *)p;
			p += e->d_reclen;
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				make_entry(dfd, e->d_name, e->d_type == DT_DIR);
		}
	close(dfd);
	pf_close(d);
	return n < 0 ? (int)n : 0;
}

static struct held *held_of(const struct ofd *o)
{
	for (struct held *h = helds; h; h = h->next)
		if (h->o == o)
			return h;
	return NULL;
}

static struct held *held_get(const struct ofd *o)
{
	struct held *h = held_of(o);
	if (h || !(h = calloc(1, sizeof(*h))))
		return h;
	h->o = o;
	h->pfd = h->sfd = -1;
	h->next = helds;
	helds = h;
	__atomic_add_fetch(&nshadow, 1, __ATOMIC_RELAXED);
	return h;
}

/* The access mode a shadow is opened with for a pool open of flags fl. */
static int shadow_acc(int fl, const struct pf_stat *st)
{
	if (S_ISDIR(st->mode))
		return O_RDONLY | O_DIRECTORY;
	return (fl & O_ACCMODE) == 3 ? O_RDONLY : fl & O_ACCMODE;
}

#define ADOPT_MAX 4096

/*
 * A new shadow, before any watch is on it: the pool files open now (the
 * inode itself, or for a directory its names, by the path they were
 * opened by) get it opened too, so their closes are heard.
 */
static void adopt_opens(const struct shadow *s)
{
	struct ofd **v = malloc(ADOPT_MAX * sizeof(*v));
	if (!v)
		return;
	int n = ofd_list(s->m, v, ADOPT_MAX);
	struct pf_caller sup = { .caps = ~0ULL };
	for (int i = 0; i < n; i++) {
		struct ofd *o = v[i];
		int fl = pf_file_get_flags(o->file);
		struct pf_stat st, pst;
		if (fl < 0 || (fl & O_PATH) ||
		    pf_fstat(s->m->pool, o->file, &st) < 0)
			continue;
		int acc = shadow_acc(fl, &st);
		struct held *h = NULL;
		if (st.ino == s->ino && (h = held_get(o)) && h->sfd < 0)
			h->sfd = open(s->host, acc | O_CLOEXEC);
		struct mount *m;
		const char *in = s->isdir ? mount_match(o->path, &m) : NULL;
		char dir[PATH_MAX];
		if (!in || m != s->m || strlen(in) >= sizeof(dir))
			continue;
		strcpy(dir, in);
		char *slash = strrchr(dir, '/');
		if (!slash || !slash[1])
			continue;
		const char *base =
			o->path + strlen(o->path) - strlen(slash + 1);
		*slash = 0;
		if (pf_fstatat(s->m->pool, &sup, NULL, dir[0] ? dir : "/", &pst,
			       0) < 0 ||
		    pst.ino != s->ino || !(h = held_get(o)) || h->pfd >= 0)
			continue;
		int dfd = open(s->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			h->pfd =
				openat(dfd, base, acc | O_CLOEXEC | O_NOFOLLOW);
			close(dfd);
		}
	}
	for (int i = 0; i < n; i++)
		ofd_put(v[i]);
	free(v);
}

/* The shadow of pool file f (takes the reference): its host path in out. */
static int shadow_get(const struct mount *m, pf_file *f, char *out)
{
	struct pf_stat st;
	int r = pf_fstat(m->pool, f, &st);
	if (r < 0) {
		pf_close(f);
		return r;
	}
	pthread_mutex_lock(&in_lock);
	struct shadow *s = find_locked(m, st.ino);
	if (s) {
		strcpy(out, s->host);
		pthread_mutex_unlock(&in_lock);
		pf_close(f);
		return 0;
	}
	s = calloc(1, sizeof(*s));
	r = s ? new_name("n", m, st.ino, s->host) : -ENOMEM;
	if (r == 0) {
		s->isdir = S_ISDIR(st.mode);
		if (s->isdir ? mkdir(s->host, 0700) :
			       mknod(s->host, S_IFREG | 0600, 0))
			r = -errno;
		else if (s->isdir && (r = populate(m, f, s->host)) < 0)
			rundir_remove(s->host, 1);
	}
	if (r < 0) {
		pthread_mutex_unlock(&in_lock);
		free(s);
		pf_close(f);
		return r == -EEXIST ? -EIO : r;
	}
	s->m = m;
	s->ino = st.ino;
	s->f = f;
	s->nlink = st.nlink;
	s->hold = -1;
	s->next = shadows;
	shadows = s;
	__atomic_add_fetch(&nshadow, 1, __ATOMIC_RELAXED);
	strcpy(out, s->host);
	adopt_opens(s);
	pthread_mutex_unlock(&in_lock);
	return 0;
}

/* ---- inotify_add_watch ---------------------------------------------------- */

static int is_inotify(int fd)
{
	char link[64], want[] = "anon_inode:inotify";
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, link, sizeof(link));
	return n == (ssize_t)strlen(want) && !memcmp(link, want, (size_t)n);
}

struct host_watch {
	int copy;
	uint32_t mask;
};

static long host_watch_fn(struct call *c, const char *path, void *arg)
{
	(void)c;
	struct host_watch *h = arg;
	int wd = inotify_add_watch(h->copy, path, h->mask);
	return wd < 0 ? -errno : wd;
}

static long pool_watch(struct call *c, struct vpath *p, struct pf_caller *pc,
		       void *arg)
{
	struct host_watch *h = arg;
	int fl = O_PATH | (h->mask & IN_DONT_FOLLOW ? O_NOFOLLOW : 0) |
		(h->mask & IN_ONLYDIR ? O_DIRECTORY : 0);
	pf_file *f;
	int r = pf_openat(p->m->pool, pc, p->dir, p->path, fl, 0, &f);
	if (r < 0)
		return r;
	/* inotify_find_inode: inode_permission(MAY_READ) */
	r = pf_faccessat(p->m->pool, pc, f, "", R_OK,
			 AT_EMPTY_PATH | AT_EACCESS | AT_SYMLINK_NOFOLLOW);
	if (r < 0) {
		pf_close(f);
		return r;
	}
	char host[PATH_MAX];
	r = shadow_get(p->m, f, host);
	if (r < 0)
		return r;
	int wd = inotify_add_watch(h->copy, host, h->mask);
	return wd < 0 ? -errno : wd;
}

long sys_inotify_add_watch(struct call *c)
{
	struct vpath p;
	long r = call_pool_path(c, -1, 1, 0, &p);
	if (r == -EFAULT)
		return CALL_CONTINUE;
	if (r)
		return r;
	struct host_watch h = { -1, (uint32_t)c->args[2] };
	/* descriptions the target closed before: not adopted (adopt_opens) */
	sc_ofd_events();
	/* the kernel's order: the mask, the fd, the instance, the path */
	if (!(h.mask & SC_IN_BITS) ||
	    ((h.mask & IN_MASK_ADD) && (h.mask & IN_MASK_CREATE)))
		return -EINVAL;
	h.copy = call_getfd(c, (int)c->args[0]);
	if (h.copy < 0)
		return h.copy == -EBADF ? -EBADF : h.copy;
	if (!is_inotify(h.copy))
		r = -EINVAL;
	else
		r = path_op_resolved(c, &p, pool_watch, host_watch_fn, &h);
	close(h.copy);
	return r;
}

/* ---- events ------------------------------------------------------------------ */

/* The shadow of the pool file a name leads to (or NULL), under in_lock. */
static struct shadow *sh_of_name(struct call *c, int dirfd, const char *s,
				 int nofollow, struct pf_stat *st)
{
	char abs[PATH_MAX];
	struct vpath p;
	struct pf_caller *pc = call_caller(c);
	if (!pc || vpath_classify(c, dirfd, s, abs, &p) < 0 ||
	    p.kind != VP_POOL ||
	    pf_fstatat(p.m->pool, pc, p.dir, p.path, st,
		       nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0)
		return NULL;
	return find_locked(p.m, st->ino);
}

/* The shadow of the directory holding name s, with the name's last
 * component in base (NAME_MAX + 1). */
static struct shadow *sh_parent(struct call *c, int dirfd, const char *s,
				char *base)
{
	char parent[PATH_MAX];
	size_t len = strnlen(s, PATH_MAX - 1);
	memcpy(parent, s, len);
	parent[len] = 0;
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = 0;
	char *slash = strrchr(parent, '/');
	const char *b = slash ? slash + 1 : parent;
	if (strlen(b) > NAME_MAX || !strcmp(b, ".") || !strcmp(b, "..") || !*b)
		return NULL;
	strcpy(base, b);
	if (!slash)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = 0;
	else
		*slash = 0;
	struct pf_stat st;
	struct shadow *d = sh_of_name(c, dirfd, parent, 0, &st);
	return d && d->isdir ? d : NULL;
}

/* The event on a host object (fd >= 0, or dirfd+name). */
static void ev_do(int fd, int dirfd, const char *name, enum fsev ev)
{
	if (ev == FSEV_ATTRIB) {
		struct stat hs;
		if (fd >= 0) {
			if (fstat(fd, &hs) == 0)
				fchmod(fd, hs.st_mode & 07777);
		} else if (fstatat(dirfd, name, &hs, AT_SYMLINK_NOFOLLOW) == 0)
			fchmodat(dirfd, name, hs.st_mode & 07777, 0);
		return;
	}
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	if (ev == FSEV_MODIFY) {
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1].tv_nsec = UTIME_NOW;
	}
	if (fd >= 0)
		futimens(fd, ts);
	else
		utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

/* The parent's entry (its watch's event, with the name) first, then the
 * inode's own shadow: fsnotify_parent's order. */
static void ev_pair(struct shadow *d, const char *base, struct shadow *s,
		    enum fsev ev)
{
	if (d) {
		int dfd = open(d->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			ev_do(-1, dfd, base, ev);
			close(dfd);
		}
	}
	if (s)
		ev_do(-1, AT_FDCWD, s->host, ev);
}

static void name_ev(struct call *c, int dirfd, const char *s, int nofollow,
		    enum fsev ev)
{
	char base[NAME_MAX + 1];
	struct pf_stat st;
	struct shadow *d = sh_parent(c, dirfd, s, base);
	struct shadow *self = sh_of_name(c, dirfd, s, nofollow, &st);
	ev_pair(d, base, self, ev);
}

/* The same for the file behind the caller's fd (its held shadows' fds
 * when its open saw them watched: the names they have now). */
static void fd_ev(struct call *c, int fd, enum fsev ev)
{
	struct ofd *o;
	if (call_fd(c, fd, &o) != FD_POOL)
		return;
	struct held *h = held_of(o);
	struct pf_stat st;
	struct shadow *self = NULL;
	if (pf_fstat(o->m->pool, o->file, &st) == 0)
		self = find_locked(o->m, st.ino);
	if (h && h->pfd >= 0)
		ev_do(h->pfd, -1, NULL, ev);
	else {
		char path[PATH_MAX], base[NAME_MAX + 1];
		struct shadow *d = NULL;
		if (pool_file_vpath(o->m, o->file, o->path, path,
				    sizeof(path)) == 0 &&
		    strcmp(path, "/") != 0)
			d = sh_parent(c, AT_FDCWD, path, base);
		ev_pair(d, base, NULL, ev);
	}
	if (h && h->sfd >= 0)
		ev_do(h->sfd, -1, NULL, ev);
	else if (self)
		ev_do(-1, AT_FDCWD, self->host, ev);
	ofd_put(o);
}

static const char *str(const struct call *c, int i)
{
	return i < c->nstr ? c->str[i] : NULL;
}

/* Shadows whose pool link count changed (files: IN_ATTRIB) or went to 0
 * (unlinked or removed; kept by an O_PATH fd while the file is open).
 * Removed shadows' fds go to late[] when the caller closes them later. */
static void nlink_scan(int *late, int *nlate, int replaced)
{
	struct shadow **pp = &shadows;
	while (*pp) {
		struct shadow *s = *pp;
		struct pf_stat st;
		if (s->hold >= 0 || !s->nlink ||
		    pf_fstat(s->m->pool, s->f, &st) < 0 ||
		    st.nlink == s->nlink || (s->isdir && st.nlink)) {
			pp = &s->next;
			continue;
		}
		s->nlink = st.nlink;
		if (st.nlink) {
			ev_do(-1, AT_FDCWD, s->host, FSEV_ATTRIB);
			pp = &s->next;
			continue;
		}
		/* a directory renamed over: fsnotify_link_count (an unlink
		 * gives a file's) */
		if (s->isdir && replaced)
			ev_do(-1, AT_FDCWD, s->host, FSEV_ATTRIB);
		int others = 0, writers = 0;
		ofd_opens(s->m, s->ino, NULL, &others, &writers);
		int keep = open(s->host, O_PATH | O_CLOEXEC);
		if (s->isdir) {
			/* in step with the pool's, it is empty */
			if (rmdir(s->host) < 0)
				rundir_remove(s->host, 1);
		} else
			unlink(s->host);
		if (others > 0 && keep >= 0) {
			s->hold = keep;
			pp = &s->next;
			continue;
		}
		if (keep >= 0 && late && *nlate < 8)
			late[(*nlate)++] = keep;
		else if (keep >= 0)
			close(keep);
		*pp = s->next;
		pf_close(s->f);
		free(s);
		__atomic_sub_fetch(&nshadow, 1, __ATOMIC_RELAXED);
	}
}

static void create_ev(struct call *c, int dirfd, const char *s)
{
	char base[NAME_MAX + 1];
	struct shadow *d = sh_parent(c, dirfd, s, base);
	struct pf_stat st = { 0 };
	if (!d)
		return;
	sh_of_name(c, dirfd, s, 1, &st);
	int dfd = open(d->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	make_entry(dfd, base, S_ISDIR(st.mode));
	close(dfd);
}

/* unlink, rmdir: the inode's own events (nlink_scan), then IN_DELETE. */
static void delete_ev(struct call *c, int dirfd, const char *s)
{
	char base[NAME_MAX + 1];
	nlink_scan(NULL, NULL, 0);
	struct shadow *d = sh_parent(c, dirfd, s, base);
	if (!d)
		return;
	int dfd = open(d->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	struct stat hs;
	if (fstatat(dfd, base, &hs, AT_SYMLINK_NOFOLLOW) == 0)
		unlinkat(dfd, base, S_ISDIR(hs.st_mode) ? AT_REMOVEDIR : 0);
	close(dfd);
}

static void link_ev(struct call *c, int dirfd, const char *s)
{
	nlink_scan(NULL, NULL, 0);
	create_ev(c, dirfd, s);
}

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* fsnotify_move: IN_MOVED_FROM, IN_MOVED_TO (one cookie: the kernel's
 * own, from one host rename), the replaced inode's events, the moved
 * inode's IN_MOVE_SELF. */
static void rename_ev(struct call *c, int d1, int d2, unsigned flags)
{
	const char *s1 = str(c, 0), *s2 = str(c, 1);
	if (!s1 || !s2)
		return;
	char b1[NAME_MAX + 1], b2[NAME_MAX + 1], tmp[PATH_MAX];
	struct pf_stat st = { 0 }, st1 = { 0 };
	struct shadow *at1 = sh_of_name(c, fsev_dirfd(c, d1), s1, 1, &st1);
	struct shadow *p1 = sh_parent(c, fsev_dirfd(c, d1), s1, b1);
	struct shadow *p2 = sh_parent(c, fsev_dirfd(c, d2), s2, b2);
	struct shadow *moved = sh_of_name(c, fsev_dirfd(c, d2), s2, 1, &st);
	struct shadow *other = NULL;
	if (flags & RENAME_EXCHANGE)
		other = at1;
	int f1 = p1 ? open(p1->host, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	int f2 = p2 ? open(p2->host, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	unsigned xch = flags & RENAME_EXCHANGE;
	if (f1 >= 0 && f2 >= 0)
		renameat2(f1, b1, f2, b2, xch);
	else if ((f1 >= 0 || f2 >= 0) && new_name("t", NULL, 0, tmp) == 0) {
		/* the side nobody watches is the scratch directory t/ */
		if (f1 >= 0 && !xch)
			renameat(f1, b1, AT_FDCWD, tmp);
		else if (f1 >= 0 &&
			 make_entry(AT_FDCWD, tmp, S_ISDIR(st1.mode)) == 0)
			renameat2(f1, b1, AT_FDCWD, tmp, RENAME_EXCHANGE);
		else if (f2 >= 0 &&
			 make_entry(AT_FDCWD, tmp, S_ISDIR(st.mode)) == 0)
			renameat2(AT_FDCWD, tmp, f2, b2, xch);
		rundir_remove(tmp, 1);
	}
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
	int late[8], nlate = 0;
	nlink_scan(late, &nlate, 1);
	struct shadow *self[2] = { moved, other };
	for (int i = 0; i < 2; i++) {
		if (!self[i])
			continue;
		char to[PATH_MAX];
		if (new_name("n", self[i]->m, self[i]->ino, to) == 0 &&
		    rename(self[i]->host, to) == 0)
			strcpy(self[i]->host, to);
	}
	for (int i = 0; i < nlate; i++)
		close(late[i]);
}

/* IN_CREATE, IN_MODIFY of O_TRUNC, then IN_OPEN: the shadows opened with
 * the same access mode, held by the description until its release. */
static void open_ev(struct call *c, long r, int d, int flags)
{
	if (r != CALL_INJECT || !c->inject_ofd || !str(c, 0))
		return;
	struct ofd *o = c->inject_ofd;
	const char *s = str(c, 0);
	int dirfd = fsev_dirfd(c, d);
	char base[NAME_MAX + 1];
	int fl = flags;
	/* O_TMPFILE: the path names the directory; no name to report
	 * (documented) */
	if ((fl & O_PATH) || (fl & O_TMPFILE) == O_TMPFILE)
		return;
	struct pf_stat st;
	if (pf_fstat(o->m->pool, o->file, &st) < 0)
		return;
	if (pf_file_created(o->file) > 0)
		create_ev(c, dirfd, s);
	else if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY)
		name_ev(c, dirfd, s, 0, FSEV_MODIFY);
	struct shadow *pd = sh_parent(c, dirfd, s, base);
	struct shadow *self = find_locked(o->m, st.ino);
	if (!pd && !self)
		return;
	int acc = shadow_acc(fl, &st);
	struct held *h = held_get(o);
	if (!h)
		return;
	if (pd) {
		int dfd = open(pd->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			h->pfd =
				openat(dfd, base, acc | O_CLOEXEC | O_NOFOLLOW);
			close(dfd);
		}
	}
	if (self)
		h->sfd = open(self->host, acc | O_CLOEXEC);
}

void inotify_ofd_gone(struct ofd *o)
{
	if (!inotify_count())
		return;
	pthread_mutex_lock(&in_lock);
	for (struct held **pp = &helds; *pp; pp = &(*pp)->next) {
		struct held *h = *pp;
		if (h->o != o)
			continue;
		*pp = h->next;
		/* IN_CLOSE_WRITE or IN_CLOSE_NOWRITE, parent first */
		if (h->pfd >= 0)
			close(h->pfd);
		if (h->sfd >= 0)
			close(h->sfd);
		free(h);
		__atomic_sub_fetch(&nshadow, 1, __ATOMIC_RELAXED);
		break;
	}
	/* unlinked shadows kept while the file was open: IN_DELETE_SELF */
	for (struct shadow **pp = &shadows; *pp;) {
		struct shadow *s = *pp;
		int others = 0, writers = 0;
		if (s->hold >= 0 && s->m == o->m)
			ofd_opens(s->m, s->ino, o, &others, &writers);
		if (s->hold < 0 || s->m != o->m || others > 0) {
			pp = &s->next;
			continue;
		}
		close(s->hold);
		*pp = s->next;
		pf_close(s->f);
		free(s);
		__atomic_sub_fetch(&nshadow, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&in_lock);
}

static const struct fsev_ops in_ops = {
	.open = open_ev,
	.create = create_ev,
	.remove = delete_ev,
	.link = link_ev,
	.rename = rename_ev,
	.name = name_ev,
	.fd = fd_ev,
};

void inotify_after(struct call *c, long r)
{
	/* closes the target made before this call come first */
	sc_ofd_events();
	pthread_mutex_lock(&in_lock);
	fsev_decode(c, r, &in_ops);
	pthread_mutex_unlock(&in_lock);
}

void inotify_shutdown(void)
{
	pthread_mutex_lock(&in_lock);
	while (helds) {
		struct held *h = helds;
		helds = h->next;
		if (h->pfd >= 0)
			close(h->pfd);
		if (h->sfd >= 0)
			close(h->sfd);
		free(h);
	}
	while (shadows) {
		struct shadow *s = shadows;
		shadows = s->next;
		if (s->hold >= 0)
			close(s->hold);
		pf_close(s->f);
		free(s);
	}
	__atomic_store_n(&nshadow, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&in_lock);
}
