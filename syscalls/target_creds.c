/* SPDX-License-Identifier: BSD-3-Clause */
/* Host operations on a target's behalf, with the target's credentials. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "syscalls.h"

/*
 * Switches this worker thread's fs ids and groups to the target's (raw
 * syscalls: glibc's setgroups would change every thread of the
 * supervisor), runs fn, switches back. Without CAP_SETUID the switch is a
 * no-op and the supervisor's own ids apply, which are the target's anyway.
 */
struct creds_job {
	struct pf_caller *pc;
	long (*fn)(void *arg);
	void *arg;
};

/* This thread takes the caller's groups and fs ids (raw syscalls: for
 * this thread only, not glibc's whole-process setxid). */
static void take_fs_creds(const struct pf_caller *pc)
{
	gid_t groups[SC_MAX_GROUPS];
	for (uint32_t i = 0; i < pc->ngroups; i++)
		groups[i] = pc->groups[i];
	syscall(SYS_setgroups, (int)pc->ngroups, groups);
	syscall(SYS_setfsgid, pc->fsgid);
	syscall(SYS_setfsuid, pc->fsuid);
}

static long creds_run(void *a)
{
	struct creds_job *j = a;
	/* a thread of its own, gone after: no switching back */
	take_fs_creds(j->pc);
	return j->fn(j->arg);
}

long sc_sandbox_as_target(struct call *c, long (*fn)(void *arg), void *arg)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	struct creds_job j = { pc, fn, arg };
	return sc_sandbox.run(creds_run, &j);
}

struct host_job {
	struct call *c;
	long (*fn)(struct call *c, void *arg);
	void *arg;
};

static long host_job_run(void *a)
{
	struct host_job *h = a;
	return h->fn(h->c, h->arg);
}

long with_target_creds(struct call *c, long (*fn)(struct call *c, void *arg),
		       void *arg)
{
	if (sc_sandbox.active) {
		/* under --sandbox, in a thread of the tree's Landlock
		 * domain: the host sees what the target itself may do */
		struct host_job h = { c, fn, arg };
		long r = sc_sandbox_as_target(c, host_job_run, &h);
		if (r == -EACCES)
			sc_sandbox_deny(c, c->nstr ? c->str[c->nstr - 1] : "",
					EACCES);
		return r;
	}
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	uid_t myuid = geteuid();
	gid_t mygid = getegid();
	gid_t mine[SC_MAX_GROUPS];
	int nmine = 0;
	int switched = 0;
	if (pc->fsuid != myuid || pc->fsgid != mygid || myuid == 0) {
		nmine = getgroups(SC_MAX_GROUPS, mine);
		if (nmine < 0)
			nmine = 0;
		take_fs_creds(pc);
		switched = 1;
	}
	long r = fn(c, arg);
	if (switched) {
		syscall(SYS_setfsuid, myuid);
		syscall(SYS_setfsgid, mygid);
		syscall(SYS_setgroups, nmine, mine);
	}
	return r;
}
