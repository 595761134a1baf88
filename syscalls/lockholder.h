/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which fds of a file a process held when it took record locks on it
 * (lockholder.c), so that its first close of any of them can be seen
 * without trapping close: POSIX drops a process's record locks on a file
 * at that close. Internal to locks.c.
 */
#ifndef PF_LOCKHOLDER_H
#define PF_LOCKHOLDER_H

#include "syscalls.h"

#define HOLDER_FDS 16

struct holder {
	pid_t pid;
	const struct mount *m;
	uint64_t ino; /* pool inode */
	int pidfd; /* of process pid, taken at the scan */
	unsigned gen; /* changes whenever the fds change */
	int refs; /* the list + checks in flight */
	int listed;
	int n;
	int fd[HOLDER_FDS]; /* the fds naming the file... */
	uint64_t ph[HOLDER_FDS]; /* ...and their placeholders' phid */
	struct holder *next;
};

/*
 * A new holder for (pid, m, ino): the fds of that file in /proc/PID/fd
 * (up to HOLDER_FDS of them). Takes no lock; NULL when it cannot be made
 * (the process is gone, or no memory: its locks then go with the last
 * close of a description, as before).
 */
struct holder *holder_scan(pid_t pid, const struct mount *m, uint64_t ino);
/* Has the process closed one of h's fds (or exited)? No lock held. */
int holder_closed_one(const struct holder *h);
/*
 * The fds of the file that h's process holds now and h does not list
 * (dups and opens since h was made): up to max of them into fd/ph, their
 * number returned. No lock held.
 */
int holder_new_fds(const struct holder *h, int *fd, uint64_t *ph, int max);
/* Drops a reference (closes and frees with the last). */
void holder_put(struct holder *h);

#endif
