/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operations of rel.h as plain syscalls on a host directory (used by
 * the workload run under pmemfile-run, and to check the model against the
 * kernel), and the canonical dump of a host directory tree.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/fs.h>

#include "rel.h"

static long
sys_result(long r)
{
	return r < 0 ? -errno : r;
}

long
rel_sys_apply(const char *base, const struct rel_op *op)
{
	char a[REL_PATH + 300], b[REL_PATH + 300];
	snprintf(a, sizeof(a), "%s/%s", base, op->a);
	snprintf(b, sizeof(b), "%s/%s", base, op->b);
	int fd;
	long r;
	switch (op->kind) {
	case OP_CREATE:
		fd = open(a, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		close(fd);
		return 0;
	case OP_APPEND:
	case OP_PWRITE: {
		fd = open(a, O_WRONLY | O_CLOEXEC |
			  (op->kind == OP_APPEND ? O_APPEND : 0));
		if (fd < 0)
			return -errno;
		char *buf = malloc(op->len + 1);
		if (!buf)
			abort();
		rel_fill(buf, op->len, op->seed);
		if (op->kind == OP_APPEND)
			r = sys_result(write(fd, buf, op->len));
		else
			r = sys_result(pwrite(fd, buf, op->len, (off_t)op->off));
		free(buf);
		close(fd);
		return r;
	}
	case OP_TRUNC:
		return sys_result(truncate(a, op->len));
	case OP_UNLINK:
		return sys_result(unlink(a));
	case OP_RMDIR:
		return sys_result(rmdir(a));
	case OP_MKDIR:
		return sys_result(mkdir(a, 0755));
	case OP_RENAME:
		return sys_result(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD,
					  b, op->flags));
	case OP_LINK:
		return sys_result(link(a, b));
	}
	return -EINVAL;
}

static void
dump_host_dir(const char *base, const char *rel, char **out, size_t *len,
	      size_t *cap)
{
	char path[REL_PATH * 2];
	snprintf(path, sizeof(path), "%s%s", base, rel);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char r2[REL_PATH * 2], p2[REL_PATH * 3];
		snprintf(r2, sizeof(r2), "%s/%s", rel, de->d_name);
		snprintf(p2, sizeof(p2), "%s%s", base, r2);
		struct stat st;
		if (lstat(p2, &st))
			continue;
		uint64_t h = REL_FNV_INIT;
		if (S_ISREG(st.st_mode)) {
			int fd = open(p2, O_RDONLY | O_CLOEXEC);
			char buf[65536];
			ssize_t n;
			while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
				h = rel_fnv(h, buf, (size_t)n);
			if (fd >= 0)
				close(fd);
		}
		if (*cap - *len < REL_PATH * 2 + 128) {
			*cap = *cap * 2 + REL_PATH * 4;
			*out = realloc(*out, *cap);
			if (!*out)
				abort();
		}
		*len += (size_t)snprintf(*out + *len, *cap - *len,
			"%s %c size=%lld nlink=%u h=%016llx\n", r2,
			S_ISDIR(st.st_mode) ? 'd' : 'f',
			S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
			(unsigned)st.st_nlink, (unsigned long long)h);
		if (S_ISDIR(st.st_mode))
			dump_host_dir(base, r2, out, len, cap);
	}
	closedir(d);
}

char *
rel_sys_dump(const char *base)
{
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	if (!out)
		abort();
	struct stat st;
	unsigned nl = stat(base, &st) == 0 ? (unsigned)st.st_nlink : 0;
	len += (size_t)snprintf(out, cap, "/ d size=0 nlink=%u h=%016llx\n", nl,
				(unsigned long long)REL_FNV_INIT);
	dump_host_dir(base, "", &out, &len, &cap);
	return rel_sort_lines(out);
}
