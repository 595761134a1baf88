/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-fsx: a randomized data exerciser in the spirit of xfstests' fsx.
 *
 * One driver (fsx.c: the operation generator, the in-memory model, the
 * checks, the log) over two ways to reach a file (struct fsx_io):
 *   - fsx_posix.c: plain syscalls, so the same binary runs natively on
 *     tmpfs and under pmemfile-run against a pool;
 *   - fsx_core.c: libpmemfile-core in-process (fast: millions of
 *     operations in CI's budget).
 * Every call returns a count or a negative errno.
 */
#ifndef PF_FSX_H
#define PF_FSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct fsx_io {
	const char *name;
	/* opens (creating it, emptied if trunc) the file under test, a
	 * second O_APPEND description of it, and the auxiliary source file
	 * (sendfile's input) */
	int (*open)(const char *dir, bool trunc);
	void (*close)(void);
	ssize_t (*pread)(void *buf, size_t len, uint64_t off);
	ssize_t (*pwrite)(const void *buf, size_t len, uint64_t off);
	ssize_t (*preadv)(const struct iovec *iov, int n, uint64_t off);
	ssize_t (*pwritev)(const struct iovec *iov, int n, uint64_t off);
	ssize_t (*append)(const void *buf, size_t len);
	int (*truncate)(uint64_t len);
	int (*fallocate)(int mode, uint64_t off, uint64_t len);
	int64_t (*seek)(uint64_t off, int whence);
	int (*size)(uint64_t *size, uint64_t *blocks);
	/* optional (NULL: the operation is not generated) */
	ssize_t (*copy_range)(uint64_t in, uint64_t out, size_t len);
	/* from the auxiliary file at aux_off to the file offset out, through
	 * the file offset of the description (sendfile(2)) */
	ssize_t (*sendfile_in)(uint64_t aux_off, uint64_t out, size_t len);
	/* reads [off, off+len) through a read-only mapping, private or
	 * shared */
	ssize_t (*map_read)(void *buf, size_t len, uint64_t off, bool shared);
	/* writes [off, off+len), inside the file, through a shared writable
	 * mapping, and msyncs it */
	ssize_t (*map_write)(const void *buf, size_t len, uint64_t off);
	/* writes the auxiliary file's contents once, at open */
	int (*aux_write)(const void *buf, size_t len);
};

extern const struct fsx_io fsx_posix_io;
extern const struct fsx_io fsx_core_io;

/* the driver; argv as main's, io chosen by the caller */
int fsx_main(int argc, char **argv, const struct fsx_io *io);

#endif
