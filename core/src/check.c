/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime checks of persistent pointers read from the pool.
 *
 * fsck verifies everything, but it walks the whole pool; pf_pool_open does
 * not run it. A damaged pool (a flipped bit, a bad copy) must still never
 * crash the process that serves it: every PMEMoid that the core follows
 * from pool contents into a new in-memory structure (a directory entry, a
 * parent link, the root, the orphan list, a directory page chain, an
 * extent array, a symlink target, an attribute blob) is checked here first, and the operation
 * answers -EIO when the check fails. The checks are about bounds and shape
 * (in the mapping, aligned, magic, counts that fit), enough to keep every
 * later dereference inside the pool. They do not prove the content right:
 * that is fsck's job.
 *
 * Cost: a few compares per new vinode, plus O(extents) for a regular file;
 * never on the per-call path of a cached vinode.
 */
#include <errno.h>
#include <sys/stat.h>

#include "internal.h"

bool
pf_oid_in_pool(const struct pf_pool *p, PMEMoid oid, uint64_t len)
{
	return oid.pool_uuid_lo == p->uuid_lo && oid.off >= PF_HEAP_MIN &&
		oid.off % 16 == 0 && oid.off <= p->size &&
		len <= p->size - oid.off;
}

static int
check_extents(const struct pf_pool *p, const struct pf_inode *pi)
{
	if (OID_IS_NULL(pi->data))
		return 0;
	if (!pf_oid_in_pool(p, pi->data, sizeof(struct pf_extents)))
		return -EIO;
	const struct pf_extents *ex = (const void *)(p->base + pi->data.off);
	if (ex->count > ex->cap || (uint64_t)ex->cap * sizeof(struct pf_extent) >
	    p->size - pi->data.off - sizeof(*ex))
		return -EIO;
	uint64_t end = 0;
	for (uint32_t i = 0; i < ex->count; i++) {
		const struct pf_extent *e = &ex->e[i];
		if (e->off < end || e->len == 0 || e->off % PF_EXT_ALIGN ||
		    e->len % PF_EXT_ALIGN || e->len > (uint64_t)INT64_MAX - e->off ||
		    !pf_oid_in_pool(p, e->data, e->len))
			return -EIO;
		end = e->off + e->len;
	}
	return 0;
}

static int
check_symlink(const struct pf_pool *p, const struct pf_inode *pi)
{
	if (pi->size == 0 || pi->size > PF_SYMLINK_MAX ||
	    !pf_oid_in_pool(p, pi->data, sizeof(struct pf_symlink) + pi->size + 1))
		return -EIO;
	const struct pf_symlink *sl = (const void *)(p->base + pi->data.off);
	return sl->len == pi->size && sl->target[sl->len] == 0 ? 0 : -EIO;
}

int
pf_inode_check(const struct pf_pool *p, PMEMoid oid)
{
	if (!pf_oid_in_pool(p, oid, sizeof(struct pf_inode)))
		return -EIO;
	const struct pf_inode *pi = (const void *)(p->base + oid.off);
	if (pi->magic != PF_INODE_MAGIC || pi->size > (uint64_t)INT64_MAX)
		return -EIO;
	if (pf_xattr_check(p, pi))
		return -EIO;
	switch (pi->mode & S_IFMT) {
	case S_IFREG:
		return check_extents(p, pi);
	case S_IFDIR:
		/* pages are checked as the index is built (dir.c) */
		if (!OID_IS_NULL(pi->data) &&
		    !pf_oid_in_pool(p, pi->data, sizeof(struct pf_dirpage)))
			return -EIO;
		return pf_oid_in_pool(p, pi->parent, sizeof(struct pf_inode)) ?
			0 : -EIO;
	case S_IFLNK:
		return check_symlink(p, pi);
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		return 0;
	default:
		return -EIO;
	}
}

bool
pf_dirpage_ok(const struct pf_pool *p, PMEMoid oid)
{
	if (!pf_oid_in_pool(p, oid, sizeof(struct pf_dirpage)))
		return false;
	const struct pf_dirpage *pg = (const void *)(p->base + oid.off);
	if (pg->nslots != PF_DIRPAGE_SLOTS)
		return false;
	for (uint32_t i = 0; i < PF_DIRPAGE_SLOTS; i++) {
		const struct pf_dirent *d = &pg->d[i];
		if (!OID_IS_NULL(d->inode) &&
		    (d->namelen == 0 || d->namelen >= PF_DIRENT_NAME))
			return false;
	}
	return true;
}
