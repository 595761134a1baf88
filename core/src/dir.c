/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Directories: persistent dirent slots in chained pages (layout.h) plus a
 * volatile index per directory, built on first use: an open-addressing hash
 * (name -> slot), the page array and a free-slot stack. Lookup, insert and
 * delete are O(1) expected at any size.
 *
 * The index is changed together with the persistent slots, under the
 * directory's write lock. If the transaction aborts, the caller drops the
 * index (pf_dir_index_drop) and the next use rebuilds it from the pool.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct pf_dirindex {
	struct pf_dirpage **pages;
	uint32_t npages, pages_cap;
	/* hash: entry = slot + 1 (0: empty); hashes parallel */
	uint32_t *hslot;
	uint32_t *hhash;
	uint32_t hcap;                /* power of two */
	uint32_t hused;
	uint32_t *freeslots;
	uint32_t nfree, free_cap;
};

static inline uint32_t
name_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static inline struct pf_dirent *
slot_dirent(struct pf_dirindex *dx, uint32_t slot)
{
	return &dx->pages[slot / PF_DIRPAGE_SLOTS]->d[slot % PF_DIRPAGE_SLOTS];
}

void
pf_dir_index_free(struct pf_vinode *vi)
{
	struct pf_dirindex *dx = atomic_exchange(&vi->dx, NULL);
	if (!dx)
		return;
	free(dx->pages);
	free(dx->hslot);
	free(dx->hhash);
	free(dx->freeslots);
	free(dx);
}

void
pf_dir_index_drop(struct pf_vinode *dir)
{
	pf_dir_index_free(dir);
}

static int
hash_insert_raw(struct pf_dirindex *dx, uint32_t h, uint32_t slot)
{
	uint32_t mask = dx->hcap - 1;
	uint32_t i = h & mask;
	while (dx->hslot[i])
		i = (i + 1) & mask;
	dx->hslot[i] = slot + 1;
	dx->hhash[i] = h;
	dx->hused++;
	return 0;
}

static int
hash_grow(struct pf_dirindex *dx)
{
	uint32_t ocap = dx->hcap;
	uint32_t *os = dx->hslot, *oh = dx->hhash;
	uint32_t ncap = ocap ? ocap * 2 : 64;
	uint32_t *ns = calloc(ncap, sizeof(*ns));
	uint32_t *nh = malloc(ncap * sizeof(*nh));
	if (!ns || !nh) {
		free(ns);
		free(nh);
		return -ENOMEM;
	}
	dx->hslot = ns;
	dx->hhash = nh;
	dx->hcap = ncap;
	dx->hused = 0;
	for (uint32_t i = 0; i < ocap; i++)
		if (os[i])
			hash_insert_raw(dx, oh[i], os[i] - 1);
	free(os);
	free(oh);
	return 0;
}

static int
hash_insert(struct pf_dirindex *dx, uint32_t h, uint32_t slot)
{
	if ((dx->hused + 1) * 4 >= dx->hcap * 3) {
		int r = hash_grow(dx);
		if (r)
			return r;
	}
	return hash_insert_raw(dx, h, slot);
}

/* removes the entry for slot (backward-shift deletion) */
static void
hash_remove(struct pf_dirindex *dx, uint32_t h, uint32_t slot)
{
	uint32_t mask = dx->hcap - 1;
	uint32_t i = h & mask;
	while (dx->hslot[i] && dx->hslot[i] != slot + 1)
		i = (i + 1) & mask;
	if (!dx->hslot[i])
		return;
	dx->hslot[i] = 0;
	dx->hused--;
	uint32_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!dx->hslot[j])
			break;
		uint32_t k = dx->hhash[j] & mask;
		/* can entry j move to hole i? (k not cyclically in (i, j]) */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			dx->hslot[i] = dx->hslot[j];
			dx->hhash[i] = dx->hhash[j];
			dx->hslot[j] = 0;
			i = j;
		}
	}
}

static int
push_free(struct pf_dirindex *dx, uint32_t slot)
{
	if (dx->nfree == dx->free_cap) {
		uint32_t ncap = dx->free_cap ? dx->free_cap * 2 : 64;
		uint32_t *n = realloc(dx->freeslots, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		dx->freeslots = n;
		dx->free_cap = ncap;
	}
	dx->freeslots[dx->nfree++] = slot;
	return 0;
}

static int
add_page(struct pf_dirindex *dx, struct pf_dirpage *pg)
{
	if (dx->npages == dx->pages_cap) {
		uint32_t ncap = dx->pages_cap ? dx->pages_cap * 2 : 8;
		struct pf_dirpage **n = realloc(dx->pages, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		dx->pages = n;
		dx->pages_cap = ncap;
	}
	dx->pages[dx->npages++] = pg;
	return 0;
}

/* Builds the index from the pool. Caller holds the dir lock (any mode). */
static struct pf_dirindex *
index_build(struct pf_pool *p, struct pf_vinode *dir)
{
	dir->dx_err = -ENOMEM;
	struct pf_dirindex *dx = calloc(1, sizeof(*dx));
	if (!dx)
		return NULL;
	if (hash_grow(dx))
		goto fail;
	/* a damaged chain may leave the pool or loop: -EIO (see check.c) */
	uint64_t maxpages = dir->pi->alloc / sizeof(struct pf_dirpage);
	for (PMEMoid o = dir->pi->data; !OID_IS_NULL(o);) {
		if (dx->npages >= maxpages || !pf_dirpage_ok(p, o)) {
			dir->dx_err = -EIO;
			goto fail;
		}
		struct pf_dirpage *pg = pf_direct(p, o);
		if (add_page(dx, pg))
			goto fail;
		o = pg->next;
	}
	/* free slots pushed from the end, so low slots are reused first */
	for (uint32_t pi = dx->npages; pi-- > 0;) {
		struct pf_dirpage *pg = dx->pages[pi];
		for (uint32_t i = PF_DIRPAGE_SLOTS; i-- > 0;) {
			uint32_t slot = pi * PF_DIRPAGE_SLOTS + i;
			struct pf_dirent *d = &pg->d[i];
			int r;
			if (OID_IS_NULL(d->inode))
				r = push_free(dx, slot);
			else
				r = hash_insert(dx, name_hash(d->name, d->namelen), slot);
			if (r)
				goto fail;
		}
	}
	return dx;
fail:
	free(dx->pages);
	free(dx->hslot);
	free(dx->hhash);
	free(dx->freeslots);
	free(dx);
	return NULL;
}

static struct pf_dirindex *
index_get(struct pf_pool *p, struct pf_vinode *dir)
{
	struct pf_dirindex *dx = atomic_load_explicit(&dir->dx,
						      memory_order_acquire);
	if (dx)
		return dx;
	pthread_mutex_lock(&dir->dx_mutex);
	dx = atomic_load(&dir->dx);
	if (!dx) {
		dx = index_build(p, dir);
		atomic_store_explicit(&dir->dx, dx, memory_order_release);
	}
	pthread_mutex_unlock(&dir->dx_mutex);
	return dx;
}

/*
 * Looks name up in dir. Caller holds the dir lock (read or write).
 * 0 and *out (and *slot if not NULL), -ENOENT, or -ENOMEM.
 */
int
pf_dir_lookup(struct pf_pool *p, struct pf_vinode *dir, const char *name,
	      size_t len, PMEMoid *out, uint32_t *slotp)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		return dir->dx_err;
	uint32_t h = name_hash(name, len);
	uint32_t mask = dx->hcap - 1;
	for (uint32_t i = h & mask; dx->hslot[i]; i = (i + 1) & mask) {
		if (dx->hhash[i] != h)
			continue;
		uint32_t slot = dx->hslot[i] - 1;
		struct pf_dirent *d = slot_dirent(dx, slot);
		if (d->namelen == len && memcmp(d->name, name, len) == 0) {
			*out = d->inode;
			if (slotp)
				*slotp = slot;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The name under which dir lists the inode at pool offset ino: a scan of
 * its entries (no index by inode). Caller holds the dir lock (any mode).
 * 0 with name (NUL-terminated) and *len, -ENOENT, -ENOMEM or -EIO.
 */
int
pf_dir_name_of(struct pf_pool *p, struct pf_vinode *dir, uint64_t ino,
	       char name[PF_NAME_MAX + 1], size_t *len)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		return dir->dx_err;
	for (uint32_t pi = 0; pi < dx->npages; pi++) {
		struct pf_dirpage *pg = dx->pages[pi];
		for (uint32_t i = 0; i < PF_DIRPAGE_SLOTS; i++) {
			struct pf_dirent *d = &pg->d[i];
			if (OID_IS_NULL(d->inode) || d->inode.off != ino)
				continue;
			if (d->namelen == 0 || d->namelen > PF_NAME_MAX)
				return -EIO;
			memcpy(name, d->name, d->namelen);
			name[d->namelen] = 0;
			*len = d->namelen;
			return 0;
		}
	}
	return -ENOENT;
}

PMEMoid
pf_dir_first_page_alloc_tx(struct pf_pool *p)
{
	PMEMoid o = pmemobj_tx_zalloc(sizeof(struct pf_dirpage), PF_T_DIRPAGE);
	struct pf_dirpage *pg = pf_direct(p, o);
	pg->nslots = PF_DIRPAGE_SLOTS;
	return o;
}

/*
 * Adds name -> ino. In a TX; caller holds the dir write lock and checked
 * that name is absent. Aborts the TX on failure (then drop the index).
 */
void
pf_dir_add_tx(struct pf_pool *p, struct pf_vinode *dir, const char *name,
	      size_t len, PMEMoid ino, uint32_t mode)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		pmemobj_tx_abort(-dir->dx_err);
	struct pf_inode *dpi = dir->pi;
	if (dx->nfree == 0) {
		PMEMoid o = pf_dir_first_page_alloc_tx(p);
		struct pf_dirpage *pg = pf_direct(p, o);
		if (dx->npages == 0) {
			pmemobj_tx_add_range_direct(&dpi->data, sizeof(PMEMoid));
			dpi->data = o;
		} else {
			struct pf_dirpage *last = dx->pages[dx->npages - 1];
			pmemobj_tx_add_range_direct(&last->next, sizeof(PMEMoid));
			last->next = o;
		}
		pf_inode_snap_tx(dpi);
		dpi->alloc += sizeof(struct pf_dirpage);
		uint32_t base = dx->npages * PF_DIRPAGE_SLOTS;
		if (add_page(dx, pg))
			pmemobj_tx_abort(ENOMEM);
		for (uint32_t i = PF_DIRPAGE_SLOTS; i-- > 0;)
			if (push_free(dx, base + i))
				pmemobj_tx_abort(ENOMEM);
	}
	uint32_t slot = dx->freeslots[--dx->nfree];
	struct pf_dirpage *pg = dx->pages[slot / PF_DIRPAGE_SLOTS];
	struct pf_dirent *d = &pg->d[slot % PF_DIRPAGE_SLOTS];
	pmemobj_tx_add_range_direct(d, offsetof(struct pf_dirent, name));
	pmemobj_tx_xadd_range_direct(d->name, len, POBJ_XADD_NO_SNAPSHOT);
	memcpy(d->name, name, len);
	d->namelen = (uint16_t)len;
	d->type = pf_dtype(mode);
	d->inode = ino;
	pf_inode_snap_tx(dpi);
	dpi->size++;
	if (hash_insert(dx, name_hash(name, len), slot))
		pmemobj_tx_abort(ENOMEM);
}

/*
 * The redo-logged form of pf_dir_add_tx (act.c), for a directory with a
 * free slot. The name, type and pool uuid go into the free slot directly
 * (a slot whose inode.off is 0 is free to every reader, fsck and index
 * builder alike) and are flushed (pf_act_publish drains); setting the
 * slot's inode.off is an action of a. The directory's size and times are
 * the caller's (pf_dir_touch_act: a rename within one directory adds and
 * removes, and two actions on one word are applied in any order).
 * Returns 0 and the slot, -EAGAIN when the directory has no free slot (the
 * TX form allocates a page), or the index's error. pf_dir_add_done
 * updates the index once published.
 */
int
pf_dir_add_act(struct pf_pool *p, struct pf_vinode *dir, const char *name,
	       size_t len, PMEMoid ino, uint32_t mode, struct pf_acts *a,
	       uint32_t *slotp)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		return -dir->dx_err;
	if (dx->nfree == 0)
		return -EAGAIN;
	uint32_t slot = dx->freeslots[dx->nfree - 1];
	struct pf_dirent *d = slot_dirent(dx, slot);
	/* free while inode.off is 0 (OID_IS_NULL): the rest may be set now */
	d->inode.pool_uuid_lo = ino.pool_uuid_lo;
	d->namelen = (uint16_t)len;
	d->type = pf_dtype(mode);
	memcpy(d->name, name, len);
	pf_flush(p, d, offsetof(struct pf_dirent, name) + len);
	pf_act_set(p, a, &d->inode.off, ino.off);
	*slotp = slot;
	return 0;
}

/*
 * A directory's size changed by delta entries (no action when 0) and its
 * mtime and ctime set to now, as actions of a: what every name change
 * does to the directories it touches.
 */
void
pf_dir_touch_act(struct pf_pool *p, struct pf_acts *a, struct pf_inode *dpi,
		 int64_t delta, int64_t now)
{
	if (delta)
		pf_act_set(p, a, &dpi->size, dpi->size + (uint64_t)delta);
	pf_act_set(p, a, &dpi->mtime, (uint64_t)now);
	pf_act_set(p, a, &dpi->ctime, (uint64_t)now);
}

/* After the publish (before any pf_dir_remove_done of the same one). */
void
pf_dir_add_done(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		return;
	struct pf_dirent *d = slot_dirent(dx, slot);
	if (dx->nfree == 0 || dx->freeslots[dx->nfree - 1] != slot ||
	    hash_insert(dx, name_hash(d->name, d->namelen), slot)) {
		pf_dir_index_drop(dir);   /* rebuilt from the pool on next use */
		return;
	}
	dx->nfree--;
}

/*
 * The entry at slot, for an action on it; NULL (and a marked full, so the
 * publish says -EAGAIN and the TX form reports the error) when the
 * directory's index cannot be had.
 */
static struct pf_dirent *
act_dirent(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot,
	   struct pf_acts *a)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx) {
		a->full = true;
		return NULL;
	}
	return slot_dirent(dx, slot);
}

/* The redo-logged form of pf_dir_set_tx (rename over a name). */
void
pf_dir_set_act(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot,
	       PMEMoid ino, uint32_t mode, struct pf_acts *a)
{
	struct pf_dirent *d = act_dirent(p, dir, slot, a);
	if (!d)
		return;
	pf_act_set(p, a, &d->inode.off, ino.off);
	/* namelen, type and padding share the word after inode (layout.h) */
	union {
		uint64_t w;
		struct { uint16_t namelen; uint8_t type; uint8_t pad[5]; } f;
	} u;
	memcpy(&u.w, &d->namelen, sizeof(u.w));
	u.f.type = pf_dtype(mode);
	pf_act_set(p, a, &d->namelen, u.w);
}

/* The redo-logged form of pf_dir_remove_tx (but for the directory's
 * size: the caller's); pf_dir_remove_done after the publish. */
void
pf_dir_remove_act(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot,
		  struct pf_acts *a)
{
	struct pf_dirent *d = act_dirent(p, dir, slot, a);
	if (d)
		pf_act_set(p, a, &d->inode.off, 0);     /* OID_IS_NULL: free */
}

void
pf_dir_remove_done(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		return;
	struct pf_dirent *d = slot_dirent(dx, slot);
	hash_remove(dx, name_hash(d->name, d->namelen), slot);
	if (push_free(dx, slot))
		pf_dir_index_drop(dir);
}

/* Removes the entry at slot. In a TX; caller holds the dir write lock. */
void
pf_dir_remove_tx(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		pmemobj_tx_abort(-dir->dx_err);
	struct pf_dirpage *pg = dx->pages[slot / PF_DIRPAGE_SLOTS];
	struct pf_dirent *d = &pg->d[slot % PF_DIRPAGE_SLOTS];
	hash_remove(dx, name_hash(d->name, d->namelen), slot);
	if (push_free(dx, slot))
		pmemobj_tx_abort(ENOMEM);
	pmemobj_tx_add_range_direct(d, offsetof(struct pf_dirent, name));
	d->inode = OID_NULL;
	d->namelen = 0;
	pf_inode_snap_tx(dir->pi);
	dir->pi->size--;
}

/* Points the entry at slot to another inode (rename over an existing name). */
void
pf_dir_set_tx(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot,
	      PMEMoid ino, uint32_t mode)
{
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx)
		pmemobj_tx_abort(-dir->dx_err);
	struct pf_dirent *d = slot_dirent(dx, slot);
	pmemobj_tx_add_range_direct(d, offsetof(struct pf_dirent, name));
	d->inode = ino;
	d->type = pf_dtype(mode);
}

/* The same for a dead directory's pages (pf_data_release_batched). */
void
pf_dir_release_batched(struct pf_pool *p, struct pf_inode *pi)
{
	for (;;) {
		PMEMoid o = pi->data;
		int n = 0;
		for (PMEMoid q = o; !OID_IS_NULL(q) && n <= PF_FREE_BATCH &&
		     pf_dirpage_ok(p, q); n++)
			q = ((struct pf_dirpage *)pf_direct(p, q))->next;
		if (n <= PF_FREE_BATCH)
			return;
		volatile int failed = 0;
		PF_TX_BEGIN(p) {
			PMEMoid q = pi->data;
			for (int i = 0; i < PF_FREE_BATCH; i++) {
				PMEMoid next = ((struct pf_dirpage *)pf_direct(p, q))->next;
				pmemobj_tx_free(q);
				q = next;
			}
			pmemobj_tx_add_range_direct(&pi->data, sizeof(pi->data));
			pi->data = q;
			pmemobj_tx_add_range_direct(&pi->alloc, sizeof(pi->alloc));
			pi->alloc -= PF_FREE_BATCH * sizeof(struct pf_dirpage);
		} TX_ONABORT {
			failed = 1;
		} TX_END
		if (failed)
			return;
	}
}

void
pf_dir_free_pages(struct pf_pool *p, struct pf_inode *pi, struct pf_acts *a)
{
	PMEMoid o = pi->data;
	/* (checked pages only: a damaged chain is left to fsck) */
	while (!OID_IS_NULL(o) && pf_dirpage_ok(p, o)) {
		struct pf_dirpage *pg = pf_direct(p, o);
		PMEMoid next = pg->next;
		pf_obj_free(p, a, o, false);
		o = next;
	}
}

static size_t
put_dirent(char *buf, size_t room, uint64_t ino, int64_t next, uint8_t type,
	   const char *name, size_t len)
{
	size_t reclen =
		PF_ALIGN_UP(offsetof(struct pf_dirent64, d_name) + len + 1, 8);
	if (reclen > room)
		return 0;
	struct pf_dirent64 *h = (struct pf_dirent64 *)buf;
	h->d_ino = ino;
	h->d_off = next;
	h->d_reclen = (uint16_t)reclen;
	h->d_type = type;
	memcpy(h->d_name, name, len);
	memset(h->d_name + len, 0,
	       reclen - offsetof(struct pf_dirent64, d_name) - len);
	return reclen;
}

/*
 * getdents64. Cookie (f->pos): 0 start, 1 after ".", 2 after "..",
 * s + 3 after slot s. Caller holds f->pos_lock.
 */
ssize_t
pf_dir_getdents(struct pf_pool *p, struct pf_file *f, void *buf, size_t size)
{
	struct pf_vinode *dir = f->vi;
	char *out = buf;
	size_t used = 0;
	pthread_rwlock_rdlock(&dir->lock);
	if (dir->pi->nlink == 0) {
		pthread_rwlock_unlock(&dir->lock);
		return -ENOENT;  /* removed directory (as Linux) */
	}
	struct pf_dirindex *dx = index_get(p, dir);
	if (!dx) {
		pthread_rwlock_unlock(&dir->lock);
		return dir->dx_err;
	}
	uint64_t pos = f->pos;
	bool full = false;
	if (pos == 0) {
		size_t n = put_dirent(out, size, dir->off, 1, DT_DIR, ".", 1);
		if (!n) {
			full = true;
			goto end;
		}
		used += n;
		pos = 1;
	}
	if (pos == 1) {
		size_t n = put_dirent(out + used, size - used,
				      dir->pi->parent.off, 2, DT_DIR, "..", 2);
		if (!n) {
			full = true;
			goto end;
		}
		used += n;
		pos = 2;
	}
	uint64_t nslots = (uint64_t)dx->npages * PF_DIRPAGE_SLOTS;
	for (uint64_t s = pos - 2; s < nslots; s++) {
		struct pf_dirent *d = slot_dirent(dx, (uint32_t)s);
		if (OID_IS_NULL(d->inode)) {
			pos = s + 3;
			continue;
		}
		size_t n = put_dirent(out + used, size - used, d->inode.off,
				      (int64_t)s + 3, d->type, d->name,
				      d->namelen);
		if (!n) {
			full = true;
			break;
		}
		used += n;
		pos = s + 3;
	}
end:
	f->pos = pos;
	if (used == 0 && full) {
		pthread_rwlock_unlock(&dir->lock);
		return -EINVAL;
	}
	pf_touch_atime(p, dir);         /* under the lock: see its comment */
	pthread_rwlock_unlock(&dir->lock);
	return (ssize_t)used;
}
