/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls trapped only to keep caches right (umask, set*id, exit_group), and
 * calls refused on purpose (io_uring_setup, inotify and friends in a
 * pool).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/mman.h>

#include <linux/seccomp.h>

#include "syscalls.h"
#include "locks.h"

long sys_umask(struct call *c)
{
	call_forget_umask(c);
	return CALL_CONTINUE;
}

/* set*id, setgroups, capset, unshare, setns: the ids are read again at
 * the thread's next call (after the kernel ran this one) */
long sys_creds_changed(struct call *c)
{
	call_forget_creds(c);
	return CALL_CONTINUE;
}

long sys_exit_group(struct call *c)
{
	struct proc *p = call_proc(c);
	if (p)
		lock_exit(proc_tgid(p));
	proc_exit(c);
	return CALL_CONTINUE;
}

/* io_uring would do file I/O behind the filter's back. */
long sys_io_uring_setup(struct call *c)
{
	sc_log_unsupported(c, "io_uring is not available under pmemfile-run (ENOSYS)");
	return -ENOSYS;
}

/*
 * FS_IOC_GETFLAGS/SETFLAGS and FSGETXATTR/FSSETXATTR (vfs_fileattr_get,
 * vfs_fileattr_set) over the flags tmpfs keeps; core checks the rules.
 */
static long file_attr_ioctl(struct call *c, struct ofd *o, unsigned long req,
			    const struct pf_stat *st)
{
	struct fsxattr fx;
	memset(&fx, 0, sizeof(fx));
	if (req == FS_IOC_GETFLAGS) {
		int fl = (int)st->flags;
		return call_write(c, c->args[2], &fl, sizeof(fl));
	}
	if (req == FS_IOC_FSGETXATTR) {
		fx.fsx_xflags = sc_xflags_of(st->flags);
		return call_write(c, c->args[2], &fx, sizeof(fx));
	}
	uint32_t fl = 0;
	long r;
	if (req == FS_IOC_SETFLAGS) {
		r = call_read(c, c->args[2], &fl, sizeof(fl)); /* an int */
	} else {
		r = call_read(c, c->args[2], &fx, sizeof(fx));
		fl = sc_flags_of_xflags(fx.fsx_xflags,
					fx.fsx_extsize || fx.fsx_projid ||
						fx.fsx_cowextsize);
	}
	if (r < 0)
		return r;
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	r = pf_fsetflags(o->m->pool, pc, o->file, fl);
	if (r == -EOPNOTSUPP)
		sc_log_unsupported(c,
				   "an inode flag a pool does not keep "
				   "(EOPNOTSUPP)");
	return r;
}

#define SC_CAP_SYS_RAWIO (1ULL << 17)

/*
 * The requests do_vfs_ioctl answers for every file system, as it answers
 * them on tmpfs; the rest is ENOTTY (tmpfs has no other ioctls).
 */
static long pool_ioctl(struct call *c, struct ofd *o, unsigned long req)
{
	int fl = pf_file_get_flags(o->file);
	struct pf_stat st;
	long r;
	switch (req) {
	case FIOCLEX:
	case FIONCLEX:
		return CALL_CONTINUE; /* the fd flags: the kernel's fd table */
	case FIONBIO: {
		int on;
		r = call_read(c, c->args[2], &on, sizeof(on));
		if (r < 0)
			return r;
		struct pf_caller *pc = call_caller(c);
		return pc ? pf_file_set_flags(o->m->pool, pc, o->file,
					      on ? fl | O_NONBLOCK :
						   fl & ~O_NONBLOCK) :
			    call_who_err(c);
	}
	case FIOASYNC: {
		int on;
		r = call_read(c, c->args[2], &on, sizeof(on));
		if (r < 0)
			return r;
		/* a change needs the file's fasync, which tmpfs has not */
		return !on == !(fl & O_ASYNC) ? 0 : -ENOTTY;
	}
	}
	r = pf_fstat(o->m->pool, o->file, &st);
	if (r < 0)
		return r;
	int reg = S_ISREG(st.mode), dir = S_ISDIR(st.mode);
	switch (req) {
	case FIONREAD: {
		if (!reg)
			return -ENOTTY;
		off_t pos = pf_lseek(o->m->pool, o->file, 0, SEEK_CUR);
		if (pos < 0)
			return pos;
		/* what is left to read, as an int (Linux: < 0 past EOF) */
		int n = (int)((int64_t)st.size - pos);
		return call_write(c, c->args[2], &n, sizeof(n));
	}
	case FIGETBSZ: {
		int bs = (int)st.blksize;
		return call_write(c, c->args[2], &bs, sizeof(bs));
	}
	case FIOQSIZE: {
		if (!reg && !dir && !S_ISLNK(st.mode))
			return -ENOTTY;
		loff_t bytes = (loff_t)st.blocks * 512; /* inode_get_bytes */
		return call_write(c, c->args[2], &bytes, sizeof(bytes));
	}
	case FIBMAP: {
		struct pf_caller *pc = call_caller(c);
		if (!pc)
			return call_who_err(c);
		return pc->caps & SC_CAP_SYS_RAWIO ? -EINVAL : -EPERM;
	}
	case FS_IOC_FIEMAP: return -EOPNOTSUPP; /* no ->fiemap, as tmpfs */
	case FICLONE:
	case FICLONERANGE:
	case FIDEDUPERANGE:
		return -EOPNOTSUPP; /* no ->remap_file_range, as tmpfs */
	case FS_IOC_GETFLAGS:
	case FS_IOC_SETFLAGS:
	case FS_IOC_FSGETXATTR:
	case FS_IOC_FSSETXATTR: return file_attr_ioctl(c, o, req, &st);
	}
	return -ENOTTY;
}

long sys_ioctl(struct call *c)
{
	struct ofd *o;
	unsigned long req = (unsigned long)c->args[1];
	/* a nested seccomp supervisor puts fds into its targets */
	if (req == SECCOMP_IOCTL_NOTIF_ADDFD)
		sc_pool_fd_mark_all();
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	long ret;
	if (pf_file_get_flags(o->file) & O_PATH)
		ret = -EBADF; /* as Linux: no ioctl on an O_PATH fd */
	else
		ret = pool_ioctl(c, o, req);
	ofd_put(o);
	return ret == CALL_CONTINUE ? ret : errno_filter(ret);
}

/* The first fd ('f') or path ('s', after a 'd' if any) argument. */
long sys_unsupported_fd(struct call *c)
{
	const char *a = sc_table[c->nr].args;
	int i = (int)(strchr(a, 'f') - a);
	long r = call_fd_refuse(c, (int)c->args[i], -EOPNOTSUPP);
	if (r == -EOPNOTSUPP)
		sc_log_unsupported(c, "not supported in a pool (EOPNOTSUPP)");
	return r;
}

long sys_unsupported_path(struct call *c)
{
	const char *a = sc_table[c->nr].args;
	const char *s = strchr(a, 's');
	const char *d = strchr(a, 'd');
	int pi = (int)(s - a);
	int di = d && d < s ? (int)(d - a) : -1;
	struct vpath p;
	int r = call_path(c, di, pi, &p);
	if (r < 0)
		return r == -EFAULT ? CALL_CONTINUE : r;
	if (p.kind == VP_HOST)
		return CALL_CONTINUE;
	sc_log_unsupported(c, "not supported in a pool (EOPNOTSUPP)");
	return -EOPNOTSUPP;
}
