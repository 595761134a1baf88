/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chdir, fchdir, getcwd: the virtual cwd. A process whose cwd is in a pool
 * keeps its kernel cwd where it was; relative paths and AT_FDCWD are
 * resolved against the virtual one (path.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "syscalls.h"

/* Makes p's target the process's cwd. */
static long enter_dir(struct call *c, struct mount *m, pf_file *dir,
		      const char *vabs)
{
	struct pf_stat st;
	int r = pf_fstat(m->pool, dir, &st);
	if (r < 0) {
		pf_close(dir);
		return errno_filter(r);
	}
	if (!S_ISDIR(st.mode)) {
		pf_close(dir);
		return -ENOTDIR;
	}
	struct proc *pr = call_proc(c);
	if (!pr) {
		pf_close(dir);
		return call_who_err(c);
	}
	struct vcwd v = { .m = m, .dir = dir };
	snprintf(v.path, sizeof(v.path), "%s", vabs);
	vabs_clean(v.path);
	return proc_set_cwd(c, pr, &v);
}

struct cd_arg { struct mount *m; pf_file *f; };

static long pool_cd(struct call *c, struct vpath *p, struct pf_caller *pc,
		    void *arg)
{
	struct cd_arg *a = arg;
	long r = pf_openat(p->m->pool, pc, p->dir, p->path,
			   O_PATH | O_DIRECTORY, 0, &a->f);
	if (r < 0)
		return r;
	/* search permission, as chdir(2) checks */
	r = pf_faccessat(p->m->pool, pc, a->f, "", X_OK, AT_EMPTY_PATH | AT_EACCESS);
	if (r < 0) {
		pf_close(a->f);
		a->f = NULL;
		return r;
	}
	a->m = p->m;
	return 0;
}

static long host_cd_check(struct call *c, void *arg)
{
	struct stat st;
	if (stat(arg, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(arg, X_OK) < 0 ? -errno : 0;
}

long sys_chdir(struct call *c)
{
	struct vpath p;
	c->follow_proc = 1;
	int r = call_path(c, -1, 0, &p);
	if (r < 0)
		return r;
	if (p.empty)
		return -ENOENT;
	struct proc *pr = call_proc(c);
	if (!pr)
		return call_who_err(c);
	if (p.kind == VP_HOST) {
		struct vcwd cur;
		proc_get_cwd(pr, &cur);
		int inpool = cur.m != NULL;
		vcwd_release(&cur);
		if (!inpool)
			return CALL_CONTINUE;
		if (p.path[0] != '/') {
			sc_log_unsupported(c, "a relative chdir from a pool back to the host");
			return -EXDEV;
		}
		/* Leaving the pool: check first what the kernel will check,
		 * so that a failing chdir keeps the pool cwd. */
		long ok = with_target_creds(c, host_cd_check, (void *)p.path);
		if (ok < 0)
			return ok;
		struct vcwd host = { 0 };
		r = proc_set_cwd(c, pr, &host);
		return r < 0 ? r : CALL_CONTINUE;
	}
	struct cd_arg a = { 0 };
	char vabs[PATH_MAX];
	long ret = path_op_resolved(c, &p, pool_cd, NULL, &a);
	if (ret < 0)
		return ret;
	snprintf(vabs, sizeof(vabs), "%s", p.vabs);
	return enter_dir(c, a.m, a.f, vabs);
}

long sys_fchdir(struct call *c)
{
	struct ofd *o;
	int r = call_fd(c, (int)c->args[0], &o);
	if (r < 0)
		return r;
	struct proc *pr = call_proc(c);
	if (!pr) {
		if (r == FD_POOL)
			ofd_put(o);
		return call_who_err(c);
	}
	if (r == FD_HOST) {
		struct vcwd host = { 0 };
		r = proc_set_cwd(c, pr, &host);
		return r < 0 ? r : CALL_CONTINUE;
	}
	/* search permission, as fchdir(2) checks (after ENOTDIR) */
	struct pf_stat st;
	struct pf_caller *pc = call_caller(c);
	long ret = pc ? pf_fstat(o->m->pool, o->file, &st) : call_who_err(c);
	if (ret == 0 && S_ISDIR(st.mode))
		ret = pf_faccessat(o->m->pool, pc, o->file, "", X_OK,
				   AT_EMPTY_PATH | AT_EACCESS);
	if (ret == 0)
		ret = enter_dir(c, o->m, pf_file_ref(o->file), o->path);
	ofd_put(o);
	return errno_filter(ret);
}

long sys_getcwd(struct call *c)
{
	struct proc *pr = call_proc(c);
	if (!pr)
		return call_who_err(c);
	struct vcwd cwd;
	proc_get_cwd(pr, &cwd);
	if (!cwd.m)
		return CALL_CONTINUE;
	/* rebuilt from the pool: right after renames and through symlinks;
	 * a removed cwd has no name: ENOENT, as getcwd(2) says */
	char path[PATH_MAX];
	int r = pool_file_vpath(cwd.m, cwd.dir, cwd.path, path, sizeof(path));
	vcwd_release(&cwd);
	if (r < 0)
		return r;
	size_t len = strlen(path) + 1;
	if (len > (size_t)c->args[1])
		return -ERANGE;
	r = call_write(c, c->args[0], path, len);
	return r < 0 ? r : (long)len;
}
