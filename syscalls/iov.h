/* SPDX-License-Identifier: BSD-3-Clause */
/* Zero-copy between the target's memory and pool memory (pf_*_cb). */
#ifndef PF_IOV_H
#define PF_IOV_H
#include <sys/uio.h>
#include "syscalls.h"

#define IOV_MAX_TARGET 1024
#define RW_MAX 0x7ffff000L  /* Linux caps one read/write at this */

/* The target's buffers: a list of remote iovecs. */
struct tbuf {
	struct call *c;
	struct iovec iov[IOV_MAX_TARGET];
	int cnt;
	size_t total;
};

/* One buffer (read/write). */
/* 0, or -EFAULT when [addr, addr+len) is not user space (as access_ok) */
int tbuf_single(struct tbuf *t, struct call *c, uint64_t addr, size_t len);
/* An iovec array in the target (readv/writev): -EFAULT, -EINVAL. */
int tbuf_iov(struct tbuf *t, struct call *c, uint64_t addr, uint64_t cnt);

/*
 * preadv2/pwritev2 flags Linux knows: HIPRI DSYNC SYNC NOWAIT APPEND
 * NOAPPEND DONTCACHE. Linux checks, in order: the offset (-1 is the file
 * offset, other negatives EINVAL, before the fd), the fd, the iovec array,
 * then the flags (EOPNOTSUPP, kiocb_set_rw_flags).
 */
#define RWF_KNOWN 0xbf
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x08
#endif
#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif

/*
 * The five forms of read and of write: plain (read), P (pread64), V
 * (readv), PV (preadv), PV2 (preadv2). rw_form_call checks the offset
 * first, as Linux does (negative: EINVAL; for PV2 -1 is the file offset),
 * then runs fn with: an iovec array or one buffer, the offset (-1: the
 * file offset), PV2's flags.
 */
enum rw_form { RW_PLAIN, RW_P, RW_V, RW_PV, RW_PV2 };
typedef long (*rw_fn)(struct call *c, int vector, off_t off, unsigned rwf);
long rw_form_call(struct call *c, enum rw_form form, rw_fn fn);

/* pf_copy_fn callbacks: arg is a struct tbuf. */
ssize_t tbuf_to_target(void *arg, void *pool_mem, size_t len, size_t pos);
ssize_t tbuf_from_target(void *arg, void *pool_mem, size_t len, size_t pos);
#endif
