/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a served pool call did, as fsnotify sees it: the one reading of
 * syscall numbers and arguments that directory notification (dnotify.c)
 * and inotify shadows (inotify.c) both act on. Each call becomes the
 * fsnotify hooks Linux runs for it (fs/notify, include/linux/fsnotify.h):
 * an open, a name created, removed, linked or renamed, an access, a
 * modification or an attribute change of a name or of an fd's file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "notify.h"

#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#define __NR_removexattrat 466
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

static const char *str(const struct call *c, int i)
{
	return i < c->nstr ? c->str[i] : NULL;
}

int fsev_dirfd(const struct call *c, int i)
{
	return i < 0 ? AT_FDCWD : (int)c->args[i];
}

/* utimensat's times: fsnotify_change's rules (both: ATTRIB, else the one
 * set). */
static enum fsev times_ev(struct call *c, int arg)
{
	struct timespec ts[2];
	if (!c->args[arg] || call_read(c, c->args[arg], ts, sizeof(ts)) < 0)
		return FSEV_ATTRIB;
	int a = ts[0].tv_nsec != UTIME_OMIT, m = ts[1].tv_nsec != UTIME_OMIT;
	return a && m ? FSEV_ATTRIB : a ? FSEV_ACCESS : FSEV_MODIFY;
}

/* string s relative to dirfd, or the fd itself for an empty path
 * (AT_EMPTY_PATH) or none (utimensat's futimens form) */
static void name_or_fd(struct call *c, const struct fsev_ops *o, int dirfd,
		       const char *s, int nofollow, enum fsev ev)
{
	if (s && s[0])
		o->name(c, dirfd, s, nofollow, ev);
	else if (dirfd != AT_FDCWD)
		o->fd(c, dirfd, ev);
}

/* *at calls with a flags argument: where AT_SYMLINK_NOFOLLOW is, or -1 */
static int at_flags_arg(long nr)
{
	switch (nr) {
	case SYS_fchownat: return 4;
	case SYS_utimensat:
	case __NR_fchmodat2: return 3;
	case __NR_setxattrat:
	case __NR_removexattrat: return 2;
	default: return -1;
	}
}

static void paths(struct call *c, const struct fsev_ops *o)
{
	const char *s0 = str(c, 0), *s1 = str(c, 1);
	int a0 = (int)c->args[0];
	switch (c->nr) {
	case SYS_mkdir:
	case SYS_mknod:
		if (s0)
			o->create(c, AT_FDCWD, s0);
		break;
	case SYS_mkdirat:
	case SYS_mknodat:
		if (s0)
			o->create(c, a0, s0);
		break;
	case SYS_rmdir:
	case SYS_unlink:
		if (s0)
			o->remove(c, AT_FDCWD, s0);
		break;
	case SYS_unlinkat:
		if (s0)
			o->remove(c, a0, s0);
		break;
	case SYS_symlink:
		if (s1)
			o->create(c, AT_FDCWD, s1);
		break;
	case SYS_symlinkat:
		if (s1)
			o->create(c, (int)c->args[1], s1);
		break;
	case SYS_link:
		if (s1)
			o->link(c, AT_FDCWD, s1);
		break;
	case SYS_linkat:
		if (s1)
			o->link(c, (int)c->args[2], s1);
		break;
	/* a rename of two links of one file did nothing (renameat.c) */
	case SYS_rename:
		if (!c->rename_noop)
			o->rename(c, -1, -1, 0);
		break;
	case SYS_renameat:
		if (!c->rename_noop)
			o->rename(c, 0, 2, 0);
		break;
	case SYS_renameat2:
		if (!c->rename_noop)
			o->rename(c, 0, 2, (unsigned)c->args[4]);
		break;
	case SYS_chmod:
	case SYS_chown:
	case SYS_utime:
	case SYS_utimes:
	case SYS_setxattr:
	case SYS_removexattr:
		if (s0)
			o->name(c, AT_FDCWD, s0, 0, FSEV_ATTRIB);
		break;
	case SYS_lchown:
	case SYS_lsetxattr:
	case SYS_lremovexattr:
		if (s0)
			o->name(c, AT_FDCWD, s0, 1, FSEV_ATTRIB);
		break;
	case SYS_fchmodat:
	case __NR_fchmodat2:
	case SYS_fchownat:
	case SYS_futimesat:
	case __NR_setxattrat:
	case __NR_removexattrat:
	case SYS_utimensat: {
		int fli = at_flags_arg(c->nr);
		int nof = fli >= 0 && (c->args[fli] & AT_SYMLINK_NOFOLLOW);
		enum fsev ev =
			c->nr == SYS_utimensat ? times_ev(c, 2) : FSEV_ATTRIB;
		name_or_fd(c, o, a0, s0, nof, ev);
		break;
	}
	case SYS_truncate:
		if (s0)
			o->name(c, AT_FDCWD, s0, 0, FSEV_MODIFY);
		break;
	}
}

static void fds(struct call *c, long r, const struct fsev_ops *o)
{
	int a0 = (int)c->args[0];
	switch (c->nr) {
	case SYS_fchmod:
	case SYS_fchown:
	case SYS_fsetxattr:
	case SYS_fremovexattr: o->fd(c, a0, FSEV_ATTRIB); break;
	case SYS_write:
	case SYS_pwrite64:
	case SYS_writev:
	case SYS_pwritev:
	case SYS_pwritev2:
		if (r > 0)
			o->fd(c, a0, FSEV_MODIFY);
		break;
	case SYS_ftruncate:
	case SYS_fallocate: o->fd(c, a0, FSEV_MODIFY); break;
	case SYS_read:
	case SYS_pread64:
	case SYS_readv:
	case SYS_preadv:
	case SYS_preadv2:
		if (r > 0)
			o->fd(c, a0, FSEV_ACCESS);
		break;
	case SYS_getdents:
	case SYS_getdents64: o->fd(c, a0, FSEV_ACCESS); break;
	case SYS_sendfile: /* out, in */
		if (r > 0) {
			o->fd(c, (int)c->args[1], FSEV_ACCESS);
			o->fd(c, a0, FSEV_MODIFY);
		}
		break;
	case SYS_copy_file_range:
	case SYS_splice: /* in, ..., out */
		if (r > 0) {
			o->fd(c, a0, FSEV_ACCESS);
			o->fd(c, (int)c->args[2], FSEV_MODIFY);
		}
		break;
	}
}

void fsev_decode(struct call *c, long r, const struct fsev_ops *o)
{
	switch (c->nr) {
	case SYS_open: o->open(c, r, -1, (int)c->args[1]); return;
	case SYS_creat: o->open(c, r, -1, O_CREAT | O_WRONLY | O_TRUNC); return;
	case SYS_openat: o->open(c, r, 0, (int)c->args[2]); return;
	case SYS_openat2: {
		uint64_t fl = 0;
		if (call_read(c, c->args[2], &fl, sizeof(fl)) == 0)
			o->open(c, r, 0, (int)fl);
		return;
	}
	}
	paths(c, o);
	fds(c, r, o);
}
