/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core backend: the pf_* API called in-process, as an application that
 * links libpmemfile-core would. The caller is the benchmark's own user with
 * every capability, so permission checks take their cheapest path, as they
 * do for root through the supervisor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pmemfile/core.h>

#include "bench.h"

static pf_pool *pool;
static struct pf_caller caller;

static int core_open(const char *path, int flags, mode_t mode, bench_fh *out)
{
	pf_file *f;
	int r = pf_openat(pool, &caller, NULL, path, flags, mode, &f);

	if (r < 0)
		return r;
	out->ptr = f;
	return 0;
}

static void core_close(bench_fh f)
{
	pf_close(f.ptr);
}

static ssize_t core_pread(bench_fh f, void *buf, size_t n, off_t off)
{
	return pf_pread(pool, f.ptr, buf, n, off);
}

static ssize_t core_pwrite(bench_fh f, const void *buf, size_t n, off_t off)
{
	return pf_pwrite(pool, &caller, f.ptr, buf, n, off);
}

static ssize_t core_write(bench_fh f, const void *buf, size_t n)
{
	return pf_write(pool, &caller, f.ptr, buf, n);
}

static int core_fdatasync(bench_fh f)
{
	return pf_fdatasync(pool, f.ptr);
}

static int core_ftruncate(bench_fh f, off_t len)
{
	return pf_ftruncate(pool, &caller, f.ptr, len);
}

static ssize_t core_getdents64(bench_fh f, void *buf, size_t n)
{
	return pf_getdents64(pool, f.ptr, buf, n);
}

static int core_stat(const char *path, struct bench_stat *st)
{
	struct pf_stat s;
	int r = pf_fstatat(pool, &caller, NULL, path, &s, 0);

	if (r < 0)
		return r;
	st->ino = s.ino;
	st->size = s.size;
	st->mode = s.mode;
	return 0;
}

static int core_unlink(const char *path)
{
	return pf_unlinkat(pool, &caller, NULL, path, 0);
}

static int core_mkdir(const char *path, mode_t mode)
{
	return pf_mkdirat(pool, &caller, NULL, path, mode);
}

static int core_rmdir(const char *path)
{
	return pf_unlinkat(pool, &caller, NULL, path, AT_REMOVEDIR);
}

static int core_rename(const char *from, const char *to)
{
	return pf_renameat2(pool, &caller, NULL, from, NULL, to, 0);
}

static int core_setxattr(const char *path, const char *name, const void *v,
			 size_t n)
{
	return pf_setxattrat(pool, &caller, NULL, path, 0, name, v, n, 0);
}

static ssize_t core_getxattr(const char *path, const char *name, void *v,
			     size_t n)
{
	return pf_getxattrat(pool, &caller, NULL, path, 0, name, v, n);
}

static void core_fini(void)
{
	pf_pool_close(pool);
	pool = NULL;
}

static const struct bench_io io_core = {
	.name = "core",
	.open = core_open,
	.close = core_close,
	.pread = core_pread,
	.pwrite = core_pwrite,
	.write = core_write,
	.fdatasync = core_fdatasync,
	.ftruncate = core_ftruncate,
	.getdents64 = core_getdents64,
	.stat = core_stat,
	.unlink = core_unlink,
	.mkdir = core_mkdir,
	.rmdir = core_rmdir,
	.rename = core_rename,
	.setxattr = core_setxattr,
	.getxattr = core_getxattr,
	.fini = core_fini,
};

const struct bench_io *bench_io_core(const char *pool_path,
				     uint64_t pool_size, char *why,
				     size_t whylen)
{
	char msg[256] = "";
	int r;

	if (access(pool_path, F_OK) != 0) {
		r = pf_pool_create(pool_path, pool_size, 0, msg, sizeof(msg));
		if (r < 0) {
			snprintf(why, whylen, "pf_pool_create: %s%s%s",
				 strerror(-r), msg[0] ? ": " : "", msg);
			return NULL;
		}
	}
	r = pf_pool_open(pool_path, 0, &pool, msg, sizeof(msg));
	if (r < 0) {
		snprintf(why, whylen, "pf_pool_open: %s%s%s", strerror(-r),
			 msg[0] ? ": " : "", msg);
		return NULL;
	}
	caller.fsuid = (uint32_t)geteuid();
	caller.fsgid = (uint32_t)getegid();
	caller.caps = ~0ULL;
	return &io_core;
}
