/* SPDX-License-Identifier: BSD-3-Clause */
/* Attributes: stat, access, chmod, chown, utimensat, truncate by path. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "internal.h"
#include "ops.h"

#ifndef AT_STATX_SYNC_TYPE
#define AT_STATX_SYNC_TYPE 0x6000
#endif

/*
 * Times are int64 ns (layout.h): 1677-09-21 to 2262-04-11. Outside that,
 * clamp to the limit, as Linux's timestamp_truncate() does for a file
 * system with a narrower range (ext4 clamps at 2446).
 */
static int64_t
ts_to_ns(const struct timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / 1000000000 - 1)
		return INT64_MAX;
	if (ts->tv_sec <= INT64_MIN / 1000000000 + 1)
		return INT64_MIN;
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* resolve for an attribute call: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH */
static int
resolve_at(struct pf_pool *p, struct pf_caller *c, struct pf_file *dir,
	   const char *path, int flags, struct pf_path_result *r)
{
	int rf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : PF_RES_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		rf |= PF_RES_EMPTY;
	return pf_resolve(p, c, dir, path, rf, r);
}

int
pf_fstatat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	   struct pf_stat *st, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	struct pf_path_result r;
	int ret = resolve_at(p, c, dir, path, flags, &r);
	if (ret)
		return ret;
	pthread_rwlock_rdlock(&r.target->lock);
	pf_inode_stat(p, r.target, st);
	pthread_rwlock_unlock(&r.target->lock);
	pf_path_result_put(p, &r);
	return 0;
}

int
pf_fstat(pf_pool *p, pf_file *f, struct pf_stat *st)
{
	pthread_rwlock_rdlock(&f->vi->lock);
	pf_inode_stat(p, f->vi, st);
	pthread_rwlock_unlock(&f->vi->lock);
	return 0;
}

int
pf_faccessat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	     int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct pf_path_result r;
	int ret = resolve_at(p, c, dir, path, flags, &r);
	if (ret)
		return ret;
	if (mode)
		ret = pf_may(c, r.target->pi, mode);
	pf_path_result_put(p, &r);
	return ret;
}

/* ---- chmod ---- */

static int
chmod_vinode(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
	     mode_t mode)
{
	pthread_rwlock_wrlock(&vi->lock);
	struct pf_inode *pi = vi->pi;
	int ret = 0;
	if (!pf_is_owner(c, pi) && !(c->caps & PF_CAP_FOWNER)) {
		ret = -EPERM;
	} else if (pi->flags & (PF_FL_IMMUTABLE | PF_FL_APPEND)) {
		ret = -EPERM; /* notify_change */
	} else {
		mode &= 07777;
		if ((mode & S_ISGID) && !pf_in_group(c, pi->gid) &&
		    !(c->caps & PF_CAP_FSETID))
			mode &= ~(mode_t)S_ISGID;
		/* mode and ctime: two aligned words, persisted in order */
		pi->mode = (pi->mode & S_IFMT) | (uint32_t)mode;
		pf_persist(p, &pi->mode, sizeof(pi->mode));
		pi->ctime = pf_now();
		pf_persist(p, &pi->ctime, sizeof(pi->ctime));
	}
	pthread_rwlock_unlock(&vi->lock);
	return ret;
}

int
pf_fchmodat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	    mode_t mode, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct pf_path_result r;
	int ret = resolve_at(p, c, dir, path, flags, &r);
	if (ret)
		return ret;
	if (S_ISLNK(r.target->pi->mode))
		ret = -EOPNOTSUPP;
	else
		ret = chmod_vinode(p, c, r.target, mode);
	pf_path_result_put(p, &r);
	return ret;
}

int
pf_fchmod(pf_pool *p, struct pf_caller *c, pf_file *f, mode_t mode)
{
	if (f->path_only)
		return -EBADF;
	return chmod_vinode(p, c, f->vi, mode);
}

/* ---- chown ---- */

struct chown_args {
	struct pf_inode *pi;
	uint32_t uid, gid, mode;
	int64_t now;
};

static int
chown_tx(struct pf_pool *p, struct chown_args *a)
{
	volatile int ret = 0;
	PF_TX_BEGIN(p) {
		struct pf_inode *pi = a->pi;
		pf_inode_snap_tx(pi);
		pi->mode = a->mode;
		pi->uid = a->uid;
		pi->gid = a->gid;
		pi->ctime = a->now;
	} TX_ONABORT {
		ret = pf_tx_errno();
	} TX_END
	return ret;
}

static int
chown_vinode(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
	     uint32_t uid, uint32_t gid)
{
	pthread_rwlock_wrlock(&vi->lock);
	struct pf_inode *pi = vi->pi;
	int ret = 0;
	bool cap = (c->caps & PF_CAP_CHOWN) != 0;
	if ((uid != (uint32_t)-1 || gid != (uint32_t)-1) &&
	    (pi->flags & (PF_FL_IMMUTABLE | PF_FL_APPEND)))
		ret = -EPERM; /* notify_change, before setattr_prepare */
	if (uid != (uint32_t)-1 && uid != pi->uid && !cap)
		ret = -EPERM;
	if (uid != (uint32_t)-1 && uid == pi->uid && !cap && !pf_is_owner(c, pi))
		ret = -EPERM;
	if (!ret && gid != (uint32_t)-1 && gid != pi->gid && !cap &&
	    !(pf_is_owner(c, pi) && pf_in_group(c, gid)))
		ret = -EPERM;
	if (!ret && gid != (uint32_t)-1 && gid == pi->gid && !cap &&
	    !pf_is_owner(c, pi))
		ret = -EPERM;
	struct chown_args a = { pi, uid == (uint32_t)-1 ? pi->uid : uid,
				gid == (uint32_t)-1 ? pi->gid : gid,
				pi->mode, pf_now() };
	if (!ret && !S_ISDIR(pi->mode)) {
		/* ATTR_KILL_SUID/SGID (Linux 6.x setattr_should_drop_sgid) */
		a.mode &= ~(uint32_t)S_ISUID;
		if ((a.mode & S_ISGID) && ((a.mode & S_IXGRP) ||
		    (!pf_in_group(c, pi->gid) && !(c->caps & PF_CAP_FSETID))))
			a.mode &= ~(uint32_t)S_ISGID;
		/* a mode change needs the owner (setattr_prepare) */
		if (a.mode != pi->mode && !pf_is_owner(c, pi) &&
		    !(c->caps & PF_CAP_FOWNER))
			ret = -EPERM;
	}
	if (!ret)
		ret = chown_tx(p, &a);
	pthread_rwlock_unlock(&vi->lock);
	return ret;
}

int
pf_fchownat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	    uint32_t uid, uint32_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct pf_path_result r;
	int ret = resolve_at(p, c, dir, path, flags, &r);
	if (ret)
		return ret;
	ret = chown_vinode(p, c, r.target, uid, gid);
	pf_path_result_put(p, &r);
	return ret;
}

int
pf_fchown(pf_pool *p, struct pf_caller *c, pf_file *f, uint32_t uid,
	  uint32_t gid)
{
	if (f->path_only)
		return -EBADF;
	return chown_vinode(p, c, f->vi, uid, gid);
}

/* ---- utimensat ---- */

static bool
valid_nsec(long ns)
{
	return ns == UTIME_NOW || ns == UTIME_OMIT || (ns >= 0 && ns < 1000000000);
}

int
pf_utimensat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	     const struct timespec times[2], int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times && (!valid_nsec(times[0].tv_nsec) || !valid_nsec(times[1].tv_nsec)))
		return -EINVAL;
	bool omit_a = times && times[0].tv_nsec == UTIME_OMIT;
	bool omit_m = times && times[1].tv_nsec == UTIME_OMIT;
	bool now_only = !times || (times[0].tv_nsec == UTIME_NOW &&
				   times[1].tv_nsec == UTIME_NOW);
	struct pf_path_result r;
	int ret;
	if (!path) {
		if (!dir)
			return -EFAULT;
		ret = pf_resolve(p, c, dir, "", PF_RES_EMPTY, &r);
	} else {
		ret = resolve_at(p, c, dir, path, flags, &r);
	}
	if (ret)
		return ret;
	if (omit_a && omit_m)
		goto out;
	struct pf_vinode *vi = r.target;
	pthread_rwlock_wrlock(&vi->lock);
	struct pf_inode *pi = vi->pi;
	/* notify_change: times set need neither flag, times touched no
	 * immutable one */
	if ((pi->flags & (PF_FL_IMMUTABLE | PF_FL_APPEND)) && !now_only)
		ret = -EPERM;
	else if ((pi->flags & PF_FL_IMMUTABLE) && now_only)
		ret = -EPERM;
	else if (!pf_is_owner(c, pi) && !(c->caps & PF_CAP_FOWNER)) {
		if (!now_only)
			ret = -EPERM;
		else if (pf_may(c, pi, 2) != 0)
			ret = -EACCES;
	}
	if (!ret) {
		int64_t now = pf_now();
		int64_t at = pi->atime, mt = pi->mtime;
		if (!omit_a)
			at = (!times || times[0].tv_nsec == UTIME_NOW) ? now :
				ts_to_ns(&times[0]);
		if (!omit_m)
			mt = (!times || times[1].tv_nsec == UTIME_NOW) ? now :
				ts_to_ns(&times[1]);
		/* each time is one aligned word: see HACKING.md */
		pi->atime = at;
		pi->mtime = mt;
		pi->ctime = now;
		pf_persist(p, &pi->atime, 3 * sizeof(int64_t));
	}
	pthread_rwlock_unlock(&vi->lock);
out:
	pf_path_result_put(p, &r);
	return ret;
}

int
pf_truncate(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	    off_t len)
{
	if (len < 0)
		return -EINVAL;
	struct pf_path_result r;
	int ret = pf_resolve(p, c, dir, path, PF_RES_FOLLOW, &r);
	if (ret)
		return ret;
	struct pf_vinode *vi = r.target;
	if (S_ISDIR(vi->pi->mode))
		ret = -EISDIR;
	else if (!S_ISREG(vi->pi->mode))
		ret = -EINVAL;
	else
		ret = pf_may(c, vi->pi, 2);
	if (!ret && (vi->pi->flags & PF_FL_APPEND))
		ret = -EPERM; /* vfs_truncate */
	if (!ret)
		ret = pf_truncate_vinode(p, c, vi, len, false);
	pf_path_result_put(p, &r);
	return ret;
}

/* ---- inode flags ---- */

static int
setflags_vinode(struct pf_pool *p, struct pf_caller *c, struct pf_vinode *vi,
		uint32_t flags)
{
	/* only files and directories keep flags (tmpfs: no fileattr_set
	 * for the others) */
	if (!S_ISREG(vi->pi->mode) && !S_ISDIR(vi->pi->mode))
		return -EOPNOTSUPP;
	pthread_rwlock_wrlock(&vi->lock);
	struct pf_inode *pi = vi->pi;
	int ret = 0;
	/* vfs_fileattr_set: the owner, then CAP_LINUX_IMMUTABLE for those
	 * two (fileattr_set_prepare), then what the file system keeps */
	if (!pf_is_owner(c, pi) && !(c->caps & PF_CAP_FOWNER))
		ret = -EPERM;
	else if (((flags ^ pi->flags) & (PF_FL_IMMUTABLE | PF_FL_APPEND)) &&
		 !(c->caps & PF_CAP_LINUX_IMMUTABLE))
		ret = -EPERM;
	else if (flags & ~PF_FL_SETTABLE)
		ret = -EOPNOTSUPP;
	if (!ret) {
		/* flags and ctime: two aligned words, persisted in order */
		pi->flags = flags;
		pf_persist(p, &pi->flags, sizeof(pi->flags));
		pi->ctime = pf_now();
		pf_persist(p, &pi->ctime, sizeof(pi->ctime));
	}
	pthread_rwlock_unlock(&vi->lock);
	return ret;
}

int
pf_fsetflags(pf_pool *p, struct pf_caller *c, pf_file *f, uint32_t flags)
{
	return setflags_vinode(p, c, f->vi, flags);
}

int
pf_setflagsat(pf_pool *p, struct pf_caller *c, pf_file *dir, const char *path,
	      uint32_t flags, int at_flags)
{
	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct pf_path_result r;
	int ret = resolve_at(p, c, dir, path, at_flags, &r);
	if (ret)
		return ret;
	ret = setflags_vinode(p, c, r.target, flags);
	pf_path_result_put(p, &r);
	return ret;
}
