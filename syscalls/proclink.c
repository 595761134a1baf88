/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /proc magic links: /proc/{self,thread-self,PID}[/task/TID]/{fd/N,cwd}
 * and /dev/std*, /dev/fd/N, followed to the pool file itself as the
 * kernel's magic links are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "syscalls.h"

const char *proc_pid_dir(struct call *c, const char *s, long *pid)
{
	char *end;
	if (strncmp(s, "/proc/", 6) != 0)
		return NULL;
	s += 6;
	*pid = c->tid;
	if (strncmp(s, "self/", 5) == 0)
		return s + 5;
	if (strncmp(s, "thread-self/", 12) == 0)
		return s + 12;
	*pid = strtol(s, &end, 10);
	if (end == s || *end != '/' || *pid <= 0)
		return NULL;
	s = end + 1;
	if (strncmp(s, "task/", 5) == 0) {
		*pid = strtol(s + 5, &end, 10);
		if (end == s + 5 || *end != '/' || *pid <= 0)
			return NULL;
		s = end + 1;
	}
	return s;
}

/*
 * Parses /dev/stdin|stdout|stderr, /dev/fd/N, and
 * /proc/{self,thread-self,PID}[/task/TID]/{fd/N,cwd}: fills *pid, *fd (-1
 * for cwd) and *rest (what follows the link, "" or "/..."). 0 if s is not
 * such a link.
 */
int proc_link_parse(struct call *c, const char *s, long *pid, long *fd,
		    const char **rest)
{
	const char *p;
	*pid = c->tid;
	if (strncmp(s, "/dev/", 5) == 0) {
		s += 5;
		static const char *std[] = { "stdin", "stdout", "stderr" };
		for (int i = 0; i < 3; i++)
			if (strcmp(s, std[i]) == 0) {
				*fd = i;
				*rest = "";
				return 1;
			}
		if (strncmp(s, "fd/", 3) != 0)
			return 0;
		p = s + 3;
	} else if ((s = proc_pid_dir(c, s, pid)) != NULL) {
		if (strncmp(s, "cwd", 3) == 0 && (s[3] == 0 || s[3] == '/')) {
			/* cwd is per process: self and thread-self are the
			 * caller's process */
			if (*pid == c->tid) {
				struct proc *pr = call_proc(c);
				if (!pr)
					return 0;
				*pid = proc_tgid(pr);
			}
			*fd = -1;
			*rest = s + 3;
			return 1;
		}
		if (strncmp(s, "fd/", 3) != 0)
			return 0;
		p = s + 3;
	} else {
		return 0;
	}
	char *end;
	*fd = strtol(p, &end, 10);
	if (end == p || (*end && *end != '/') || *fd < 0 || *fd > INT_MAX)
		return 0;
	*rest = end;
	return 1;
}

int proc_fd_link(struct call *c, const char *s, struct ofd **out)
{
	long pid, fd;
	const char *rest;
	if (!proc_link_parse(c, s, &pid, &fd, &rest) || fd < 0 || *rest)
		return 1;
	return ofd_of((pid_t)pid, (int)fd, out) == 0 ? 0 : 1;
}

int pool_file_vpath(struct mount *m, pf_file *f, const char *known,
		    char *out, size_t size)
{
	const char *hint = NULL;
	if (strncmp(known, m->dir, m->dirlen) == 0 &&
	    (known[m->dirlen] == '/' || known[m->dirlen] == 0))
		hint = known + m->dirlen;
	char in[PATH_MAX];
	ssize_t n = pf_dir_path(m->pool, f, hint, in, sizeof(in));
	if (n == -ENOTDIR) {
		n = snprintf(out, size, "%s", known);
		return n >= 0 && (size_t)n < size ? 0 : -ERANGE;
	}
	if (n < 0)
		return n == -ERANGE ? -ENAMETOOLONG : (int)n;
	n = snprintf(out, size, "%s%s", m->dir, strcmp(in, "/") ? in : "");
	return n >= 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* "/name" appended to done (a pool-root-relative path of length *dl) */
static int push(char *done, size_t *dl, size_t size, const char *name, size_t n)
{
	if (*dl + 1 + n >= size)
		return -1;
	done[*dl] = '/';
	memcpy(done + *dl + 1, name, n);
	*dl += 1 + n;
	done[*dl] = 0;
	return 0;
}

int pool_realpath(struct mount *m, struct pf_caller *pc, const char *vabs,
		  int follow_last, char *out, size_t size)
{
	if (strncmp(vabs, m->dir, m->dirlen) != 0 ||
	    (vabs[m->dirlen] != 0 && vabs[m->dirlen] != '/'))
		return -1;
	char todo[2 * PATH_MAX], done[PATH_MAX] = "", t[PATH_MAX];
	snprintf(todo, sizeof(todo), "%s", vabs + m->dirlen);
	size_t dl = 0;
	int links = 0;
	const char *p = todo;
	for (;;) {
		p += strspn(p, "/");
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (dl > 0 && done[dl - 1] != '/')
				dl--;
			dl -= dl > 0;
			done[dl] = 0;
			p += n;
			continue;
		}
		size_t before = dl;
		if (push(done, &dl, sizeof(done), p, n) < 0)
			return -1;
		p += n;
		int last = !p[strspn(p, "/")];
		struct pf_stat st;
		if ((last && !follow_last) ||
		    pf_fstatat(m->pool, pc, NULL, done, &st,
			       AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.mode))
			continue; /* missing names stay as given */
		ssize_t tl = pf_readlinkat(m->pool, pc, NULL, done, t,
					   sizeof(t) - 1);
		if (tl <= 0 || ++links > PF_SYMLOOP_MAX)
			return -1;
		t[tl] = 0;
		dl = before;
		if (t[0] == '/') {
			/* an absolute body names the host's tree: back into
			 * this pool, or out of it */
			if (strncmp(t, m->dir, m->dirlen) != 0 ||
			    (t[m->dirlen] != 0 && t[m->dirlen] != '/'))
				return -1;
			memmove(t, t + m->dirlen, strlen(t + m->dirlen) + 1);
			dl = 0;
		}
		done[dl] = 0;
		char rest[2 * PATH_MAX];
		if ((size_t)snprintf(rest, sizeof(rest), "%s/%s", t, p) >=
		    sizeof(rest))
			return -1;
		memcpy(todo, rest, strlen(rest) + 1);
		p = todo;
	}
	int w = snprintf(out, size, "%s%s", m->dir, done);
	return w >= 0 && (size_t)w < size ? 0 : -1;
}

/*
 * Following /proc/PID/fd/N (or cwd) lands on the file itself, not on a
 * path: the kernel jumps to the open file's inode (nd_jump_link), which
 * is why linkat("/proc/self/fd/N", AT_SYMLINK_FOLLOW) can name an
 * O_TMPFILE, and why the link works after the file was renamed. So a link
 * to a pool file becomes {that file, PF_PATH_SELF} or {that file, rest}.
 */
int proc_link_vpath(struct call *c, const char *s, struct vpath *p,
		    int follow)
{
	long pid, fd;
	const char *rest;
	if (!proc_link_parse(c, s, &pid, &fd, &rest))
		return 0;
	if (!*rest && !follow)
		return 0;  /* the magic link itself: procfs's */
	struct mount *m;
	pf_file *file;
	char base[PATH_MAX];
	if (fd >= 0) {
		struct ofd *o;
		if (ofd_of((pid_t)pid, (int)fd, &o) != 0)
			return 0;
		m = o->m;
		file = pf_file_ref(o->file);
		memcpy(base, o->path, strlen(o->path) + 1);
		ofd_put(o);
	} else {
		struct vcwd cwd;
		if (proc_cwd_of((pid_t)pid, &cwd) != 0)
			return 0;
		m = cwd.m;
		file = cwd.dir;  /* the reference moves here */
		memcpy(base, cwd.path, strlen(cwd.path) + 1);
	}
	call_hold(c, file);  /* dropped by call_end */
	p->kind = VP_POOL;
	p->m = m;
	p->dir = file;
	/* "fd/N/" is the file with a trailing slash: "." (ENOTDIR if not a
	 * directory); "fd/N" the file itself */
	int slash = *rest == '/';
	while (*rest == '/')
		rest++;
	p->path = *rest ? rest : slash ? "." : PF_PATH_SELF;
	vabs_join(p->vabs, base, rest);
	return 0;
}
