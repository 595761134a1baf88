/* SPDX-License-Identifier: BSD-3-Clause */
/* Removing and moving names: unlinkat, renameat2; and readlinkat. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ops.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

/*
 * Before the TX that drops a link of victim: if that leaves no link and
 * the caller holds the only reference (no new one can appear: the caller
 * holds the parent's write lock), the inode is freed in the same TX; it is
 * unhashed now (see pf_vinode_mark_freed). Returns whether it will be.
 */
static bool
prepare_free(struct pf_pool *p, struct pf_vinode *victim)
{
	struct pf_inode *vpi = victim->pi;
	bool last = S_ISDIR(vpi->mode) || vpi->nlink <= 1;
	/* an inode that owns many objects goes through the orphan list, to
	 * be freed in steps when the caller drops it (pf_vinode_put) */
	if (!last || atomic_load(&victim->ref) != 1 || pf_inode_owns_many(p, vpi))
		return false;
	pf_vinode_mark_freed(p, victim);
	return true;
}

/*
 * In a TX: drops one link of victim (all of a directory's). If no link is
 * left, frees it now (free_now, from prepare_free), or puts it on the
 * orphan list (caller holds p->orphan_lock).
 */
static void
drop_link_tx(struct pf_pool *p, struct pf_vinode *victim, int64_t now,
	     bool free_now)
{
	if (free_now) {
		/* freed in this TX: nothing reads its link count or ctime again,
		 * and leaving them spares an undo-log entry */
		pf_inode_free(p, victim->oid, NULL);
		return;
	}
	struct pf_inode *vpi = victim->pi;
	pf_inode_snap_tx(vpi);
	if (S_ISDIR(vpi->mode))
		vpi->nlink = 0;
	else
		vpi->nlink--;
	vpi->ctime = now;
	if (vpi->nlink == 0)
		pf_orphan_add_tx(p, victim->oid);
}

/*
 * The unlink TX below as one publish of redo-logged actions (act.c), for a
 * victim freed now that owns little: the dirent cleared, the directory's
 * size, times and link count set, the victim and what it owns freed.
 * -EAGAIN when that does not fit one publish: the TX does it.
 */
static int
unlink_act(struct pf_pool *p, struct pf_vinode *d, uint32_t slot,
	   struct pf_vinode *v, bool rmdir)
{
	struct pf_inode *dpi = d->pi;
	struct pf_acts acts;
	pf_acts_init(&acts);
	int64_t now = pf_now();
	pf_dir_remove_act(p, d, slot, &acts);
	pf_dir_touch_act(p, &acts, dpi, -1, now);
	if (rmdir)
		pf_act_set32(p, &acts, &dpi->nlink, dpi->nlink - 1);
	pf_inode_free(p, v->oid, &acts);
	int r = pf_act_publish(p, &acts);
	if (r == 0)
		pf_dir_remove_done(p, d, slot);
	return r;
}

int
pf_unlinkat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	    int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	bool rmdir = (flags & AT_REMOVEDIR) != 0;
	struct pf_path_result r;
	int ret = pf_resolve(p, c, dir, path, PF_RES_PARENT, &r);
	if (ret)
		return ret;
	if (!r.parent) {
		/* ".", ".." or "/" */
		if (!rmdir)
			ret = -EISDIR;
		else if (r.namelen == 2)
			ret = -ENOTEMPTY;
		else if (r.target == p->root && r.name[0] == '.' && r.trailing_slash)
			ret = -EBUSY;
		else
			ret = -EINVAL;
		goto out;
	}
	if (!r.target) {
		ret = -ENOENT;
		goto out;
	}
	struct pf_vinode *d = r.parent, *v = r.target;
	/* the order of the checks is Linux's (do_unlinkat, may_delete) */
	if (!rmdir && r.trailing_slash) {
		ret = S_ISDIR(v->pi->mode) ? -EISDIR : -ENOTDIR;
		goto out;
	}
	pthread_rwlock_wrlock(&d->lock);
	pthread_rwlock_wrlock(&v->lock);
	PMEMoid o;
	uint32_t slot;
	if (d->pi->nlink == 0 ||
	    pf_dir_lookup(p, d, r.name, r.namelen, &o, &slot) != 0 ||
	    o.off != v->off) {
		ret = -ENOENT;      /* raced with a rename or unlink */
	} else if ((ret = pf_may(c, d->pi, 3)) != 0) {
		;
	} else if (!pf_may_delete(c, d->pi, v->pi)) {
		ret = -EPERM;
	} else if (rmdir && !S_ISDIR(v->pi->mode)) {
		ret = -ENOTDIR;
	} else if (!rmdir && S_ISDIR(v->pi->mode)) {
		ret = -EISDIR;
	} else if (rmdir && v->pi->size != 0) {
		ret = -ENOTEMPTY;
	}
	volatile bool freed = false;
	if (!ret) {
		freed = prepare_free(p, v);
		if (freed) {
			ret = unlink_act(p, d, slot, v, rmdir);
			if (ret != -EAGAIN) {
				if (ret)
					pf_vinode_unmark_freed(p, v);
				goto unlock;
			}
			ret = 0;
		}
		pthread_mutex_lock(&p->orphan_lock);
		PF_TX_BEGIN(p) {
			int64_t now = pf_now();
			pf_dir_remove_tx(p, d, slot);
			struct pf_inode *dpi = d->pi;
			if (rmdir) {
				pf_inode_snap_tx(dpi);
				dpi->nlink--;
			}
			pf_touch_dir_tx(dpi, now);
			/* r.target holds one reference: ours */
			drop_link_tx(p, v, now, freed);
		} TX_ONABORT {
			ret = pf_tx_errno();
		} TX_END
		if (ret && freed)
			pf_vinode_unmark_freed(p, v);
		pthread_mutex_unlock(&p->orphan_lock);
		if (ret)
			pf_dir_index_drop(d);
	}
unlock:
	pthread_rwlock_unlock(&v->lock);
	pthread_rwlock_unlock(&d->lock);
out:
	pf_path_result_put(p, &r);
	return ret;
}

/* Is a an ancestor of (or equal to) b? Caller holds p->rename_lock. */
static bool
is_ancestor(struct pf_pool *p, struct pf_vinode *a, struct pf_vinode *b)
{
	uint64_t off = b->off;
	for (int guard = 0; guard < 100000; guard++) {
		if (off == a->off)
			return true;
		struct pf_inode *pi = (struct pf_inode *)(p->base + off);
		if (!pf_oid_in_pool(p, pi->parent, sizeof(*pi)))
			return false;   /* damaged: pf_vinode_get refuses it */
		if (pi->parent.off == off)
			return false;   /* the root */
		off = pi->parent.off;
	}
	return false;
}

static void
lock2(struct pf_vinode *a, struct pf_vinode *b)
{
	if (a == b || !b) {
		pthread_rwlock_wrlock(&a->lock);
	} else if (!a) {
		pthread_rwlock_wrlock(&b->lock);
	} else if (a < b) {
		pthread_rwlock_wrlock(&a->lock);
		pthread_rwlock_wrlock(&b->lock);
	} else {
		pthread_rwlock_wrlock(&b->lock);
		pthread_rwlock_wrlock(&a->lock);
	}
}

static void
unlock2(struct pf_vinode *a, struct pf_vinode *b)
{
	if (a)
		pthread_rwlock_unlock(&a->lock);
	if (b && b != a)
		pthread_rwlock_unlock(&b->lock);
}

struct rename_ctx {
	struct pf_pool *p;
	struct pf_caller *c;
	unsigned flags;
	struct pf_vinode *od, *nd;      /* parents */
	struct pf_vinode *src, *dst;    /* dst may be NULL */
	uint32_t oslot, nslot;
	const char *nname;
	size_t nnamelen;
	bool dst_freed;
};

/* the checks of vfs_rename, in Linux's order (after the trap checks) */
static int
rename_checks(struct rename_ctx *x)
{
	struct pf_caller *c = x->c;
	struct pf_vinode *src = x->src, *dst = x->dst;
	bool sdir = S_ISDIR(src->pi->mode);
	bool ddir = dst && S_ISDIR(dst->pi->mode);
	bool exchange = x->flags & RENAME_EXCHANGE;
	int r;
	if (x->od->pi->nlink == 0 || x->nd->pi->nlink == 0)
		return -ENOENT;
	/* may_delete(old_dir, old) */
	if ((r = pf_may(c, x->od->pi, 3)))
		return r;
	if (!pf_may_delete(c, x->od->pi, src->pi))
		return -EPERM;
	/* may_create(new_dir) or may_delete(new_dir, new) */
	if ((r = pf_may(c, x->nd->pi, 3)))
		return r;
	if (dst) {
		if (!pf_may_delete(c, x->nd->pi, dst->pi))
			return -EPERM;
		if (!exchange && sdir && !ddir)
			return -ENOTDIR;
		if (!exchange && !sdir && ddir)
			return -EISDIR;
	}
	if (x->od != x->nd) {
		if (sdir && (r = pf_may(c, src->pi, 2)))
			return r;
		if (exchange && ddir && (r = pf_may(c, dst->pi, 2)))
			return r;
	}
	if (!exchange && ddir && dst->pi->size != 0)
		return -ENOTEMPTY;
	return 0;
}

static void
dir_nlink_tx(struct pf_inode *d, int delta)
{
	pf_inode_snap_tx(d);
	d->nlink = (uint32_t)((int)d->nlink + delta);
}

static void
set_parent_tx(struct pf_inode *pi, PMEMoid parent)
{
	pmemobj_tx_add_range_direct(&pi->parent, sizeof(pi->parent));
	pi->parent = parent;
}

static void
rename_body_tx(struct rename_ctx *x)
{
	struct pf_pool *p = x->p;
	struct pf_vinode *src = x->src, *dst = x->dst;
	bool sdir = S_ISDIR(src->pi->mode);
	bool ddir = dst && S_ISDIR(dst->pi->mode);
	bool cross = x->od != x->nd;
	int64_t now = pf_now();
	if (x->flags & RENAME_EXCHANGE) {
		pf_dir_set_tx(p, x->od, x->oslot, dst->oid, dst->pi->mode);
		pf_dir_set_tx(p, x->nd, x->nslot, src->oid, src->pi->mode);
		if (cross) {
			if (sdir)
				set_parent_tx(src->pi, x->nd->oid);
			if (ddir)
				set_parent_tx(dst->pi, x->od->oid);
			if (sdir && !ddir) {
				dir_nlink_tx(x->od->pi, -1);
				dir_nlink_tx(x->nd->pi, +1);
			} else if (!sdir && ddir) {
				dir_nlink_tx(x->od->pi, +1);
				dir_nlink_tx(x->nd->pi, -1);
			}
		}
		pf_inode_snap_tx(dst->pi);
		dst->pi->ctime = now;
	} else {
		if (dst) {
			if (ddir)
				dir_nlink_tx(x->nd->pi, -1);
			drop_link_tx(p, dst, now, x->dst_freed);
			pf_dir_set_tx(p, x->nd, x->nslot, src->oid, src->pi->mode);
		} else {
			pf_dir_add_tx(p, x->nd, x->nname, x->nnamelen, src->oid,
				      src->pi->mode);
		}
		pf_dir_remove_tx(p, x->od, x->oslot);
		if (sdir && cross) {
			set_parent_tx(src->pi, x->nd->oid);
			dir_nlink_tx(x->od->pi, -1);
			dir_nlink_tx(x->nd->pi, +1);
		}
	}
	pf_inode_snap_tx(src->pi);
	src->pi->ctime = now;
	pf_touch_dir_tx(x->od->pi, now);
	if (cross)
		pf_touch_dir_tx(x->nd->pi, now);
}

/*
 * rename_body_tx as one publish of redo-logged actions (act.c), for the
 * common renames: not an exchange, no directory changing parent or being
 * replaced, and a replaced file either freed now (owning little) or
 * keeping other links. -EAGAIN for the rest: the TX does them.
 */
static int
rename_act(struct rename_ctx *x)
{
	struct pf_pool *p = x->p;
	struct pf_vinode *src = x->src, *dst = x->dst;
	struct pf_inode *opi = x->od->pi, *npi = x->nd->pi;
	bool cross = x->od != x->nd;
	if ((x->flags & RENAME_EXCHANGE) || (S_ISDIR(src->pi->mode) && cross))
		return -EAGAIN;
	if (dst && (S_ISDIR(dst->pi->mode) ||
		    (!x->dst_freed && dst->pi->nlink <= 1)))
		return -EAGAIN;
	struct pf_acts acts;
	pf_acts_init(&acts);
	int64_t now = pf_now();
	uint32_t nslot = x->nslot;
	int r = 0;
	if (dst) {
		pf_dir_set_act(p, x->nd, nslot, src->oid, src->pi->mode, &acts);
		if (x->dst_freed) {
			pf_inode_free(p, dst->oid, &acts);
		} else {
			pf_act_set32(p, &acts, &dst->pi->nlink, dst->pi->nlink - 1);
			pf_act_set(p, &acts, &dst->pi->ctime, (uint64_t)now);
		}
	} else {
		r = pf_dir_add_act(p, x->nd, x->nname, x->nnamelen, src->oid,
				   src->pi->mode, &acts, &nslot);
	}
	if (r) {
		pf_act_cancel(p, &acts);
		return r;
	}
	pf_dir_remove_act(p, x->od, x->oslot, &acts);
	/* one action per word: sizes change by -1 and +1, or by -1 in all
	 * when a name was replaced in the same directory, or not at all */
	int64_t odelta = -1, ndelta = dst ? 0 : 1;
	if (!cross)
		odelta += ndelta;
	pf_act_set(p, &acts, &src->pi->ctime, (uint64_t)now);
	pf_dir_touch_act(p, &acts, opi, odelta, now);
	if (cross)
		pf_dir_touch_act(p, &acts, npi, ndelta, now);
	r = pf_act_publish(p, &acts);
	if (r)
		return r;
	if (!dst)
		pf_dir_add_done(p, x->nd, nslot);
	pf_dir_remove_done(p, x->od, x->oslot);
	return 0;
}

int
pf_renameat2(pf_pool *p, struct pf_caller *c, pf_file *olddir,
	     const char *oldpath, pf_file *newdir, const char *newpath,
	     unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_WHITEOUT) ||
	    ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
		return -EINVAL;
	struct pf_path_result ro, rn;
	int ret = pf_resolve(p, c, olddir, oldpath, PF_RES_PARENT, &ro);
	if (ret)
		return ret;
	ret = pf_resolve(p, c, newdir, newpath, PF_RES_PARENT, &rn);
	if (ret) {
		pf_path_result_put(p, &ro);
		return ret;
	}
	struct rename_ctx x = { p, c, flags, ro.parent, rn.parent, NULL, NULL,
				0, 0, rn.name, rn.namelen, false };
	bool cross = false, locked = false;
	/* the order of the checks below is Linux's (do_renameat2) */
	if (!ro.parent) {
		ret = -EBUSY;
		goto out;
	}
	if (!rn.parent) {
		ret = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out;
	}
	cross = x.od != x.nd;
	if (cross) {
		pthread_mutex_lock(&p->rename_lock);
		if (is_ancestor(p, x.od, x.nd)) {
			pthread_rwlock_wrlock(&x.od->lock);
			pthread_rwlock_wrlock(&x.nd->lock);
		} else if (is_ancestor(p, x.nd, x.od)) {
			pthread_rwlock_wrlock(&x.nd->lock);
			pthread_rwlock_wrlock(&x.od->lock);
		} else {
			lock2(x.od, x.nd);
		}
	} else {
		pthread_rwlock_wrlock(&x.od->lock);
	}
	locked = true;
	PMEMoid so, dso;
	if (x.od->pi->nlink == 0 || pf_dir_lookup(p, x.od, ro.name, ro.namelen,
						  &so, &x.oslot) != 0) {
		ret = -ENOENT;
		goto unlock;
	}
	bool have_dst = x.nd->pi->nlink != 0 &&
		pf_dir_lookup(p, x.nd, rn.name, rn.namelen, &dso, &x.nslot) == 0;
	ret = pf_vinode_get(p, so, &x.src);
	if (!ret && have_dst)
		ret = pf_vinode_get(p, dso, &x.dst);
	if (ret)
		goto unlock;
	if ((flags & RENAME_NOREPLACE) && x.dst) {
		ret = -EEXIST;
		goto unlock;
	}
	if ((flags & RENAME_EXCHANGE) && !x.dst) {
		ret = -ENOENT;
		goto unlock;
	}
	if ((flags & RENAME_EXCHANGE) && !S_ISDIR(x.dst->pi->mode) &&
	    rn.trailing_slash) {
		ret = -ENOTDIR;
		goto unlock;
	}
	if (!S_ISDIR(x.src->pi->mode) && (ro.trailing_slash ||
	    (!(flags & RENAME_EXCHANGE) && rn.trailing_slash))) {
		ret = -ENOTDIR;
		goto unlock;
	}
	if (S_ISDIR(x.src->pi->mode) && cross && is_ancestor(p, x.src, x.nd)) {
		ret = -EINVAL;
		goto unlock;
	}
	if (x.dst && S_ISDIR(x.dst->pi->mode) && cross &&
	    is_ancestor(p, x.dst, x.od)) {
		ret = (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
		goto unlock;
	}
	if (x.dst == x.src) {
		ret = 0;        /* same inode: nothing to do */
		goto unlock;
	}
	/* a directory being moved, or replaced, is never one of the parents */
	if (x.src == x.nd || x.dst == x.od) {
		ret = (x.src == x.nd || (flags & RENAME_EXCHANGE)) ? -EINVAL :
			-ENOTEMPTY;
		goto unlock;
	}
	ret = rename_checks(&x);
	if (ret)
		goto unlock;
	lock2(x.src, x.dst);
	if (x.dst && !(flags & RENAME_EXCHANGE)) {
		/* our lookup's reference and maybe the resolver's */
		if (rn.target == x.dst) {
			pf_vinode_put(p, rn.target);
			rn.target = NULL;
		}
		x.dst_freed = prepare_free(p, x.dst);
	}
	ret = rename_act(&x);
	if (ret != -EAGAIN) {
		if (ret && x.dst_freed)
			pf_vinode_unmark_freed(p, x.dst);
		unlock2(x.src, x.dst);
		goto unlock;
	}
	ret = 0;
	pthread_mutex_lock(&p->orphan_lock);
	PF_TX_BEGIN(p) {
		rename_body_tx(&x);
	} TX_ONABORT {
		ret = pf_tx_errno();
	} TX_END
	if (ret && x.dst_freed)
		pf_vinode_unmark_freed(p, x.dst);
	pthread_mutex_unlock(&p->orphan_lock);
	if (ret) {
		pf_dir_index_drop(x.od);
		pf_dir_index_drop(x.nd);
	}
	unlock2(x.src, x.dst);
unlock:
	if (locked) {
		unlock2(x.od, cross ? x.nd : NULL);
		if (cross)
			pthread_mutex_unlock(&p->rename_lock);
	}
	pf_vinode_put(p, x.src);
	pf_vinode_put(p, x.dst);
out:
	pf_path_result_put(p, &ro);
	pf_path_result_put(p, &rn);
	return ret;
}

ssize_t
pf_readlinkat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	      char *buf, size_t size)
{
	if ((ssize_t)size <= 0)
		return -EINVAL;
	struct pf_path_result r;
	int ret = pf_resolve(p, c, dir, path ? path : "", PF_RES_EMPTY, &r);
	if (ret)
		return ret;
	struct pf_vinode *vi = r.target;
	ssize_t n;
	if (!S_ISLNK(vi->pi->mode)) {
		n = (path && *path) ? -EINVAL : -ENOENT;
	} else {
		pthread_rwlock_rdlock(&vi->lock);
		struct pf_symlink *sl = pf_direct(p, vi->pi->data);
		size_t len = vi->pi->size;
		if (len > size)
			len = size;
		memcpy(buf, sl->target, len);
		n = (ssize_t)len;
		pf_touch_atime(p, vi);
		pthread_rwlock_unlock(&vi->lock);
	}
	pf_path_result_put(p, &r);
	return n;
}
