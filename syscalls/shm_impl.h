/* SPDX-License-Identifier: BSD-3-Clause */
/* What shm.c (the page caches' life) and shm_data.c (their data) share. */
#ifndef PF_SHM_IMPL_H
#define PF_SHM_IMPL_H
#include <pthread.h>
#include <sys/types.h>

#include "shm.h"

#define PAGE 4096

struct holder {
	pid_t tgid;
	int fd; /* the process's fd of the memfd */
	int acc; /* its access mode */
};

struct shm {
	struct mount *m;
	uint64_t ino; /* pool inode */
	pf_file *file; /* the inode opened O_RDWR, for write-back */
	int fd; /* the supervisor's own open of the memfd */
	char *map; /* the memfd mapped here, for write-back */
	size_t maplen;
	dev_t mdev; /* the memfd's device and inode */
	uint64_t mino;
	int wd; /* inotify watch: IN_CLOSE_* */
	int writable; /* a writable open was handed out */
	int dead; /* retired: out of the table */
	pthread_mutex_t lock; /* data order, holders, dead */
	int refs; /* under tab_lock */
	struct holder *h;
	int nh, caph;
	struct shm *next;
};

/*
 * Lock order: the gate, then a shm's lock, then the table's lock. Writers
 * of pool files hold the gate shared from before their pool write until
 * the memfd has their bytes; making a memfd holds it exclusive, so no
 * write falls between the copy from the pool and the memfd's publication.
 */
void shm_gate_rd(void);
void shm_gate_wr(void);
void shm_gate_unlock(void);
/* The shm of (m, ino) or of f's inode, referenced, or NULL. */
struct shm *shm_lookup(struct mount *m, uint64_t ino);
struct shm *shm_lookup_file(struct mount *m, pf_file *f);
/* Every shm, referenced; *n of them (NULL: none, or no memory). */
struct shm **shm_all(int *n);

/* shm_data.c */
/* The write-back's credentials (all capabilities). */
extern struct pf_caller shm_wb_caller;
/* The memfd takes the pool's size and its bytes [pos, pos+len). */
int shm_load(struct shm *s, uint64_t pos, uint64_t len);
/* Writes back what mappings stored (errors logged). Caller holds s->lock. */
void shm_writeback(struct shm *s);
#endif
