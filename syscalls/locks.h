/* SPDX-License-Identifier: BSD-3-Clause */
/* Advisory locks shared by every process of the tree (locks.c). */
#ifndef PF_LOCKS_H
#define PF_LOCKS_H
#include "syscalls.h"

/* F_GETLK, F_SETLK(W), F_OFD_GETLK, F_OFD_SETLK(W) on a pool fd. */
long lock_fcntl(struct call *c, struct ofd *o, int cmd);
/* flock(2). */
long lock_flock(struct call *c, struct ofd *o, int op);
/* Non-zero when any lock is held anywhere. */
int lock_any(void);
/* The process exits: drops its record locks. */
void lock_exit(pid_t tgid);
/* The description is released: drops its OFD and flock locks. */
void lock_ofd_gone(struct ofd *o);
/* The caller's process got fd, naming description o (a pool open): if it
 * holds record locks on that file, a close of fd will release them. */
void lock_fd_added(struct call *c, struct ofd *o, int fd);
#endif
