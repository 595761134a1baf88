/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Extended attributes: setxattr, getxattr, listxattr, removexattr (the
 * path, *at and f forms), with Linux's namespaces and permissions.
 *
 * Storage (layout.h): one blob per inode, named by pf_inode.xattr, holding
 * every attribute packed and sorted by name. A get or list walks that one
 * object under the inode's read lock, with no allocation; a file without
 * attributes has a null pointer and costs nothing. A set or remove writes
 * a new blob and swaps the pointer, the ctime and the old blob's free in
 * one transaction (atomic across a crash), under the inode's write lock.
 * The blob's bytes count in st_blocks and in statfs (pool->data_bytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "internal.h"

#define MAY_READ 4
#define MAY_WRITE 2

#define XATTR_CHUNK (256u << 10) /* libpmemobj chunk */
#define XATTR_SMALL_MAX (8192u - 16) /* largest small-class blob */

/* security.capability (include/uapi/linux/capability.h) */
#define CAPS_NAME "security.capability"
#define CAPS_REV_MASK 0xff000000u
#define CAPS_REV2 0x02000000u
#define CAPS_REV3 0x03000000u
#define CAPS_SZ2 20u
#define CAPS_SZ3 24u
#define CAPS_EFFECTIVE 0x000001u

enum xns { NS_USER, NS_TRUSTED, NS_SECURITY, NS_SYSTEM, NS_OTHER };

static const struct {
	const char *prefix;
	size_t len;
	enum xns ns;
} prefixes[] = {
	{ "user.", 5, NS_USER },
	{ "trusted.", 8, NS_TRUSTED },
	{ "security.", 9, NS_SECURITY },
	{ "system.", 7, NS_SYSTEM },
};

/* The name's length: -ERANGE for "" or too long (import_xattr_name). */
static int
name_len(const char *name, size_t *len)
{
	if (!name)
		return -EFAULT;
	size_t n = strnlen(name, PF_XATTR_NAME_MAX + 1);
	if (n == 0 || n > PF_XATTR_NAME_MAX)
		return -ERANGE;
	*len = n;
	return 0;
}

/* The namespace; *bare when nothing follows the prefix. */
static enum xns
name_ns(const char *name, size_t len, bool *bare)
{
	*bare = false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (len >= prefixes[i].len &&
		    memcmp(name, prefixes[i].prefix, prefixes[i].len) == 0) {
			*bare = len == prefixes[i].len;
			return prefixes[i].ns;
		}
	}
	return NS_OTHER;
}

/* Linux's xattr_permission(). */
static int
xattr_permission(const struct pf_caller *c, const struct pf_inode *pi,
		 enum xns ns, int mask)
{
	if ((mask & MAY_WRITE) &&
	    (pi->flags & (PF_FL_IMMUTABLE | PF_FL_APPEND)))
		return -EPERM;
	if (ns == NS_SECURITY || ns == NS_SYSTEM)
		return 0;
	if (ns == NS_TRUSTED) {
		if (!(c->caps & PF_CAP_SYS_ADMIN))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		return 0;
	}
	if (ns == NS_USER) {
		if (!S_ISREG(pi->mode) && !S_ISDIR(pi->mode))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		if (S_ISDIR(pi->mode) && (pi->mode & S_ISVTX) &&
		    (mask & MAY_WRITE) && !pf_is_owner(c, pi) &&
		    !(c->caps & PF_CAP_FOWNER))
			return -EPERM;
	}
	return pf_may(c, pi, mask);
}

static bool
is_caps(const char *name, size_t len)
{
	return len == sizeof(CAPS_NAME) - 1 && !memcmp(name, CAPS_NAME, len);
}

/* The capability module's word on a change (cap_inode_setxattr/remove). */
static int
cap_may_change(const struct pf_caller *c, const char *name, size_t len,
	       enum xns ns)
{
	if (ns != NS_SECURITY)
		return 0;
	if (is_caps(name, len))
		return (c->caps & PF_CAP_SETFCAP) ? 0 : -EPERM;
	return (c->caps & PF_CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* Names the pool stores: -EOPNOTSUPP (system.*, unknown), -EINVAL ("user."). */
static int
ns_stored(enum xns ns, bool bare)
{
	if (ns == NS_SYSTEM || ns == NS_OTHER)
		return -EOPNOTSUPP;
	return bare ? -EINVAL : 0;
}

/* ---- the blob ---- */

static const struct pf_xattrs *
blob_of(struct pf_pool *p, const struct pf_inode *pi)
{
	return pf_direct(p, pi->xattr);
}

static const struct pf_xattr_ent *
ent_at(const struct pf_xattrs *x, uint32_t off)
{
	return (const struct pf_xattr_ent *)(x->ent + off);
}

static uint32_t
ent_size(const struct pf_xattr_ent *e)
{
	return (uint32_t)PF_XATTR_ENT_SIZE(e->namelen, e->vlen);
}

/* memcmp order, then the shorter first */
static int
ent_cmp(const struct pf_xattr_ent *e, const char *name, size_t len)
{
	size_t n = e->namelen < len ? e->namelen : len;
	int r = memcmp(e->name, name, n);
	if (r)
		return r;
	return (int)e->namelen - (int)len;
}

/* Where name is (found) or would go: the byte offset of that entry. */
static uint32_t
blob_find(const struct pf_xattrs *x, const char *name, size_t len,
	  const struct pf_xattr_ent **found)
{
	*found = NULL;
	uint32_t off = 0;
	if (!x)
		return 0;
	while (off < x->used) {
		const struct pf_xattr_ent *e = ent_at(x, off);
		if (e->namelen == 0) { /* a hole */
			off += ent_size(e);
			continue;
		}
		int r = ent_cmp(e, name, len);
		if (r >= 0) {
			if (r == 0)
				*found = e;
			return off;
		}
		off += ent_size(e);
	}
	return off;
}

/*
 * 0 when the blob of pi can be walked safely (bounds, sizes, count, magic),
 * else -EIO. Run when the vinode is made (check.c) and by fsck.
 */
int
pf_xattr_check(const struct pf_pool *p, const struct pf_inode *pi)
{
	if (OID_IS_NULL(pi->xattr))
		return 0;
	if (!pf_oid_in_pool(p, pi->xattr, sizeof(struct pf_xattrs)))
		return -EIO;
	const struct pf_xattrs *x = (const void *)(p->base + pi->xattr.off);
	if (x->magic != PF_XATTR_MAGIC || x->count == 0 ||
	    x->size > PF_XATTR_INODE_MAX ||
	    (uint64_t)x->used + sizeof(*x) > x->size ||
	    !pf_oid_in_pool(p, pi->xattr, x->size))
		return -EIO;
	uint32_t off = 0, n = 0;
	while (off < x->used) {
		if (x->used - off < sizeof(struct pf_xattr_ent))
			return -EIO;
		const struct pf_xattr_ent *e = ent_at(x, off);
		if (e->vlen > (e->namelen ? PF_XATTR_SIZE_MAX :
					    PF_XATTR_HOLE_MAX) ||
		    ent_size(e) > x->used - off)
			return -EIO;
		off += ent_size(e);
		n += e->namelen != 0;
	}
	return n == x->count ? 0 : -EIO;
}

uint64_t
pf_xattr_bytes(struct pf_pool *p, const struct pf_inode *pi)
{
	const struct pf_xattrs *x = blob_of(p, pi);
	return x ? x->size : 0;
}

/* Bytes to allocate for a blob of `need` bytes: small classes up to 8 KiB,
 * then whole chunks less a page (HACKING.md, "Object sizes"). */
static uint64_t
blob_alloc_size(uint64_t need)
{
	if (need <= XATTR_SMALL_MAX) {
		uint64_t s = PF_ALIGN_UP(need, 64);
		return s > XATTR_SMALL_MAX ? XATTR_SMALL_MAX : s;
	}
	return PF_ALIGN_UP(need + 4096, XATTR_CHUNK) - 4096;
}

/* A change: the old entry at `off` (cut bytes; 0 when absent) is replaced
 * by the new one (none for a remove). */
struct xedit {
	const struct pf_xattrs *old;
	uint32_t off, cut;
	const char *name;
	size_t namelen;
	const void *value;
	size_t vlen;
	bool insert;
	uint32_t count, used, size; /* of the new blob (count 0: none) */
};

/* The new entry at ne. */
static uint32_t
ent_write(struct pf_xattr_ent *ne, const struct xedit *e)
{
	uint32_t sz = (uint32_t)PF_XATTR_ENT_SIZE(e->namelen, e->vlen);
	memset(ne, 0, sz);
	ne->vlen = (uint32_t)e->vlen;
	ne->namelen = (uint8_t)e->namelen;
	memcpy(ne->name, e->name, e->namelen);
	if (e->vlen)
		memcpy(ne->name + e->namelen, e->value, e->vlen);
	return sz;
}

/* The new blob: the old entries without holes and without the one at
 * e->off if cut, the new one (if insert) in its place in name order. */
static void
blob_fill(struct pf_xattrs *n, const struct xedit *e)
{
	n->magic = PF_XATTR_MAGIC;
	n->count = e->count;
	n->used = e->used;
	n->size = e->size;
	uint32_t o = 0, off = 0;
	bool pending = e->insert;
	for (; e->old && off < e->old->used;
	     off += ent_size(ent_at(e->old, off))) {
		const struct pf_xattr_ent *oe = ent_at(e->old, off);
		if (pending && off >= e->off) {
			o += ent_write((struct pf_xattr_ent *)(n->ent + o), e);
			pending = false;
		}
		if (oe->namelen == 0 || (e->cut && off == e->off))
			continue;
		memcpy(n->ent + o, oe, ent_size(oe));
		o += ent_size(oe);
	}
	if (pending)
		o += ent_write((struct pf_xattr_ent *)(n->ent + o), e);
}

/* bytes of the entries of x that are not holes */
static uint32_t
live_bytes(const struct pf_xattrs *x)
{
	uint32_t b = 0;
	for (uint32_t off = 0; x && off < x->used;
	     off += ent_size(ent_at(x, off)))
		if (ent_at(x, off)->namelen)
			b += ent_size(ent_at(x, off));
	return b;
}

/*
 * The transaction of a change: the new blob (allocated and filled), the
 * pointer, ctime and the old blob's free. Caller holds the write lock.
 */
static int
blob_swap(struct pf_pool *p, struct pf_inode *pi, const struct xedit *e)
{
	volatile int ret = 0;
	volatile uint64_t nbytes = 0;
	PMEMoid old = pi->xattr;
	uint64_t obytes = OID_IS_NULL(old) ? 0 : pmemobj_alloc_usable_size(old);
	int64_t now = pf_now();
	PF_TX_BEGIN(p)
	{
		PMEMoid n = OID_NULL;
		if (e->count) {
			n = pmemobj_tx_alloc(e->size, PF_T_XATTR);
			blob_fill(pf_direct(p, n), e);
			nbytes = pmemobj_alloc_usable_size(n);
		}
		pmemobj_tx_add_range_direct(&pi->xattr, sizeof(pi->xattr));
		pf_inode_snap_tx(pi);
		pi->xattr = n;
		pi->ctime = now;
		if (!OID_IS_NULL(old))
			pmemobj_tx_free(old);
	}
	TX_ONABORT
	{
		ret = pf_tx_errno();
	}
	TX_END
	if (!ret) {
		atomic_fetch_add(&p->data_bytes, nbytes);
		atomic_fetch_sub(&p->data_bytes, obytes);
	}
	return ret;
}

/*
 * A remove that keeps other entries, in place: the entry becomes a hole
 * (namelen 0, the same size), which walks skip and the next copy drops.
 * Three small snapshots (blob header, entry header, inode), no
 * allocation, so it works on a full pool, where a file system must still
 * let a remove free; used when the smaller blob would take the same
 * allocation anyway, or when a new one cannot be had.
 */
static int
blob_hole(struct pf_pool *p, struct pf_inode *pi, const struct xedit *e)
{
	struct pf_xattrs *x = pf_direct(p, pi->xattr);
	struct pf_xattr_ent *ent = (struct pf_xattr_ent *)(x->ent + e->off);
	volatile int ret = 0;
	int64_t now = pf_now();
	PF_TX_BEGIN(p)
	{
		pmemobj_tx_add_range_direct(x, sizeof(*x));
		pmemobj_tx_add_range_direct(ent, sizeof(*ent));
		pf_inode_snap_tx(pi);
		ent->namelen = 0;
		ent->vlen = e->cut - (uint32_t)sizeof(*ent);
		x->count--;
		pi->ctime = now;
	}
	TX_ONABORT
	{
		ret = pf_tx_errno();
	}
	TX_END
	return ret;
}

/* security.capability: a v2 or v3 vfs_cap_data (cap_convert_nscap). */
static int
caps_valid(const void *value, size_t size)
{
	uint32_t magic;
	if (size != CAPS_SZ2 && size != CAPS_SZ3)
		return -EINVAL;
	memcpy(&magic, value, sizeof(magic)); /* little endian */
	magic &= CAPS_REV_MASK;
	if ((size == CAPS_SZ2 && magic != CAPS_REV2) ||
	    (size == CAPS_SZ3 && magic != CAPS_REV3))
		return -EINVAL;
	return 0;
}

/* A set or remove of name on pi: write permission in its namespace, the
 * capability rules, a namespace the pool stores. 0 or -errno. */
static int
may_change(struct pf_caller *c, struct pf_inode *pi, enum xns ns, bool bare,
	   const char *name, size_t len)
{
	int ret = xattr_permission(c, pi, ns, MAY_WRITE);
	if (!ret)
		ret = cap_may_change(c, name, len, ns);
	if (!ret)
		ret = ns_stored(ns, bare);
	return ret;
}

static int
set_vinode(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
	   const char *name, size_t len, const void *value, size_t size,
	   int flags)
{
	bool bare;
	enum xns ns = name_ns(name, len, &bare);
	uint32_t v2[CAPS_SZ2 / 4];
	if (size && is_caps(name, len)) {
		int r = caps_valid(value, size);
		if (r)
			return r;
		if (!(c->caps & PF_CAP_SETFCAP))
			return -EPERM;
		/* revision 3 whose root id is 0 (the pool's namespace) is
		 * what revision 2 says: Linux shows it as 2 */
		uint32_t v3[CAPS_SZ3 / 4];
		memcpy(v3, value, size);
		if (size == CAPS_SZ3 && v3[5] == 0) {
			v2[0] = CAPS_REV2 | (v3[0] & CAPS_EFFECTIVE);
			memcpy(&v2[1], &v3[1], 4 * sizeof(uint32_t));
			value = v2;
			size = CAPS_SZ2;
		}
	}
	pthread_rwlock_wrlock(&vi->lock);
	struct pf_inode *pi = vi->pi;
	int ret = may_change(c, pi, ns, bare, name, len);
	if (ret)
		goto out;
	struct xedit e = { .old = blob_of(p, pi),
			   .name = name,
			   .namelen = len,
			   .value = value,
			   .vlen = size,
			   .insert = true };
	const struct pf_xattr_ent *found;
	e.off = blob_find(e.old, name, len, &found);
	if (found && (flags & PF_XATTR_CREATE)) {
		ret = -EEXIST;
		goto out;
	}
	if (!found && (flags & PF_XATTR_REPLACE)) {
		ret = -ENODATA;
		goto out;
	}
	e.cut = found ? ent_size(found) : 0;
	uint64_t used =
		live_bytes(e.old) - e.cut + PF_XATTR_ENT_SIZE(len, size);
	uint64_t need = sizeof(struct pf_xattrs) + used;
	uint64_t asz = blob_alloc_size(need);
	if (asz > PF_XATTR_INODE_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	e.count = (e.old ? e.old->count : 0) + (found ? 0 : 1);
	e.used = (uint32_t)used;
	e.size = (uint32_t)asz;
	ret = blob_swap(p, pi, &e);
out:
	pthread_rwlock_unlock(&vi->lock);
	return ret;
}

static ssize_t
get_vinode(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
	   const char *name, size_t len, void *value, size_t size)
{
	bool bare;
	enum xns ns = name_ns(name, len, &bare);
	pthread_rwlock_rdlock(&vi->lock);
	const struct pf_inode *pi = vi->pi;
	ssize_t ret = xattr_permission(c, pi, ns, MAY_READ);
	if (!ret)
		ret = ns_stored(ns, bare);
	if (ret)
		goto out;
	const struct pf_xattr_ent *e;
	blob_find(blob_of(p, pi), name, len, &e);
	if (!e)
		ret = -ENODATA;
	else if (size && e->vlen > size)
		ret = -ERANGE;
	else {
		if (size && e->vlen)
			memcpy(value, e->name + e->namelen, e->vlen);
		ret = e->vlen;
	}
out:
	pthread_rwlock_unlock(&vi->lock);
	return ret;
}

/* holes and, without CAP_SYS_ADMIN, trusted.* are not listed */
static bool
listed(const struct pf_caller *c, const struct pf_xattr_ent *e)
{
	if (e->namelen == 0)
		return false;
	return (c->caps & PF_CAP_SYS_ADMIN) || e->namelen < 8 ||
		memcmp(e->name, "trusted.", 8) != 0;
}

static ssize_t
list_vinode(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
	    char *list, size_t size)
{
	pthread_rwlock_rdlock(&vi->lock);
	const struct pf_xattrs *x = blob_of(p, vi->pi);
	size_t total = 0;
	for (uint32_t off = 0; x && off < x->used;
	     off += ent_size(ent_at(x, off))) {
		const struct pf_xattr_ent *e = ent_at(x, off);
		if (listed(c, e))
			total += e->namelen + 1u;
	}
	ssize_t ret = (ssize_t)total;
	if (size && total > size) {
		ret = -ERANGE;
	} else if (size) {
		char *o = list;
		for (uint32_t off = 0; x && off < x->used;
		     off += ent_size(ent_at(x, off))) {
			const struct pf_xattr_ent *e = ent_at(x, off);
			if (!listed(c, e))
				continue;
			memcpy(o, e->name, e->namelen);
			o[e->namelen] = '\0';
			o += e->namelen + 1;
		}
	}
	pthread_rwlock_unlock(&vi->lock);
	return ret;
}

static int
remove_vinode(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
	      const char *name, size_t len)
{
	bool bare;
	enum xns ns = name_ns(name, len, &bare);
	pthread_rwlock_wrlock(&vi->lock);
	struct pf_inode *pi = vi->pi;
	int ret = may_change(c, pi, ns, bare, name, len);
	if (ret)
		goto out;
	struct xedit e = { .old = blob_of(p, pi) };
	const struct pf_xattr_ent *found;
	e.off = blob_find(e.old, name, len, &found);
	if (!found) {
		ret = -ENODATA;
		goto out;
	}
	e.cut = ent_size(found);
	e.count = e.old->count - 1;
	e.used = live_bytes(e.old) - e.cut;
	e.size = (uint32_t)blob_alloc_size(sizeof(struct pf_xattrs) + e.used);
	if (e.count && e.size == e.old->size) {
		ret = blob_hole(p, pi, &e);
	} else {
		ret = blob_swap(p, pi, &e);
		if (ret == -ENOSPC && e.count)
			ret = blob_hole(p, pi, &e);
	}
out:
	pthread_rwlock_unlock(&vi->lock);
	return ret;
}

/* ---- entry points ---- */

static int
resolve_xattr(struct pf_pool *p, struct pf_caller *c, struct pf_file *dir,
	      const char *path, int at_flags, struct pf_path_result *r)
{
	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int rf = (at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : PF_RES_FOLLOW;
	if (at_flags & AT_EMPTY_PATH)
		rf |= PF_RES_EMPTY;
	return pf_resolve(p, c, dir, path, rf, r);
}

/* A set's arguments, checked in the kernel's order (flags, name, size);
 * 0 with the name's length in *len. */
static int
set_args(const char *name, const void *value, size_t size, int flags,
	 size_t *len)
{
	if (flags & ~(PF_XATTR_CREATE | PF_XATTR_REPLACE))
		return -EINVAL;
	int ret = name_len(name, len);
	if (ret)
		return ret;
	if (size > PF_XATTR_SIZE_MAX)
		return -E2BIG;
	if (size && !value)
		return -EFAULT;
	return 0;
}

int
pf_setxattrat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	      int at_flags, const char *name, const void *value, size_t size,
	      int flags)
{
	size_t len;
	int ret = set_args(name, value, size, flags, &len);
	if (ret)
		return ret;
	struct pf_path_result r;
	ret = resolve_xattr(p, c, dir, path, at_flags, &r);
	if (ret)
		return ret;
	ret = set_vinode(p, c, r.target, name, len, value, size, flags);
	pf_path_result_put(p, &r);
	return ret;
}

ssize_t
pf_getxattrat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	      int at_flags, const char *name, void *value, size_t size)
{
	size_t len;
	int ret = name_len(name, &len);
	if (ret)
		return ret;
	if (size && !value)
		return -EFAULT;
	struct pf_path_result r;
	ret = resolve_xattr(p, c, dir, path, at_flags, &r);
	if (ret)
		return ret;
	ssize_t n = get_vinode(p, c, r.target, name, len, value, size);
	pf_path_result_put(p, &r);
	return n;
}

ssize_t
pf_listxattrat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	       int at_flags, char *list, size_t size)
{
	if (size && !list)
		return -EFAULT;
	struct pf_path_result r;
	int ret = resolve_xattr(p, c, dir, path, at_flags, &r);
	if (ret)
		return ret;
	ssize_t n = list_vinode(p, c, r.target, list, size);
	pf_path_result_put(p, &r);
	return n;
}

int
pf_removexattrat(pf_pool *p, struct pf_caller *c, pf_file *dir,
		 const char *path, int at_flags, const char *name)
{
	size_t len;
	int ret = name_len(name, &len);
	if (ret)
		return ret;
	struct pf_path_result r;
	ret = resolve_xattr(p, c, dir, path, at_flags, &r);
	if (ret)
		return ret;
	ret = remove_vinode(p, c, r.target, name, len);
	pf_path_result_put(p, &r);
	return ret;
}

int
pf_fsetxattr(pf_pool *p, struct pf_caller *c, pf_file *f, const char *name,
	     const void *value, size_t size, int flags)
{
	size_t len;
	int ret = set_args(name, value, size, flags, &len);
	if (ret)
		return ret;
	if (f->path_only)
		return -EBADF;
	return set_vinode(p, c, f->vi, name, len, value, size, flags);
}

ssize_t
pf_fgetxattr(pf_pool *p, struct pf_caller *c, pf_file *f, const char *name,
	     void *value, size_t size)
{
	size_t len;
	int ret = name_len(name, &len);
	if (ret)
		return ret;
	if (size && !value)
		return -EFAULT;
	if (f->path_only)
		return -EBADF;
	return get_vinode(p, c, f->vi, name, len, value, size);
}

ssize_t
pf_flistxattr(pf_pool *p, struct pf_caller *c, pf_file *f, char *list,
	      size_t size)
{
	if (size && !list)
		return -EFAULT;
	if (f->path_only)
		return -EBADF;
	return list_vinode(p, c, f->vi, list, size);
}

int
pf_fremovexattr(pf_pool *p, struct pf_caller *c, pf_file *f, const char *name)
{
	size_t len;
	int ret = name_len(name, &len);
	if (ret)
		return ret;
	if (f->path_only)
		return -EBADF;
	return remove_vinode(p, c, f->vi, name, len);
}
