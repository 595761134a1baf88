/* SPDX-License-Identifier: BSD-3-Clause */
/* Temporary stubs: replaced file by file by the real core. */
#include <errno.h>
#include "pmemfile/core.h"

int pf_pool_create(const char *path, uint64_t size, int force, char *msg, size_t msglen)
{
	return -ENOSYS;
}

int pf_pool_open(const char *path, unsigned flags, pf_pool **out, char *msg, size_t msglen)
{
	return -ENOSYS;
}

void pf_pool_close(pf_pool *pool)
{
}

int pf_statfs(pf_pool *pool, struct pf_statfs *out)
{
	return -ENOSYS;
}

uint64_t pf_pool_dev(pf_pool *pool)
{
	return 0;
}

int pf_openat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, int flags, mode_t mode, pf_file **out)
{
	return -ENOSYS;
}

pf_file *pf_file_ref(pf_file *f)
{
	return f;
}

void pf_close(pf_file *f)
{
}

int pf_file_get_flags(pf_file *f)
{
	return -ENOSYS;
}

int pf_file_set_flags(pf_pool *pool, struct pf_caller *c, pf_file *f, int flags)
{
	return -ENOSYS;
}

ssize_t pf_read(pf_pool *pool, pf_file *f, void *buf, size_t count)
{
	return -ENOSYS;
}

ssize_t pf_pread(pf_pool *pool, pf_file *f, void *buf, size_t count, off_t offset)
{
	return -ENOSYS;
}

ssize_t pf_readv(pf_pool *pool, pf_file *f, const struct iovec *iov, int iovcnt)
{
	return -ENOSYS;
}

ssize_t pf_preadv(pf_pool *pool, pf_file *f, const struct iovec *iov, int iovcnt, off_t offset)
{
	return -ENOSYS;
}

ssize_t pf_write(pf_pool *pool, struct pf_caller *c, pf_file *f, const void *buf, size_t count)
{
	return -ENOSYS;
}

ssize_t pf_pwrite(pf_pool *pool, struct pf_caller *c, pf_file *f, const void *buf, size_t count, off_t offset)
{
	return -ENOSYS;
}

ssize_t pf_writev(pf_pool *pool, struct pf_caller *c, pf_file *f, const struct iovec *iov, int iovcnt)
{
	return -ENOSYS;
}

ssize_t pf_pwritev(pf_pool *pool, struct pf_caller *c, pf_file *f, const struct iovec *iov, int iovcnt, off_t offset)
{
	return -ENOSYS;
}

ssize_t pf_read_cb(pf_pool *pool, pf_file *f, size_t count, off_t offset, pf_copy_fn copy, void *arg)
{
	return -ENOSYS;
}

ssize_t pf_write_cb(pf_pool *pool, struct pf_caller *c, pf_file *f, size_t count, off_t offset, pf_copy_fn copy, void *arg)
{
	return -ENOSYS;
}

off_t pf_lseek(pf_pool *pool, pf_file *f, off_t offset, int whence)
{
	return -ENOSYS;
}

int pf_ftruncate(pf_pool *pool, struct pf_caller *c, pf_file *f, off_t len)
{
	return -ENOSYS;
}

int pf_truncate(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, off_t len)
{
	return -ENOSYS;
}

int pf_fallocate(pf_pool *pool, struct pf_caller *c, pf_file *f, int mode, off_t offset, off_t len)
{
	return -ENOSYS;
}

int pf_fsync(pf_pool *pool, pf_file *f)
{
	return -ENOSYS;
}

int pf_fdatasync(pf_pool *pool, pf_file *f)
{
	return -ENOSYS;
}

ssize_t pf_getdents64(pf_pool *pool, pf_file *f, void *buf, size_t size)
{
	return -ENOSYS;
}

int pf_mkdirat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, mode_t mode)
{
	return -ENOSYS;
}

int pf_mknodat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, mode_t mode, dev_t rdev)
{
	return -ENOSYS;
}

int pf_unlinkat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, int flags)
{
	return -ENOSYS;
}

int pf_renameat2(pf_pool *pool, struct pf_caller *c, pf_file *olddir, const char *oldpath, pf_file *newdir, const char *newpath, unsigned flags)
{
	return -ENOSYS;
}

int pf_linkat(pf_pool *pool, struct pf_caller *c, pf_file *olddir, const char *oldpath, pf_file *newdir, const char *newpath, int flags)
{
	return -ENOSYS;
}

int pf_symlinkat(pf_pool *pool, struct pf_caller *c, const char *target, pf_file *dir, const char *linkpath)
{
	return -ENOSYS;
}

ssize_t pf_readlinkat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, char *buf, size_t size)
{
	return -ENOSYS;
}

int pf_fstatat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, struct pf_stat *st, int flags)
{
	return -ENOSYS;
}

int pf_fstat(pf_pool *pool, pf_file *f, struct pf_stat *st)
{
	return -ENOSYS;
}

int pf_faccessat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, int mode, int flags)
{
	return -ENOSYS;
}

int pf_fchmodat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, mode_t mode, int flags)
{
	return -ENOSYS;
}

int pf_fchmod(pf_pool *pool, struct pf_caller *c, pf_file *f, mode_t mode)
{
	return -ENOSYS;
}

int pf_fchownat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, uint32_t uid, uint32_t gid, int flags)
{
	return -ENOSYS;
}

int pf_fchown(pf_pool *pool, struct pf_caller *c, pf_file *f, uint32_t uid, uint32_t gid)
{
	return -ENOSYS;
}

int pf_utimensat(pf_pool *pool, struct pf_caller *c, pf_file *dir, const char *path, const struct timespec times[2], int flags)
{
	return -ENOSYS;
}

int pf_fsck(const char *path, void (*report)(void *arg, const char *message), void *arg)
{
	return -ENOSYS;
}

const char *pf_version(void)
{
	return "0.1.0";
}
