/* SPDX-License-Identifier: BSD-3-Clause */
/* In-core inodes (vinodes), inode allocation and freeing, orphans, stat. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static inline uint64_t
hash_off(uint64_t off)
{
	off ^= off >> 33;
	off *= 0xff51afd7ed558ccdull;
	off ^= off >> 33;
	return off;
}

int
pf_vinode_table_init(struct pf_pool *p)
{
	p->hsize = 1024;
	p->htab = calloc(p->hsize, sizeof(*p->htab));
	if (!p->htab)
		return -ENOMEM;
	for (int i = 0; i < PF_VINODE_STRIPES; i++)
		pthread_mutex_init(&p->stripe_lock[i], NULL);
	return 0;
}

static void
vinode_destroy(struct pf_vinode *vi)
{
	pf_dir_index_free(vi);
	pthread_rwlock_destroy(&vi->lock);
	pthread_mutex_destroy(&vi->dx_mutex);
	free(vi);
}

void
pf_vinode_table_fini(struct pf_pool *p)
{
	if (!p->htab)
		return;
	for (size_t i = 0; i < p->hsize; i++) {
		struct pf_vinode *vi = p->htab[i], *n;
		for (; vi; vi = n) {
			n = vi->hnext;
			vinode_destroy(vi);
		}
	}
	free(p->htab);
	p->htab = NULL;
	for (int i = 0; i < PF_VINODE_STRIPES; i++)
		pthread_mutex_destroy(&p->stripe_lock[i]);
}

/* Doubles the hash table. Takes every stripe lock (in order). */
static void
vinode_table_grow(struct pf_pool *p, size_t seen_size)
{
	for (int i = 0; i < PF_VINODE_STRIPES; i++)
		pthread_mutex_lock(&p->stripe_lock[i]);
	if (p->hsize == seen_size) {
		size_t nsize = p->hsize * 2;
		struct pf_vinode **n = calloc(nsize, sizeof(*n));
		if (n) {
			for (size_t i = 0; i < p->hsize; i++) {
				struct pf_vinode *vi = p->htab[i], *next;
				for (; vi; vi = next) {
					next = vi->hnext;
					size_t b = hash_off(vi->off) & (nsize - 1);
					vi->hnext = n[b];
					n[b] = vi;
				}
			}
			free(p->htab);
			p->htab = n;
			p->hsize = nsize;
		}
	}
	for (int i = PF_VINODE_STRIPES - 1; i >= 0; i--)
		pthread_mutex_unlock(&p->stripe_lock[i]);
}

/* See internal.h. An inode is checked once, when its vinode is made. */
int
pf_vinode_get(struct pf_pool *p, PMEMoid oid, struct pf_vinode **out)
{
	uint64_t h = hash_off(oid.off);
	pthread_mutex_t *l = &p->stripe_lock[h & (PF_VINODE_STRIPES - 1)];
	pthread_mutex_lock(l);
	size_t hsize = p->hsize;
	struct pf_vinode **b = &p->htab[h & (hsize - 1)];
	for (struct pf_vinode *vi = *b; vi; vi = vi->hnext) {
		if (vi->off == oid.off) {
			atomic_fetch_add(&vi->ref, 1);
			pthread_mutex_unlock(l);
			*out = vi;
			return 0;
		}
	}
	int r = pf_inode_check(p, oid);
	if (r) {
		pthread_mutex_unlock(l);
		return r;
	}
	struct pf_vinode *vi = calloc(1, sizeof(*vi));
	if (!vi) {
		pthread_mutex_unlock(l);
		return -ENOMEM;
	}
	vi->off = oid.off;
	vi->oid = oid;
	vi->pi = pf_direct(p, oid);
	atomic_init(&vi->ref, 1);
	pthread_rwlock_init(&vi->lock, NULL);
	pthread_mutex_init(&vi->dx_mutex, NULL);
	vi->hnext = *b;
	*b = vi;
	size_t n = atomic_fetch_add(&p->nvinodes, 1) + 1;
	pthread_mutex_unlock(l);
	if (n > hsize * 2)
		vinode_table_grow(p, hsize);
	*out = vi;
	return 0;
}

struct pf_vinode *
pf_vinode_ref(struct pf_vinode *vi)
{
	atomic_fetch_add(&vi->ref, 1);
	return vi;
}

/* Removes vi from the hash. Caller holds its stripe lock. */
static void
vinode_unhash(struct pf_pool *p, struct pf_vinode *vi)
{
	struct pf_vinode **b = &p->htab[hash_off(vi->off) & (p->hsize - 1)];
	for (; *b; b = &(*b)->hnext) {
		if (*b == vi) {
			*b = vi->hnext;
			atomic_fetch_sub(&p->nvinodes, 1);
			return;
		}
	}
}

/*
 * Drops a reference. The last reference to an inode without links frees it
 * (it is on the orphan list: see pf_orphan_add_tx).
 */
void
pf_vinode_put(struct pf_pool *p, struct pf_vinode *vi)
{
	if (!vi)
		return;
	/* not the last reference: no lock */
	int r = atomic_load(&vi->ref);
	while (r > 1)
		if (atomic_compare_exchange_weak(&vi->ref, &r, r - 1))
			return;
	/*
	 * Maybe the last: decide under the stripe lock, which pf_vinode_get
	 * also holds, so no other thread can revive or free vi meanwhile.
	 */
	pthread_mutex_t *l = &p->stripe_lock[hash_off(vi->off) &
					     (PF_VINODE_STRIPES - 1)];
	pthread_mutex_lock(l);
	if (atomic_fetch_sub(&vi->ref, 1) != 1) {
		pthread_mutex_unlock(l);
		return;
	}
	if (vi->freed) {
		/* unhashed already: nobody else can reach it */
		pthread_mutex_unlock(l);
		vinode_destroy(vi);
		return;
	}
	if (vi->pi->nlink != 0) {
		pthread_mutex_unlock(l);
		return;
	}
	vi->freed = true;
	vinode_unhash(p, vi);
	pthread_mutex_unlock(l);

	pf_inode_release_batched(p, vi->pi);
	pthread_mutex_lock(&p->orphan_lock);
	PF_TX_BEGIN(p) {
		pf_orphan_del_tx(p, vi->oid);
		pf_inode_free(p, vi->oid, NULL);
	} TX_END
	pthread_mutex_unlock(&p->orphan_lock);
	vinode_destroy(vi);
}

/*
 * Marks vi freed and unhashes it BEFORE the caller frees its persistent
 * inode in a TX (caller holds the only reference): once the TX commits the
 * allocator may hand the same offset to a new inode, which must get a new
 * vinode. If the TX aborts, pf_vinode_unmark_freed puts it back.
 */
void
pf_vinode_mark_freed(struct pf_pool *p, struct pf_vinode *vi)
{
	pthread_mutex_t *l = &p->stripe_lock[hash_off(vi->off) &
					     (PF_VINODE_STRIPES - 1)];
	pthread_mutex_lock(l);
	vi->freed = true;
	vinode_unhash(p, vi);
	pthread_mutex_unlock(l);
}

/* Undoes pf_vinode_mark_freed after the freeing TX aborted. */
void
pf_vinode_unmark_freed(struct pf_pool *p, struct pf_vinode *vi)
{
	uint64_t h = hash_off(vi->off);
	pthread_mutex_t *l = &p->stripe_lock[h & (PF_VINODE_STRIPES - 1)];
	pthread_mutex_lock(l);
	struct pf_vinode **b = &p->htab[h & (p->hsize - 1)];
	vi->freed = false;
	vi->hnext = *b;
	*b = vi;
	atomic_fetch_add(&p->nvinodes, 1);
	pthread_mutex_unlock(l);
}

/*
 * Snapshots mode through ctime (layout.h: PF_INODE_HOT_*) in one undo-log
 * entry. libpmemobj 1.12 charges about 0.4 us per entry, the same for 8
 * bytes as for 128 (bench/README.md), so a metadata change snapshots this
 * once instead of one entry per field; a second call in the same TX finds
 * the range logged and adds nothing. Caller holds the inode's write lock,
 * so no reader updates atime meanwhile.
 */
void
pf_inode_snap_tx(struct pf_inode *pi)
{
	pmemobj_tx_add_range_direct((char *)pi + PF_INODE_HOT_START,
				    PF_INODE_HOT_END - PF_INODE_HOT_START);
}

PMEMoid
pf_inode_alloc_tx(struct pf_pool *p, const struct pf_caller *c,
		  struct pf_inode *dir, mode_t mode, uint64_t rdev)
{
	PMEMoid oid = pmemobj_tx_zalloc(sizeof(struct pf_inode), PF_T_INODE);
	pf_inode_init(p, c, dir, pf_direct(p, oid), mode, rdev);
	atomic_fetch_add(&p->ninodes, 1);
	return oid;
}

void
pf_inode_init(struct pf_pool *p, const struct pf_caller *c,
	      struct pf_inode *dir, struct pf_inode *pi, mode_t mode,
	      uint64_t rdev)
{
	(void)p;
	pi->magic = PF_INODE_MAGIC;
	pi->uid = c->fsuid;
	pi->gid = c->fsgid;
	if (dir && (dir->mode & S_ISGID)) {
		pi->gid = dir->gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	}
	/* a new file in a setgid dir keeps S_ISGID only if the caller is in
	 * the group or has CAP_FSETID (inode_init_owner) */
	if (!S_ISDIR(mode) && (mode & S_ISGID) && (mode & S_IXGRP) &&
	    !pf_in_group(c, pi->gid) && !(c->caps & PF_CAP_FSETID))
		mode &= ~(mode_t)S_ISGID;
	pi->mode = (uint32_t)mode;
	pi->rdev = rdev;
	int64_t now = pf_now();
	pi->atime = pi->mtime = pi->ctime = pi->btime = now;
}

void
pf_inode_free(struct pf_pool *p, PMEMoid oid, struct pf_acts *a)
{
	struct pf_inode *pi = pf_direct(p, oid);
	switch (pi->mode & S_IFMT) {
	case S_IFREG:
		pf_data_free(p, pi, a);
		break;
	case S_IFDIR:
		pf_dir_free_pages(p, pi, a);
		break;
	default:
		if (!OID_IS_NULL(pi->data))
			pf_obj_free(p, a, pi->data, false);
		break;
	}
	if (!OID_IS_NULL(pi->xattr))
		pf_obj_free(p, a, pi->xattr, true);
	pf_obj_free(p, a, oid, false);
	if (a)
		a->dinodes--;
	else
		atomic_fetch_sub(&p->ninodes, 1);
}

void
pf_inode_release_batched(struct pf_pool *p, struct pf_inode *pi)
{
	if (S_ISREG(pi->mode))
		pf_data_release_batched(p, pi);
	else if (S_ISDIR(pi->mode))
		pf_dir_release_batched(p, pi);
}

bool
pf_inode_owns_many(struct pf_pool *p, const struct pf_inode *pi)
{
	if (S_ISREG(pi->mode)) {
		const struct pf_extents *ex = pf_direct(p, pi->data);
		return ex && ex->count > PF_FREE_BATCH;
	}
	if (S_ISDIR(pi->mode))
		return pi->alloc > PF_FREE_BATCH * sizeof(struct pf_dirpage);
	return false;
}

/* In a TX, with p->orphan_lock held: puts oid at the head of the list. */
void
pf_orphan_add_tx(struct pf_pool *p, PMEMoid oid)
{
	struct pf_super *s = p->super;
	struct pf_inode *pi = pf_direct(p, oid);
	pmemobj_tx_add_range_direct(&pi->orphan_next, 2 * sizeof(PMEMoid));
	pi->orphan_next = s->orphans;
	pi->orphan_prev = OID_NULL;
	if (!OID_IS_NULL(s->orphans)) {
		struct pf_inode *h = pf_direct(p, s->orphans);
		pmemobj_tx_add_range_direct(&h->orphan_prev, sizeof(PMEMoid));
		h->orphan_prev = oid;
	}
	pmemobj_tx_add_range_direct(&s->orphans, sizeof(PMEMoid));
	s->orphans = oid;
}

/* In a TX, with p->orphan_lock held: unlinks oid from the orphan list. */
void
pf_orphan_del_tx(struct pf_pool *p, PMEMoid oid)
{
	struct pf_super *s = p->super;
	struct pf_inode *pi = pf_direct(p, oid);
	if (OID_IS_NULL(pi->orphan_prev)) {
		if (s->orphans.off != oid.off)
			return;         /* not on the list */
		pmemobj_tx_add_range_direct(&s->orphans, sizeof(PMEMoid));
		s->orphans = pi->orphan_next;
	} else {
		struct pf_inode *prev = pf_direct(p, pi->orphan_prev);
		pmemobj_tx_add_range_direct(&prev->orphan_next, sizeof(PMEMoid));
		prev->orphan_next = pi->orphan_next;
	}
	if (!OID_IS_NULL(pi->orphan_next)) {
		struct pf_inode *next = pf_direct(p, pi->orphan_next);
		pmemobj_tx_add_range_direct(&next->orphan_prev, sizeof(PMEMoid));
		next->orphan_prev = pi->orphan_prev;
	}
	pmemobj_tx_add_range_direct(&pi->orphan_next, 2 * sizeof(PMEMoid));
	pi->orphan_next = OID_NULL;
	pi->orphan_prev = OID_NULL;
}

uint8_t
pf_dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFLNK: return DT_LNK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	default: return DT_UNKNOWN;
	}
}

static inline struct timespec
ts_of(int64_t ns)
{
	struct timespec ts;
	int64_t s = ns / 1000000000, r = ns % 1000000000;
	if (r < 0) {
		r += 1000000000;
		s--;
	}
	ts.tv_sec = s;
	ts.tv_nsec = r;
	return ts;
}

/* caller holds at least the read lock (or accepts a racy snapshot) */
void
pf_inode_stat(struct pf_pool *p, struct pf_vinode *vi, struct pf_stat *st)
{
	const struct pf_inode *pi = vi->pi;
	st->dev = p->dev;
	st->ino = vi->off;
	st->mode = pi->mode;
	st->nlink = pi->nlink;
	st->uid = pi->uid;
	st->gid = pi->gid;
	st->rdev = pi->rdev;
	if (S_ISDIR(pi->mode))
		st->size = pi->alloc > PF_BLKSIZE ? pi->alloc : PF_BLKSIZE;
	else
		st->size = pi->size;
	/* data extents, and the attribute blob (as a file system with
	 * external attribute blocks counts them) */
	st->blocks = pi->alloc / 512 + (pf_xattr_bytes(p, pi) + 511) / 512;
	st->blksize = PF_BLKSIZE;
	st->flags = pi->flags;
	/* readers store atime under a shared lock (pf_touch_atime) */
	st->atime = ts_of(__atomic_load_n(&pi->atime, __ATOMIC_RELAXED));
	st->mtime = ts_of(pi->mtime);
	st->ctime = ts_of(pi->ctime);
	st->btime = ts_of(pi->btime);
}
