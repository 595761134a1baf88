/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-fsx through plain syscalls: runs natively (on tmpfs, the reference)
 * and under pmemfile-run (on a pool) unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "fsx.h"

static int fd = -1, afd = -1, auxfd = -1;

#define RET(x) ((x) < 0 ? -errno : (x))

static int
px_open(const char *dir, bool trunc)
{
	char path[4096];
	int t = trunc ? O_TRUNC : 0;
	snprintf(path, sizeof(path), "%s/fsx.file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | t, 0644);
	if (fd < 0)
		return -errno;
	afd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (afd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/fsx.aux", dir);
	auxfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	return auxfd < 0 ? -errno : 0;
}

static void
px_close(void)
{
	close(fd);
	close(afd);
	close(auxfd);
	fd = afd = auxfd = -1;
}

static ssize_t
px_pread(void *buf, size_t len, uint64_t off)
{
	/* one call: a regular file gives all it has (a short read is a
	 * failure the driver reports) */
	ssize_t r = pread(fd, buf, len, (off_t)off);
	return RET(r);
}

static ssize_t
px_pwrite(const void *buf, size_t len, uint64_t off)
{
	ssize_t r = pwrite(fd, buf, len, (off_t)off);
	return RET(r);
}

static ssize_t
px_preadv(const struct iovec *iov, int n, uint64_t off)
{
	ssize_t r = preadv(fd, iov, n, (off_t)off);
	return RET(r);
}

static ssize_t
px_pwritev(const struct iovec *iov, int n, uint64_t off)
{
	ssize_t r = pwritev(fd, iov, n, (off_t)off);
	return RET(r);
}

static ssize_t
px_append(const void *buf, size_t len)
{
	ssize_t r = write(afd, buf, len);
	return RET(r);
}

static int
px_truncate(uint64_t len)
{
	return ftruncate(fd, (off_t)len) < 0 ? -errno : 0;
}

static int
px_fallocate(int mode, uint64_t off, uint64_t len)
{
	return fallocate(fd, mode, (off_t)off, (off_t)len) < 0 ? -errno : 0;
}

static int64_t
px_seek(uint64_t off, int whence)
{
	off_t r = lseek(fd, (off_t)off, whence);
	return RET(r);
}

static int
px_size(uint64_t *size, uint64_t *blocks)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	*size = (uint64_t)st.st_size;
	*blocks = (uint64_t)st.st_blocks;
	return 0;
}

/* copy_file_range within the file; both offsets by pointer, and both
 * must have moved by what was copied */
static ssize_t
px_copy_range(uint64_t in, uint64_t out, size_t len)
{
	loff_t i = (loff_t)in, o = (loff_t)out;
	ssize_t r = copy_file_range(fd, &i, fd, &o, len, 0);
	if (r < 0)
		return -errno;
	if (i != (loff_t)in + r || o != (loff_t)out + r) {
		fprintf(stderr, "fsx: copy_file_range moved the offsets to "
			"%lld, %lld after %zd bytes\n", (long long)i,
			(long long)o, r);
		return -EPROTO;
	}
	return r;
}

/* sendfile writes at the output's file offset, which must advance */
static ssize_t
px_sendfile_in(uint64_t aux_off, uint64_t out, size_t len)
{
	off_t a = (off_t)aux_off;
	if (lseek(fd, (off_t)out, SEEK_SET) < 0)
		return -errno;
	ssize_t r = sendfile(fd, auxfd, &a, len);
	if (r < 0)
		return -errno;
	off_t now = lseek(fd, 0, SEEK_CUR);
	if (a != (off_t)aux_off + r || now != (off_t)out + r) {
		fprintf(stderr, "fsx: sendfile left the offsets at %lld, %lld "
			"after %zd bytes\n", (long long)a, (long long)now, r);
		return -EPROTO;
	}
	return r;
}

static ssize_t
px_map_read(void *buf, size_t len, uint64_t off, bool shared)
{
	uint64_t base = off & ~(uint64_t)4095;
	size_t mlen = len + (size_t)(off - base);
	if (len == 0)
		return 0;
	void *m = mmap(NULL, mlen, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE,
		       fd, (off_t)base);
	if (m == MAP_FAILED)
		return -errno;
	memcpy(buf, (char *)m + (off - base), len);
	munmap(m, mlen);
	return (ssize_t)len;
}

static ssize_t
px_map_write(const void *buf, size_t len, uint64_t off)
{
	uint64_t base = off & ~(uint64_t)4095;
	size_t mlen = len + (size_t)(off - base);
	if (len == 0)
		return 0;
	char *m = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)base);
	if (m == MAP_FAILED)
		return -errno;
	memcpy(m + (off - base), buf, len);
	int r = msync(m, mlen, MS_SYNC) < 0 ? -errno : 0;
	munmap(m, mlen);
	return r < 0 ? r : (ssize_t)len;
}

static int
px_aux_write(const void *buf, size_t len)
{
	if (ftruncate(auxfd, 0) < 0)
		return -errno;
	ssize_t r = pwrite(auxfd, buf, len, 0);
	return r < 0 ? -errno : r == (ssize_t)len ? 0 : -EIO;
}

const struct fsx_io fsx_posix_io = {
	.name = "syscalls",
	.open = px_open,
	.close = px_close,
	.pread = px_pread,
	.pwrite = px_pwrite,
	.preadv = px_preadv,
	.pwritev = px_pwritev,
	.append = px_append,
	.truncate = px_truncate,
	.fallocate = px_fallocate,
	.seek = px_seek,
	.size = px_size,
	.copy_range = px_copy_range,
	.sendfile_in = px_sendfile_in,
	.map_read = px_map_read,
	.map_write = px_map_write,
	.aux_write = px_aux_write,
};

int
main(int argc, char **argv)
{
	return fsx_main(argc, argv, &fsx_posix_io);
}
