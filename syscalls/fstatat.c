/* SPDX-License-Identifier: BSD-3-Clause */
/* stat, lstat, fstat, newfstatat, statx. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "syscalls.h"

/* m: the pool stated, NULL when the path ended on the host */
#define SC_STATX_MNT_ID_UNIQUE 0x00004000U /* Linux 6.8; headers here are 6.1 */

struct st_arg { int flags; struct pf_stat st; struct mount *m; };

static long pool_stat(struct call *c, struct vpath *p, struct pf_caller *pc,
		      void *arg)
{
	struct st_arg *a = arg;
	a->m = p->m;
	return pf_fstatat(p->m->pool, pc, p->dir, p->path, &a->st, a->flags);
}

static void pf_from_host(struct pf_stat *o, const struct stat *st)
{
	memset(o, 0, sizeof(*o));
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->mode = st->st_mode;
	o->nlink = (uint32_t)st->st_nlink;
	o->uid = st->st_uid;
	o->gid = st->st_gid;
	o->rdev = st->st_rdev;
	o->size = (uint64_t)st->st_size;
	o->blocks = (uint64_t)st->st_blocks;
	o->blksize = (uint32_t)st->st_blksize;
	o->atime = st->st_atim;
	o->mtime = st->st_mtim;
	o->ctime = st->st_ctim;
	o->btime = st->st_ctim;
}

static long host_stat(struct call *c, const char *path, void *arg)
{
	struct st_arg *a = arg;
	struct stat st;
	if (fstatat(AT_FDCWD, path, &st, a->flags & AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	a->m = NULL;
	pf_from_host(&a->st, &st);
	return 0;
}

/* Stats (dirfd, path) or, for an empty path with AT_EMPTY_PATH, the fd.
 * Returns 0 with a->st filled, CALL_CONTINUE, or -errno. */
static long do_stat(struct call *c, int dirfd_arg, int path_arg,
		    struct st_arg *a)
{
	struct vpath p;
	c->follow_proc = !(a->flags & AT_SYMLINK_NOFOLLOW);
	int r = call_path(c, dirfd_arg, path_arg, &p);
	if (r < 0)
		return r;
	if (p.kind == VP_HOST) {
		/* fstat of a pool FIFO or socket: the pool inode */
		if (p.empty && (a->flags & AT_EMPTY_PATH) &&
		    call_fd_twin(c, p.dirfd, &a->st, &a->m))
			return 0;
		/* or stat of /dev/fd/N, /proc/self/fd/N of one */
		long pid, fd;
		const char *rest;
		struct proc *pr;
		if (twin_count() && !(a->flags & AT_SYMLINK_NOFOLLOW) &&
		    p.path[0] == '/' &&
		    proc_link_parse(c, p.path, &pid, &fd, &rest) && fd >= 0 &&
		    !*rest &&
		    (pid == c->tid ||
		     ((pr = call_proc(c)) && pid == proc_tgid(pr))) &&
		    call_fd_twin(c, (int)fd, &a->st, &a->m))
			return 0;
		return CALL_CONTINUE;
	}
	if (p.empty && !(a->flags & AT_EMPTY_PATH))
		return -ENOENT;
	return path_op_resolved(c, &p, pool_stat, host_stat, a);
}

static long put_stat(struct call *c, uint64_t addr, long r, struct st_arg *a)
{
	if (r < 0 || r == CALL_CONTINUE)
		return r;
	struct stat st;
	stat_from_pf(&st, &a->st);
	return call_write(c, addr, &st, sizeof(st));
}

/* fstatat(fd, NULL, buf, AT_EMPTY_PATH) is fstat(fd) since Linux 6.11 */
static long stat_fd(struct call *c, int fd, struct st_arg *a)
{
	struct ofd *o;
	int r = call_fd(c, fd, &o);
	if (r == FD_HOST && call_fd_twin(c, fd, &a->st, &a->m))
		return 0; /* a pool FIFO or socket: the pool inode */
	if (r != FD_POOL)
		return r == FD_HOST ? CALL_CONTINUE : r;
	long ret = errno_filter(pf_fstat(o->m->pool, o->file, &a->st));
	a->m = o->m;
	ofd_put(o);
	return ret;
}

long sys_newfstatat(struct call *c)
{
	struct st_arg a = { .flags = (int)c->args[3] };
	if (a.flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if (c->args[1] == 0 && (a.flags & AT_EMPTY_PATH))
		return put_stat(c, c->args[2], stat_fd(c, (int)c->args[0], &a), &a);
	return put_stat(c, c->args[2], do_stat(c, 0, 1, &a), &a);
}

long sys_stat(struct call *c)
{
	struct st_arg a = { .flags = 0 };
	return put_stat(c, c->args[1], do_stat(c, -1, 0, &a), &a);
}

long sys_lstat(struct call *c)
{
	struct st_arg a = { .flags = AT_SYMLINK_NOFOLLOW };
	return put_stat(c, c->args[1], do_stat(c, -1, 0, &a), &a);
}

long sys_fstat(struct call *c)
{
	struct st_arg a;
	return put_stat(c, c->args[1], stat_fd(c, (int)c->args[0], &a), &a);
}

long sys_statx(struct call *c)
{
	int flags = (int)c->args[2];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE) ||
	    (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
	    (unsigned)c->args[3] & STATX__RESERVED)
		return -EINVAL;
	struct st_arg a = { .flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) };
	long r;
	if (c->args[1] == 0 && (flags & AT_EMPTY_PATH)) {
		r = stat_fd(c, (int)c->args[0], &a);
	} else {
		r = do_stat(c, 0, 1, &a);
	}
	if (r < 0 || r == CALL_CONTINUE)
		return r;
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS | STATX_BTIME;
	if (a.m && ((unsigned)c->args[3] & SC_STATX_MNT_ID_UNIQUE)) {
		/* the 64-bit id statmount(2) takes, in its stead (Linux
		 * 6.8): made up as well, above the kernel's (2^31 + n) */
		sx.stx_mask |= SC_STATX_MNT_ID_UNIQUE;
		sx.stx_mnt_id = (uint64_t)a.m->mnt_id + 0x80000000ULL;
	} else if (a.m) { /* the kernel always fills it, asked or not */
		sx.stx_mask |= STATX_MNT_ID;
		sx.stx_mnt_id = (uint64_t)a.m->mnt_id;
	}
	/* the inode flags tmpfs reports (shmem_getattr), and what the VFS
	 * adds for every file system (vfs_getattr_nosec, vfs_statx) */
	sx.stx_attributes_mask = STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE |
		STATX_ATTR_NODUMP | STATX_ATTR_AUTOMOUNT |
		STATX_ATTR_MOUNT_ROOT | STATX_ATTR_DAX;
	if (a.st.flags & PF_FL_APPEND)
		sx.stx_attributes |= STATX_ATTR_APPEND;
	if (a.st.flags & PF_FL_IMMUTABLE)
		sx.stx_attributes |= STATX_ATTR_IMMUTABLE;
	if (a.st.flags & PF_FL_NODUMP)
		sx.stx_attributes |= STATX_ATTR_NODUMP;
	if (a.m && a.st.ino == a.m->root_ino && a.st.dev == a.m->dev)
		sx.stx_attributes |= STATX_ATTR_MOUNT_ROOT;
	sx.stx_blksize = a.st.blksize;
	sx.stx_nlink = a.st.nlink;
	sx.stx_uid = a.st.uid;
	sx.stx_gid = a.st.gid;
	sx.stx_mode = (uint16_t)a.st.mode;
	sx.stx_ino = a.st.ino;
	sx.stx_size = a.st.size;
	sx.stx_blocks = a.st.blocks;
#define TS(dst, src) do { dst.tv_sec = src.tv_sec; dst.tv_nsec = (uint32_t)src.tv_nsec; } while (0)
	TS(sx.stx_atime, a.st.atime);
	TS(sx.stx_btime, a.st.btime);
	TS(sx.stx_ctime, a.st.ctime);
	TS(sx.stx_mtime, a.st.mtime);
#undef TS
	sx.stx_rdev_major = major(a.st.rdev);
	sx.stx_rdev_minor = minor(a.st.rdev);
	sx.stx_dev_major = major(a.st.dev);
	sx.stx_dev_minor = minor(a.st.dev);
	return call_write(c, c->args[4], &sx, sizeof(sx));
}
