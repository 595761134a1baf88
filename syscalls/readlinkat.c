/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * readlink, readlinkat. Besides pool symlinks, answers the /proc links
 * that would otherwise show the supervisor's machinery: /proc/self/fd/N of
 * a pool fd (the placeholder memfd) shows the file's virtual path,
 * /proc/self/cwd of a process whose cwd is in a pool shows the virtual cwd,
 * and /proc/self/exe of a program run from a pool shows its pool path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syscalls.h"
#include "exec_cache.h"

struct rl_arg { char buf[PATH_MAX]; ssize_t len; };

static long pool_readlink(struct call *c, struct vpath *p, struct pf_caller *pc,
			  void *arg)
{
	struct rl_arg *a = arg;
	a->len = pf_readlinkat(p->m->pool, pc, p->dir, p->path, a->buf,
			       sizeof(a->buf));
	return a->len < 0 ? a->len : 0;
}

static long host_readlink(struct call *c, const char *path, void *arg)
{
	struct rl_arg *a = arg;
	a->len = readlink(path, a->buf, sizeof(a->buf));
	return a->len < 0 ? -errno : 0;
}

#define DELETED " (deleted)"

/*
 * The kernel's link at path, when map knows its target as a host file of
 * ours (a program's copy, a twin): 1 with the pool path in a, else 0.
 * With deleted, a target the kernel shows " (deleted)" is looked up
 * without it and shown with it (an open FIFO or a bound socket whose
 * names are gone: twin.c unlinks its host path then).
 */
static int mapped_link(const char *path,
		       int (*map)(const char *, char *, size_t), int deleted,
		       struct rl_arg *a)
{
	char host[PATH_MAX];
	ssize_t n = readlink(path, host, sizeof(host) - 1);
	if (n <= 0)
		return 0;
	host[n] = 0;
	size_t dl = strlen(DELETED);
	int gone = deleted && (size_t)n > dl &&
		!strcmp(host + n - (ssize_t)dl, DELETED);
	if (gone)
		host[n - (ssize_t)dl] = 0;
	if (!map(host, a->buf, sizeof(a->buf)))
		return 0;
	if (gone)
		strncat(a->buf, DELETED, sizeof(a->buf) - strlen(a->buf) - 1);
	a->len = (ssize_t)strlen(a->buf);
	return 1;
}

/*
 * /proc/{self,thread-self,PID}/fd/N, /dev/fd/N of a pool file, and
 * /proc/{self,PID}/cwd of a process whose cwd is in a pool: fills a and
 * returns 1; 0 if the kernel's answer is right.
 */
static int proc_link(struct call *c, const char *s, struct rl_arg *a)
{
	struct ofd *o;
	char path[PATH_MAX];
	if (proc_fd_link(c, s, &o) == 0) {
		/* as the kernel shows it: " (deleted)" once unlinked */
		struct pf_stat st;
		int deleted = o->unlinked ||
			(pf_fstat(o->m->pool, o->file, &st) == 0 &&
			 st.nlink == 0);
		if (pool_file_vpath(o->m, o->file, o->path, path, sizeof(path)))
			snprintf(path, sizeof(path), "%s", o->path);
		a->len = snprintf(a->buf, sizeof(a->buf), "%s%s", path,
				  deleted ? " (deleted)" : "");
		if (a->len >= (ssize_t)sizeof(a->buf))
			a->len = sizeof(a->buf) - 1;
		ofd_put(o);
		return 1;
	}
	/* /proc/PID/exe of a pool program: the kernel's link names its copy */
	long pid, fd;
	const char *rest = proc_pid_dir(c, s, &pid);
	if (rest && !strcmp(rest, "exe")) {
		snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
		return mapped_link(path, exec_cache_vpath, 0, a);
	}
	/* /proc/PID/fd/N of a pool FIFO or socket: its twin's host path */
	long lfd;
	if (proc_link_parse(c, s, &pid, &lfd, &rest) && lfd >= 0 && !*rest) {
		snprintf(path, sizeof(path), "/proc/%ld/fd/%ld", pid, lfd);
		return mapped_link(path, twin_vpath, 1, a);
	}
	/* a bare /proc/PID/cwd link: its target is the virtual cwd */
	if (strncmp(s, "/proc/", 6) != 0 || !proc_link_parse(c, s, &pid, &fd, &rest) ||
	    fd >= 0 || *rest)
		return 0;
	struct vcwd cwd;
	if (proc_cwd_of((pid_t)pid, &cwd) != 0)
		return 0;
	int r = pool_file_vpath(cwd.m, cwd.dir, cwd.path, path, sizeof(path));
	int deleted = r == -ENOENT;
	if (r < 0 && !deleted)
		snprintf(path, sizeof(path), "%s", cwd.path);
	vcwd_release(&cwd);
	a->len = snprintf(a->buf, sizeof(a->buf), "%s%s",
			  deleted ? cwd.path : path, deleted ? " (deleted)" : "");
	if (a->len >= (ssize_t)sizeof(a->buf))
		a->len = sizeof(a->buf) - 1;
	return 1;
}

static long do_readlink(struct call *c, int dirfd_arg, int path_arg,
			uint64_t buf, int64_t size)
{
	if (size <= 0)
		return -EINVAL;
	struct vpath p;
	int r = call_path(c, dirfd_arg, path_arg, &p);
	if (r < 0)
		return r;
	struct rl_arg a;
	if (p.kind == VP_HOST) {
		if (!proc_link(c, p.path, &a))
			return CALL_CONTINUE;
	} else {
		long ret = path_op_resolved(c, &p, pool_readlink, host_readlink, &a);
		if (ret < 0)
			return ret;
	}
	size_t n = (size_t)a.len < (uint64_t)size ? (size_t)a.len : (size_t)size;
	r = call_write(c, buf, a.buf, n);
	return r < 0 ? r : (long)n;
}

long sys_readlinkat(struct call *c)
{
	return do_readlink(c, 0, 1, c->args[2], (int64_t)(int)c->args[3]);
}

long sys_readlink(struct call *c)
{
	return do_readlink(c, -1, 0, c->args[1], (int64_t)(int)c->args[2]);
}
