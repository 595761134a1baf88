/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared page cache of a pool file while it is mapped shared (shm.c):
 * one memfd per pool inode. The handlers that read, write or resize pool
 * files call these hooks; mmap.c installs the memfd in the target.
 */
#ifndef PF_SHM_H
#define PF_SHM_H
#include "syscalls.h"

struct shm;

/* The shared memfd of o's inode, made from the pool if there is none:
 * 0 with *out referenced (drop with shm_put), or -errno. */
int shm_get(struct call *c, struct ofd *o, struct shm **out);
void shm_put(struct shm *s);
/* Is o's inode mapped shared (has it a memfd) now? */
int shm_exists(struct ofd *o);
/*
 * The caller's fd of s's memfd, opened with access mode acc (O_RDONLY,
 * O_WRONLY, O_RDWR: the pool fd's, so the kernel judges PROT_* and
 * mprotect as for the file), installed once per process with ADDFD
 * (O_CLOEXEC) while the notification is pending, and reused while it is
 * still that file. -EAGAIN when s was retired meanwhile (get a new one).
 */
int shm_target_fd(struct call *c, struct shm *s, int acc);

/* Before o's file is read: what was stored through mappings goes to the
 * pool first, so read() sees it at once. */
void shm_sync_ofd(struct ofd *o);
/* msync: every shared memfd written through a mapping is written back. */
void shm_sync_all(void);

/*
 * Around anything that changes a pool file's data or size. begin: the
 * inode's memfd, if any, is locked (writes to one inode are ordered the
 * same in the pool and in the memfd, and no memfd is made meanwhile).
 * end: the bytes [pos, pos+len) and the size are copied from the pool
 * into the memfd, so mappings see them. Always pair them.
 */
struct shm_w {
	struct shm *s;
};
void shm_write_begin(struct mount *m, pf_file *f, struct shm_w *w);
void shm_write_end(struct shm_w *w, uint64_t pos, uint64_t len);
/* shm_write_end after a write of n bytes with core's offset off (-1: at
 * the file offset) and append (O_APPEND or RWF_APPEND). */
void shm_write_done(struct shm_w *w, pf_file *f, off_t off, int append, long n);

/* After a change of f's data made without shm_write_begin (open with
 * O_TRUNC): the whole memfd is made the pool's again. */
void shm_reload(struct mount *m, pf_file *f);

/* inotify: a close event on a watch that may be a memfd's. 1 if it was. */
int shm_inotify_event(int wd);
/* Writes everything back and drops every memfd (before the pools close). */
void shm_shutdown(void);

#endif
