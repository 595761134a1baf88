/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data of the shared page caches (shm.c): loading a memfd from the
 * pool, the write-through of every change of a mapped pool file into its
 * memfd (the handlers' shm_write_begin/_end), and the write-back of what
 * mappings stored (shm_sync_ofd, shm_sync_all, and when a shm retires).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "shm_impl.h"

/* The write-back's credentials: the supervisor's own, as a page cache's
 * write-back is the kernel's (no permission check, no set-ID clearing). */
struct pf_caller shm_wb_caller = { .caps = ~0ULL };

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
int shm_load(struct shm *s, uint64_t pos, uint64_t len)
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
			ssize_t w = pf_pwrite(s->m->pool, &shm_wb_caller,
					      s->file, mem + pos + d.run[i].off,
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

void shm_writeback(struct shm *s)
{
	int r = writeback(s);
	if (r < 0)
		sc_log(SC_LOG_ERR,
		       "write-back of a mapped pool file (inode %llu): %s",
		       (unsigned long long)s->ino, strerror(-r));
}

void shm_sync_ofd(struct ofd *o)
{
	struct shm *s = shm_lookup_file(o->m, o->file);
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (!s->dead)
		shm_writeback(s);
	pthread_mutex_unlock(&s->lock);
	shm_put(s);
}

void shm_sync_all(void)
{
	int n;
	struct shm **v = shm_all(&n);
	for (int i = 0; i < n; i++) {
		pthread_mutex_lock(&v[i]->lock);
		if (!v[i]->dead)
			shm_writeback(v[i]);
		pthread_mutex_unlock(&v[i]->lock);
		shm_put(v[i]);
	}
	free(v);
}

void shm_write_begin(struct mount *m, pf_file *f, struct shm_w *w)
{
	shm_gate_rd();
	w->s = shm_lookup_file(m, f);
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
		int r = shm_load(s, pos, len);
		if (r < 0)
			sc_log(SC_LOG_ERR,
			       "a mapped pool file's memfd missed a write: %s",
			       strerror(-r));
		pthread_mutex_unlock(&s->lock);
		shm_put(s);
		w->s = NULL;
	}
	shm_gate_unlock();
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
