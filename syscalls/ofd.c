/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Open file descriptions of pool files, and their placeholders.
 *
 * Each pool open gets a placeholder (a description of a memfd,
 * placeholder.c), installed in the target with ADDFD; the kernel then
 * keeps the fd books (dup, fork, exec CLOEXEC, SCM_RIGHTS, close_range).
 * The description is found again through the placeholder's inode number
 * (fstat of a pidfd_getfd copy). The supervisor drops its own copy; when
 * the last holder anywhere closes it, IN_CLOSE_WRITE arrives on the
 * memfd's watch (IN_IGNORED too for a memfd that is not recycled), and the
 * description is released (an unlinked file is freed then) and its memfd
 * given back for reuse.
 *
 * A recycled memfd's inode names one description after another, so an
 * inode number is looked up only while a copy of the description is held
 * (it cannot be released meanwhile), and what must tell two descriptions
 * apart over time (lockholder.c) compares phid, not the inode.
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
#include <sys/ioctl.h>

#include "notify.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "syscalls.h"
#include "locks.h"
#include "shm.h"
#include "task.h"

#define NB 4096
static pthread_mutex_t ofd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ofd *by_ino[NB], *by_wd[NB];
static dev_t memfd_dev;
static int inotify_fd = -1;
static long nofds;
static struct ofd *all; /* every description, for the walks by path or inode */
static uint64_t next_phid; /* with __atomic */

int ofd_init(void)
{
	int fd = memfd_create("pmemfile-probe", MFD_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	memfd_dev = st.st_dev;
	close(fd);
	inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (inotify_fd < 0)
		return -errno;
	return 0;
}

int sc_ofd_inotify_fd(void)
{
	return inotify_fd;
}

static void ofd_free(struct ofd *o)
{
	lock_ofd_gone(o);
	lease_ofd_gone(o);
	dnotify_ofd_gone(o);
	inotify_ofd_gone(o);
	pf_close(o->file);
	free(o);
}

void ofd_put(struct ofd *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&ofd_lock);
	int last = --o->refs == 0;
	pthread_mutex_unlock(&ofd_lock);
	if (last)
		ofd_free(o);
}

static void unlink_locked(struct ofd *o)
{
	struct ofd **pp;
	for (pp = &by_ino[o->ino % NB]; *pp; pp = &(*pp)->next_ino)
		if (*pp == o) {
			*pp = o->next_ino;
			break;
		}
	for (pp = &by_wd[(unsigned)o->wd % NB]; *pp; pp = &(*pp)->next_wd)
		if (*pp == o) {
			*pp = o->next_wd;
			break;
		}
	if (o->prev_all)
		o->prev_all->next_all = o->next_all;
	else
		all = o->next_all;
	if (o->next_all)
		o->next_all->prev_all = o->prev_all;
	nofds--;
}

/* One reader at a time: a worker draining the releases before an
 * inotify event (inotify.c) must not pass one the loop is handling. */
static pthread_mutex_t drain_lock = PTHREAD_MUTEX_INITIALIZER;

void sc_ofd_events(void)
{
	char buf[16384] __attribute__((aligned(8)));
	pthread_mutex_lock(&drain_lock);
	for (;;) {
		ssize_t n = read(inotify_fd, buf, sizeof(buf));
		if (n <= 0) {
			pthread_mutex_unlock(&drain_lock);
			placeholder_trim();
			return;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				sc_log(SC_LOG_ERR, "inotify queue overflow: some closed pool files stay open until exit");
				continue;
			}
			/* an unlinked twin's last holder gone (twin.c) */
			if ((e->mask & IN_DELETE_SELF) && twin_event(e->wd))
				continue;
			/* a placeholder released: CLOSE_WRITE (it is O_RDWR);
			 * a memfd of its own also gives IN_IGNORED after */
			struct ofd *o = NULL;
			if (e->mask & (IN_CLOSE_WRITE | IN_IGNORED)) {
				pthread_mutex_lock(&ofd_lock);
				for (o = by_wd[(unsigned)e->wd % NB]; o;
				     o = o->next_wd)
					if (o->wd == e->wd)
						break;
				if (o)
					unlink_locked(o);
				pthread_mutex_unlock(&ofd_lock);
			}
			if (!o) {
				/* a shared memfd's (shm.c), or nobody's */
				int close_ev =
					IN_CLOSE_WRITE | IN_CLOSE_NOWRITE;
				if (e->mask & close_ev)
					shm_inotify_event(e->wd);
				continue;
			}
			/* its inotify closes now, not when the last worker
			 * holding it lets go */
			inotify_ofd_gone(o);
			/* out of the table: its inode can name the next one */
			if (o->keep >= 0) {
				struct placeholder s = { -1, o->wd, o->ino,
							 o->keep };
				o->keep = -1;
				placeholder_recycle(&s);
			}
			ofd_put(o);
		}
	}
}

/* The placeholder with this inode, referenced (FD_POOL), or FD_HOST. */
static int ofd_by_stat(const struct stat *st, struct ofd **out)
{
	if (st->st_dev != memfd_dev)
		return FD_HOST;
	struct ofd *o;
	pthread_mutex_lock(&ofd_lock);
	for (o = by_ino[st->st_ino % NB]; o; o = o->next_ino)
		if (o->ino == st->st_ino)
			break;
	if (o)
		o->refs++;
	pthread_mutex_unlock(&ofd_lock);
	if (!o)
		return FD_HOST;  /* the target's own memfd */
	*out = o;
	return FD_POOL;
}

/*
 * The placeholder behind copy, a copy of a target's fd, which it closes:
 * looked up while the copy holds the description, whose inode therefore
 * names no other one meanwhile.
 */
static int lookup_copy(int copy, struct ofd **out)
{
	struct stat st;
	int r = fstat(copy, &st) < 0 ? FD_HOST : ofd_by_stat(&st, out);
	close(copy);
	return r;
}

/*
 * Which file an fd of the caller names: a copy of it through the thread's
 * pidfd and fstat (three cheap syscalls) rather than a stat of
 * /proc/TID/fd/N (a procfs path walk, several times slower).
 */
int call_fd(struct call *c, int fd, struct ofd **out)
{
	if (fd < 0)
		return -EBADF;
	/* a process without pool fds: a host fd (or none: the kernel says
	 * EBADF), without three syscalls to look */
	if (!call_has_pool_fd_mark(c))
		return FD_HOST;
	/* from here on, "cannot look" must never become "a host fd": the
	 * kernel would run the call on the placeholder */
	int pidfd = call_pidfd(c);
	if (pidfd >= 0) {
		int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (copy >= 0)
			return lookup_copy(copy, out);
		if (errno == EBADF)
			return -EBADF;
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			return task_fail(errno, "pidfd_getfd", c->tid);
	} else if (pidfd != -ENOSYS) {
		return pidfd;
	}
	return ofd_of(c->tid, fd, out);
}

long call_pool_fd(struct call *c, int fd, struct ofd **out)
{
	int r = call_fd(c, fd, out);
	if (r == FD_HOST)
		return CALL_CONTINUE;
	return r;
}

long call_fd_refuse(struct call *c, int fd, long err)
{
	struct ofd *o;
	long r = call_pool_fd(c, fd, &o);
	if (r)
		return r;
	ofd_put(o);
	return err;
}

int ofd_process_holds(pid_t pid, const struct mount *m, uint64_t ino)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;  /* gone: its locks can go */
	int holds = 0;
	struct dirent *de;
	while (!holds && (de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    st.st_dev != memfd_dev)
			continue;
		struct ofd *o;
		if (ofd_by_stat(&st, &o) != 0)
			continue;
		struct pf_stat ps;
		holds = o->m == m && pf_fstat(o->m->pool, o->file, &ps) == 0 &&
			ps.ino == ino;
		ofd_put(o);
	}
	closedir(d);
	return holds;
}

int ofd_of_pidfd(int pidfd, int fd, struct ofd **out)
{
	int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		return errno == EBADF ? -EBADF : -errno;
	return lookup_copy(copy, out);
}

int ofd_phid(int copy, uint64_t *phid)
{
	struct stat st;
	if (fstat(copy, &st) < 0) {
		close(copy);
		return -1;
	}
	struct ofd *o;
	*phid = ofd_by_stat(&st, &o) == FD_POOL ? o->phid : 0;
	close(copy);
	if (*phid)
		ofd_put(o);
	return 0;
}

int ofd_of(pid_t pid, int fd, struct ofd **out)
{
	if (fd < 0)
		return -EBADF;
	/* through a copy when we may take one (see lookup_copy); a stat of
	 * the /proc link could name a recycled memfd's next description */
	int pidfd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
	if (pidfd >= 0) {
		int r = ofd_of_pidfd(pidfd, fd, out);
		close(pidfd);
		if (r != -EPERM && r != -ENOSYS)
			return r;
	}
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return -EBADF;
		if (errno == ENOMEM || errno == ENFILE || errno == EMFILE)
			return task_fail(errno, "stat of /proc/PID/fd/N", pid);
		return FD_HOST;  /* e.g. a socket we cannot stat: not ours */
	}
	return ofd_by_stat(&st, out);
}

long call_inject_file(struct call *c, struct mount *m, pf_file *f,
		      const char *vpath, int cloexec)
{
	struct placeholder ph;
	call_pool_fd_mark(c);  /* before the fd exists in the target */
	int r = placeholder_get(&ph);
	if (r < 0) {
		pf_close(f);
		return r;
	}
	struct ofd *o = calloc(1, sizeof(*o));
	if (!o) {
		placeholder_drop(&ph);
		pf_close(f);
		return -ENOMEM;
	}
	int fd = ph.fd, wd = ph.wd;
	o->ino = ph.ino;
	o->wd = wd;
	o->keep = ph.keep;
	o->phid = __atomic_add_fetch(&next_phid, 1, __ATOMIC_RELAXED);
	o->m = m;
	o->file = f;
	o->refs = 1;  /* the table's, dropped on IN_IGNORED */
	snprintf(o->path, sizeof(o->path), "%s", vpath);
	vabs_clean(o->path); /* as ofd_renamed compares it */
	pthread_mutex_lock(&ofd_lock);
	o->next_ino = by_ino[o->ino % NB];
	by_ino[o->ino % NB] = o;
	o->next_wd = by_wd[(unsigned)wd % NB];
	by_wd[(unsigned)wd % NB] = o;
	o->next_all = all;
	if (all)
		all->prev_all = o;
	all = o;
	nofds++;
	pthread_mutex_unlock(&ofd_lock);
	c->inject_fd = fd;
	c->inject_cloexec = cloexec ? O_CLOEXEC : 0;
	c->inject_ofd = o;
	return CALL_INJECT;
}

long call_inject_host(struct call *c, int fd, int cloexec)
{
	c->inject_fd = fd;
	c->inject_cloexec = cloexec ? O_CLOEXEC : 0;
	c->inject_ofd = NULL;
	return CALL_INJECT;
}

void call_after_inject(struct call *c, long ret)
{
	/* Our copy goes; if ADDFD failed, that was the last reference and
	 * IN_IGNORED releases the description. */
	if (ret >= 0 && c->inject_ofd)
		lock_fd_added(c, c->inject_ofd, (int)ret);
	close(c->inject_fd);
	c->inject_fd = -1;
	c->inject_ofd = NULL;
}

/* o->path under from ("from" itself or "from/..."): the rest, else NULL */
static const char *under(const char *path, const char *from)
{
	size_t n = strlen(from);
	if (strncmp(path, from, n) != 0 || (path[n] != 0 && path[n] != '/'))
		return NULL;
	return path + n;
}

/* name as the descriptions keep it: cleaned, symlinks resolved (not a
 * last one: unlink and rename act on the link itself) */
static void canon(struct call *c, struct mount *m, const char *name, char *out)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc || !call_followed(c) ||
	    pool_realpath(m, pc, name, 0, out, PATH_MAX) != 0)
		snprintf(out, PATH_MAX, "%s", name);
	vabs_clean(out);
}

int ofd_any(void)
{
	return __atomic_load_n(&nofds, __ATOMIC_RELAXED) > 0;
}

void ofd_renamed(struct call *c, struct mount *m, const char *from,
		 const char *to, int exchange)
{
	char a[PATH_MAX], b[PATH_MAX], moved[PATH_MAX];
	canon(c, m, from, a);
	canon(c, m, to, b);
	pthread_mutex_lock(&ofd_lock);
	for (struct ofd *o = all; o; o = o->next_all) {
		if (o->m != m)
			continue;
		const char *rest = under(o->path, a), *dst = b;
		if (!rest && exchange) {
			rest = under(o->path, b);
			dst = a;
		}
		if (!rest) {
			if (!exchange && !o->unlinked &&
			    strcmp(o->path, b) == 0)
				o->unlinked = 1; /* replaced */
			continue;
		}
		/* a name already gone keeps its own name, but its parents'
		 * renames show (the kernel's d_path of an unhashed dentry) */
		if (!*rest && o->unlinked)
			continue;
		if ((size_t)snprintf(moved, sizeof(moved), "%s%s", dst, rest) <
		    sizeof(moved))
			memcpy(o->path, moved, strlen(moved) + 1);
	}
	pthread_mutex_unlock(&ofd_lock);
}

void ofd_unlinked(struct call *c, struct mount *m, const char *name)
{
	char a[PATH_MAX];
	if (!ofd_any())
		return; /* nothing named: no symlinks to resolve either */
	canon(c, m, name, a);
	pthread_mutex_lock(&ofd_lock);
	for (struct ofd *o = all; o; o = o->next_all)
		if (o->m == m && strcmp(o->path, a) == 0)
			o->unlinked = 1;
	pthread_mutex_unlock(&ofd_lock);
}

int ofd_writers(const struct mount *m, uint64_t ino)
{
	int found = 0;
	pthread_mutex_lock(&ofd_lock);
	for (struct ofd *o = all; o && !found; o = o->next_all) {
		int acc = pf_file_get_flags(o->file) & O_ACCMODE;
		struct pf_stat ps;
		found = o->m == m && acc != O_RDONLY &&
			pf_fstat(o->m->pool, o->file, &ps) == 0 &&
			ps.ino == ino;
	}
	pthread_mutex_unlock(&ofd_lock);
	return found;
}

void ofd_opens(const struct mount *m, uint64_t ino, const struct ofd *self,
	       int *others, int *writers)
{
	pthread_mutex_lock(&ofd_lock);
	for (struct ofd *o = all; o; o = o->next_all) {
		int fl = pf_file_get_flags(o->file);
		struct pf_stat ps;
		if (o->m != m || (fl & O_PATH) ||
		    pf_fstat(o->m->pool, o->file, &ps) < 0 || ps.ino != ino)
			continue;
		if (o != self)
			++*others;
		if ((fl & O_ACCMODE) != O_RDONLY)
			++*writers;
	}
	pthread_mutex_unlock(&ofd_lock);
}

int ofd_list(const struct mount *m, struct ofd **out, int max)
{
	int n = 0;
	pthread_mutex_lock(&ofd_lock);
	for (struct ofd *o = all; o && n < max; o = o->next_all)
		if (o->m == m) {
			o->refs++;
			out[n++] = o;
		}
	pthread_mutex_unlock(&ofd_lock);
	return n;
}

void ofd_shutdown(void)
{
	sc_ofd_events();
	pthread_mutex_lock(&ofd_lock);
	for (int i = 0; i < NB; i++) {
		while (by_ino[i]) {
			struct ofd *o = by_ino[i];
			by_ino[i] = o->next_ino;
			if (o->keep >= 0)
				close(o->keep);
			o->keep = -1;
			if (--o->refs == 0)
				ofd_free(o);
		}
		by_wd[i] = NULL;
	}
	nofds = 0;
	all = NULL;
	pthread_mutex_unlock(&ofd_lock);
}

int call_getfd(struct call *c, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, c->tid, PIDFD_THREAD);
	if (pidfd < 0)
		return errno == ESRCH ? -ESRCH : task_fail(errno, "pidfd_open", c->tid);
	int r = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	int err = errno;
	close(pidfd);
	return r < 0 ? -err : r;
}
