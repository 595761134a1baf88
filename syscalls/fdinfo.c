/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * open("/proc/PID/fdinfo/N") of a pool fd. The kernel's file would describe
 * the placeholder memfd (its position is always 0, its flags O_RDWR); the
 * target gets a memfd holding the pool file's: position, status flags
 * (with the fd's O_CLOEXEC, which only the kernel's file knows), the
 * mount id statx reports, and the inode number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "syscalls.h"

/* /proc/{self,thread-self,PID}[/task/TID]/fdinfo/N: 1 with *pid, *fd. */
static int parse(struct call *c, const char *s, long *pid, long *fd)
{
	s = proc_pid_dir(c, s, pid);
	if (!s || strncmp(s, "fdinfo/", 7) != 0)
		return 0;
	s += 7;
	char *end;
	*fd = strtol(s, &end, 10);
	return end != s && *end == 0 && *fd >= 0 && *fd <= 0x7fffffff;
}

/* The fd's O_CLOEXEC, from the kernel's fdinfo of the placeholder. */
static int fd_cloexec(long pid, long fd)
{
	char p[64], line[128];
	snprintf(p, sizeof(p), "/proc/%ld/fdinfo/%ld", pid, fd);
	FILE *f = fopen(p, "re");
	if (!f)
		return 0;
	unsigned long flags = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %lo", &flags) == 1)
			break;
	fclose(f);
	return (flags & O_CLOEXEC) != 0;
}

long fdinfo_open(struct call *c, const char *path, int flags)
{
	long pid, fd;
	if ((flags & O_ACCMODE) != O_RDONLY || !parse(c, path, &pid, &fd))
		return CALL_CONTINUE;
	struct ofd *o;
	if (ofd_of((pid_t)pid, (int)fd, &o) != 0)
		return CALL_CONTINUE;  /* a host fd: the kernel's file is right */
	struct pf_stat st;
	off_t pos = pf_lseek(o->m->pool, o->file, 0, SEEK_CUR);
	int r = pf_fstat(o->m->pool, o->file, &st);
	int status = pf_file_get_flags(o->file);
	int mnt_id = o->m->mnt_id;
	ofd_put(o);
	if (r < 0)
		return errno_filter(r);
	if (pos < 0)
		pos = 0;
	status |= SC_O_LARGEFILE | (fd_cloexec(pid, fd) ? O_CLOEXEC : 0);
	char text[256];
	int n = snprintf(text, sizeof(text),
			 "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
			 (long long)pos, (unsigned)status, mnt_id,
			 (unsigned long long)st.ino);
	int mfd = memfd_create("fdinfo", MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	if (write(mfd, text, (size_t)n) != n || lseek(mfd, 0, SEEK_SET) != 0) {
		int err = errno;
		close(mfd);
		return -err;
	}
	return call_inject_host(c, mfd, flags & O_CLOEXEC);
}
