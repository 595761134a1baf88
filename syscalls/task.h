/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tasks the supervisor keeps state for (creds.c: threads, proc.c:
 * processes). Internal to syscalls/.
 *
 * Every cache entry holds a pidfd of the very task it describes. A pidfd
 * polls readable once its task has exited, so an entry is used only after
 * task_exited() says no: its tid cannot name another task while that one
 * lives. The pidfds of the entries in the tables are also in one epoll
 * set, which the supervisor's tick reads (sc_tasks_reap): entries of
 * exited tasks are dropped within a tick, whether or not the tid is ever
 * seen again.
 */
#ifndef PF_TASK_H
#define PF_TASK_H

#include <stdint.h>
#include <sys/types.h>

#include "syscalls.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* pidfd_open(pid, flags): the fd or -errno. */
int task_pidfd(pid_t pid, unsigned flags);
/* Has the task of pidfd exited (or is pidfd unusable)? */
int task_exited(int pidfd);

/* What /proc/PID/status says (the fields the supervisor uses). */
struct task_status {
	pid_t tgid, ppid;
	mode_t umask;
	uint32_t ruid, rgid, fsuid, fsgid;
	uint64_t caps, capprm;   /* 0 outside the supervisor's user namespace */
	uint32_t ngroups;
	uint32_t groups[SC_MAX_GROUPS];
};
/*
 * Reads /proc/PID/status through dirfd (an open /proc/PID) or, with dirfd
 * -1, by pid. 0, or -errno (-EIO if a field is missing). Which task it
 * read is the caller's business: check a pidfd or ID_VALID afterwards.
 */
int task_status_read(int dirfd, pid_t pid, struct task_status *st);

/* What an epoll key names: a thread entry or a process entry, by id. */
#define TASK_THREAD 0
#define TASK_PROC 1
/* Adds pidfd to the reaper's set under (kind, id). 0 or -errno. */
int task_watch(int pidfd, int kind, pid_t id);
/* Removes it (before the pidfd is closed or the entry leaves its table). */
void task_unwatch(int pidfd);

/* The reapers of the two tables, called by sc_tasks_reap for each key
 * whose pidfd became readable: drop the entry of id if its task exited. */
void thread_reap(pid_t tid);
void proc_reap(pid_t tgid);
/* Once per tick: settles execs in flight (creds.c). */
void threads_tick(void);
/* The entry of process tgid, checked against the caller's notification
 * (proc.c): 0 with a reference in *out, or call_who_err-style -errno. */
int proc_lookup(struct call *c, pid_t tgid, struct proc **out);
void proc_put(struct proc *p);
/* Drops the call's reference on its thread entry (creds.c). */
void call_thread_end(struct call *c);
void threads_clear_all(void);

/*
 * The supervisor could not learn who the caller is because it ran out of
 * something (err: a positive errno from the failed call, what: what it was
 * doing). Logs what ran out (rate-limited) and returns what the target
 * gets: -ENFILE for fds (the supervisor's table is the system's to the
 * target), -ENOMEM, or -EACCES for anything else (fail closed).
 */
int task_fail(int err, const char *what, pid_t tid);
/*
 * The same for a failure that may just mean the caller is gone (ESRCH,
 * ENOENT from /proc): -ESRCH if its notification is no longer pending (the
 * answer is never seen), else task_fail: a live process never gets ESRCH.
 */
int task_gone_or_fail(struct call *c, int err, const char *what);

#endif
