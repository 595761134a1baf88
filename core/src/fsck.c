/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf_fsck: checks every invariant of a pool (see HACKING.md, "fsck").
 *
 * 1. Enumerates every allocated object (pmemobj_first/next) into a table.
 * 2. Walks the tree from the root: inodes valid, '..' consistent, dirent
 *    slots valid, no duplicate names, directory counters and link counts,
 *    extents sorted, aligned, non-overlapping, inside their data objects,
 *    symlink targets, attribute blobs.
 * 3. Walks the orphan list (nlink 0, links consistent).
 * 4. Every inode is reachable or an orphan; every other object is owned by
 *    exactly one inode; the counters of a cleanly closed pool are exact.
 * The pool is opened with pmemobj_open (which completes or rolls back an
 * interrupted transaction, as any open does) and nothing else is changed;
 * libpmemobj's check runs before that open and again after it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

struct obj {
	uint64_t off;      /* 0: empty */
	uint64_t size;
	uint32_t type;
	uint32_t refs;     /* references found (dirents for inodes) */
	uint32_t flags;
};
#define OBJ_VISITED 1u
#define OBJ_ORPHAN 2u

struct fsck {
	PMEMobjpool *pop;
	char *base;
	void (*report)(void *, const char *);
	void *arg;
	int problems;
	struct obj *tab;
	size_t cap;
	uint64_t *queue;   /* directories to walk */
	size_t qlen, qcap;
	uint64_t uuid_lo;  /* pool_uuid_lo of every PMEMoid in the pool */
	uint64_t size; /* bytes of the pool file */
};

__attribute__((format(printf, 2, 3)))
static void
problem(struct fsck *k, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	k->problems++;
	if (k->report)
		k->report(k->arg, m);
}

static struct obj *
obj_find(struct fsck *k, uint64_t off, bool insert)
{
	size_t mask = k->cap - 1;
	size_t i = (off * 0x9e3779b97f4a7c15ull >> 17) & mask;
	while (k->tab[i].off && k->tab[i].off != off)
		i = (i + 1) & mask;
	if (k->tab[i].off == off)
		return &k->tab[i];
	if (!insert)
		return NULL;
	k->tab[i].off = off;
	return &k->tab[i];
}

/* the object oid if it exists with the given type, else NULL */
static struct obj *
obj_get(struct fsck *k, PMEMoid oid, uint32_t type)
{
	if (OID_IS_NULL(oid))
		return NULL;
	/* the open refuses such a pointer (check.c): so must fsck */
	if (oid.pool_uuid_lo != k->uuid_lo) {
		problem(k, "pointer to 0x%lx has the uuid of another pool (0x%lx)",
			(unsigned long)oid.off, (unsigned long)oid.pool_uuid_lo);
		return NULL;
	}
	struct obj *o = obj_find(k, oid.off, false);
	if (!o || o->type != type)
		return NULL;
	return o;
}

/* claims a non-inode object for an owner: it must be referenced once */
static bool
claim(struct fsck *k, PMEMoid oid, uint32_t type, const char *what,
      uint64_t ino)
{
	struct obj *o = obj_get(k, oid, type);
	if (!o) {
		problem(k, "inode %lu: %s at 0x%lx is not an allocated object of the right type",
			(unsigned long)ino, what, (unsigned long)oid.off);
		return false;
	}
	if (o->refs++) {
		problem(k, "inode %lu: %s at 0x%lx is also used elsewhere",
			(unsigned long)ino, what, (unsigned long)oid.off);
		return false;
	}
	return true;
}

static void
check_file(struct fsck *k, uint64_t ino, struct pf_inode *pi)
{
	if (OID_IS_NULL(pi->data)) {
		if (pi->alloc)
			problem(k, "inode %lu: alloc %lu without extents",
				(unsigned long)ino, (unsigned long)pi->alloc);
		return;
	}
	if (!claim(k, pi->data, PF_T_EXTENTS, "extent array", ino))
		return;
	struct obj *eo = obj_get(k, pi->data, PF_T_EXTENTS);
	struct pf_extents *ex = (struct pf_extents *)(k->base + pi->data.off);
	if (ex->count > ex->cap || sizeof(*ex) + (uint64_t)ex->cap *
	    sizeof(struct pf_extent) > eo->size) {
		problem(k, "inode %lu: extent array count %u cap %u does not fit its object",
			(unsigned long)ino, ex->count, ex->cap);
		return;
	}
	uint64_t end = 0, total = 0;
	for (uint32_t i = 0; i < ex->count; i++) {
		struct pf_extent *e = &ex->e[i];
		if (e->len == 0 || e->off % PF_EXT_ALIGN || e->len % PF_EXT_ALIGN)
			problem(k, "inode %lu: extent %u (off %lu len %lu) empty or misaligned",
				(unsigned long)ino, i, (unsigned long)e->off,
				(unsigned long)e->len);
		if (i > 0 && e->off < end)
			problem(k, "inode %lu: extent %u at %lu overlaps or is out of order (previous ends at %lu)",
				(unsigned long)ino, i, (unsigned long)e->off,
				(unsigned long)end);
		if (e->off + e->len < e->off)
			problem(k, "inode %lu: extent %u wraps", (unsigned long)ino, i);
		end = e->off + e->len;
		total += e->len;
		if (claim(k, e->data, PF_T_DATA, "extent data", ino)) {
			struct obj *d = obj_get(k, e->data, PF_T_DATA);
			if (d->size < e->len)
				problem(k, "inode %lu: extent %u longer (%lu) than its data object (%lu)",
					(unsigned long)ino, i, (unsigned long)e->len,
					(unsigned long)d->size);
		}
	}
	if (total != pi->alloc)
		problem(k, "inode %lu: alloc %lu but extents hold %lu bytes",
			(unsigned long)ino, (unsigned long)pi->alloc,
			(unsigned long)total);
	if (pi->size > (uint64_t)INT64_MAX)
		problem(k, "inode %lu: size %lu too large", (unsigned long)ino,
			(unsigned long)pi->size);
}

static void
check_symlink(struct fsck *k, uint64_t ino, struct pf_inode *pi)
{
	if (!claim(k, pi->data, PF_T_SYMLINK, "symlink target", ino))
		return;
	struct obj *o = obj_get(k, pi->data, PF_T_SYMLINK);
	struct pf_symlink *sl = (struct pf_symlink *)(k->base + pi->data.off);
	if (pi->size == 0 || pi->size > PF_SYMLINK_MAX || sl->len != pi->size ||
	    sizeof(*sl) + sl->len + 1 > o->size || sl->target[sl->len] != 0)
		problem(k, "inode %lu: symlink target length %lu inconsistent",
			(unsigned long)ino, (unsigned long)pi->size);
}

static void
queue_dir(struct fsck *k, uint64_t off)
{
	if (k->qlen == k->qcap) {
		k->qcap = k->qcap ? k->qcap * 2 : 256;
		uint64_t *n = realloc(k->queue, k->qcap * sizeof(*n));
		if (!n) {
			problem(k, "out of memory");
			return;
		}
		k->queue = n;
	}
	k->queue[k->qlen++] = off;
}

/*
 * The attribute blob: owned once, safe to walk (the run-time check), and
 * what only fsck proves: names sorted and unique, in a namespace the pool
 * stores, values within bounds, the recorded size inside the object.
 */
static void
check_xattrs(struct fsck *k, uint64_t ino, struct pf_inode *pi)
{
	if (OID_IS_NULL(pi->xattr))
		return;
	if (!claim(k, pi->xattr, PF_T_XATTR, "attribute blob", ino))
		return;
	struct obj *o = obj_get(k, pi->xattr, PF_T_XATTR);
	struct pf_pool fake = { .base = k->base,
				.size = k->size,
				.uuid_lo = k->uuid_lo };
	struct pf_xattrs *x = (struct pf_xattrs *)(k->base + pi->xattr.off);
	if (pf_xattr_check(&fake, pi) || x->size > o->size) {
		problem(k, "inode %lu: attribute blob at 0x%lx is damaged",
			(unsigned long)ino, (unsigned long)pi->xattr.off);
		return;
	}
	const struct pf_xattr_ent *prev = NULL;
	for (uint32_t off = 0; off < x->used;) {
		const struct pf_xattr_ent *e = (const void *)(x->ent + off);
		off += (uint32_t)PF_XATTR_ENT_SIZE(e->namelen, e->vlen);
		if (e->namelen == 0)
			continue; /* a hole */
		bool known = false;
		static const char *const ns[] = { "user.", "trusted.",
						  "security." };
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(ns[i]);
			if (e->namelen > n && !memcmp(e->name, ns[i], n))
				known = true;
		}
		if (!known || memchr(e->name, 0, e->namelen))
			problem(k,
				"inode %lu: attribute name \"%.*s\" is not one the pool stores",
				(unsigned long)ino, (int)e->namelen, e->name);
		if (prev) {
			size_t n = prev->namelen < e->namelen ? prev->namelen :
								e->namelen;
			int r = memcmp(prev->name, e->name, n);
			if (r > 0 || (r == 0 && prev->namelen >= e->namelen))
				problem(k,
					"inode %lu: attribute \"%.*s\" out of order or repeated",
					(unsigned long)ino, (int)e->namelen,
					e->name);
		}
		prev = e;
	}
}

/* first visit of an inode: type-specific checks; directories are queued */
static void
visit_inode(struct fsck *k, struct obj *o)
{
	struct pf_inode *pi = (struct pf_inode *)(k->base + o->off);
	o->flags |= OBJ_VISITED;
	if (pi->magic != PF_INODE_MAGIC) {
		problem(k, "inode %lu: bad magic 0x%x", (unsigned long)o->off,
			pi->magic);
		return;
	}
	check_xattrs(k, o->off, pi);
	/* only what chattr can set, and never on a symlink or special file
	 * (pf_setflagsat refuses them) */
	if ((pi->flags & ~PF_FL_SETTABLE) ||
	    (pi->flags && !S_ISREG(pi->mode) && !S_ISDIR(pi->mode)))
		problem(k, "inode %lu: inode flags 0x%x", (unsigned long)o->off,
			pi->flags);
	switch (pi->mode & S_IFMT) {
	case S_IFREG:
		check_file(k, o->off, pi);
		break;
	case S_IFDIR:
		queue_dir(k, o->off);
		break;
	case S_IFLNK:
		check_symlink(k, o->off, pi);
		break;
	case S_IFIFO: case S_IFSOCK: case S_IFCHR: case S_IFBLK:
		if (!OID_IS_NULL(pi->data))
			problem(k, "inode %lu: special file with data", (unsigned long)o->off);
		break;
	default:
		problem(k, "inode %lu: invalid file type 0%o", (unsigned long)o->off,
			pi->mode & S_IFMT);
	}
}

struct namehash {
	uint64_t *h;      /* hash | 1, 0 empty */
	uint32_t *slot;
	size_t cap;
};

static uint64_t
hash64(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h | 1;
}

static void
check_dir(struct fsck *k, uint64_t off)
{
	struct pf_inode *pi = (struct pf_inode *)(k->base + off);
	uint64_t entries = 0, subdirs = 0, pages = 0;
	/* count slots first to size the duplicate detector */
	uint64_t nslots = 0;
	for (PMEMoid o = pi->data; !OID_IS_NULL(o) && nslots < (1ull << 32);) {
		if (!obj_get(k, o, PF_T_DIRPAGE))
			break;
		nslots += PF_DIRPAGE_SLOTS;
		o = ((struct pf_dirpage *)(k->base + o.off))->next;
	}
	struct namehash nh = { 0 };
	nh.cap = 64;
	while (nh.cap < nslots * 2)
		nh.cap *= 2;
	nh.h = calloc(nh.cap, sizeof(*nh.h));
	nh.slot = calloc(nh.cap, sizeof(*nh.slot));
	if (!nh.h || !nh.slot) {
		problem(k, "out of memory");
		goto out;
	}
	struct pf_dirpage **pagev = calloc(nslots / PF_DIRPAGE_SLOTS + 1,
					   sizeof(*pagev));
	if (!pagev) {
		problem(k, "out of memory");
		goto out;
	}
	for (PMEMoid o = pi->data; !OID_IS_NULL(o);) {
		if (!claim(k, o, PF_T_DIRPAGE, "directory page", off))
			break;
		struct pf_dirpage *pg = (struct pf_dirpage *)(k->base + o.off);
		pagev[pages] = pg;
		for (uint32_t i = 0; i < PF_DIRPAGE_SLOTS; i++) {
			struct pf_dirent *d = &pg->d[i];
			if (OID_IS_NULL(d->inode))
				continue;
			entries++;
			uint32_t slot = (uint32_t)(pages * PF_DIRPAGE_SLOTS + i);
			if (d->namelen == 0 || d->namelen > PF_NAME_MAX ||
			    memchr(d->name, '/', d->namelen) ||
			    memchr(d->name, 0, d->namelen) ||
			    (d->namelen == 1 && d->name[0] == '.') ||
			    (d->namelen == 2 && d->name[0] == '.' && d->name[1] == '.')) {
				problem(k, "directory %lu slot %u: invalid name",
					(unsigned long)off, slot);
				continue;
			}
			uint64_t h = hash64(d->name, d->namelen);
			size_t j = h & (nh.cap - 1);
			for (; nh.h[j]; j = (j + 1) & (nh.cap - 1)) {
				if (nh.h[j] != h)
					continue;
				uint32_t s2 = nh.slot[j];
				struct pf_dirent *d2 = &pagev[s2 / PF_DIRPAGE_SLOTS]->d[s2 % PF_DIRPAGE_SLOTS];
				if (d2->namelen == d->namelen &&
				    memcmp(d2->name, d->name, d->namelen) == 0) {
					problem(k, "directory %lu: duplicate name \"%.*s\"",
						(unsigned long)off, d->namelen, d->name);
					break;
				}
			}
			if (!nh.h[j]) {
				nh.h[j] = h;
				nh.slot[j] = slot;
			}
			struct obj *c = obj_get(k, d->inode, PF_T_INODE);
			if (!c) {
				problem(k, "directory %lu: entry \"%.*s\" points to 0x%lx, which is not an allocated inode",
					(unsigned long)off, d->namelen, d->name,
					(unsigned long)d->inode.off);
				continue;
			}
			struct pf_inode *ci = (struct pf_inode *)(k->base + c->off);
			c->refs++;
			if (d->type != pf_dtype(ci->mode))
				problem(k, "directory %lu: entry \"%.*s\" has type %u, inode is %u",
					(unsigned long)off, d->namelen, d->name,
					d->type, pf_dtype(ci->mode));
			if (S_ISDIR(ci->mode)) {
				subdirs++;
				if (c->refs > 1) {
					problem(k, "directory %lu has more than one name",
						(unsigned long)c->off);
					continue;
				}
				if (ci->parent.pool_uuid_lo != k->uuid_lo)
					problem(k, "directory %lu: '..' has the uuid of another pool (0x%lx)",
						(unsigned long)c->off,
						(unsigned long)ci->parent.pool_uuid_lo);
				else if (ci->parent.off != off)
					problem(k, "directory %lu: '..' is %lu, but it is in directory %lu",
						(unsigned long)c->off,
						(unsigned long)ci->parent.off,
						(unsigned long)off);
			}
			if (!(c->flags & OBJ_VISITED))
				visit_inode(k, c);
		}
		pages++;
		o = pg->next;
	}
	free(pagev);
	if (pi->size != entries)
		problem(k, "directory %lu: size %lu, counted %lu entries",
			(unsigned long)off, (unsigned long)pi->size,
			(unsigned long)entries);
	if (pi->nlink != 0 && pi->nlink != 2 + subdirs)
		problem(k, "directory %lu: nlink %u, expected %lu",
			(unsigned long)off, pi->nlink, (unsigned long)(2 + subdirs));
	if (pi->alloc != pages * sizeof(struct pf_dirpage))
		problem(k, "directory %lu: alloc %lu for %lu pages",
			(unsigned long)off, (unsigned long)pi->alloc,
			(unsigned long)pages);
out:
	free(nh.h);
	free(nh.slot);
}

static void
check_orphans(struct fsck *k, struct pf_super *s)
{
	PMEMoid prev = OID_NULL;
	uint64_t n = 0;
	for (PMEMoid o = s->orphans; !OID_IS_NULL(o);) {
		struct obj *ob = obj_get(k, o, PF_T_INODE);
		if (!ob) {
			problem(k, "orphan list: 0x%lx is not an allocated inode",
				(unsigned long)o.off);
			return;
		}
		if (ob->flags & OBJ_ORPHAN) {
			problem(k, "orphan list has a cycle at inode %lu",
				(unsigned long)o.off);
			return;
		}
		ob->flags |= OBJ_ORPHAN;
		struct pf_inode *pi = (struct pf_inode *)(k->base + o.off);
		if (pi->nlink != 0)
			problem(k, "orphan inode %lu has nlink %u",
				(unsigned long)o.off, pi->nlink);
		if (pi->orphan_prev.off != prev.off ||
		    pi->orphan_prev.pool_uuid_lo != prev.pool_uuid_lo)
			problem(k, "orphan inode %lu: bad back link",
				(unsigned long)o.off);
		if (!(ob->flags & OBJ_VISITED))
			visit_inode(k, ob);
		prev = o;
		o = pi->orphan_next;
		n++;
	}
	(void)n;
}

static int
load_objects(struct fsck *k)
{
	size_t n = 0;
	for (PMEMoid o = pmemobj_first(k->pop); !OID_IS_NULL(o); o = pmemobj_next(o))
		n++;
	k->cap = 1024;
	while (k->cap < n * 2)
		k->cap *= 2;
	k->tab = calloc(k->cap, sizeof(*k->tab));
	if (!k->tab)
		return -ENOMEM;
	for (PMEMoid o = pmemobj_first(k->pop); !OID_IS_NULL(o); o = pmemobj_next(o)) {
		struct obj *ob = obj_find(k, o.off, true);
		ob->type = (uint32_t)pmemobj_type_num(o);
		ob->size = pmemobj_alloc_usable_size(o);
	}
	return 0;
}

static void
final_checks(struct fsck *k, struct pf_super *s, uint64_t root)
{
	uint64_t ninodes = 0, data = 0;
	for (size_t i = 0; i < k->cap; i++) {
		struct obj *o = &k->tab[i];
		if (!o->off)
			continue;
		switch (o->type) {
		case PF_T_INODE: {
			ninodes++;
			struct pf_inode *pi = (struct pf_inode *)(k->base + o->off);
			if (!(o->flags & (OBJ_VISITED | OBJ_ORPHAN))) {
				problem(k, "inode %lu (nlink %u) is not reachable",
					(unsigned long)o->off, pi->nlink);
				break;
			}
			if (pi->nlink == 0 && !(o->flags & OBJ_ORPHAN))
				problem(k, "inode %lu has nlink 0 but is not on the orphan list",
					(unsigned long)o->off);
			if (pi->nlink == 0 && o->refs)
				problem(k, "inode %lu has nlink 0 but %u names",
					(unsigned long)o->off, o->refs);
			if (pi->nlink != 0 && (o->flags & OBJ_ORPHAN))
				break;  /* reported by check_orphans */
			if (!S_ISDIR(pi->mode) && pi->nlink != o->refs && pi->nlink)
				problem(k, "inode %lu: nlink %u but %u names",
					(unsigned long)o->off, pi->nlink, o->refs);
			if (S_ISDIR(pi->mode) && o->off != root && pi->nlink &&
			    o->refs != 1)
				problem(k, "directory %lu has %u names",
					(unsigned long)o->off, o->refs);
			break;
		}
		case PF_T_DATA:
		case PF_T_XATTR:
			data += o->size;
			/* fallthrough */
		case PF_T_DIRPAGE:
		case PF_T_EXTENTS:
		case PF_T_SYMLINK:
			if (o->refs == 0)
				problem(k, "object 0x%lx (type %u, %lu bytes) is allocated but not used (leak)",
					(unsigned long)o->off, o->type,
					(unsigned long)o->size);
			break;
		default:
			if (o->off != pmemobj_root(k->pop, 0).off)
				problem(k, "object 0x%lx has unknown type %u",
					(unsigned long)o->off, o->type);
		}
	}
	if (s->flags & PF_SUPER_CLEAN) {
		if (s->ninodes != ninodes)
			problem(k, "superblock: %lu inodes recorded, %lu found",
				(unsigned long)s->ninodes, (unsigned long)ninodes);
		if (s->data_bytes != data)
			problem(k, "superblock: %lu data bytes recorded, %lu found",
				(unsigned long)s->data_bytes, (unsigned long)data);
	}
}

int
pf_fsck(const char *path, void (*report)(void *arg, const char *message),
	void *arg)
{
	struct fsck k = { 0 };
	k.report = report;
	k.arg = arg;
	char msg[256] = "";
	struct stat pst;
	if (stat(path, &pst) != 0) {
		int e = errno;
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(e));
		if (report)
			report(arg, msg);
		return -e;
	}
	k.size = (uint64_t)pst.st_size;
	int pre = pf_pool_precheck(path, &pst, msg, sizeof(msg));
	if (pre) {
		if (report)
			report(arg, msg);
		return pre;
	}
	/* libpmemobj's own metadata first (lanes, heap headers): an open
	 * would replay a damaged lane; -1 (cannot tell) is for the open
	 * below to explain */
	if (pmemobj_check(path, PF_LAYOUT_NAME) == 0) {
		snprintf(msg, sizeof(msg), "libpmemobj's consistency check "
			 "(pmemobj_check) failed: its lanes or heap are damaged");
		if (report)
			report(arg, msg);
		return 1;
	}
	PMEMobjpool *pop = pmemobj_open(path, PF_LAYOUT_NAME);
	if (!pop) {
		int e = errno;
		struct stat st;
		int ret;
		if (stat(path, &st) != 0) {
			ret = -errno;
			snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		} else if (e == EWOULDBLOCK || e == EAGAIN) {
			ret = -EBUSY;
			snprintf(msg, sizeof(msg), "%s: pool is in use by another process", path);
		} else {
			ret = -EINVAL;
			snprintf(msg, sizeof(msg), "%s: cannot open pool: %s", path,
				 pmemobj_errormsg());
		}
		if (report)
			report(arg, msg);
		return ret;
	}
	k.pop = pop;
	k.base = (char *)pop;
	struct pf_super *s = NULL;
	if (pmemobj_root_size(pop) != sizeof(struct pf_super)) {
		problem(&k, "superblock missing or of the wrong size");
		goto out;
	}
	k.uuid_lo = pmemobj_root(pop, 0).pool_uuid_lo;
	s = pmemobj_direct(pmemobj_root(pop, 0));
	if (s->magic != PF_SUPER_MAGIC) {
		problem(&k, "superblock: bad magic 0x%lx", (unsigned long)s->magic);
		goto out;
	}
	if (s->version < PF_LAYOUT_VERSION_MIN || s->version > PF_LAYOUT_VERSION) {
		problem(&k, "superblock: unknown layout version %u", s->version);
		goto out;
	}
	if (load_objects(&k)) {
		problem(&k, "out of memory");
		goto out;
	}
	struct obj *root = obj_get(&k, s->root, PF_T_INODE);
	if (!root) {
		problem(&k, "root directory 0x%lx is not an allocated inode",
			(unsigned long)s->root.off);
		goto out;
	}
	struct pf_inode *rpi = (struct pf_inode *)(k.base + root->off);
	if (!S_ISDIR(rpi->mode))
		problem(&k, "root inode is not a directory");
	if (rpi->parent.off != root->off || rpi->parent.pool_uuid_lo != k.uuid_lo)
		problem(&k, "root directory: '..' is not itself");
	visit_inode(&k, root);
	size_t done = 0;
	for (; done < k.qlen; done++)
		check_dir(&k, k.queue[done]);
	check_orphans(&k, s);
	/* directories reached only through the orphan list */
	for (; done < k.qlen; done++)
		check_dir(&k, k.queue[done]);
	final_checks(&k, s, root->off);
out:
	free(k.tab);
	free(k.queue);
	pmemobj_close(pop);
	/* The open above ran libpmemobj's recovery, which replays the lanes'
	 * logs. A damaged undo log entry that pmemobj_check accepted can be
	 * replayed into libpmemobj's own pool header (F8 in
	 * tests/reliability/README.md: one byte in lane 1's undo log zeroes
	 * the major version): the walk saw a good pool, but the file does not
	 * open any more. Check it again rather than call it clean. */
	if (pmemobj_check(path, PF_LAYOUT_NAME) != 1)
		problem(&k, "the pool failed libpmemobj's consistency check after "
			"it was opened: libpmemobj's recovery replayed a damaged "
			"lane log into its own metadata (%s)", pmemobj_errormsg());
	return k.problems;
}
