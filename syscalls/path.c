/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path classification: is a (dirfd, path) pair the host's (let the kernel
 * resolve it) or inside a pool (which pool, which base, which in-pool
 * path)? Mounts are in mount.c, /proc magic links in proclink.c.
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

/* dst = a "/" b, truncated to PATH_MAX (a display name only). */
void vabs_join(char *dst, const char *a, const char *b)
{
	size_t la = strnlen(a, PATH_MAX - 1), lb;
	memcpy(dst, a, la);
	while (*b == '/')
		b++;
	if (*b && la < PATH_MAX - 1 && (la == 0 || dst[la - 1] != '/'))
		dst[la++] = '/';
	lb = strnlen(b, PATH_MAX - 1 - la);
	memcpy(dst + la, b, lb);
	dst[la + lb] = 0;
}

/* Lexically cleans an absolute path ("/a/./b//../c" -> "/a/c"). */
void vabs_clean(char *s)
{
	char out[PATH_MAX];
	size_t o = 0;
	const char *p = s;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (o + n + 2 < sizeof(out)) {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	memcpy(s, out, o + 1);
}

/* Fills p for an absolute host path: VP_POOL if it is under a mount. */
static void classify_abs(struct vpath *p, const char *abs)
{
	struct mount *m = NULL;
	const char *rest = mount_match(abs, &m);
	if (rest) {
		p->kind = VP_POOL;
		p->m = m;
		p->dir = NULL;
		p->path = rest;
		vabs_join(p->vabs, m->dir, strcmp(rest, "/") ? rest : "");
	} else {
		p->kind = VP_HOST;
		p->path = abs;
	}
}

/* Joins base and rel into buf ("base/rel"). -ENAMETOOLONG. */
static int join(char *buf, size_t size, const char *base, const char *rel)
{
	int n = snprintf(buf, size, "%s%s%s", base,
			 base[strlen(base) - 1] == '/' ? "" : "/", rel);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int call_path(struct call *c, int dirfd_arg, int path_arg, struct vpath *p)
{
	const char *s;
	int r = call_read_path(c, c->args[path_arg], &s);
	if (r < 0)
		return r;
	int dirfd = dirfd_arg < 0 ? AT_FDCWD : (int)c->args[dirfd_arg];
	return vpath_classify(c, dirfd, s, c->abs[c->nstr - 1], p);
}

long call_pool_path(struct call *c, int dirfd_arg, int path_arg, int empty_ok,
		    struct vpath *p)
{
	int r = call_path(c, dirfd_arg, path_arg, p);
	if (r < 0)
		return r;
	if (p->kind == VP_HOST)
		return CALL_CONTINUE;
	return p->empty && !empty_ok ? -ENOENT : 0;
}

long call_pool_path_at(struct call *c, int dirfd_arg, int path_arg,
		       int at_flags, struct vpath *p)
{
	c->follow_proc = !(at_flags & AT_SYMLINK_NOFOLLOW);
	return call_pool_path(c, dirfd_arg, path_arg, at_flags & AT_EMPTY_PATH,
			      p);
}

int vpath_classify(struct call *c, int dirfd, const char *s, char *abs,
		   struct vpath *p)
{
	int r;
	memset(p, 0, offsetof(struct vpath, vabs));
	p->vabs[0] = 0;
	p->dirfd = dirfd;
	p->empty = s[0] == 0;
	if (s[0] == '/') {
		classify_abs(p, s);
		if (p->kind == VP_HOST && (s[1] == 'p' || s[1] == 'd'))
			/* /dev/stdin < /mnt/f, /proc/self/cwd/x: the pool's */
			return proc_link_vpath(c, s, p, c->follow_proc);
		return 0;
	}
	/* relative (or empty): it depends on the base directory */
	if (dirfd == AT_FDCWD) {
		struct proc *pr = call_proc(c);
		if (!pr)
			return call_who_err(c);
		struct vcwd cwd;
		proc_get_cwd(pr, &cwd);
		if (cwd.m) {
			p->kind = VP_POOL;
			p->m = cwd.m;
			p->dir = cwd.dir;
			p->path = s;
			vabs_join(p->vabs, cwd.path, s);
			call_hold(c, cwd.dir);  /* dropped by call_end */
			return 0;
		}
		char cwdpath[PATH_MAX];
		ssize_t n = readlinkat(call_procfd(c), "cwd", cwdpath,
				       sizeof(cwdpath) - 1);
		if (n <= 0 || cwdpath[0] != '/') {
			p->kind = VP_HOST;
			p->path = s;
			return 0;
		}
		cwdpath[n] = 0;
		if (p->empty || join(abs, PATH_MAX, cwdpath, s) < 0) {
			p->kind = VP_HOST;
			p->path = s;
			return 0;
		}
		classify_abs(p, abs);
		if (p->kind == VP_HOST)
			p->path = s;  /* the kernel resolves it the same way */
		return 0;
	}
	struct ofd *o;
	r = call_fd(c, dirfd, &o);
	if (r < 0)
		return r;
	if (r == FD_POOL) {
		p->kind = VP_POOL;
		p->m = o->m;
		p->dir = pf_file_ref(o->file);
		call_hold(c, p->dir);
		p->path = s;
		vabs_join(p->vabs, o->path, s);
		ofd_put(o);
		return 0;
	}
	/* a host directory fd: does dirfd/path lead into a mount? */
	p->kind = VP_HOST;
	p->path = s;
	if (p->empty)
		return 0;
	char fdl[32], dirpath[PATH_MAX];
	snprintf(fdl, sizeof(fdl), "fd/%d", dirfd);
	ssize_t n = readlinkat(call_procfd(c), fdl, dirpath, sizeof(dirpath) - 1);
	if (n <= 0 || dirpath[0] != '/')
		return 0;
	dirpath[n] = 0;
	if (join(abs, PATH_MAX, dirpath, s) < 0)
		return 0;
	classify_abs(p, abs);
	if (p->kind == VP_HOST)
		p->path = s;
	return 0;
}

int vpath_escape(struct call *c, struct vpath *p)
{
	/* c->escape holds either an absolute host path or "../x", which means
	 * "mountpoint/../x" (core.h). Copy it out: classify points into it. */
	char tmp[PATH_MAX];
	if (c->escape[0] == '/') {
		memcpy(tmp, c->escape, strnlen(c->escape, PATH_MAX - 1) + 1);
		tmp[PATH_MAX - 1] = 0;
	} else {
		/* leading ".." climb from the mount point lexically: it is
		 * the pool's root, and need not exist on the host */
		char base[PATH_MAX];
		memcpy(base, p->m->dir, p->m->dirlen + 1);
		const char *rest = c->escape;
		while (rest[0] == '.' && rest[1] == '.' &&
		       (rest[2] == '/' || rest[2] == 0)) {
			char *slash = strrchr(base, '/');
			if (slash == base)
				base[1] = 0;
			else if (slash)
				*slash = 0;
			rest += 2;
			while (*rest == '/')
				rest++;
		}
		if (!*rest) {
			memcpy(tmp, base, strlen(base) + 1);
		} else if (join(tmp, sizeof(tmp), base, rest) < 0) {
			return -ENAMETOOLONG;
		}
	}
	/* performed by the supervisor, so "self" must name the target */
	const char *self = NULL;
	char who[64];
	if (strncmp(tmp, "/proc/self", 10) == 0 && (tmp[10] == '/' || !tmp[10])) {
		self = tmp + 10;
		struct proc *pr = call_proc(c);
		snprintf(who, sizeof(who), "/proc/%d", pr ? (int)proc_tgid(pr) : (int)c->tid);
	} else if (strncmp(tmp, "/proc/thread-self", 17) == 0 &&
		   (tmp[17] == '/' || !tmp[17])) {
		self = tmp + 17;
		snprintf(who, sizeof(who), "/proc/%d/task/%d", (int)c->tid, (int)c->tid);
	}
	if (self) {
		size_t lw = strlen(who), ls = strlen(self);
		if (lw + ls + 1 > sizeof(c->escape))
			return -ENAMETOOLONG;
		memcpy(c->escape, who, lw);
		memcpy(c->escape + lw, self, ls + 1);
	} else {
		memcpy(c->escape, tmp, strlen(tmp) + 1);
	}
	classify_abs(p, c->escape);
	p->dirfd = AT_FDCWD;
	return 0;
}

long call_two_paths(struct call *c, int d1, int p1, int follow1, int d2, int p2,
		    struct vpath *a, struct vpath *b)
{
	c->follow_proc = follow1 != 0;
	int r = call_path(c, d1, p1, a);
	c->follow_proc = 0;
	if (r < 0)
		return r;
	r = call_path(c, d2, p2, b);
	if (r < 0)
		return r;
	return a->kind == VP_HOST && b->kind == VP_HOST ? CALL_CONTINUE : 0;
}
