/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * execve, execveat. A host path or a host fd is the kernel's (CONTINUE).
 * A pool file is executed the way the kernel would, with the kernel doing
 * the part only it can do:
 *
 *   1. resolve the path as the caller (ENOENT, ENOTDIR, ELOOP, EACCES on
 *      the way), check what the kernel checks before loading anything: a
 *      regular file (EACCES), execute permission (EACCES), nobody has it
 *      open for writing (ETXTBSY);
 *   2. read its first 256 bytes: "#!" is a script, parsed as
 *      fs/binfmt_script.c does (interpreter, one optional argument); its
 *      interpreter is looked up the same way in turn, up to the kernel's
 *      nesting limit (ELOOP), and argv becomes what the kernel would make
 *      of it: interpreter, argument, the script's name as the caller gave
 *      it, then argv[1...]. An ELF file is what the kernel executes; any
 *      other content is ENOEXEC (shells then run it themselves);
 *   3. a pool ELF file is copied to the host (exec_cache.c) and the
 *      caller's thread is made to run execveat(K, "", argv, envp,
 *      AT_EMPTY_PATH) on the copy's fd K (redo.c); a host interpreter, or
 *      a pool symlink to a host file (a virtualenv's bin/python), becomes
 *      execve(host path, argv, envp). Either call meets the filter again
 *      and is the host's: the kernel does the rest, and its errors (E2BIG,
 *      a bad ELF) are the caller's.
 *
 * What the kernel reads of the new call is ours (the fd, the strings and
 * array written below the stack pointer), except argv[1...] and envp,
 * which we never judged. A thread that swaps fd K before the new call
 * reaches the filter gets its swap judged there like any call.
 *
 * Differences from Linux, documented in pmemfile(7): set-user-ID and
 * set-group-ID bits and file capabilities are not honoured (nosuid);
 * AT_EXECFN is "/dev/fd/K" for a pool ELF file and /proc/PID/exe links to
 * the copy (readlink shows the pool path); the copy's fd K stays open,
 * close-on-exec, if the kernel's exec fails after our checks; a thread
 * traced by a debugger cannot run pool files (EACCES, logged); x86_64
 * callers only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "syscalls.h"
#include "exec_cache.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

#define BINPRM_BUF 256 /* the header the kernel looks at */
#define MAX_DEPTH 5 /* fs/exec.c: ELOOP past 5 interpreters */
#define MAX_HEAD (3 * (MAX_DEPTH + 1))
#define MAX_TAIL (1 << 18) /* argv pointers copied for a script */
#define RED_ZONE 128

struct exec {
	/* argv for the new call: head (ours), then the caller's argv from
	 * index tail_from (head == 0: the caller's argv untouched) */
	const char *head[MAX_HEAD];
	int nhead;
	int tail_from;
	char names[MAX_DEPTH + 1][PATH_MAX]; /* interpreter names */
	char args[MAX_DEPTH + 1][BINPRM_BUF]; /* their arguments */
	char script[PATH_MAX]; /* the first script's name */
	char comm[PATH_MAX]; /* the file the caller named: the process name */
	char alias[PATH_MAX]; /* a host interpreter under that name */
	/* what runs in the end */
	int fd; /* a pool file's copy (ADDFD'd) */
	const char *host; /* or a host path */
	uint64_t argv, envp;
};

/* The name a script is passed under, as fs/exec.c makes it. */
static int kernel_name(struct call *c, int dirfd, const char *path, int empty,
		       char *out)
{
	int n;
	if (dirfd == AT_FDCWD || path[0] == '/')
		n = snprintf(out, PATH_MAX, "%s", path);
	else if (empty)
		n = snprintf(out, PATH_MAX, "/dev/fd/%d", dirfd);
	else
		n = snprintf(out, PATH_MAX, "/dev/fd/%d/%s", dirfd, path);
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	if (dirfd != AT_FDCWD && path[0] != '/') {
		/* a name through a close-on-exec fd is gone after the exec:
		 * the kernel refuses to run a script by it */
		char fdinfo[64], buf[256];
		snprintf(fdinfo, sizeof(fdinfo), "fdinfo/%d", dirfd);
		int fd = openat(call_procfd(c), fdinfo, O_RDONLY | O_CLOEXEC);
		ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (len > 0) {
			buf[len] = 0;
			char *f = strstr(buf, "flags:");
			if (f && (strtoul(f + 6, NULL, 8) & O_CLOEXEC))
				return 1;
		}
	}
	return 0;
}

static int spacetab(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Parses "#!interp [arg]" as fs/binfmt_script.c does. 0 with name and
 * arg ("" for none), or -ENOEXEC.
 */
static int parse_script(char *buf, size_t len, char *name, char *arg)
{
	char *end = buf + len;
	char *nl = memchr(buf, '\n', len);
	if (nl) {
		end = nl;
	} else {
		/* no newline in the header: the line must not be cut short
		 * in the middle of the interpreter's name */
		char *p = buf + 2;
		while (p < end && spacetab(*p))
			p++;
		if (p == end)
			return -ENOEXEC;
		while (p < end && !spacetab(*p) && *p)
			p++;
		if (p == end)
			return -ENOEXEC;
	}
	while (end > buf + 2 && spacetab(end[-1]))
		end--;
	char *p = buf + 2;
	while (p < end && spacetab(*p))
		p++;
	if (p == end)
		return -ENOEXEC;
	char *n = p;
	while (p < end && !spacetab(*p) && *p)
		p++;
	memcpy(name, n, (size_t)(p - n));
	name[p - n] = 0;
	arg[0] = 0;
	if (p < end && *p) {
		while (p < end && spacetab(*p))
			p++;
		char *e = memchr(p, 0, (size_t)(end - p));
		size_t al = (size_t)((e ? e : end) - p);
		memcpy(arg, p, al);
		arg[al] = 0;
	}
	return 0;
}

/* Is host file path an ELF program? (a script is run by its own name) */
static int host_elf(const char *path)
{
	char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int elf = fd >= 0 && read(fd, m, 4) == 4 && !memcmp(m, "\177ELF", 4);
	if (fd >= 0)
		close(fd);
	return elf;
}

/*
 * Resolves p (as the caller) to the file to execute: 0 with *out (a pool
 * file, O_PATH), 1 with p VP_HOST (a symlink led out of the pool: p->path
 * is an absolute host path), or -errno.
 */
static int resolve(struct call *c, struct vpath *p, int nofollow, pf_file **out)
{
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	for (int i = 0; i < PF_SYMLOOP_MAX; i++) {
		int r = pf_openat(p->m->pool, pc, p->dir, p->path,
				  O_PATH | (nofollow ? O_NOFOLLOW : 0), 0, out);
		if (r != -PF_ESCAPED)
			return r;
		r = vpath_escape(c, p);
		if (r < 0)
			return r;
		if (p->kind == VP_HOST)
			return 1;
	}
	return -ELOOP;
}

/*
 * The path /proc/PID/exe shows for the file p names: the last component's
 * symlinks followed, "." and ".." gone (a best effort: symlinks on the
 * way stay).
 */
static void canonical(struct call *c, const struct vpath *p, char *out)
{
	snprintf(out, PATH_MAX, "%s", p->vabs);
	vabs_clean(out);
	struct pf_caller *pc = call_caller(c);
	for (int i = 0; pc && i < PF_SYMLOOP_MAX; i++) {
		struct mount *m;
		const char *rest = mount_match(out, &m);
		char target[PATH_MAX], next[PATH_MAX];
		ssize_t n = rest ? pf_readlinkat(m->pool, pc, NULL, rest,
						 target, sizeof(target) - 1) :
				   -EINVAL;
		if (n < 0)
			return;
		target[n] = 0;
		if (target[0] == '/') {
			snprintf(next, sizeof(next), "%s", target);
		} else {
			char *slash = strrchr(out, '/');
			*slash = 0;
			vabs_join(next, out[0] ? out : "/", target);
		}
		vabs_clean(next);
		memcpy(out, next, sizeof(next));
	}
}

/* What the kernel checks of the file itself; then its first bytes. */
static long check_file(struct call *c, struct mount *m, pf_file *f, char *hdr,
		       size_t *len)
{
	struct pf_stat st;
	long r = pf_fstat(m->pool, f, &st);
	if (r < 0)
		return r;
	if (S_ISLNK(st.mode))
		return -ELOOP; /* AT_SYMLINK_NOFOLLOW on a symlink */
	if (!S_ISREG(st.mode))
		return -EACCES;
	struct pf_caller *pc = call_caller(c);
	if (!pc)
		return call_who_err(c);
	r = pf_faccessat(m->pool, pc, f, "", X_OK, AT_EMPTY_PATH);
	if (r < 0)
		return r;
	/*
	 * Closes that already happened count, but their inotify event may
	 * still be on its way (a worker that has not yet dropped its copy of
	 * the placeholder after installing it, the main loop's tick reading
	 * the queue): look again for a little while before ETXTBSY.
	 */
	sc_ofd_events();
	for (int i = 0; ofd_writers(m, st.ino); i++) {
		if (i == 20)
			return -ETXTBSY;
		usleep(1000);
		sc_ofd_events();
	}
	/* the header is read by the supervisor: exec needs no read access */
	struct pf_caller sup = { .caps = PF_CAP_DAC_OVERRIDE |
					 PF_CAP_DAC_READ_SEARCH };
	pf_file *rd;
	r = pf_openat(m->pool, &sup, f, PF_PATH_SELF, O_RDONLY, 0, &rd);
	if (r < 0)
		return r;
	ssize_t n = pf_pread(m->pool, rd, hdr, BINPRM_BUF, 0);
	pf_close(rd);
	if (n < 0)
		return n;
	*len = (size_t)n;
	return 0;
}

/*
 * One file of the plan: 0 when it is what runs (x->fd or x->host set), 1
 * with its header in hdr (a script, or unknown content), or -errno.
 */
static long step(struct call *c, struct vpath *p, int nofollow, struct exec *x,
		 char *hdr, size_t *len)
{
	pf_file *f;
	long r = resolve(c, p, nofollow, &f);
	if (r < 0)
		return r;
	if (r == 1) {
		x->host = p->path;
		return 0;
	}
	r = check_file(c, p->m, f, hdr, len);
	if (r == 0 && *len >= 4 && !memcmp(hdr, "\177ELF", 4)) {
		char canon[PATH_MAX];
		canonical(c, p, canon);
		x->fd = exec_cache_get(p->m, f, x->comm, canon);
		r = x->fd < 0 ? x->fd : 0;
	} else if (r == 0) {
		r = 1;
	}
	pf_close(f);
	return r;
}

/* argv becomes [name, arg?, script, argv[1...]] (head grows at the front). */
static void push_script(struct exec *x, const char *name, const char *arg,
			const char *script)
{
	const char *add[3];
	int n = 0;
	add[n++] = name;
	if (*arg)
		add[n++] = arg;
	if (x->nhead == 0) {
		add[n++] = script;
		x->tail_from = 1;
	}
	memmove(x->head + n, x->head, (size_t)x->nhead * sizeof(x->head[0]));
	memcpy(x->head, add, (size_t)n * sizeof(add[0]));
	x->nhead += n;
}

/*
 * From the classified path p (named `given` as the kernel would pass it)
 * to what runs in the end: x->fd or x->host, and x's argv. 0 or -errno.
 */
static long plan(struct call *c, struct vpath *p, int nofollow, struct exec *x)
{
	/* the process is named after the file the caller named */
	snprintf(x->comm, sizeof(x->comm), "%s", p->vabs);
	for (int depth = 0;; depth++) {
		if (depth > MAX_DEPTH)
			return -ELOOP;
		if (p->kind == VP_HOST) {
			x->host = p->path;
			/* a script's host interpreter under the script's name */
			if (x->nhead && p->path[0] == '/' &&
			    host_elf(p->path) &&
			    exec_cache_alias(p->path, x->comm, x->alias) == 0)
				x->host = x->alias;
			return 0;
		}
		char hdr[BINPRM_BUF + 1];
		size_t len = 0;
		long r = step(c, p, nofollow, x, hdr, &len);
		if (r != 1)
			return r;
		if (len < 2 || hdr[0] != '#' || hdr[1] != '!')
			return -ENOEXEC;
		hdr[len] = 0;
		r = parse_script(hdr, len, x->names[depth], x->args[depth]);
		if (r < 0)
			return r;
		push_script(x, x->names[depth], x->args[depth], x->script);
		/* the interpreter, from the caller's cwd as open_exec does */
		struct vpath ip;
		char *abs = depth % 2 ? c->abs[0] : c->abs[1];
		r = vpath_classify(c, AT_FDCWD, x->names[depth], abs, &ip);
		if (r < 0)
			return r;
		*p = ip;
		nofollow = 0;
	}
}

/* ADDFD of the copy, close-on-exec, before the answer. */
static long add_copy(struct call *c, struct redo *d)
{
	struct exec *x = d->arg;
	struct seccomp_notif_addfd a = {
		.id = c->req->id,
		.srcfd = (uint32_t)x->fd,
		.newfd_flags = O_CLOEXEC,
	};
	long k = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	if (k < 0)
		return errno == EMFILE ? -EMFILE : -ENOENT;
	d->args[0] = (uint64_t)k;
	return 0;
}

/* Writes len bytes below *top (8-aligned); the address, or 0. */
static uint64_t push(struct call *c, struct redo *d, uint64_t *top,
		     const void *buf, size_t len)
{
	*top = (*top - len) & ~(uint64_t)7;
	return redo_write(c, d, *top, buf, len) == 0 ? *top : 0;
}

/* Below the stack pointer: the host path and the new argv, if any. */
static long place_args(struct call *c, struct redo *d, uint64_t sp)
{
	struct exec *x = d->arg;
	uint64_t top = sp - RED_ZONE;
	/* the host path, or "" for the fd (NULL is EFAULT before Linux 6.11) */
	const char *name = x->host ? x->host : "";
	uint64_t *name_arg = &d->args[x->host ? 0 : 1];
	*name_arg = push(c, d, &top, name, strlen(name) + 1);
	if (!*name_arg)
		return -E2BIG; /* the stack has no room below */
	if (!x->nhead)
		return 0;
	int argv_arg = x->host ? 1 : 2;
	/* argv[tail_from...] of the caller: pointers up to its NULL */
	size_t ntail = 0, cap = 256;
	uint64_t *tail = malloc(cap * sizeof(*tail));
	long r = tail ? 0 : -ENOMEM;
	for (uint64_t a = x->argv; r == 0 && a;) {
		uint64_t v;
		if (call_read(c, a + (x->tail_from + ntail) * 8, &v, 8) < 0)
			r = -EFAULT;
		else if (!v)
			break;
		else if (ntail == MAX_TAIL)
			r = -E2BIG;
		else if (ntail == cap) {
			uint64_t *t = realloc(tail, (cap *= 2) * sizeof(*tail));
			if (!t)
				r = -ENOMEM;
			else
				tail = t;
		}
		if (r == 0 && v)
			tail[ntail++] = v;
	}
	/* argc 0: the kernel's argv[0] is "" and the script's name goes
	 * in its place; argv[1...] is empty */
	if (r == 0 && x->argv) {
		uint64_t v0;
		if (call_read(c, x->argv, &v0, 8) < 0)
			r = -EFAULT;
		else if (!v0)
			ntail = 0;
	}
	uint64_t *arr = NULL;
	if (r == 0) {
		arr = malloc((x->nhead + ntail + 1) * sizeof(*arr));
		if (!arr)
			r = -ENOMEM;
	}
	for (int i = x->nhead - 1; r == 0 && i >= 0; i--) {
		arr[i] = push(c, d, &top, x->head[i], strlen(x->head[i]) + 1);
		if (!arr[i])
			r = -E2BIG;
	}
	if (r == 0) {
		memcpy(arr + x->nhead, tail, ntail * sizeof(*arr));
		arr[x->nhead + ntail] = 0;
		d->args[argv_arg] =
			push(c, d, &top, arr, (x->nhead + ntail + 1) * 8);
		if (!d->args[argv_arg])
			r = -E2BIG; /* the stack has no room below */
	}
	free(arr);
	free(tail);
	return r;
}

/* Runs the plan in the caller's thread. */
static long run(struct call *c, struct exec *x)
{
	struct redo d = { .place = place_args, .arg = x };
	if (x->host) {
		d.nr = SYS_execve;
		d.args[1] = x->argv;
		d.args[2] = x->envp;
	} else {
		d.nr = SYS_execveat;
		d.prepare = add_copy;
		d.args[2] = x->argv;
		d.args[3] = x->envp;
		d.args[4] = AT_EMPTY_PATH;
	}
	if (x->nhead == 0)
		d.args[x->host ? 1 : 2] = x->argv;
	return call_redo_or(c, &d, -EACCES, "run pool files");
}

static long do_exec(struct call *c, int dirfd_arg, int path_arg, int flags)
{
	struct vpath p;
	int r;
	int dirfd = dirfd_arg < 0 ? AT_FDCWD : (int)c->args[dirfd_arg];
	if (!c->args[path_arg] && (flags & AT_EMPTY_PATH))
		r = vpath_classify(c, dirfd, "", c->abs[0], &p); /* NULL: "" */
	else
		r = call_path(c, dirfd_arg, path_arg, &p);
	if (r < 0)
		return r;
	if (p.empty && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	if (p.kind == VP_HOST) {
		/* a set-id program changes the ids; read them again after */
		r = call_exec(c);
		return r < 0 ? r : CALL_CONTINUE;
	}
	struct exec *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->fd = -1;
	x->argv = c->args[path_arg + 1];
	x->envp = c->args[path_arg + 2];
	long ret = kernel_name(c, dirfd, p.empty ? "" : c->str[0], p.empty,
			       x->script);
	if (ret >= 0) {
		int inaccessible = (int)ret;
		if (p.empty) {
			p.path = PF_PATH_SELF; /* the fd's file itself */
		}
		ret = plan(c, &p, flags & AT_SYMLINK_NOFOLLOW, x);
		if (ret == 0 && inaccessible && x->nhead)
			ret = -ENOENT; /* a script by a close-on-exec fd */
	}
	if (ret == 0) {
		ret = call_exec(c);
		if (ret >= 0)
			ret = run(c, x);
	}
	if (x->fd >= 0)
		close(x->fd);
	free(x);
	return ret;
}

long exec_write_check(struct call *c, const struct vpath *p,
		      struct pf_caller *pc, int nofollow)
{
	if (!exec_cache_count())
		return 0;
	pf_file *f;
	if (pf_openat(p->m->pool, pc, p->dir, p->path,
		      O_PATH | (nofollow ? O_NOFOLLOW : 0), 0, &f) < 0)
		return 0; /* missing, escaping...: the real call says */
	struct pf_stat st;
	long r = 0;
	if (pf_fstat(p->m->pool, f, &st) == 0 && S_ISREG(st.mode) &&
	    exec_cache_running(p->m, st.ino)) {
		/* no write permission is EACCES first, as Linux checks */
		r = pf_faccessat(p->m->pool, pc, f, "", W_OK, AT_EMPTY_PATH);
		if (r == 0)
			r = -ETXTBSY;
	}
	pf_close(f);
	return r;
}

long sys_execve(struct call *c)
{
	return do_exec(c, -1, 0, 0);
}

long sys_execveat(struct call *c)
{
	int flags = (int)c->args[4];
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	return do_exec(c, 0, 1, flags);
}
