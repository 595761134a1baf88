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
	long ret = -ENOTTY;
	if (pf_file_get_flags(o->file) & O_PATH) {
		ret = -EBADF; /* as Linux: no ioctl on an O_PATH fd */
	} else if (req == FIOCLEX || req == FIONCLEX) {
		ret = CALL_CONTINUE; /* the fd flags: the kernel's fd table */
	} else if (req == FIONBIO) {
		int on;
		ret = call_read(c, c->args[2], &on, sizeof(on));
		if (ret == 0) {
			int fl = pf_file_get_flags(o->file);
			struct pf_caller *pc = call_caller(c);
			ret = pc ? pf_file_set_flags(o->m->pool, pc, o->file,
						     on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK)
				 : call_who_err(c);
		}
	}
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
