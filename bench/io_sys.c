/* SPDX-License-Identifier: BSD-3-Clause */
/* The syscall backend: host paths, kernel file descriptors. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

static int sys_open(const char *path, int flags, mode_t mode, bench_fh *out)
{
	int fd = open(path, flags | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	out->fd = fd;
	return 0;
}

static void sys_close(bench_fh f)
{
	close(f.fd);
}

static ssize_t sys_pread(bench_fh f, void *buf, size_t n, off_t off)
{
	ssize_t r = pread(f.fd, buf, n, off);

	return r < 0 ? -errno : r;
}

static ssize_t sys_pwrite(bench_fh f, const void *buf, size_t n, off_t off)
{
	ssize_t r = pwrite(f.fd, buf, n, off);

	return r < 0 ? -errno : r;
}

static ssize_t sys_write(bench_fh f, const void *buf, size_t n)
{
	ssize_t r = write(f.fd, buf, n);

	return r < 0 ? -errno : r;
}

static int sys_fdatasync(bench_fh f)
{
	return fdatasync(f.fd) < 0 ? -errno : 0;
}

static int sys_ftruncate(bench_fh f, off_t len)
{
	return ftruncate(f.fd, len) < 0 ? -errno : 0;
}

static ssize_t sys_getdents64(bench_fh f, void *buf, size_t n)
{
	/* The raw syscall: what a wrapped program really issues. */
	long r = syscall(SYS_getdents64, f.fd, buf, n);

	return r < 0 ? -errno : r;
}

static int sys_stat(const char *path, struct bench_stat *st)
{
	struct stat s;

	if (stat(path, &s) < 0)
		return -errno;
	st->ino = s.st_ino;
	st->size = (uint64_t)s.st_size;
	st->mode = s.st_mode;
	return 0;
}

static int sys_unlink(const char *path)
{
	return unlink(path) < 0 ? -errno : 0;
}

static int sys_mkdir(const char *path, mode_t mode)
{
	return mkdir(path, mode) < 0 ? -errno : 0;
}

static int sys_rmdir(const char *path)
{
	return rmdir(path) < 0 ? -errno : 0;
}

static int sys_rename(const char *from, const char *to)
{
	return rename(from, to) < 0 ? -errno : 0;
}

static int sys_setxattr(const char *path, const char *name, const void *v,
			size_t n)
{
	return setxattr(path, name, v, n, 0) < 0 ? -errno : 0;
}

static ssize_t sys_getxattr(const char *path, const char *name, void *v,
			    size_t n)
{
	ssize_t r = getxattr(path, name, v, n);

	return r < 0 ? -errno : r;
}

const struct bench_io bench_io_sys = {
	.name = "syscalls",
	.open = sys_open,
	.close = sys_close,
	.pread = sys_pread,
	.pwrite = sys_pwrite,
	.write = sys_write,
	.fdatasync = sys_fdatasync,
	.ftruncate = sys_ftruncate,
	.getdents64 = sys_getdents64,
	.stat = sys_stat,
	.unlink = sys_unlink,
	.mkdir = sys_mkdir,
	.rmdir = sys_rmdir,
	.rename = sys_rename,
	.setxattr = sys_setxattr,
	.getxattr = sys_getxattr,
	.fini = NULL,
};
