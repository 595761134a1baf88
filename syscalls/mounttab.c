/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * open of the mount tables: /proc/{self,thread-self,PID}[/task/TID]/
 * {mountinfo,mounts}, /proc/mounts and /etc/mtab (when it is procfs's
 * link). The kernel's tables do not list the pools, so df, findmnt,
 * mount and stat -f would show a pool's mount point as a directory of the
 * host file system (df: "-" as its source). The target gets a memfd with
 * the kernel's table as it reads for that process, and one line per pool
 * after it (mounted last, so on top): source the pool file, type
 * pmemfile, the st_dev and mount id that stat and statx report, as FUSE
 * file systems are listed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "task.h"

enum table { T_NONE, T_MOUNTINFO, T_MOUNTS };

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

/* which table path names, and for which task (*pid) */
static enum table parse(struct call *c, const char *s, long *pid)
{
	*pid = c->tid;
	if (strcmp(s, "/proc/mounts") == 0)
		return T_MOUNTS;
	if (strcmp(s, "/etc/mtab") == 0) {
		/* Debian's is "../proc/self/mounts"; a regular file is the
		 * host's own business */
		char l[64];
		ssize_t n = readlink(s, l, sizeof(l) - 1);
		if (n <= 0)
			return T_NONE;
		l[n] = 0;
		return ends_with(l, "proc/mounts") ||
		       ends_with(l, "proc/self/mounts") ? T_MOUNTS : T_NONE;
	}
	const char *rest = proc_pid_dir(c, s, pid);
	if (!rest)
		return T_NONE;
	if (strcmp(rest, "mountinfo") == 0)
		return T_MOUNTINFO;
	if (strcmp(rest, "mounts") == 0)
		return T_MOUNTS;
	return T_NONE;
}

/*
 * Is task pid in the tree we serve (the pools are mounted for it alone)?
 * We are the tree's subreaper, so each of its processes has us as an
 * ancestor. A process outside the tree gets the kernel's table.
 */
static int in_tree(long pid)
{
	pid_t self = getpid();
	for (int depth = 0; depth < 4096 && pid > 1; depth++) {
		if (pid == self)
			return depth > 0;
		struct task_status st;
		if (task_status_read(-1, (pid_t)pid, &st) < 0)
			return 0;
		pid = st.ppid;
	}
	return 0;
}

/* a path as the kernel writes it in the tables (seq_path_root's escapes) */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/* the mount id of the host mount under a pool's mount point */
static int parent_mnt_id(const struct mount *m)
{
	struct statx sx;
	const char *dirs[] = { m->dir, m->parent, "/" };
	for (int i = 0; i < 3; i++)
		if (statx(AT_FDCWD, dirs[i], 0, STATX_MNT_ID, &sx) == 0 &&
		    (sx.stx_mask & STATX_MNT_ID))
			return (int)sx.stx_mnt_id;
	return 1;
}

static void put_pools(FILE *f, enum table t)
{
	for (int i = 0; i < sc_mount_count(); i++) {
		const struct mount *m = sc_mount_get(i);
		if (t == T_MOUNTINFO) {
			fprintf(f, "%d %d %u:%u / ", m->mnt_id, parent_mnt_id(m),
				major(m->dev), minor(m->dev));
			put_escaped(f, m->dir);
			fputs(" rw,relatime - pmemfile ", f);
			put_escaped(f, m->source);
			fputs(" rw\n", f);
		} else {
			put_escaped(f, m->source);
			fputc(' ', f);
			put_escaped(f, m->dir);
			fputs(" pmemfile rw,relatime 0 0\n", f);
		}
	}
}

long mounttab_open(struct call *c, const char *path, int flags)
{
	long pid;
	enum table t = parse(c, path, &pid);
	if (t == T_NONE || (flags & O_ACCMODE) != O_RDONLY || !in_tree(pid))
		return CALL_CONTINUE;
	char kpath[64];
	snprintf(kpath, sizeof(kpath), "/proc/%ld/%s", pid,
		 t == T_MOUNTINFO ? "mountinfo" : "mounts");
	/* the kernel's table for that task; if it cannot be read (the task
	 * is gone, say), the kernel answers the open itself */
	int kfd = open(kpath, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return CALL_CONTINUE;
	int mfd = memfd_create(t == T_MOUNTINFO ? "mountinfo" : "mounts",
			       MFD_CLOEXEC);
	if (mfd < 0) {
		int err = errno;
		close(kfd);
		return -err;
	}
	char buf[16384];
	ssize_t n;
	int err = 0;
	while ((n = read(kfd, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, (size_t)n) != n) {
			err = errno ? errno : ENOSPC;
			break;
		}
	if (n < 0)
		err = errno;
	close(kfd);
	FILE *f = err ? NULL : fdopen(fcntl(mfd, F_DUPFD_CLOEXEC, 0), "a");
	if (!err && !f)
		err = errno;
	if (f) {
		put_pools(f, t);
		if (fclose(f) != 0)
			err = errno;
	}
	if (!err && lseek(mfd, 0, SEEK_SET) != 0)
		err = errno;
	if (err) {
		close(mfd);
		return -err;
	}
	return call_inject_host(c, mfd, flags & O_CLOEXEC);
}
