/* SPDX-License-Identifier: BSD-3-Clause */
/* Advisory locks shared by every process of the tree (locks.c). */
#ifndef PF_LOCKS_H
#define PF_LOCKS_H
#include "syscalls.h"

/* F_GETLK, F_SETLK(W), F_OFD_GETLK, F_OFD_SETLK(W) on a pool fd. */
long lock_fcntl(struct call *c, struct ofd *o, int cmd);
/* flock(2). */
long lock_flock(struct call *c, struct ofd *o, int op);
/* Non-zero when any lock is held anywhere (close need not look). */
int lock_any(void);
/* close(2) of an fd of o's file: drops the process's record locks on it. */
void lock_close(struct call *c, struct ofd *o);
/* The process exits: drops its record locks. */
void lock_exit(pid_t tgid);
/* The description is released: drops its OFD and flock locks. */
void lock_ofd_gone(struct ofd *o);
#endif
