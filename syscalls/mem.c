/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Target memory. process_vm_readv/writev first (one syscall, no fd); when
 * the kernel refuses it (EPERM on some hardened set-ups) /proc/TID/mem.
 * A bad target pointer becomes -EFAULT, never a supervisor crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "syscalls.h"

static int mem_fallback(struct call *c, uint64_t addr, void *buf, size_t len,
			int write)
{
	int pfd = call_procfd(c);
	if (pfd < 0)
		return -EFAULT;
	int fd = openat(pfd, "mem", (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -EFAULT;
	ssize_t n = write ? pwrite(fd, buf, len, (off_t)addr)
			  : pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int call_read(struct call *c, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(c->tid, &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == EPERM)
		return mem_fallback(c, addr, buf, len, 0);
	return -EFAULT;
}

int call_write(struct call *c, uint64_t addr, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec l = { (void *)buf, len }, r = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(c->tid, &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == EPERM)
		return mem_fallback(c, addr, (void *)buf, len, 1);
	return -EFAULT;
}

/*
 * Reads page by page so that a string ending just before an unmapped page
 * is read fine, and one running into it gives EFAULT.
 */
int call_read_path(struct call *c, uint64_t addr, const char **out)
{
	if (c->nstr >= 2)
		return -EINVAL;
	char *dst = c->str[c->nstr];
	size_t got = 0;
	if (addr == 0)
		return -EFAULT;
	while (got < PATH_MAX) {
		uint64_t a = addr + got;
		size_t chunk = 4096 - (a & 4095);
		if (chunk > PATH_MAX - got)
			chunk = PATH_MAX - got;
		int r = call_read(c, a, dst + got, chunk);
		if (r < 0)
			return r;
		char *nul = memchr(dst + got, 0, chunk);
		if (nul) {
			c->nstr++;
			*out = dst;
			return call_valid(c);
		}
		got += chunk;
	}
	return -ENAMETOOLONG;
}

int call_valid(struct call *c)
{
	uint64_t id = c->req->id;
	if (ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -ENOENT;
	return 0;
}
