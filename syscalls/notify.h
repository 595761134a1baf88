/* SPDX-License-Identifier: BSD-3-Clause */
/* Leases (lease.c), directory notifications (dnotify.c), and the signal
 * both send (sigio.c). */
#ifndef PF_NOTIFY_H
#define PF_NOTIFY_H
#include "syscalls.h"

/* ---- sigio.c ---- */
/* Sends the owner of description desc (a copy in the supervisor) what
 * send_sigio sends for POLL_MSG, with si_fd = n. 0 (also: no owner, no
 * signal), or -errno. */
int sigio_send(int desc, int n);
/* The same for the description behind fd of process tgid, if that fd
 * still names the placeholder of inode ph (or, unless strict, another fd
 * of the process does: the signal still names fd). -EBADF when none. */
int sigio_send_to(pid_t tgid, int fd, uint64_t ph, int strict);
/* Does fd of process tgid still name the placeholder of inode ph? */
int sigio_fd_names(pid_t tgid, int fd, uint64_t ph);
/* __f_setown(filp, caller, PIDTYPE_TGID, force 0): the description of the
 * caller's fd gets owner tgid if it has none. */
int sigio_own_default(struct call *c, int fd, pid_t tgid);

/* ---- lease.c ---- */
/* F_SETLEASE (arg), F_GETLEASE on pool fd `fd` naming o. */
long lease_set(struct call *c, struct ofd *o, int fd, int arg);
long lease_get(struct ofd *o);
/*
 * Before an open with `flags` (or a truncate: O_WRONLY) of pool path p:
 * breaks the leases it conflicts with. 0 (go on), -EWOULDBLOCK (an
 * O_NONBLOCK open), CALL_ASYNC (the call is served again once the leases
 * are gone), or another -errno.
 */
long lease_break_path(struct call *c, const struct vpath *p,
		      struct pf_caller *pc, int flags);
/* The description's last close: its lease goes. */
void lease_ofd_gone(struct ofd *o);

/* ---- fsevents.c: what a served call did, for dnotify and inotify ---- */
enum fsev { FSEV_ATTRIB, FSEV_MODIFY, FSEV_ACCESS };
/*
 * The hooks a backend implements. Directory fds are values (AT_FDCWD for
 * the cwd), except open's and rename's, which are argument indexes (-1:
 * the cwd) since those backends read more of the call.
 */
struct fsev_ops {
	/* an open answered with r (CALL_INJECT: an injected pool fd) */
	void (*open)(struct call *c, long r, int dirfd_arg, int flags);
	void (*create)(struct call *c, int dirfd, const char *s);
	void (*remove)(struct call *c, int dirfd, const char *s);
	void (*link)(struct call *c, int dirfd, const char *s);
	void (*rename)(struct call *c, int dirfd1_arg, int dirfd2_arg,
		       unsigned flags);
	/* an access, modification or attribute change of name s */
	void (*name)(struct call *c, int dirfd, const char *s, int nofollow,
		     enum fsev ev);
	/* the same of the file behind fd */
	void (*fd)(struct call *c, int fd, enum fsev ev);
};
/* Calls the hooks for what c, served with success (r), did. */
void fsev_decode(struct call *c, long r, const struct fsev_ops *o);
/* Argument i as a directory fd (-1: AT_FDCWD). */
int fsev_dirfd(const struct call *c, int i);

/* ---- dnotify.c ---- */
long dnotify_set(struct call *c, struct ofd *o, int fd, unsigned long arg);
void dnotify_ofd_gone(struct ofd *o);
/* How many registrations exist (0: dnotify_after need not be called). */
int dnotify_count(void);
/* After a handler served c with success (r >= 0 or CALL_INJECT): the
 * events of what it did go to the directories concerned. */
void dnotify_after(struct call *c, long r);

/* ---- inotify.c ---- */
/* How many shadows and held opens exist (0: inotify_after need not be
 * called). */
int inotify_count(void);
/* After a handler served c with success: the same on the shadows of the
 * pool inodes concerned, so the kernel queues the events. */
void inotify_after(struct call *c, long r);
/* A pool description's release (seen on the placeholder, and again when
 * it is freed): the shadows it held open are closed. */
void inotify_ofd_gone(struct ofd *o);
void inotify_shutdown(void);
#endif
