/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File data: a sorted array of extents (layout.h) searched by binary search.
 *
 * Invariant: bytes of an extent below the file size are file contents;
 * bytes at or beyond the size are undefined. Raising the size therefore
 * zeroes the newly exposed extent bytes first, and new extents that land
 * below the size are zeroed before they are published.
 *
 * Writes: a write that needs new extents first allocates them (zeroed where
 * they fall below the size) in one transaction, or one publish for a
 * file's first small extent; a failed allocation changes nothing. Then,
 * outside any transaction, the data is copied and persisted, and only then
 * the 8-byte size/mtime/ctime words are stored with a persist each (see
 * HACKING.md): a crash before the size store leaves the old size, so an
 * append is all-or-nothing; an overwrite in place may tear.
 *
 * Truncate, punch and trim release space by cutting extents
 * (ext_carve_tx): the part of an extent that stays may become several
 * pieces, so code that goes on after a carve looks the index up again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#define PF_EXT_MAX (64ull << 20)       /* one extent at most */
#define PF_PREALLOC_MAX (4ull << 20)   /* append pre-allocation cap */
#define PF_EXT_SMALL 8192u             /* largest small-class extent */
#define PF_CHUNK (256u << 10)          /* libpmemobj chunk */
#define PF_SMALL_FILE (128u << 10)     /* below: small extents only */
#define PF_FILE_MAX ((uint64_t)INT64_MAX)

static inline struct pf_extents *
ext_arr(struct pf_pool *p, struct pf_inode *pi)
{
	return pf_direct(p, pi->data);
}

/* index of the first extent that ends after off */
static uint32_t
ext_find(const struct pf_extents *ex, uint64_t off)
{
	uint32_t lo = 0, hi = ex ? ex->count : 0;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (ex->e[mid].off + ex->e[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static inline char *
ext_mem(struct pf_pool *p, const struct pf_extent *e)
{
	return p->base + e->data.off;
}

/* zeroes the bytes of [from, to) that lie in extents (not persisted) */
static void
zero_in_extents(struct pf_pool *p, struct pf_inode *pi, uint64_t from,
		uint64_t to)
{
	struct pf_extents *ex = ext_arr(p, pi);
	if (!ex || from >= to)
		return;
	for (uint32_t i = ext_find(ex, from); i < ex->count; i++) {
		struct pf_extent *e = &ex->e[i];
		if (e->off >= to)
			break;
		uint64_t s = from > e->off ? from : e->off;
		uint64_t t = to < e->off + e->len ? to : e->off + e->len;
		if (p->is_pmem)
			pmem_memset_nodrain(ext_mem(p, e) + (s - e->off), 0, t - s);
		else
			pf_memset_persist(p, ext_mem(p, e) + (s - e->off), 0, t - s);
	}
}

void
pf_data_free(struct pf_pool *p, struct pf_inode *pi, struct pf_acts *a)
{
	struct pf_extents *ex = ext_arr(p, pi);
	if (!ex)
		return;
	for (uint32_t i = 0; i < ex->count; i++)
		pf_obj_free(p, a, ex->e[i].data, true);
	pf_obj_free(p, a, pi->data, false);
}

/* inserts e at index i of the extent array (in a TX) */
static void
ext_insert_tx(struct pf_pool *p, struct pf_inode *pi, uint32_t i,
	      const struct pf_extent *e)
{
	struct pf_extents *ex = ext_arr(p, pi);
	if (!ex || ex->count == ex->cap) {
		/* array objects: <= 4 KiB, then whole chunks (layout.h) */
		uint32_t ncap;
		if (!ex)
			ncap = 8;
		else if (ex->cap < 126)
			ncap = ex->cap * 2 > 126 ? 126 : ex->cap * 2;
		else
			ncap = (uint32_t)((PF_ALIGN_UP((uint64_t)ex->cap * 2 *
				sizeof(struct pf_extent), PF_CHUNK) - 64 -
				sizeof(struct pf_extents)) / sizeof(struct pf_extent));
		size_t sz = sizeof(struct pf_extents) + ncap * sizeof(struct pf_extent);
		PMEMoid n;
		if (!ex) {
			n = pmemobj_tx_zalloc(sz, PF_T_EXTENTS);
		} else {
			n = pmemobj_tx_alloc(sz, PF_T_EXTENTS);
			memcpy(pf_direct(p, n), ex, sizeof(struct pf_extents) +
			       ex->count * sizeof(struct pf_extent));
			pmemobj_tx_free(pi->data);
		}
		pmemobj_tx_add_range_direct(&pi->data, sizeof(PMEMoid));
		pi->data = n;
		ex = pf_direct(p, n);
		ex->cap = ncap;
	} else {
		pmemobj_tx_add_range_direct(&ex->e[i], (ex->count - i + 1) *
					    sizeof(struct pf_extent));
		pmemobj_tx_add_range_direct(ex, sizeof(uint32_t));
	}
	memmove(&ex->e[i + 1], &ex->e[i], (ex->count - i) * sizeof(ex->e[0]));
	ex->e[i] = *e;
	ex->count++;
}

/* removes extents [i, i+n) from the array and frees their data (in a TX) */
static uint64_t
ext_remove_tx(struct pf_pool *p, struct pf_inode *pi, uint32_t i, uint32_t n)
{
	struct pf_extents *ex = ext_arr(p, pi);
	uint64_t freed = 0;
	if (n == 0)
		return 0;
	for (uint32_t k = i; k < i + n; k++) {
		freed += ex->e[k].len;
		atomic_fetch_sub(&p->data_bytes,
				 pmemobj_alloc_usable_size(ex->e[k].data));
		pmemobj_tx_free(ex->e[k].data);
	}
	pmemobj_tx_add_range_direct(&ex->e[i], (ex->count - i) *
				    sizeof(struct pf_extent));
	pmemobj_tx_add_range_direct(ex, sizeof(uint32_t));
	memmove(&ex->e[i], &ex->e[i + n], (ex->count - i - n) * sizeof(ex->e[0]));
	ex->count -= n;
	pf_inode_snap_tx(pi);
	pi->alloc -= freed;
	return freed;
}

/*
 * Frees the data of an inode that has no link and no user left (an orphan
 * about to be freed), PF_FREE_BATCH extents per TX from the end, until
 * what is left fits the TX that frees the inode. One TX freeing hundreds
 * of objects needs more redo log than a lane holds, and extending the log
 * is an allocation: on a full pool, deleting the file that filled it
 * would fail with ENOSPC. A crash in between leaves an orphan with fewer
 * extents, which the next open frees.
 */
void
pf_data_release_batched(struct pf_pool *p, struct pf_inode *pi)
{
	for (;;) {
		struct pf_extents *ex = ext_arr(p, pi);
		if (!ex || ex->count <= PF_FREE_BATCH)
			return;
		volatile int failed = 0;
		PF_TX_BEGIN(p) {
			ext_remove_tx(p, pi, ex->count - PF_FREE_BATCH,
				      PF_FREE_BATCH);
		} TX_ONABORT {
			failed = 1;
		} TX_END
		if (failed)
			return;  /* the final TX tries the rest */
	}
}

static uint64_t ext_size(uint64_t len, uint64_t *req);

#define CARVE_SMALL (PF_CHUNK - PF_EXT_ALIGN)   /* largest part cut small */
#define CARVE_MAX_PARTS (2 * (CARVE_SMALL / PF_EXT_SMALL + 1))

/*
 * Appends the extents that will hold [off, off+len) to parts: one, or
 * small-class pieces when the part is less than a chunk (a part of 10 KiB
 * in one object would take a whole chunk).
 */
static void
carve_parts(struct pf_extent *parts, int *n, uint64_t off, uint64_t len)
{
	if (len <= PF_EXT_SMALL || len > CARVE_SMALL) {
		parts[(*n)++] = (struct pf_extent){ off, len, OID_NULL };
		return;
	}
	for (uint64_t done = 0; done < len;) {
		uint64_t piece = len - done < PF_EXT_SMALL ? len - done :
			PF_EXT_SMALL;
		parts[(*n)++] = (struct pf_extent){ off + done, piece, OID_NULL };
		done += piece;
	}
}

/*
 * Replaces extent i by its parts below lo and from hi on (both aligned),
 * copied into new data objects; the old object is freed at commit (in a
 * TX). Used to release the middle or the tail of an extent.
 */
static void
ext_carve_tx(struct pf_pool *p, struct pf_inode *pi, uint32_t i, uint64_t lo,
	     uint64_t hi)
{
	struct pf_extents *ex = ext_arr(p, pi);
	struct pf_extent old = ex->e[i];
	const char *src = ext_mem(p, &old);
	struct pf_extent parts[CARVE_MAX_PARTS];
	int n = 0;
	if (lo > old.off)
		carve_parts(parts, &n, old.off, lo - old.off);
	if (hi < old.off + old.len)
		carve_parts(parts, &n, hi, old.off + old.len - hi);
	for (int k = 0; k < n; k++) {
		uint64_t req;
		ext_size(parts[k].len, &req);
		parts[k].data = pmemobj_tx_xalloc(req, PF_T_DATA,
						  POBJ_XALLOC_NO_FLUSH);
		char *dst = p->base + parts[k].data.off;
		if (p->is_pmem)
			pmem_memcpy_nodrain(dst, src + (parts[k].off - old.off),
					    parts[k].len);
		else
			pf_memcpy_persist(p, dst, src + (parts[k].off - old.off),
					  parts[k].len);
		atomic_fetch_add(&p->data_bytes,
				 pmemobj_alloc_usable_size(parts[k].data));
	}
	if (p->is_pmem)
		pmem_drain();
	ext_remove_tx(p, pi, i, 1);
	for (int k = 0; k < n; k++) {
		ext_insert_tx(p, pi, i + (uint32_t)k, &parts[k]);
		pf_inode_snap_tx(pi);
		pi->alloc += parts[k].len;
	}
}

/*
 * Extent sizes come from few size classes, so that the pmemobj heap does
 * not fragment into runs of many distinct classes: powers of two up to
 * 128 KiB, then whole 256 KiB chunks (minus the allocator's header, so a
 * request never spills into one more chunk). Returns the extent length
 * (>= len, aligned) and the request size for pmemobj in *req.
 */
static uint64_t
ext_size(uint64_t len, uint64_t *req)
{
	if (len <= PF_EXT_SMALL) {
		uint64_t s = len <= PF_EXT_ALIGN ? PF_EXT_ALIGN : PF_EXT_SMALL;
		*req = s;
		return s;
	}
	uint64_t cap = PF_ALIGN_UP(len + PF_EXT_ALIGN, PF_CHUNK);
	*req = cap - 64;
	return cap - PF_EXT_ALIGN;
}

/* does [start, end) contain a byte not covered by an extent? */
static bool
has_hole(struct pf_pool *p, struct pf_inode *pi, uint64_t start, uint64_t end)
{
	struct pf_extents *ex = ext_arr(p, pi);
	uint64_t pos = start;
	if (!ex)
		return start < end;
	for (uint32_t i = ext_find(ex, start); pos < end; i++) {
		if (i >= ex->count || ex->e[i].off > pos)
			return true;
		pos = ex->e[i].off + ex->e[i].len;
	}
	return false;
}

/*
 * Allocates extents for every hole in [start, end) (in a TX). New bytes
 * below zero_below are zeroed (they become visible file contents).
 * prealloc: the file is being appended to; the last new extent may be
 * larger than asked for.
 */
static void
fill_holes_tx(struct pf_pool *p, struct pf_inode *pi, uint64_t start,
	      uint64_t end, uint64_t zero_below, bool prealloc)
{
	start = PF_ALIGN_DOWN(start, PF_EXT_ALIGN);
	end = PF_ALIGN_UP(end, PF_EXT_ALIGN);
	uint64_t pos = start;
	while (pos < end) {
		struct pf_extents *ex = ext_arr(p, pi);
		uint32_t i = ext_find(ex, pos);
		uint64_t next = (ex && i < ex->count) ? ex->e[i].off : UINT64_MAX;
		if (next <= pos) {
			pos = ex->e[i].off + ex->e[i].len;
			continue;
		}
		uint64_t hole_end = next < end ? next : end;
		uint64_t len = hole_end - pos;
		if (len > PF_EXT_MAX)
			len = PF_EXT_MAX;
		uint64_t need = len;
		bool pre = false;
		/* pre-allocate for an append smaller than the file's
		 * geometric step (the whole write, not what is left of it: a
		 * write that is bigger allocates what it needs and no more) */
		uint64_t want = pi->alloc < PF_EXT_ALIGN ? PF_EXT_ALIGN :
			pi->alloc;
		if (want > PF_PREALLOC_MAX)
			want = PF_PREALLOC_MAX;
		if (prealloc && next == UINT64_MAX && pos + len == end &&
		    end - start < want) {
			pre = true;
			if (len < want)
				len = want;
		}
		/*
		 * Small files grow in small-class pieces; a piece between
		 * 8 KiB and a chunk would waste most of a chunk.
		 */
		if (len > PF_EXT_SMALL && pi->alloc + len < PF_SMALL_FILE)
			len = PF_EXT_SMALL;
		/*
		 * Without pre-allocation (fallocate, a write into a hole),
		 * allocate what was asked and no more, as tmpfs does: whole
		 * chunks first (a k-chunk object holds k chunks less a page),
		 * then small pieces. ext_size alone would round 1 MiB up to a
		 * 5-chunk object. (An append's pre-allocation is trimmed at
		 * close instead: pf_data_trim.)
		 */
		if (!pre && len > PF_EXT_SMALL) {
			uint64_t k = (len + PF_EXT_ALIGN) / PF_CHUNK;
			len = k ? k * PF_CHUNK - PF_EXT_ALIGN : PF_EXT_SMALL;
		}
		uint64_t req;
		len = ext_size(len, &req);
		/* never overlap the next extent */
		if (next != UINT64_MAX && pos + len > next) {
			len = next - pos;
			req = len;
		}
		struct pf_extent e;
		e.off = pos;
		e.len = len;
		if (pre && len > need) {
			/* pre-allocation is optional: near a full pool,
			 * fall back to what the write needs */
			e.data = pmemobj_tx_xalloc(req, PF_T_DATA,
				POBJ_XALLOC_NO_FLUSH | POBJ_XALLOC_NO_ABORT);
			if (OID_IS_NULL(e.data)) {
				if (need > PF_EXT_SMALL &&
				    pi->alloc + need < PF_SMALL_FILE)
					need = PF_EXT_SMALL;
				e.len = ext_size(need, &req);
				e.data = pmemobj_tx_xalloc(req, PF_T_DATA,
						POBJ_XALLOC_NO_FLUSH);
			}
		} else {
			e.data = pmemobj_tx_xalloc(req, PF_T_DATA,
						   POBJ_XALLOC_NO_FLUSH);
		}
		len = e.len;
		if (pos < zero_below) {
			uint64_t z = zero_below - pos < len ? zero_below - pos : len;
			if (p->is_pmem)
				pmem_memset_nodrain(ext_mem(p, &e), 0, z);
			else
				pf_memset_persist(p, ext_mem(p, &e), 0, z);
		}
		ext_insert_tx(p, pi, i, &e);
		pf_inode_snap_tx(pi);
		pi->alloc += len;
		atomic_fetch_add(&p->data_bytes,
				 pmemobj_alloc_usable_size(e.data));
		pos += len;
	}
	if (p->is_pmem)
		pmem_drain();
}

/* ---- reading ---- */

ssize_t
pf_data_read(struct pf_pool *p, struct pf_vinode *vi, size_t count,
	     uint64_t off, pf_copy_fn copy, void *arg)
{
	struct pf_inode *pi = vi->pi;
	uint64_t size = pi->size;
	if (off >= size || count == 0)
		return 0;
	uint64_t end = size - off < count ? size : off + count;
	struct pf_extents *ex = ext_arr(p, pi);
	uint32_t i = ext_find(ex, off);
	uint64_t pos = off;
	size_t done = 0;
	while (pos < end) {
		void *mem;
		uint64_t n;
		if (ex && i < ex->count && ex->e[i].off <= pos) {
			struct pf_extent *e = &ex->e[i];
			uint64_t eend = e->off + e->len;
			n = (eend < end ? eend : end) - pos;
			mem = ext_mem(p, e) + (pos - e->off);
			i++;
		} else {
			uint64_t next = (ex && i < ex->count) ? ex->e[i].off : end;
			n = (next < end ? next : end) - pos;
			mem = NULL;
		}
		ssize_t r = copy(arg, mem, n, done);
		if (r < 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
		pos += (uint64_t)r;
		if ((uint64_t)r < n)
			break;
	}
	return (ssize_t)done;
}

/* relatime: caller holds the inode lock in any mode */
void
pf_touch_atime(struct pf_pool *p, struct pf_vinode *vi)
{
	struct pf_inode *pi = vi->pi;
	if (pi->flags & PF_FL_NOATIME)
		return;
	/* readers of one inode share its lock: several may store atime at
	 * once (aligned words: relaxed atomics); writers of the times hold
	 * the lock exclusively */
	int64_t at = __atomic_load_n(&pi->atime, __ATOMIC_RELAXED);
	if (at > __atomic_load_n(&pi->mtime, __ATOMIC_RELAXED) &&
	    at > __atomic_load_n(&pi->ctime, __ATOMIC_RELAXED)) {
		int64_t now = pf_now();
		if (now - at < 24ll * 3600 * 1000000000)
			return;
	}
	__atomic_store_n(&pi->atime, pf_now(), __ATOMIC_RELAXED);
	pf_persist(p, &pi->atime, sizeof(pi->atime));
}

/* ---- writing ---- */

struct copy_ctx {
	pf_copy_fn copy;
	void *arg;
};

/* copies count bytes at off from the source into extents; returns moved */
static ssize_t
copy_in(struct pf_pool *p, struct pf_inode *pi, uint64_t off, size_t count,
	pf_copy_fn copy, void *arg)
{
	struct pf_extents *ex = ext_arr(p, pi);
	uint32_t i = ext_find(ex, off);
	uint64_t pos = off, end = off + count;
	size_t done = 0;
	ssize_t ret = 0;
	while (pos < end) {
		struct pf_extent *e = &ex->e[i++];
		uint64_t eend = e->off + e->len;
		uint64_t n = (eend < end ? eend : end) - pos;
		char *mem = ext_mem(p, e) + (pos - e->off);
		ssize_t r = copy(arg, mem, n, done);
		if (r < 0) {
			ret = r;
			break;
		}
		if (r > 0) {
			if (p->is_pmem)
				pmem_flush(mem, (size_t)r);
			else
				pmem_msync(mem, (size_t)r);
		}
		done += (size_t)r;
		pos += (uint64_t)r;
		if ((uint64_t)r < n)
			break;
	}
	if (p->is_pmem)
		pmem_drain();
	pf_persist_point();
	return done ? (ssize_t)done : ret;
}

/* clears S_ISUID/S_ISGID after a write by someone without CAP_FSETID */
uint32_t
pf_killed_mode(const struct pf_caller *c, const struct pf_inode *pi)
{
	uint32_t mode = pi->mode;
	if (!(mode & (S_ISUID | S_ISGID)) || (c && (c->caps & PF_CAP_FSETID)))
		return mode;
	uint32_t m = mode & ~(uint32_t)S_ISUID;
	/* Linux 6.x: S_ISGID goes if group-executable, or if the writer is
	 * not in the file's group */
	if ((mode & S_ISGID) && ((mode & S_IXGRP) || !c ||
				 !pf_in_group(c, pi->gid)))
		m &= ~(uint32_t)S_ISGID;
	return m;
}

struct write_args {
	struct pf_pool *p;
	struct pf_inode *pi;
	uint64_t off;
	size_t count;
	uint64_t size;
	pf_copy_fn copy;
	void *arg;
	uint32_t mode;
	ssize_t done;
};

/*
 * Allocates extents for the holes of a write (zeroed where they fall below
 * the size) in one TX. The data is copied after the commit, so a failed
 * allocation changes nothing at all.
 */
static int
alloc_tx(struct write_args *w)
{
	struct pf_pool *p = w->p;
	struct pf_inode *pi = w->pi;
	volatile int ret = 0;
	PF_TX_BEGIN(p) {
		bool append = w->off >= w->size;
		fill_holes_tx(p, pi, w->off, w->off + w->count, w->size, append);
	} TX_ONABORT {
		ret = pf_tx_errno();
	} TX_END
	return ret;
}

/*
 * The first allocation of a file that has no extents yet, when one small
 * extent holds the write (the commonest: a new file's first write), as one
 * publish (act.c) instead of alloc_tx: the extent array and the data object
 * reserved and filled, then the inode's data pointer and allocation set.
 * -EAGAIN when that does not apply.
 */
static int
alloc_first_act(struct write_args *w)
{
	struct pf_pool *p = w->p;
	struct pf_inode *pi = w->pi;
	if (!OID_IS_NULL(pi->data))
		return -EAGAIN;
	uint64_t start = PF_ALIGN_DOWN(w->off, PF_EXT_ALIGN);
	uint64_t end = PF_ALIGN_UP(w->off + w->count, PF_EXT_ALIGN);
	if (end - start > PF_EXT_SMALL)
		return -EAGAIN;
	uint64_t req;
	/* what fill_holes_tx gives: a page at least, in a small class */
	uint64_t len = ext_size(end - start, &req);
	struct pf_acts acts;
	pf_acts_init(&acts);
	PMEMoid exo, data;
	int err;
	const uint32_t cap = 8;        /* as ext_insert_tx's first array */
	struct pf_extents *ex = pf_act_reserve(p, &acts,
		sizeof(*ex) + cap * sizeof(struct pf_extent), PF_T_EXTENTS,
		&exo, &err);
	if (!ex)
		return err;
	if (!pf_act_reserve_raw(p, &acts, req, PF_T_DATA, &data)) {
		pf_act_cancel(p, &acts);
		return -ENOSPC;
	}
	ex->cap = cap;
	ex->count = 1;
	ex->e[0] = (struct pf_extent){ start, len, data };
	/* the header and the one entry: entries from count on are not
	 * extents, nothing interprets them */
	pf_flush(p, ex, sizeof(*ex) + sizeof(ex->e[0]));
	/* bytes below the old size become file contents: zeroes (a file
	 * truncated up has a size but no extents) */
	if (start < w->size) {
		uint64_t z = w->size - start < len ? w->size - start : len;
		pf_memset_persist(p, p->base + data.off, 0, z);
	}
	pf_act_set_oid(p, &acts, &pi->data, exo);
	pf_act_set(p, &acts, &pi->alloc, pi->alloc + len);
	acts.ddata = (int64_t)pmemobj_alloc_usable_size(data);
	return pf_act_publish(p, &acts);
}

/*
 * alloc_tx found no room for all of w->count: allocate for the longest
 * prefix that fits, to a page, so the write can be short as POSIX asks of
 * a full medium (the next write then gets ENOSPC). A binary search; each
 * success is kept (the next try only fills the holes above it), each
 * failure is an aborted TX that changed nothing. 0 with w->count the
 * prefix, or -ENOSPC when not even the first page fits.
 */
static int
alloc_what_fits(struct write_args *w)
{
	uint64_t off = w->off, count = w->count;
	uint64_t lo = 0, hi = count;   /* [off, off+lo) fits; hi did not */
	for (;;) {
		uint64_t mid = PF_ALIGN_UP(off + lo + (hi - lo) / 2,
					   PF_EXT_ALIGN) - off;
		if (mid >= hi)
			break;
		w->count = mid;
		int r = alloc_tx(w);
		if (r == 0)
			lo = mid;
		else if (r == -ENOSPC)
			hi = mid;
		else
			return r;
	}
	/*
	 * A smaller hole takes a smaller allocation class (ext_size: one
	 * page, two pages, chunks), which may still have room where the
	 * larger tries did not: go on with holes of one and of two pages
	 * until both fail, so that the next write at the end gets ENOSPC.
	 */
	while (lo < count) {
		uint64_t next = PF_ALIGN_UP(off + lo + 1, PF_EXT_ALIGN) - off;
		int r = -ENOSPC;
		for (int pages = 0; pages < 2 && r == -ENOSPC; pages++) {
			/* the two-page hole may reach past the write's end
			 * (room for later, as pre-allocation is) */
			uint64_t end = next + pages * (uint64_t)PF_EXT_ALIGN;
			w->count = pages || end < count ? end : count;
			r = alloc_tx(w);
		}
		if (r == -ENOSPC)
			break;
		if (r)
			return r;
		lo = w->count < count ? w->count : count;
	}
	if (lo == 0)
		return -ENOSPC;
	w->count = lo;
	return 0;
}

/*
 * Writes count bytes at off (or at the end if append). Caller holds the
 * inode write lock. *newpos gets the position after the write.
 */
ssize_t
pf_data_write(struct pf_pool *p, const struct pf_caller *c,
	      struct pf_vinode *vi, size_t count, uint64_t off, bool append,
	      uint64_t *newpos, pf_copy_fn copy, void *arg)
{
	struct pf_inode *pi = vi->pi;
	uint64_t size = pi->size;
	if (append)
		off = size;
	if (off >= PF_FILE_MAX)
		return count ? -EFBIG : 0;
	if (count > PF_FILE_MAX - off)
		count = (size_t)(PF_FILE_MAX - off);
	if (count > (size_t)SSIZE_MAX)
		count = SSIZE_MAX;
	*newpos = off;
	if (count == 0)
		return 0;
	uint32_t mode = pf_killed_mode(c, pi);
	struct write_args w = { p, pi, off, count, size, copy, arg, mode, 0 };
	if (has_hole(p, pi, off, off + count)) {
		int r = alloc_first_act(&w);
		if (r == -EAGAIN)
			r = alloc_tx(&w);
		if (r == -ENOSPC)
			r = alloc_what_fits(&w);
		if (r)
			return r;
		count = w.count;
	}
	{
		/*
		 * The extents cover the write: zero the gap between the old end
		 * and the write, copy and persist the data, then publish size,
		 * times and mode, each one aligned word persisted after the
		 * data, without a TX (the inode write lock is held).
		 */
		if (off > size) {
			zero_in_extents(p, pi, size, off);
			if (p->is_pmem)
				pmem_drain();
		}
		w.done = copy_in(p, pi, off, count, copy, arg);
		if (w.done > 0) {
			uint64_t end = off + (uint64_t)w.done;
			if (end > pi->size) {
				pi->size = end;
				pf_persist(p, &pi->size, sizeof(pi->size));
			}
			int64_t now = pf_now();
			pi->mtime = now;
			pi->ctime = now;
			pf_persist(p, &pi->mtime, 2 * sizeof(int64_t));
			if (mode != pi->mode) {
				pi->mode = mode;
				pf_persist(p, &pi->mode, sizeof(pi->mode));
			}
		}
	}
	if (w.done > 0)
		*newpos = off + (uint64_t)w.done;
	return w.done;
}

/* ---- truncate, fallocate, seek ---- */

static int
truncate_tx(struct pf_pool *p, struct pf_inode *pi, uint64_t len)
{
	volatile int ret = 0;
	PF_TX_BEGIN(p) {
		struct pf_extents *ex = ext_arr(p, pi);
		if (len < pi->size && ex) {
			uint64_t aend = PF_ALIGN_UP(len, PF_EXT_ALIGN);
			uint32_t i = ext_find(ex, aend);
			/* an extent across the aligned new end keeps its part
			 * below it, as one or several pieces (carve_parts) */
			if (i < ex->count && ex->e[i].off < aend) {
				ext_carve_tx(p, pi, i, aend,
					     ex->e[i].off + ex->e[i].len);
				ex = ext_arr(p, pi);
				/* the pieces end at aend: what follows them
				 * goes (not i + 1: there may be several) */
				i = ext_find(ex, aend);
			}
			/* extents starting at or after the aligned new end go */
			ext_remove_tx(p, pi, i, ex->count - i);
		} else if (len > pi->size) {
			zero_in_extents(p, pi, pi->size, len);
			if (p->is_pmem)
				pmem_drain();
		}
		pf_inode_snap_tx(pi);
		pi->size = len;
		pi->mtime = pi->ctime = pf_now();
	} TX_ONABORT {
		ret = pf_tx_errno();
	} TX_END
	return ret;
}

/*
 * Gives back the unused pre-allocation at the end of a file (when a
 * writable description closes): the tail extent is cut at the aligned
 * size if that frees at least a chunk, or if what stays fits small-class
 * pieces (ext_carve_tx). Best effort.
 */
void
pf_data_trim(struct pf_pool *p, struct pf_vinode *vi)
{
	pthread_rwlock_wrlock(&vi->lock);
	struct pf_inode *pi = vi->pi;
	/* (checked under the lock: link count and mode change under it) */
	if (vi->freed || !S_ISREG(pi->mode) || pi->nlink == 0)
		goto out;
	struct pf_extents *ex = ext_arr(p, pi);
	if (!ex || ex->count == 0)
		goto out;
	uint32_t i = ex->count - 1;
	struct pf_extent *e = &ex->e[i];
	uint64_t keep = PF_ALIGN_UP(pi->size, PF_EXT_ALIGN);
	uint64_t end = e->off + e->len;
	uint64_t from = keep > e->off ? keep : e->off;
	/* worth a copy: a chunk freed, a chunk-class tail whose used part
	 * fits small pieces (a 100 KB file would hold 316 KiB otherwise), or
	 * a pre-allocated 8 KiB piece of which one page is used (tmpfs counts
	 * pages: an extracted 12,297-byte file holds 16 KiB there) */
	if (end <= from ||
	    (end - from < PF_CHUNK &&
	     !(e->len > PF_EXT_SMALL && from - e->off <= CARVE_SMALL) &&
	     !(e->len == PF_EXT_SMALL && from - e->off == PF_EXT_ALIGN)))
		goto out;
	PF_TX_BEGIN(p) {
		if (from == e->off)
			ext_remove_tx(p, pi, i, 1);
		else
			ext_carve_tx(p, pi, i, from, end);
	} TX_ONABORT {
		;
	} TX_END
out:
	pthread_rwlock_unlock(&vi->lock);
}

/* caller holds the write lock; permission checks done */
int
pf_data_truncate(struct pf_pool *p, struct pf_vinode *vi, uint64_t len)
{
	if (len > PF_FILE_MAX)
		return -EFBIG;
	return truncate_tx(p, vi->pi, len);
}

struct falloc_args {
	struct pf_pool *p;
	struct pf_inode *pi;
	int mode;
	uint64_t off, end;
};

static void
punch_tx(struct pf_pool *p, struct pf_inode *pi, uint64_t off, uint64_t end)
{
	struct pf_extents *ex = ext_arr(p, pi);
	if (!ex)
		return;
	/* whole extents inside the range are freed, partial ones zeroed */
	uint32_t i = ext_find(ex, off);
	uint32_t first = UINT32_MAX, n = 0;
	for (; i < ex->count && ex->e[i].off < end; i++) {
		struct pf_extent *e = &ex->e[i];
		if (e->off >= off && e->off + e->len <= end) {
			if (first == UINT32_MAX)
				first = i;
			n++;
			continue;
		}
		uint64_t s = off > e->off ? off : e->off;
		uint64_t t = end < e->off + e->len ? end : e->off + e->len;
		if (s >= t)
			continue;
		if (p->is_pmem)
			pmem_memset_nodrain(ext_mem(p, e) + (s - e->off), 0, t - s);
		else
			pf_memset_persist(p, ext_mem(p, e) + (s - e->off), 0, t - s);
	}
	if (p->is_pmem)
		pmem_drain();
	if (n)
		ext_remove_tx(p, pi, first, n);
	/* release the aligned middle of partially covered extents */
	uint64_t alo = PF_ALIGN_UP(off, PF_EXT_ALIGN);
	uint64_t ahi = PF_ALIGN_DOWN(end, PF_EXT_ALIGN);
	for (;;) {
		ex = ext_arr(p, pi);
		if (!ex || alo >= ahi)
			break;
		i = ext_find(ex, alo);
		if (i >= ex->count || ex->e[i].off >= ahi)
			break;
		struct pf_extent *e = &ex->e[i];
		uint64_t lo = e->off > alo ? e->off : alo;
		uint64_t hi = e->off + e->len < ahi ? e->off + e->len : ahi;
		if (lo >= hi)
			break;
		ext_carve_tx(p, pi, i, lo, hi);
		alo = hi;
	}
}

static int
falloc_tx(struct falloc_args *a)
{
	struct pf_pool *p = a->p;
	struct pf_inode *pi = a->pi;
	volatile int ret = 0;
	PF_TX_BEGIN(p) {
		uint64_t size = pi->size;
		bool keep = (a->mode & FALLOC_FL_KEEP_SIZE) != 0;
		if (a->mode & FALLOC_FL_PUNCH_HOLE) {
			punch_tx(p, pi, a->off, a->end);
		} else {
			if (a->mode & FALLOC_FL_ZERO_RANGE) {
				uint64_t zend = a->end < size ? a->end : size;
				if (a->off < zend)
					zero_in_extents(p, pi, a->off, zend);
			}
			/* new extents are zeroed entirely */
			fill_holes_tx(p, pi, a->off, a->end, UINT64_MAX, false);
			if (!keep && a->end > size) {
				zero_in_extents(p, pi, size, a->end);
				if (p->is_pmem)
					pmem_drain();
				pf_inode_snap_tx(pi);
				pi->size = a->end;
			}
		}
		pf_inode_snap_tx(pi);
		int64_t now = pf_now();
		if (a->mode != FALLOC_FL_KEEP_SIZE && a->mode != 0)
			pi->mtime = now;
		else if (!keep && a->end > size)
			pi->mtime = now;
		pi->ctime = now;
	} TX_ONABORT {
		ret = pf_tx_errno();
	} TX_END
	return ret;
}

/* caller holds the write lock and checked the mode and the file */
int
pf_data_fallocate(struct pf_pool *p, struct pf_vinode *vi, int mode,
		  uint64_t off, uint64_t len)
{
	if (off > PF_FILE_MAX || len > PF_FILE_MAX - off)
		return -EFBIG;
	struct falloc_args a = { p, vi->pi, mode, off, off + len };
	return falloc_tx(&a);
}

off_t
pf_data_seek(struct pf_pool *p, struct pf_vinode *vi, off_t off, int whence)
{
	struct pf_inode *pi = vi->pi;
	uint64_t size = pi->size;
	if (off < 0)
		return -ENXIO;
	if ((uint64_t)off >= size)
		return -ENXIO;
	struct pf_extents *ex = ext_arr(p, pi);
	uint32_t i = ext_find(ex, (uint64_t)off);
	if (whence == SEEK_DATA) {
		if (!ex || i >= ex->count || ex->e[i].off >= size)
			return -ENXIO;
		return ex->e[i].off > (uint64_t)off ? (off_t)ex->e[i].off : off;
	}
	/* SEEK_HOLE */
	uint64_t pos = (uint64_t)off;
	while (ex && i < ex->count && ex->e[i].off <= pos) {
		pos = ex->e[i].off + ex->e[i].len;
		i++;
	}
	return (off_t)(pos < size ? pos : size);
}
