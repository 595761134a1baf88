/* SPDX-License-Identifier: BSD-3-Clause */
/* Small helpers shared by handlers. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "syscalls.h"

static void log_nothing(int level, const char *fmt, ...)
{
}

void (*sc_log)(int level, const char *fmt, ...) = log_nothing;

void stat_from_pf(struct stat *st, const struct pf_stat *ps)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ps->dev;
	st->st_ino = ps->ino;
	st->st_mode = ps->mode;
	st->st_nlink = ps->nlink;
	st->st_uid = ps->uid;
	st->st_gid = ps->gid;
	st->st_rdev = ps->rdev;
	st->st_size = (off_t)ps->size;
	st->st_blksize = ps->blksize;
	st->st_blocks = (blkcnt_t)ps->blocks;
	st->st_atim = ps->atime;
	st->st_mtim = ps->mtime;
	st->st_ctim = ps->ctime;
}

long errno_filter(long r)
{
	/* core promises syscall errnos; ENOMEM from an allocator means the
	 * pool is full, which a file system reports as ENOSPC */
	if (r == -ENOMEM)
		return -ENOSPC;
	if (r == -PF_ESCAPED)
		return -EXDEV;
	return r;
}

/* Log once per syscall name: a bit per table slot. */
static unsigned char logged[SC_TABLE_SIZE];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void (*sc_on_unsupported)(const struct call *c);

void sc_log_unsupported(const struct call *c, const char *why)
{
	if (sc_on_unsupported)
		sc_on_unsupported(c);
	pthread_mutex_lock(&log_lock);
	int first = !logged[c->nr];
	logged[c->nr] = 1;
	pthread_mutex_unlock(&log_lock);
	if (first)
		sc_log(SC_LOG_INFO, "%s on a pool file: %s",
		       sc_table[c->nr].name, why);
}
