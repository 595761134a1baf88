/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mounts and path classification: is a (dirfd, path) pair the host's (let
 * the kernel resolve it) or inside a pool (which pool, which base, which
 * in-pool path)?
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
#include <sys/fsuid.h>

#include "syscalls.h"

static struct mount mounts[SC_MAX_MOUNTS];
static int nmounts;

int sc_mount_add(const char *dir, pf_pool *pool, const char *source)
{
	if (dir[0] != '/')
		return -EINVAL;
	if (nmounts == SC_MAX_MOUNTS)
		return -ENOSPC;
	struct mount *m = &mounts[nmounts];
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len >= sizeof(m->dir))
		return -ENAMETOOLONG;
	memcpy(m->dir, dir, len);
	m->dir[len] = 0;
	m->dirlen = len;
	memcpy(m->parent, m->dir, len + 1);
	char *slash = strrchr(m->parent, '/');
	if (slash == m->parent)
		slash[1] = 0;
	else
		*slash = 0;
	m->pool = pool;
	snprintf(m->source, sizeof(m->source), "%s", source ? source : "pmemfile");
	m->dev = pool ? pf_pool_dev(pool) : 0;
	m->mnt_id = 0x7fff0000 + nmounts;
	nmounts++;
	return 0;
}

int sc_mount_count(void)
{
	return nmounts;
}

struct mount *sc_mount_get(int i)
{
	return &mounts[i];
}

/*
 * Walks abs and the mount dir component by component (ignoring repeated
 * slashes and "." components, as the kernel does) and returns where the
 * in-pool part of abs starts. The longest matching mount wins.
 */
static const char *match_one(const char *abs, const char *dir)
{
	const char *a = abs, *d = dir;
	for (;;) {
		while (*d == '/')
			d++;
		for (;;) {
			while (*a == '/')
				a++;
			if (a[0] == '.' && (a[1] == '/' || a[1] == 0))
				a++;
			else
				break;
		}
		if (!*d)
			return a;  /* dir exhausted: the rest is in the pool */
		size_t n = strcspn(d, "/");
		if (strncmp(a, d, n) != 0 || (a[n] != '/' && a[n] != 0))
			return NULL;
		a += n;
		d += n;
	}
}

const char *mount_match(const char *abs, struct mount **mp)
{
	const char *best = NULL;
	size_t bestlen = 0;
	for (int i = 0; i < nmounts; i++) {
		const char *r = match_one(abs, mounts[i].dir);
		if (r && (!best || mounts[i].dirlen > bestlen)) {
			best = r;
			bestlen = mounts[i].dirlen;
			*mp = &mounts[i];
		}
	}
	if (!best)
		return NULL;
	/* in-pool absolute: back up to include one '/' (or "/" for root) */
	if (*best == 0)
		return "/";
	return best - 1;
}

/* dst = a "/" b, truncated to PATH_MAX (a display name only). */
static void vabs_join(char *dst, const char *a, const char *b)
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
		char *abs = c->abs[c->nstr - 1];
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
	if (r == 0) {
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
	char *abs = c->abs[c->nstr - 1];
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

/*
 * Switches this worker thread's fs ids and groups to the target's (raw
 * syscalls: glibc's setgroups would change every thread of the
 * supervisor), runs fn, switches back. Without CAP_SETUID the switch is a
 * no-op and the supervisor's own ids apply, which are the target's anyway.
 */
long with_target_creds(struct call *c, long (*fn)(struct call *c, void *arg),
		       void *arg)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	uid_t myuid = geteuid();
	gid_t mygid = getegid();
	gid_t mine[SC_MAX_GROUPS];
	int nmine = 0;
	int switched = 0;
	if (pc->fsuid != myuid || pc->fsgid != mygid || myuid == 0) {
		nmine = getgroups(SC_MAX_GROUPS, mine);
		if (nmine < 0)
			nmine = 0;
		gid_t groups[SC_MAX_GROUPS];
		for (uint32_t i = 0; i < pc->ngroups; i++)
			groups[i] = pc->groups[i];
		syscall(SYS_setgroups, (int)pc->ngroups, groups);
		syscall(SYS_setfsgid, pc->fsgid);
		syscall(SYS_setfsuid, pc->fsuid);
		switched = 1;
	}
	long r = fn(c, arg);
	if (switched) {
		syscall(SYS_setfsuid, myuid);
		syscall(SYS_setfsgid, mygid);
		syscall(SYS_setgroups, nmine, mine);
	}
	return r;
}

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
