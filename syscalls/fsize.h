/* SPDX-License-Identifier: BSD-3-Clause */
/* RLIMIT_FSIZE for pool files (fsize.c). */
#ifndef PF_FSIZE_H
#define PF_FSIZE_H
#include "syscalls.h"

/*
 * A write of *count bytes at pos (pos < 0: at o's offset, or its end for
 * O_APPEND or `append`) by the caller: 0 with *count cut to what stays
 * below the caller's RLIMIT_FSIZE (1 when it was cut: a short write),
 * or -EFBIG after
 * sending the thread SIGXFSZ when nothing would, as Linux's
 * generic_write_check_limits.
 */
long fsize_write(struct call *c, struct ofd *o, int64_t pos, int append,
		 size_t *count);
/* A truncate of a file of size cur to len: -EFBIG (and SIGXFSZ) when it
 * grows past the limit (inode_newsize_ok), else 0. cur < 0: whether or
 * not it grows (fallocate). */
long fsize_truncate(struct call *c, int64_t cur, int64_t len);
/* SIGXFSZ to the calling thread (a sendfile cut short by the limit). */
void fsize_signal(struct call *c);
#endif
