/* SPDX-License-Identifier: BSD-3-Clause */
/* Creating names: openat, mkdirat, mknodat, symlinkat, linkat. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "internal.h"
#include "ops.h"

#define PF_LINK_MAX 65000

void
pf_touch_dir_tx(struct pf_inode *dpi, int64_t now)
{
	pf_inode_snap_tx(dpi);
	dpi->mtime = dpi->ctime = now;
}

struct create_args {
	struct pf_pool *p;
	const struct pf_caller *c;
	struct pf_vinode *dir;
	const char *name;
	size_t namelen;
	mode_t mode;
	uint64_t rdev;
	const char *target;      /* symlinks */
	PMEMoid out;
};

/* few size classes (layout.h): powers of two from 64 */
static size_t
symlink_obj_size(size_t len)
{
	size_t sz = 64;
	while (sz < sizeof(struct pf_symlink) + len + 1)
		sz <<= 1;
	return sz;
}

static void
create_body_tx(struct create_args *a)
{
	struct pf_pool *p = a->p;
	struct pf_inode *dpi = a->dir->pi;
	PMEMoid o = pf_inode_alloc_tx(p, a->c, dpi, a->mode, a->rdev);
	struct pf_inode *pi = pf_direct(p, o);
	if (S_ISDIR(a->mode)) {
		pi->nlink = 2;
		pi->parent = a->dir->oid;
		pf_inode_snap_tx(dpi);
		dpi->nlink++;
	} else {
		pi->nlink = 1;
	}
	if (S_ISLNK(a->mode)) {
		size_t len = strlen(a->target);
		PMEMoid t = pmemobj_tx_alloc(symlink_obj_size(len), PF_T_SYMLINK);
		struct pf_symlink *sl = pf_direct(p, t);
		sl->len = len;
		memcpy(sl->target, a->target, len + 1);
		pi->data = t;
		pi->size = len;
	}
	pf_dir_add_tx(p, a->dir, a->name, a->namelen, o, a->mode);
	pf_touch_dir_tx(dpi, pi->ctime);
	a->out = o;
}

/*
 * create_body_tx as one publish of redo-logged actions (act.c): the new
 * inode (and symlink target) reserved, filled and flushed, then the
 * dirent, the directory's size, times and link count set together.
 * -EAGAIN when the directory has no free slot: the TX allocates a page.
 */
static int
create_act(struct create_args *a)
{
	struct pf_pool *p = a->p;
	struct pf_inode *dpi = a->dir->pi;
	struct pf_acts acts;
	pf_acts_init(&acts);
	PMEMoid o;
	int err;
	struct pf_inode *pi = pf_act_reserve(p, &acts, sizeof(*pi), PF_T_INODE,
					     &o, &err);
	if (!pi)
		return err;
	pf_inode_init(p, a->c, dpi, pi, a->mode, a->rdev);
	pi->nlink = 1;
	if (S_ISDIR(a->mode)) {
		pi->nlink = 2;
		pi->parent = a->dir->oid;
		pf_act_set32(p, &acts, &dpi->nlink, dpi->nlink + 1);
	}
	if (S_ISLNK(a->mode)) {
		size_t len = strlen(a->target);
		struct pf_symlink *sl = pf_act_reserve(p, &acts,
			symlink_obj_size(len), PF_T_SYMLINK, &pi->data, &err);
		if (!sl) {
			pf_act_cancel(p, &acts);
			return err;
		}
		sl->len = len;
		memcpy(sl->target, a->target, len + 1);
		pf_flush(p, sl, sizeof(*sl) + len + 1);
		pi->size = len;
	}
	pf_flush(p, pi, sizeof(*pi));
	uint32_t slot;
	int r = pf_dir_add_act(p, a->dir, a->name, a->namelen, o, a->mode,
			       &acts, &slot);
	if (r) {
		pf_act_cancel(p, &acts);
		return r;
	}
	pf_dir_touch_act(p, &acts, dpi, 1, pi->ctime);
	acts.dinodes = 1;
	r = pf_act_publish(p, &acts);
	if (r)
		return r;
	pf_dir_add_done(p, a->dir, slot);
	a->out = o;
	return 0;
}

/* Creates name in dir. Caller holds the dir write lock, checked absence. */
static int
create_locked(struct create_args *a)
{
	struct pf_pool *p = a->p;
	if (a->dir->pi->nlink == 0)
		return -ENOENT;
	int r = pf_may(a->c, a->dir->pi, 3);
	if (r)
		return r;
	if (S_ISDIR(a->mode) && a->dir->pi->nlink >= PF_LINK_MAX)
		return -EMLINK;
	r = create_act(a);
	if (r != -EAGAIN)
		return r;
	volatile int ret = 0;
	PF_TX_BEGIN(p) {
		create_body_tx(a);
	} TX_ONABORT {
		ret = pf_tx_errno();
	} TX_END
	if (ret)
		pf_dir_index_drop(a->dir);
	return ret;
}

/* resolve the parent, create the last component with the given type */
static int
create_at(struct pf_pool *p, struct pf_caller *c, struct pf_file *dir,
	  const char *path, mode_t mode, uint64_t rdev, const char *target)
{
	struct pf_path_result r;
	int ret = pf_resolve(p, c, dir, path, PF_RES_PARENT, &r);
	if (ret)
		return ret;
	if (r.target) {
		ret = -EEXIST;
		goto out;
	}
	if (r.trailing_slash && !S_ISDIR(mode)) {
		ret = S_ISLNK(mode) || S_ISREG(mode) ? -ENOENT : -ENOENT;
		goto out;
	}
	struct pf_vinode *d = r.parent;
	pthread_rwlock_wrlock(&d->lock);
	PMEMoid o;
	if (d->pi->nlink != 0 &&
	    pf_dir_lookup(p, d, r.name, r.namelen, &o, NULL) == 0) {
		ret = -EEXIST;
	} else {
		struct create_args a = { p, c, d, r.name, r.namelen, mode, rdev,
					 target, OID_NULL };
		ret = create_locked(&a);
	}
	pthread_rwlock_unlock(&d->lock);
out:
	pf_path_result_put(p, &r);
	return ret;
}

int
pf_mkdirat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	   mode_t mode)
{
	return create_at(p, c, dir, path, S_IFDIR | (mode & 01777), 0, NULL);
}

int
pf_mknodat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	   mode_t mode, dev_t rdev)
{
	mode_t type = mode & S_IFMT;
	switch (type) {
	case 0:
		type = S_IFREG;
		/* fallthrough */
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		rdev = 0;
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (!(c->caps & PF_CAP_MKNOD))
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	return create_at(p, c, dir, path, type | (mode & 07777), rdev, NULL);
}

int
pf_symlinkat(pf_pool *p, struct pf_caller *c, const char *target,
	     pf_file *dir, const char *linkpath)
{
	if (!target)
		return -EFAULT;
	size_t len = strnlen(target, PF_PATH_MAX);
	if (len == 0)
		return -ENOENT;
	if (len > PF_SYMLINK_MAX)
		return -ENAMETOOLONG;
	return create_at(p, c, dir, linkpath, S_IFLNK | 0777, 0, target);
}

/* ---- open ---- */

static int
open_tmpfile(struct pf_pool *p, struct pf_caller *c, struct pf_file *dir,
	     const char *path, int flags, mode_t mode, struct pf_file **out)
{
	int acc = flags & O_ACCMODE;
	if (acc != O_WRONLY && acc != O_RDWR)
		return -EINVAL;
	struct pf_path_result r;
	int ret = pf_resolve(p, c, dir, path, PF_RES_FOLLOW | PF_RES_EMPTY, &r);
	if (ret)
		return ret;
	struct pf_vinode *d = r.target;
	if (!S_ISDIR(d->pi->mode)) {
		ret = -ENOTDIR;
		goto out;
	}
	pthread_rwlock_wrlock(&d->lock);
	ret = d->pi->nlink == 0 ? -ENOENT : pf_may(c, d->pi, 3);
	volatile PMEMoid o = OID_NULL;
	if (!ret) {
		pthread_mutex_lock(&p->orphan_lock);
		PF_TX_BEGIN(p) {
			PMEMoid n = pf_inode_alloc_tx(p, c, d->pi,
						      S_IFREG | (mode & 07777), 0);
			pf_orphan_add_tx(p, n);
			o = n;
		} TX_ONABORT {
			ret = pf_tx_errno();
		} TX_END
		pthread_mutex_unlock(&p->orphan_lock);
	}
	pthread_rwlock_unlock(&d->lock);
	if (ret)
		goto out;
	struct pf_vinode *vi;
	ret = pf_vinode_get(p, o, &vi);
	if (ret)
		goto out;
	vi->tmpfile = !(flags & O_EXCL);
	*out = pf_file_new(p, vi, flags & ~O_TMPFILE);
	if (!*out) {
		pf_vinode_put(p, vi);
		ret = -ENOMEM;
	}
out:
	pf_path_result_put(p, &r);
	return ret;
}

/* checks for opening an existing inode; may truncate */
static int
open_existing(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
	      int flags, bool created)
{
	struct pf_inode *pi = vi->pi;
	uint32_t mode = pi->mode;
	int acc = flags & O_ACCMODE;
	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) && !S_ISDIR(mode))
			return -ENOTDIR;
		return 0;
	}
	if (S_ISLNK(mode))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && !S_ISDIR(mode))
		return -ENOTDIR;
	if (S_ISDIR(mode) && (acc != O_RDONLY || (flags & (O_TRUNC | O_CREAT))))
		return -EISDIR;
	if (!created) {
		int mask = 0;
		if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE)
			mask |= 4;
		if (acc == O_WRONLY || acc == O_RDWR || acc == O_ACCMODE ||
		    (flags & O_TRUNC))
			mask |= 2;
		int r = pf_may(c, pi, mask);
		if (r)
			return r;
		/* may_open: an append-only file only for appending */
		if ((pi->flags & PF_FL_APPEND) &&
		    (((mask & 2) && !(flags & O_APPEND)) || (flags & O_TRUNC)))
			return -EPERM;
	}
	if (S_ISFIFO(mode) || S_ISSOCK(mode) || S_ISCHR(mode) || S_ISBLK(mode))
		return -ENXIO;
	if ((flags & O_NOATIME) && !pf_is_owner(c, pi) &&
	    !(c->caps & PF_CAP_FOWNER))
		return -EPERM;
	if ((flags & O_TRUNC) && S_ISREG(mode) && !created)
		return pf_truncate_vinode(p, c, vi, 0, true);
	return 0;
}

int
pf_openat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	  int flags, mode_t mode, pf_file **out)
{
	*out = NULL;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		if (flags & O_CREAT)
			return -EINVAL;
		return open_tmpfile(p, c, dir, path, flags, mode, out);
	}
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	bool creat = (flags & O_CREAT) != 0;
	if (creat && (flags & O_DIRECTORY))
		return -EINVAL;
	int rf = 0;
	size_t plen = path ? strnlen(path, PF_PATH_MAX) : 0;
	bool slash_end = plen > 0 && path[plen - 1] == '/';
	if (!(flags & O_NOFOLLOW) && !(creat && (flags & O_EXCL)) &&
	    !(creat && slash_end))
		rf |= PF_RES_FOLLOW;
	if (creat)
		rf |= PF_RES_PARENT;
	struct pf_path_result r;
	int ret = pf_resolve(p, c, dir, path, rf, &r);
	if (ret)
		return ret;
	struct pf_vinode *vi = NULL;
	bool created = false;
	/* a trailing slash on a name to create: EISDIR; but "." and ".."
	 * are not names (Linux handles them before that check, so "./" with
	 * O_CREAT|O_EXCL is EEXIST, as "." is) */
	bool dots = r.name && r.name[0] == '.' &&
		(r.namelen == 1 || (r.namelen == 2 && r.name[1] == '.'));
	if (creat && r.trailing_slash && !dots) {
		ret = -EISDIR;
		goto out;
	}
	if (creat && r.target && (flags & O_EXCL)) {
		ret = -EEXIST;
		goto out;
	}
	if (r.target && r.trailing_slash && !S_ISDIR(r.target->pi->mode)) {
		ret = creat ? -EISDIR : -ENOTDIR;
		goto out;
	}
	if (creat && !r.target) {
		if (r.trailing_slash) {
			ret = -EISDIR;
			goto out;
		}
		struct pf_vinode *d = r.parent;
		pthread_rwlock_wrlock(&d->lock);
		PMEMoid o;
		if (d->pi->nlink != 0 &&
		    pf_dir_lookup(p, d, r.name, r.namelen, &o, NULL) == 0) {
			/* raced with another creator */
			if (flags & O_EXCL)
				ret = -EEXIST;
			else
				ret = pf_vinode_get(p, o, &vi);
		} else {
			struct create_args a = { p, c, d, r.name, r.namelen,
				S_IFREG | (mode & 07777), 0, NULL, OID_NULL };
			ret = create_locked(&a);
			if (!ret) {
				ret = pf_vinode_get(p, a.out, &vi);
				created = true;
			}
		}
		pthread_rwlock_unlock(&d->lock);
		if (ret)
			goto out;
		if (!vi) {
			ret = -ENOMEM;
			goto out;
		}
	} else {
		vi = r.target;
		r.target = NULL;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(vi->pi->mode)) {
		ret = -ENOTDIR;
		goto fail;
	}
	if (S_ISLNK(vi->pi->mode) && !(flags & O_PATH)) {
		ret = -ELOOP;
		goto fail;
	}
	ret = open_existing(p, c, vi, flags, created);
	if (ret)
		goto fail;
	*out = pf_file_new(p, vi, flags);
	if (!*out) {
		ret = -ENOMEM;
		goto fail;
	}
	(*out)->created = created;
	goto out;
fail:
	pf_vinode_put(p, vi);
out:
	pf_path_result_put(p, &r);
	return ret;
}

/* ---- linkat ---- */

/* may_linkat of fs/namei.c, when the caller's policy asks for it */
static bool
safe_link_source(const struct pf_caller *c, const struct pf_inode *pi)
{
	if (!(c->policy & PF_POLICY_PROTECTED_HARDLINKS) ||
	    pf_is_owner(c, pi) || (c->caps & PF_CAP_FOWNER))
		return true;
	uint32_t mode = pi->mode;
	if (!S_ISREG(mode) || (mode & S_ISUID) ||
	    (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		return false;
	return pf_may(c, pi, 6) == 0;
}

/*
 * The link TX below as one publish (act.c), for a source that has a name
 * already (an O_TMPFILE or unlinked source leaves the orphan list: TX).
 * -EAGAIN when the directory has no free slot.
 */
static int
link_act(struct pf_pool *p, struct pf_vinode *d, const char *name,
	 size_t namelen, struct pf_vinode *src)
{
	struct pf_inode *spi = src->pi, *dpi = d->pi;
	struct pf_acts acts;
	pf_acts_init(&acts);
	int64_t now = pf_now();
	uint32_t slot;
	int r = pf_dir_add_act(p, d, name, namelen, src->oid, spi->mode, &acts,
			       &slot);
	if (r) {
		pf_act_cancel(p, &acts);
		return r;
	}
	pf_act_set32(p, &acts, &spi->nlink, spi->nlink + 1);
	pf_act_set(p, &acts, &spi->ctime, (uint64_t)now);
	pf_dir_touch_act(p, &acts, dpi, 1, now);
	r = pf_act_publish(p, &acts);
	if (r == 0)
		pf_dir_add_done(p, d, slot);
	return r;
}

int
pf_linkat(pf_pool *p, struct pf_caller *c, pf_file *olddir,
	  const char *oldpath, pf_file *newdir, const char *newpath, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct pf_path_result ro, rn;
	int rf = (flags & AT_SYMLINK_FOLLOW) ? PF_RES_FOLLOW : 0;
	if (flags & AT_EMPTY_PATH)
		rf |= PF_RES_EMPTY;
	int ret = pf_resolve(p, c, olddir, oldpath, rf, &ro);
	if (ret)
		return ret;
	struct pf_vinode *src = ro.target;
	ret = pf_resolve(p, c, newdir, newpath, PF_RES_PARENT, &rn);
	if (ret) {
		pf_path_result_put(p, &ro);
		return ret;
	}
	if (rn.target) {
		ret = -EEXIST;
		goto out;
	}
	if (rn.trailing_slash) {
		ret = -ENOENT;
		goto out;
	}
	if (!safe_link_source(c, src->pi)) {
		ret = -EPERM;
		goto out;
	}
	struct pf_vinode *d = rn.parent;
	if (S_ISDIR(src->pi->mode)) {
		/* Linux's vfs_link asks may_create of the new parent before
		 * refusing a directory (EACCES before EPERM). A directory
		 * source is not locked here (it may be an ancestor of d: lock
		 * order), so the check takes d's lock alone */
		pthread_rwlock_rdlock(&d->lock);
		ret = d->pi->nlink == 0 ? -ENOENT : pf_may(c, d->pi, 3);
		pthread_rwlock_unlock(&d->lock);
		if (!ret)
			ret = -EPERM;
		goto out;
	}
	pthread_rwlock_wrlock(&d->lock);
	pthread_rwlock_wrlock(&src->lock);
	PMEMoid o;
	struct pf_inode *spi = src->pi;
	if (d->pi->nlink == 0)
		ret = -ENOENT;
	else if (pf_dir_lookup(p, d, rn.name, rn.namelen, &o, NULL) == 0)
		ret = -EEXIST;
	else if ((ret = pf_may(c, d->pi, 3)) != 0)
		;
	else if (spi->flags & (PF_FL_IMMUTABLE | PF_FL_APPEND))
		ret = -EPERM; /* vfs_link */
	else if (spi->nlink == 0 && !src->tmpfile)
		ret = -ENOENT;
	else if (spi->nlink >= PF_LINK_MAX)
		ret = -EMLINK;
	if (!ret && spi->nlink != 0) {
		ret = link_act(p, d, rn.name, rn.namelen, src);
		if (ret != -EAGAIN)
			goto unlock;
		ret = 0;
	}
	if (!ret) {
		volatile bool was_orphan = spi->nlink == 0;
		if (was_orphan)
			pthread_mutex_lock(&p->orphan_lock);
		PF_TX_BEGIN(p) {
			int64_t now = pf_now();
			if (was_orphan)
				pf_orphan_del_tx(p, src->oid);
			pf_inode_snap_tx(spi);
			spi->nlink++;
			spi->ctime = now;
			pf_dir_add_tx(p, d, rn.name, rn.namelen, src->oid, spi->mode);
			pf_touch_dir_tx(d->pi, now);
		} TX_ONABORT {
			ret = pf_tx_errno();
		} TX_END
		if (was_orphan)
			pthread_mutex_unlock(&p->orphan_lock);
		if (ret)
			pf_dir_index_drop(d);
		else
			src->tmpfile = false;
	}
unlock:
	pthread_rwlock_unlock(&src->lock);
	pthread_rwlock_unlock(&d->lock);
out:
	pf_path_result_put(p, &ro);
	pf_path_result_put(p, &rn);
	return ret;
}
