/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared mappings of pool files: one page cache per pool inode.
 *
 * A pool file has no page cache, and each open has a placeholder memfd of
 * its own (its identity, ofd.c), so two opens mapped through their
 * placeholders would be two copies. While a pool inode is mapped shared,
 * it gets one more memfd (its "shm") and every shared mapping of it, in
 * every process, maps that memfd: one set of pages, as a page cache.
 *
 * Where the truth is: the pool stays the truth for everything but the
 * bytes stored through mappings since the last write-back. write(),
 * truncate, fallocate, copy_file_range... go to the pool as always and
 * are then copied into the memfd (write-through, under the shm's lock so
 * both see the same order), so mappings see them at once. Stores through
 * mappings reach the pool at write-back: msync, fsync/fdatasync of any fd
 * of the file, before any read of the file (so read() sees them at once),
 * when the memfd is retired (no mapping and no fd of it left anywhere),
 * and at supervisor shutdown. Write-back compares the memfd with the pool
 * page by page and writes only the pages that differ (with pool writes:
 * durable when they return, torn at worst within a page by a crash).
 *
 * The target gets its own open of the memfd (a reopen through
 * /proc/self/fd, with the pool fd's access mode: the kernel then judges
 * PROT_WRITE, mprotect and MAP_SHARED_VALIDATE as for the file), one per
 * process, installed with ADDFD (O_CLOEXEC) and reused while that fd is
 * still an open of the memfd. The supervisor's own open is never closed
 * while the shm lives, so the release of a target's open (its last fd
 * closed and last mapping unmapped, or the process gone) is an inotify
 * IN_CLOSE_* on the memfd; then the holders are looked at (their fd, then
 * /proc/PID/maps), and with none left the shm is written back and retired.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#include "shm.h"

#define PAGE 4096

struct holder {
	pid_t tgid;
	int fd; /* the process's fd of the memfd */
	int acc; /* its access mode */
};

struct shm {
	struct mount *m;
	uint64_t ino; /* pool inode */
	pf_file *file; /* the inode opened O_RDWR, for write-back */
	int fd; /* the supervisor's own open of the memfd */
	char *map; /* the memfd mapped here, for write-back */
	size_t maplen;
	dev_t mdev; /* the memfd's device and inode */
	uint64_t mino;
	int wd; /* inotify watch: IN_CLOSE_* */
	int writable; /* a writable open was handed out */
	int dead; /* retired: out of the table */
	pthread_mutex_t lock; /* data order, holders, dead */
	int refs; /* under tab_lock */
	struct holder *h;
	int nh, caph;
	struct shm *next;
};

/*
 * Lock order: gate, then a shm's lock, then tab_lock. Writers of pool
 * files hold the gate shared from before their pool write until the
 * memfd has their bytes; making a memfd holds it exclusive, so no write
 * falls between the copy from the pool and the memfd's publication.
 */
static pthread_rwlock_t gate;
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shm *tab;
static int nshm; /* read without the lock: a fast "none" */

/* The write-back's credentials: the supervisor's own, as a page cache's
 * write-back is the kernel's (no permission check, no set-ID clearing). */
static struct pf_caller wb_caller = { .caps = ~0ULL };

static void gate_init(void)
{
	pthread_rwlockattr_t a;
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(
		&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&gate, &a);
	pthread_rwlockattr_destroy(&a);
}

static void gate_rd(void)
{
	pthread_once(&gate_once, gate_init);
	pthread_rwlock_rdlock(&gate);
}

static void gate_wr(void)
{
	pthread_once(&gate_once, gate_init);
	pthread_rwlock_wrlock(&gate);
}

static void gate_unlock(void)
{
	pthread_rwlock_unlock(&gate);
}

/* The shm of (m, ino), referenced, or NULL. */
static struct shm *lookup(struct mount *m, uint64_t ino)
{
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&tab_lock);
	struct shm *s;
	for (s = tab; s; s = s->next)
		if (s->m == m && s->ino == ino)
			break;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&tab_lock);
	return s;
}

static struct shm *lookup_file(struct mount *m, pf_file *f)
{
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return NULL;
	struct pf_stat st;
	if (pf_fstat(m->pool, f, &st) < 0)
		return NULL;
	return lookup(m, st.ino);
}

void shm_put(struct shm *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&tab_lock);
	int last = --s->refs == 0;
	pthread_mutex_unlock(&tab_lock);
	if (!last)
		return;
	pf_close(s->file);
	if (s->map)
		munmap(s->map, s->maplen);
	close(s->fd);
	free(s->h);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

struct to_mem {
	int fd;
	uint64_t base;
};

/* pf_read_cb: pool bytes (or a hole's zeros) into the memfd at base+pos */
static ssize_t to_memfd(void *arg, void *pool_mem, size_t len, size_t pos)
{
	struct to_mem *t = arg;
	off_t at = (off_t)(t->base + pos);
	if (!pool_mem)
		return fallocate(t->fd,
				 FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, at,
				 (off_t)len) < 0 ?
			-errno :
			(ssize_t)len;
	ssize_t n = pwrite(t->fd, pool_mem, len, at);
	return n < 0 ? -errno : n;
}

/* The memfd takes the pool's size and its bytes [pos, pos+len). */
static int load(struct shm *s, uint64_t pos, uint64_t len)
{
	struct pf_stat st;
	struct stat ms;
	int r = pf_fstat(s->m->pool, s->file, &st);
	if (r < 0)
		return r;
	if (fstat(s->fd, &ms) < 0)
		return -errno;
	if ((uint64_t)ms.st_size != st.size &&
	    ftruncate(s->fd, (off_t)st.size) < 0)
		return -ENOMEM;
	if (pos >= st.size)
		return 0;
	if (len > st.size - pos)
		len = st.size - pos;
	struct to_mem t = { s->fd, pos };
	for (uint64_t done = 0; done < len;) {
		ssize_t n = pf_read_cb(s->m->pool, s->file, len - done,
				       (off_t)(pos + done), to_memfd, &t);
		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
		done += (uint64_t)n;
		t.base = pos + done;
	}
	return 0;
}

/* What a compare of one window found: runs of differing pages. */
#define WINDOW (256 * PAGE)
#define MAP_KEEP (64 << 20) /* files up to this size stay mapped here */
struct diff {
	const char *mem; /* the memfd, mapped; at the window's start */
	size_t skip; /* where in the window this pf_read_cb started */
	struct {
		size_t off, len;
	} run[WINDOW / PAGE / 2 + 1];
	int nrun;
};

/* pf_read_cb: compares pool bytes (NULL: a hole's zeros) with the memfd's
 * at pos, page by page, and notes the pages that differ */
static ssize_t compare(void *arg, void *pool_mem, size_t len, size_t pos)
{
	static const char zeros[PAGE];
	struct diff *d = arg;
	for (size_t i = 0; i < len;) {
		/* pages of the window, not of this piece */
		size_t at = d->skip + pos + i;
		size_t pl = PAGE - at % PAGE;
		if (pl > len - i)
			pl = len - i;
		const void *p = pool_mem ? (const char *)pool_mem + i : zeros;
		if (memcmp(d->mem + at, p, pl) != 0) {
			size_t start = at - at % PAGE;
			if (d->nrun &&
			    d->run[d->nrun - 1].off + d->run[d->nrun - 1].len >=
				    start) {
				d->run[d->nrun - 1].len =
					at + pl - d->run[d->nrun - 1].off;
			} else {
				d->run[d->nrun].off = at;
				d->run[d->nrun].len = pl;
				d->nrun++;
			}
		}
		i += pl;
	}
	return (ssize_t)len;
}

/*
 * Copies the pages where the memfd differs from the pool into the pool:
 * the memfd mapped here and compared in place with the pool's memory
 * (pf_read_cb), window by window; then one pool write per run of
 * differing pages (not from inside the callback: core holds the inode
 * there). Caller holds s->lock, so the memfd's size cannot change. 0 or
 * -errno.
 */
static int writeback(struct shm *s)
{
	if (!s->writable)
		return 0; /* only read-only opens: nothing was stored */
	struct pf_stat st;
	struct stat ms;
	int r = pf_fstat(s->m->pool, s->file, &st);
	if (r < 0)
		return r;
	if (fstat(s->fd, &ms) < 0)
		return -errno;
	uint64_t size =
		(uint64_t)ms.st_size < st.size ? (uint64_t)ms.st_size : st.size;
	if (size == 0)
		return 0;
	/* up to MAP_KEEP, kept mapped from one write-back to the next (its
	 * pages faulted in once), longer than the file: only bytes below its
	 * size are read; a larger file is mapped a window at a time */
	int whole = size <= MAP_KEEP;
	if (whole && size > s->maplen) {
		size_t len = 1 << 20;
		while (len < size)
			len *= 2;
		char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, s->fd, 0);
		if (m == MAP_FAILED)
			return -ENOMEM;
		if (s->map)
			munmap(s->map, s->maplen);
		s->map = m;
		s->maplen = len;
	}
	char *mem = whole ? s->map : NULL, *win = NULL;
	static __thread struct diff d;
	/* the memfd's holes are skipped: nothing was stored there (a store
	 * makes a page), and the pool has zeros there too (every change of
	 * the pool reaches the memfd); reading them through the mapping
	 * would allocate their pages */
	uint64_t data_end = 0;
	for (uint64_t pos = 0; r == 0 && pos < size;) {
		if (pos >= data_end) {
			off_t d0 = lseek(s->fd, (off_t)pos, SEEK_DATA);
			if (d0 < 0 || (uint64_t)d0 >= size)
				break; /* ENXIO: only a hole is left */
			off_t h = lseek(s->fd, d0, SEEK_HOLE);
			pos = (uint64_t)d0 & ~(uint64_t)(PAGE - 1);
			data_end = h < 0 ? size : (uint64_t)h;
		}
		uint64_t lim = data_end < size ? data_end : size;
		size_t n = lim - pos < WINDOW ? (size_t)(lim - pos) : WINDOW;
		if (!whole) {
			/* pos is page-aligned (a data start or a window's) */
			win = mmap(NULL, n, PROT_READ, MAP_SHARED, s->fd,
				   (off_t)pos);
			if (win == MAP_FAILED)
				return -ENOMEM;
			mem = win - pos;
		}
		d.mem = mem + pos;
		d.nrun = 0;
		for (size_t done = 0; done < n;) {
			d.skip = done;
			ssize_t k =
				pf_read_cb(s->m->pool, s->file, n - done,
					   (off_t)(pos + done), compare, &d);
			if (k <= 0) {
				r = k < 0 ? (int)k : -EIO;
				break;
			}
			done += (size_t)k;
		}
		for (int i = 0; r == 0 && i < d.nrun; i++) {
			ssize_t w = pf_pwrite(s->m->pool, &wb_caller, s->file,
					      mem + pos + d.run[i].off,
					      d.run[i].len,
					      (off_t)(pos + d.run[i].off));
			if (w != (ssize_t)d.run[i].len)
				r = w < 0 ? (int)w : -EIO;
		}
		if (win)
			munmap(win, n);
		win = NULL;
		pos += n;
	}
	return r;
}

static void writeback_logged(struct shm *s)
{
	int r = writeback(s);
	if (r < 0)
		sc_log(SC_LOG_ERR,
		       "write-back of a mapped pool file (inode %llu): %s",
		       (unsigned long long)s->ino, strerror(-r));
}

/* A new shm for o's inode ino, filled from the pool. Caller holds the gate
 * exclusive. */
static int make(struct ofd *o, uint64_t ino, struct shm **out)
{
	struct shm *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->m = o->m;
	s->ino = ino;
	s->fd = -1;
	s->wd = -1;
	s->refs = 1;
	pthread_mutex_init(&s->lock, NULL);
	int r = pf_openat(o->m->pool, &wb_caller, o->file, PF_PATH_SELF, O_RDWR,
			  0, &s->file);
	if (r < 0)
		goto fail;
	s->fd = memfd_create("pmemfile-shared", MFD_CLOEXEC);
	struct stat ms;
	if (s->fd < 0 || fstat(s->fd, &ms) < 0) {
		r = errno == EMFILE ? -ENFILE : -errno;
		goto fail;
	}
	s->mdev = ms.st_dev;
	s->mino = ms.st_ino;
	r = load(s, 0, UINT64_MAX);
	if (r < 0)
		goto fail;
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", s->fd);
	s->wd = inotify_add_watch(sc_ofd_inotify_fd(), self,
				  IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
	if (s->wd < 0) {
		r = -ENFILE;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	shm_put(s);
	return r;
}

int shm_get(struct call *c, struct ofd *o, struct shm **out)
{
	struct pf_stat st;
	int r = pf_fstat(o->m->pool, o->file, &st);
	if (r < 0)
		return r;
	if ((*out = lookup(o->m, st.ino)))
		return 0;
	gate_wr();
	if (!(*out = lookup(o->m, st.ino))) {
		struct shm *s = NULL;
		r = make(o, st.ino, &s);
		if (r == 0) {
			pthread_mutex_lock(&tab_lock);
			s->refs++; /* the table's */
			s->next = tab;
			tab = s;
			__atomic_add_fetch(&nshm, 1, __ATOMIC_RELEASE);
			pthread_mutex_unlock(&tab_lock);
			*out = s;
		}
	}
	gate_unlock();
	return r;
}

/* Is the holder's fd still an open of s's memfd with its access mode? */
static int holder_fd_ok(struct shm *s, const struct holder *h)
{
	int pidfd = (int)syscall(SYS_pidfd_open, h->tgid, 0);
	if (pidfd < 0)
		return 0;
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, h->fd, 0);
	close(pidfd);
	if (fd < 0)
		return 0;
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	int ok = fstat(fd, &st) == 0 && st.st_dev == s->mdev &&
		st.st_ino == s->mino && fl >= 0 && (fl & O_ACCMODE) == h->acc;
	close(fd);
	return ok;
}

/* Does process tgid map s's memfd? */
static int holder_maps(struct shm *s, pid_t tgid)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tgid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long long ino;
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) ==
		    3)
			found = ino == s->mino && makedev(maj, min) == s->mdev;
		/* a line longer than the buffer: skip its rest */
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			;
	}
	fclose(f);
	return found;
}

struct tree_scan {
	struct shm *s;
	int found;
	int depth;
};

/* sc_children_each: does this process, or one below it, map the memfd? */
static int scan_maps(pid_t pid, void *arg)
{
	struct tree_scan *t = arg;
	if (t->found || t->depth > 64)
		return 0;
	if (holder_maps(t->s, pid)) {
		t->found = 1;
		return 0;
	}
	t->depth++;
	sc_children_each(pid, scan_maps, t);
	t->depth--;
	return 0;
}

/*
 * Is the memfd still open or mapped anywhere in the tree? The holders
 * (processes we gave an fd) first; then, when none holds it, every
 * process of the tree's maps, for a forked child that kept a mapping
 * (its fd copy alone does not count: the program does not know it).
 */
static int in_use(struct shm *s)
{
	int used = 0;
	for (int i = 0; i < s->nh; i++) {
		struct holder *h = &s->h[i];
		if (holder_fd_ok(s, h) || holder_maps(s, h->tgid))
			used = 1;
		else
			s->h[i--] = s->h[--s->nh];
	}
	if (used)
		return 1;
	struct tree_scan t = { s, 0, 0 };
	sc_children_each(getpid(), scan_maps, &t);
	return t.found;
}

int shm_target_fd(struct call *c, struct shm *s, int acc)
{
	struct proc *p = call_proc(c);
	if (!p)
		return call_who_err(c);
	pid_t tgid = proc_tgid(p);
	pthread_mutex_lock(&s->lock);
	int r = -EAGAIN;
	if (s->dead)
		goto out;
	for (int i = 0; i < s->nh; i++) {
		struct holder *h = &s->h[i];
		if (h->tgid != tgid || h->acc != acc)
			continue;
		if (holder_fd_ok(s, h)) {
			r = h->fd;
			goto out;
		}
		s->h[i--] = s->h[--s->nh]; /* closed, or replaced */
	}
	if (s->nh == s->caph) {
		int cap = s->caph ? 2 * s->caph : 4;
		struct holder *n = realloc(s->h, (size_t)cap * sizeof(*n));
		if (!n) {
			r = -ENOMEM;
			goto out;
		}
		s->h = n;
		s->caph = cap;
	}
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", s->fd);
	int fd = open(self, acc | O_CLOEXEC);
	if (fd < 0) {
		r = errno == EMFILE ? -ENFILE : -ENOMEM;
		goto out;
	}
	if (acc != O_RDONLY)
		s->writable = 1;
	struct seccomp_notif_addfd a = {
		.id = c->req->id,
		.srcfd = (uint32_t)fd,
		.newfd_flags = O_CLOEXEC,
	};
	r = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	if (r < 0) /* the caller's table is full: mmap's word is ENFILE */
		r = errno == EMFILE ? -ENFILE : -errno;
	else
		s->h[s->nh++] = (struct holder){ tgid, r, acc };
	close(fd); /* after a failed ADDFD: released, seen by shm_inotify_event */
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

int shm_exists(struct ofd *o)
{
	struct shm *s = lookup_file(o->m, o->file);
	int live = s && !s->dead;
	shm_put(s);
	return live;
}

void shm_sync_ofd(struct ofd *o)
{
	struct shm *s = lookup_file(o->m, o->file);
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (!s->dead)
		writeback_logged(s);
	pthread_mutex_unlock(&s->lock);
	shm_put(s);
}

/* Every shm, referenced; *n of them. NULL when there are none (or no
 * memory: then the caller's write-back is skipped and logged). */
static struct shm **all(int *n)
{
	*n = 0;
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&tab_lock);
	int cnt = 0;
	for (struct shm *s = tab; s; s = s->next)
		cnt++;
	struct shm **v = calloc((size_t)cnt + 1, sizeof(*v));
	if (v)
		for (struct shm *s = tab; s; s = s->next) {
			s->refs++;
			v[(*n)++] = s;
		}
	pthread_mutex_unlock(&tab_lock);
	if (!v)
		sc_log(SC_LOG_ERR,
		       "out of memory: mapped pool files not written back");
	return v;
}

void shm_sync_all(void)
{
	int n;
	struct shm **v = all(&n);
	for (int i = 0; i < n; i++) {
		pthread_mutex_lock(&v[i]->lock);
		if (!v[i]->dead)
			writeback_logged(v[i]);
		pthread_mutex_unlock(&v[i]->lock);
		shm_put(v[i]);
	}
	free(v);
}

void shm_write_begin(struct mount *m, pf_file *f, struct shm_w *w)
{
	gate_rd();
	w->s = lookup_file(m, f);
	if (!w->s)
		return;
	pthread_mutex_lock(&w->s->lock);
	if (w->s->dead) {
		pthread_mutex_unlock(&w->s->lock);
		shm_put(w->s);
		w->s = NULL;
	}
}

void shm_write_end(struct shm_w *w, uint64_t pos, uint64_t len)
{
	struct shm *s = w->s;
	if (s) {
		int r = load(s, pos, len);
		if (r < 0)
			sc_log(SC_LOG_ERR,
			       "a mapped pool file's memfd missed a write: %s",
			       strerror(-r));
		pthread_mutex_unlock(&s->lock);
		shm_put(s);
		w->s = NULL;
	}
	gate_unlock();
}

void shm_write_done(struct shm_w *w, pf_file *f, off_t off, int append, long n)
{
	if (!w->s || n <= 0) {
		shm_write_end(w, 0, 0);
		return;
	}
	/* where the n bytes went: the writes to this inode are ordered by
	 * the lock we hold, so the size and the offset are theirs */
	uint64_t end;
	struct pf_stat st;
	if (append) {
		if (pf_fstat(w->s->m->pool, f, &st) < 0)
			st.size = 0;
		end = st.size;
	} else if (off >= 0) {
		end = (uint64_t)off + (uint64_t)n;
	} else {
		off_t cur = pf_lseek(w->s->m->pool, f, 0, SEEK_CUR);
		end = cur < 0 ? (uint64_t)n : (uint64_t)cur;
	}
	shm_write_end(w, end - (uint64_t)n, (uint64_t)n);
}

void shm_reload(struct mount *m, pf_file *f)
{
	struct shm_w w;
	shm_write_begin(m, f, &w);
	shm_write_end(&w, 0, UINT64_MAX);
}

/* Drops s from the table and writes it back. Caller holds s->lock. */
static void retire_locked(struct shm *s)
{
	writeback_logged(s);
	s->dead = 1;
	pthread_mutex_lock(&tab_lock);
	for (struct shm **pp = &tab; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	__atomic_sub_fetch(&nshm, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tab_lock);
	inotify_rm_watch(sc_ofd_inotify_fd(), s->wd);
}

int shm_inotify_event(int wd)
{
	if (!__atomic_load_n(&nshm, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&tab_lock);
	struct shm *s;
	for (s = tab; s; s = s->next)
		if (s->wd == wd)
			break;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&tab_lock);
	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (!s->dead && !in_use(s)) {
		retire_locked(s);
		pthread_mutex_unlock(&s->lock);
		shm_put(s); /* the table's */
	} else {
		pthread_mutex_unlock(&s->lock);
	}
	shm_put(s);
	return 1;
}

void shm_shutdown(void)
{
	int n;
	struct shm **v = all(&n);
	for (int i = 0; i < n; i++) {
		pthread_mutex_lock(&v[i]->lock);
		int was = v[i]->dead;
		if (!was)
			retire_locked(v[i]);
		pthread_mutex_unlock(&v[i]->lock);
		if (!was)
			shm_put(v[i]);
		shm_put(v[i]);
	}
	free(v);
}
