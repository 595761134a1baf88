/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-fsx-core: the fsx driver on libpmemfile-core in-process. DIR is a
 * pool file: made (PF_FSX_POOL_SIZE bytes, default 512 MiB) when it does
 * not exist or when the run starts afresh, opened otherwise (-V after a
 * crash). Without copy_file_range, sendfile and mmap, which the core does
 * not have (the supervisor builds them from reads and writes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <pmemfile/core.h>

#include "fsx.h"

static pf_pool *pool;
static pf_file *f, *af;
static struct pf_caller root = { .caps = ~0ull };

static void
close_pool(void)
{
	pf_pool_close(pool);
	pool = NULL;
}

static int
core_open(const char *path, bool trunc)
{
	char msg[256];
	int r;
	if (!pool) {
		if (trunc || access(path, F_OK) < 0) {
			const char *s = getenv("PF_FSX_POOL_SIZE");
			uint64_t size = s ? strtoull(s, NULL, 0) : 512ull << 20;
			r = pf_pool_create(path, size, 1, msg, sizeof(msg));
			if (r < 0) {
				fprintf(stderr, "fsx: %s: %s\n", path, msg);
				return r;
			}
		}
		r = pf_pool_open(path, 0, &pool, msg, sizeof(msg));
		if (r < 0) {
			fprintf(stderr, "fsx: %s: %s\n", path, msg);
			return r;
		}
		atexit(close_pool);
	}
	r = pf_openat(pool, &root, NULL, "/fsx.file",
		      O_RDWR | O_CREAT | (trunc ? O_TRUNC : 0), 0644, &f);
	if (r < 0)
		return r;
	return pf_openat(pool, &root, NULL, "/fsx.file", O_WRONLY | O_APPEND,
			 0, &af);
}

static void
core_close(void)
{
	pf_close(f);
	pf_close(af);
	f = af = NULL;
}

static ssize_t
core_pread(void *buf, size_t len, uint64_t off)
{
	return pf_pread(pool, f, buf, len, (off_t)off);
}

static ssize_t
core_pwrite(const void *buf, size_t len, uint64_t off)
{
	return pf_pwrite(pool, &root, f, buf, len, (off_t)off);
}

static ssize_t
core_preadv(const struct iovec *iov, int n, uint64_t off)
{
	return pf_preadv(pool, f, iov, n, (off_t)off);
}

static ssize_t
core_pwritev(const struct iovec *iov, int n, uint64_t off)
{
	return pf_pwritev(pool, &root, f, iov, n, (off_t)off);
}

static ssize_t
core_append(const void *buf, size_t len)
{
	return pf_write(pool, &root, af, buf, len);
}

static int
core_truncate(uint64_t len)
{
	return pf_ftruncate(pool, &root, f, (off_t)len);
}

static int
core_fallocate(int mode, uint64_t off, uint64_t len)
{
	return pf_fallocate(pool, &root, f, mode, (off_t)off, (off_t)len);
}

static int64_t
core_seek(uint64_t off, int whence)
{
	return pf_lseek(pool, f, (off_t)off, whence);
}

static int
core_size(uint64_t *size, uint64_t *blocks)
{
	struct pf_stat st;
	int r = pf_fstat(pool, f, &st);
	if (r < 0)
		return r;
	*size = st.size;
	*blocks = st.blocks;
	return 0;
}

/* no auxiliary file: sendfile is not generated */
static int
core_aux_write(const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return 0;
}

const struct fsx_io fsx_core_io = {
	.name = "core",
	.open = core_open,
	.close = core_close,
	.pread = core_pread,
	.pwrite = core_pwrite,
	.preadv = core_preadv,
	.pwritev = core_pwritev,
	.append = core_append,
	.truncate = core_truncate,
	.fallocate = core_fallocate,
	.seek = core_seek,
	.size = core_size,
	.aux_write = core_aux_write,
};

int
main(int argc, char **argv)
{
	return fsx_main(argc, argv, &fsx_core_io);
}
