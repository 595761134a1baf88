/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Redo-logged metadata changes: libpmemobj's action API (pmemobj_reserve,
 * pmemobj_set_value, pmemobj_defer_free, pmemobj_publish) for the
 * commonest operations: a create or link into a directory with a free
 * slot, an unlink that frees a small inode, a rename that moves no
 * directory to another parent.
 *
 * Why not a TX: a TX writes an undo-log entry per snapshot before the
 * change and clears the log after it; on the test machine a create TX
 * (one allocation, two snapshots) costs 2.6 us. A publish writes the new
 * words once to the lane's redo log, flushes it, and applies them: 1.2 us
 * for an allocation and three words. Both are atomic across a crash; a
 * reservation not yet published is not allocated after a restart.
 *
 * The discipline: everything written directly before the publish is
 * invisible until it (a reserved object, the name bytes of a free dirent
 * slot) and is flushed (pf_flush; pf_act_publish drains first); every word
 * a reader could see changes through pf_act_set only. Volatile state
 * (directory index, counters) is updated after a successful publish.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

void
pf_acts_init(struct pf_acts *a)
{
	a->n = 0;
	a->full = false;
	a->dinodes = 0;
	a->ddata = 0;
}

static struct pobj_action *
next_act(struct pf_acts *a)
{
	if (a->n == PF_ACTS_MAX) {
		a->full = true;
		return NULL;
	}
	return &a->v[a->n];
}

/* Sets the aligned 8-byte word at word to v when a is published. */
void
pf_act_set(struct pf_pool *p, struct pf_acts *a, void *word, uint64_t v)
{
	struct pobj_action *act = next_act(a);
	if (!act)
		return;
	pmemobj_set_value(p->pop, act, word, v);
	a->n++;
}

/*
 * Sets a 32-bit field (the low or high half of an aligned word) to v; the
 * other half keeps its current value, which the caller's lock holds still.
 */
void
pf_act_set32(struct pf_pool *p, struct pf_acts *a, uint32_t *field, uint32_t v)
{
	uintptr_t addr = (uintptr_t)field;
	uint64_t *word = (uint64_t *)(addr & ~(uintptr_t)7);
	uint64_t w = *word;
	unsigned shift = (addr & 4) ? 32 : 0;   /* little endian */
	w &= ~((uint64_t)UINT32_MAX << shift);
	w |= (uint64_t)v << shift;
	pf_act_set(p, a, word, w);
}

/* Sets a persistent pointer (two words). */
void
pf_act_set_oid(struct pf_pool *p, struct pf_acts *a, PMEMoid *dst, PMEMoid v)
{
	pf_act_set(p, a, &dst->pool_uuid_lo, v.pool_uuid_lo);
	pf_act_set(p, a, &dst->off, v.off);
}

/*
 * Reserves size bytes of type, zeroed; returns a direct pointer, or NULL
 * when the pool has no room (-ENOSPC) or a is full (-EAGAIN) in *err.
 */
void *
pf_act_reserve(struct pf_pool *p, struct pf_acts *a, size_t size,
	       uint64_t type, PMEMoid *oid, int *err)
{
	bool full = a->full || a->n == PF_ACTS_MAX;
	void *ptr = pf_act_reserve_raw(p, a, size, type, oid);
	if (!ptr) {
		*err = full ? -EAGAIN : -ENOSPC;
		return NULL;
	}
	memset(ptr, 0, size);
	return ptr;
}

/* The same without zeroing (data objects whose bytes are written or are
 * beyond the file size); NULL when the pool has no room or a is full. */
void *
pf_act_reserve_raw(struct pf_pool *p, struct pf_acts *a, size_t size,
		   uint64_t type, PMEMoid *oid)
{
	struct pobj_action *act = next_act(a);
	if (!act)
		return NULL;
	PMEMoid o = pmemobj_reserve(p->pop, act, size, type);
	if (OID_IS_NULL(o))
		return NULL;
	a->n++;
	*oid = o;
	return pf_direct(p, o);
}

/* Frees oid when a is published. */
void
pf_act_free(struct pf_pool *p, struct pf_acts *a, PMEMoid oid)
{
	struct pobj_action *act = next_act(a);
	if (!act)
		return;
	pmemobj_defer_free(p->pop, oid, act);
	a->n++;
}

/*
 * Frees oid in the running TX (a NULL) or when a is published (if it
 * overflows a, the publish says -EAGAIN); the bytes of a data object
 * leave the pool's count at the same moment.
 */
void
pf_obj_free(struct pf_pool *p, struct pf_acts *a, PMEMoid oid, bool data)
{
	uint64_t bytes = data ? pmemobj_alloc_usable_size(oid) : 0;
	if (a) {
		a->ddata -= (int64_t)bytes;
		pf_act_free(p, a, oid);
	} else {
		atomic_fetch_sub(&p->data_bytes, bytes);
		pmemobj_tx_free(oid);
	}
}

/* Drops a's reservations; nothing of a reaches the pool. */
void
pf_act_cancel(struct pf_pool *p, struct pf_acts *a)
{
	if (a->n)
		pmemobj_cancel(p->pop, a->v, a->n);
	a->n = 0;
}

/*
 * Applies every action of a atomically, or none: 0, -ENOSPC (libpmemobj
 * could not grow the redo log) or -EAGAIN (a overflowed: the caller uses a
 * TX instead). Reserved objects must be flushed before this.
 */
int
pf_act_publish(struct pf_pool *p, struct pf_acts *a)
{
	if (a->full) {
		pf_act_cancel(p, a);
		return -EAGAIN;
	}
	/* the direct writes were flushed (pf_flush); one drain for them all,
	 * and a barrier of its own: the crash images (rel-persist) then
	 * include the state with them persistent and nothing published */
	if (p->is_pmem)
		pmem_drain();
	pf_persist_point();
	if (pmemobj_publish(p->pop, a->v, a->n) != 0) {
		pf_act_cancel(p, a);
		return -ENOSPC;
	}
	if (a->dinodes)
		atomic_fetch_add(&p->ninodes, (uint64_t)a->dinodes);
	if (a->ddata)
		atomic_fetch_add(&p->data_bytes, (uint64_t)a->ddata);
	a->n = 0;
	pf_persist_point();
	return 0;
}
