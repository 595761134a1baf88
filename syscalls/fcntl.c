/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fcntl on pool fds. Fd-table commands (F_DUPFD*, F_GETFD, F_SETFD) are the
 * kernel's: the placeholder is a real fd. Status flags live in the open
 * file description (core). Locks: locks.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "syscalls.h"

#ifndef F_CREATED_QUERY
#define F_CREATED_QUERY (1024 + 4) /* Linux 6.12 */
#endif
#include "locks.h"
#include "notify.h"

long sys_fcntl(struct call *c)
{
	int cmd = (int)c->args[1];
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_GETFD:
	case F_SETFD: return CALL_CONTINUE;
	}
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	long ret;
	struct pf_caller *pc;
	int fl = pf_file_get_flags(o->file);
	if ((fl & O_PATH) && cmd != F_GETFL) {
		/* fs/fcntl.c check_fcntl_cmd: O_PATH allows only these */
		ofd_put(o);
		return -EBADF;
	}
	switch (cmd) {
	case F_SETOWN:
	case F_GETOWN:
	case F_SETOWN_EX:
	case F_GETOWN_EX:
	case F_SETSIG:
	case F_GETSIG: ofd_put(o); return CALL_CONTINUE;
	case F_GETFL:
		/* O_PATH opens keep none of the other flags (build_open_how) */
		ret = fl & O_PATH ? fl : fl | SC_O_LARGEFILE;
		break;
	case F_SETFL:
		pc = call_caller(c);
		ret = pc ? pf_file_set_flags(o->m->pool, pc, o->file,
					     (int)c->args[2]) : call_who_err(c);
		break;
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		ret = lock_fcntl(c, o, cmd);
		break;
	case F_GET_SEALS: case F_ADD_SEALS:
		ret = -EINVAL;  /* not a memfd, as far as the target knows */
		break;
	case F_GETLEASE: ret = lease_get(o); break;
	case F_SETLEASE:
		ret = lease_set(c, o, (int)c->args[0], (int)c->args[2]);
		break;
	case F_NOTIFY:
		ret = dnotify_set(c, o, (int)c->args[0], c->args[2]);
		break;
	case F_CREATED_QUERY: ret = pf_file_created(o->file); break;
	case F_SETPIPE_SZ:
	case F_GETPIPE_SZ:
		ret = -EBADF; /* not a pipe: pipe_fcntl's answer */
		break;
	default:
		ret = -EINVAL;
	}
	ofd_put(o);
	return errno_filter(ret);
}

long sys_flock(struct call *c)
{
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	/* as Linux: an O_PATH description cannot be locked */
	long ret = pf_file_get_flags(o->file) & O_PATH ? -EBADF :
		lock_flock(c, o, (int)c->args[1]);
	ofd_put(o);
	return ret;
}

/* Closing any fd of a file drops the process's record locks on it. */
