/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ways an fd can arrive in a process from another one, trapped only to
 * keep call_fd's shortcut sound (see "Which processes may hold pool fds"
 * in proc.c): each marks the receiver, or turns the shortcut off, before
 * the kernel runs the call, which is then let through untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "syscalls.h"

/* clone: the filter traps only CLONE_FILES without CLONE_THREAD, two
 * processes sharing one fd table */
long sys_clone(struct call *c)
{
	sc_pool_fd_mark_all();
	return CALL_CONTINUE;
}

long sys_clone3(struct call *c)
{
	uint64_t flags;
	if (c->args[1] < sizeof(flags) ||
	    call_read(c, c->args[0], &flags, sizeof(flags)) < 0 ||
	    ((flags & CLONE_FILES) && !(flags & CLONE_THREAD)))
		sc_pool_fd_mark_all();
	return CALL_CONTINUE;
}

/* SCM_RIGHTS needs a control buffer: one of msg_controllen > 0 marks */
static int has_control(struct call *c, uint64_t msghdr)
{
	struct msghdr m;
	if (call_read(c, msghdr, &m, sizeof(m)) < 0)
		return 1;  /* the kernel will say EFAULT; mark anyway */
	return m.msg_control != NULL && m.msg_controllen > 0;
}

long sys_recvmsg(struct call *c)
{
	if (has_control(c, c->args[1]))
		call_pool_fd_mark(c);
	return CALL_CONTINUE;
}

long sys_recvmmsg(struct call *c)
{
	unsigned n = (unsigned)c->args[2];
	if (n > 1024)
		n = 1024;  /* UIO_MAXIOV: the kernel's own cap */
	for (unsigned i = 0; i < n; i++)
		if (has_control(c, c->args[1] + i * sizeof(struct mmsghdr))) {
			call_pool_fd_mark(c);
			break;
		}
	return CALL_CONTINUE;
}

/*
 * A subreaper in the tree adopts orphans whose parent was killed: its
 * children can then no longer be told from its adoptees, which may hold
 * pool fds it does not have.
 */
long sys_prctl(struct call *c)
{
	if (c->args[0] == PR_SET_CHILD_SUBREAPER && c->args[1])
		sc_pool_fd_mark_all();
	return CALL_CONTINUE;
}

long sys_pidfd_getfd(struct call *c)
{
	call_pool_fd_mark(c);
	return CALL_CONTINUE;
}
