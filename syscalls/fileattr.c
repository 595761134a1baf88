/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * file_getattr, file_setattr (Linux 6.17): the inode flags a pool keeps
 * (core's PF_FL_*), as FS_XFLAG_* bits, with fs/file_attr.c's argument
 * checks. The ioctls (FS_IOC_FSGETXATTR...) use the same mapping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "syscalls.h"

/* struct file_attr of Linux 6.17 (the headers here are older) */
struct sc_file_attr {
	uint64_t fa_xflags;
	uint32_t fa_extsize;
	uint32_t fa_nextents;
	uint32_t fa_projid;
	uint32_t fa_cowextsize;
};
#define SC_FILE_ATTR_SIZE_VER0 24
_Static_assert(sizeof(struct sc_file_attr) == SC_FILE_ATTR_SIZE_VER0,
	       "file_attr size");
/* FS_XFLAG_VALUES_MASK: every FS_XFLAG_* but HASATTR */
#define SC_XFLAG_VALUES 0x1fffbULL
#define SC_PAGE 4096

static const struct {
	uint32_t fl, xfl;
} xflag_map[] = {
	{ PF_FL_IMMUTABLE, FS_XFLAG_IMMUTABLE },
	{ PF_FL_APPEND, FS_XFLAG_APPEND },
	{ PF_FL_NODUMP, FS_XFLAG_NODUMP },
	{ PF_FL_NOATIME, FS_XFLAG_NOATIME },
};
#define NMAP (sizeof(xflag_map) / sizeof(xflag_map[0]))

uint32_t sc_xflags_of(uint32_t flags)
{
	uint32_t x = 0;
	for (size_t i = 0; i < NMAP; i++)
		if (flags & xflag_map[i].fl)
			x |= xflag_map[i].xfl;
	return x;
}

uint32_t sc_flags_of_xflags(uint64_t xflags, int fsx_only)
{
	uint32_t fl = 0;
	for (size_t i = 0; i < NMAP; i++)
		if (xflags & xflag_map[i].xfl) {
			fl |= xflag_map[i].fl;
			xflags &= ~(uint64_t)xflag_map[i].xfl;
		}
	/* what no flag expresses (fileattr_has_fsx): a bit core refuses
	 * with EOPNOTSUPP, after its permission checks */
	if (xflags || fsx_only)
		fl |= 1u << 31;
	return fl;
}

struct fa_arg {
	int at;
	uint32_t flags; /* file_setattr */
	struct pf_stat st; /* file_getattr */
};

static long pool_get(struct call *c, struct vpath *p, struct pf_caller *pc,
		     void *arg)
{
	struct fa_arg *a = arg;
	return pf_fstatat(p->m->pool, pc, p->dir, p->path, &a->st, a->at);
}

static long pool_set(struct call *c, struct vpath *p, struct pf_caller *pc,
		     void *arg)
{
	struct fa_arg *a = arg;
	return pf_setflagsat(p->m->pool, pc, p->dir, p->path, a->flags, a->at);
}

/* The checks before any lookup, identical for host paths. */
static long check_args(struct call *c)
{
	unsigned at = (unsigned)c->args[4];
	size_t usize = (size_t)c->args[3];
	if (at & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (usize > SC_PAGE)
		return -E2BIG;
	if (usize < SC_FILE_ATTR_SIZE_VER0)
		return -EINVAL;
	return 0;
}

/* A NULL or "" path with AT_EMPTY_PATH names the fd itself
 * (getname_maybe_null): NULL is seen here, "" after classifying. */
static int by_fd(struct call *c)
{
	return c->args[1] == 0 && ((int)c->args[4] & AT_EMPTY_PATH) &&
		(int)c->args[0] >= 0;
}

/* The fd of by_fd: fdget's, which refuses O_PATH (EBADF). */
static long get_fd(struct call *c, struct ofd **o)
{
	long r = call_pool_fd(c, (int)c->args[0], o);
	if (r)
		return r;
	if (pf_file_get_flags((*o)->file) & O_PATH) {
		ofd_put(*o);
		return -EBADF;
	}
	return 0;
}

static long fd_getattr(struct call *c, struct ofd *o, struct fa_arg *a)
{
	return pf_fstat(o->m->pool, o->file, &a->st);
}

static long fd_setflags(struct call *c, struct ofd *o, struct fa_arg *a)
{
	struct pf_caller *pc = call_caller(c);
	return pc ? pf_fsetflags(o->m->pool, pc, o->file, a->flags) :
		    call_who_err(c);
}

/* The call on what it names: its fd (by_fd, or "" with AT_EMPTY_PATH)
 * with on_fd, else its path with on_path; CALL_CONTINUE for a host path. */
static long on_target(struct call *c, struct fa_arg *a,
		      long (*on_fd)(struct call *, struct ofd *,
				    struct fa_arg *),
		      pool_op on_path)
{
	struct vpath p;
	long r;
	if (!by_fd(c) && (r = call_pool_path_at(c, 0, 1, a->at, &p)))
		return r;
	if (!by_fd(c) && !(p.empty && (int)c->args[0] >= 0))
		return path_op_resolved(c, &p, on_path, NULL, a);
	struct ofd *o;
	if ((r = get_fd(c, &o)))
		return r;
	r = on_fd(c, o, a);
	ofd_put(o);
	return r;
}

long sys_file_getattr(struct call *c)
{
	long r = check_args(c);
	if (r)
		return r;
	struct fa_arg a = { .at = (int)c->args[4] };
	r = on_target(c, &a, fd_getattr, pool_get);
	if (r == CALL_CONTINUE)
		return r;
	if (r < 0)
		return errno_filter(r);
	if (!S_ISREG(a.st.mode) && !S_ISDIR(a.st.mode))
		return -EOPNOTSUPP; /* no fileattr_get, as tmpfs */
	struct sc_file_attr fa = { .fa_xflags = sc_xflags_of(a.st.flags) };
	/* copy_struct_to_user: what the caller's size holds, zeros after */
	static const char zeros[SC_PAGE];
	r = call_write(c, c->args[2], &fa, sizeof(fa));
	size_t usize = (size_t)c->args[3];
	if (r == 0 && usize > sizeof(fa))
		r = call_write(c, c->args[2] + sizeof(fa), zeros,
			       usize - sizeof(fa));
	return r;
}

long sys_file_setattr(struct call *c)
{
	long r = check_args(c);
	if (r)
		return r;
	struct fa_arg a = { .at = (int)c->args[4] };
	/* copy_struct_from_user: a longer struct's tail must be zero */
	struct sc_file_attr fa;
	size_t usize = (size_t)c->args[3];
	char tail[SC_PAGE];
	if ((r = call_read(c, c->args[2], &fa, sizeof(fa))) < 0)
		return r;
	if (usize > sizeof(fa)) {
		size_t n = usize - sizeof(fa);
		if ((r = call_read(c, c->args[2] + sizeof(fa), tail, n)) < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	if (fa.fa_xflags & ~SC_XFLAG_VALUES)
		return -EINVAL; /* file_attr_to_fileattr */
	a.flags = sc_flags_of_xflags(fa.fa_xflags,
				     fa.fa_extsize || fa.fa_projid ||
					     fa.fa_cowextsize);
	r = on_target(c, &a, fd_setflags, pool_set);
	if (r == -EOPNOTSUPP)
		sc_log_unsupported(c,
				   "an inode flag a pool does not keep "
				   "(EOPNOTSUPP)");
	return r == CALL_CONTINUE ? r : errno_filter(r);
}
