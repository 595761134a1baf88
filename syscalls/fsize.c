/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RLIMIT_FSIZE in a pool. The limit is the caller's process's, read with
 * prlimit(2) on its pid at each write or truncate that could cross it (a
 * syscall, cheaper than tracking setrlimit and prlimit, which are not
 * trapped). Past it the call fails with EFBIG and the thread gets SIGXFSZ
 * (queued before the answer, so it is taken as the call returns, as
 * Linux's send_sig); a write that crosses it is cut short.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsize.h"

/* The caller's limit, or -1 for none (or unknown: then none applies). */
static int64_t limit_of(struct call *c)
{
	struct proc *p = call_proc(c);
	if (!p)
		return -1;
	struct rlimit rl;
	if (prlimit(proc_tgid(p), RLIMIT_FSIZE, NULL, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT64_MAX)
		return -1;
	return (int64_t)rl.rlim_cur;
}

static long too_big(struct call *c)
{
	struct proc *p = call_proc(c);
	if (p)
		syscall(SYS_tgkill, proc_tgid(p), c->tid, SIGXFSZ);
	return -EFBIG;
}

long fsize_write(struct call *c, struct ofd *o, int64_t pos, int append,
		 size_t *count)
{
	if (*count == 0)
		return 0;
	int64_t limit = limit_of(c);
	if (limit < 0)
		return 0;
	if (append || (pos < 0 && (pf_file_get_flags(o->file) & O_APPEND))) {
		struct pf_stat st;
		if (pf_fstat(o->m->pool, o->file, &st) < 0)
			return 0;
		pos = (int64_t)st.size;
	} else if (pos < 0) {
		pos = pf_lseek(o->m->pool, o->file, 0, SEEK_CUR);
		if (pos < 0)
			return 0;
	}
	if (pos >= limit)
		return too_big(c);
	if ((uint64_t)(limit - pos) < *count) {
		*count = (size_t)(limit - pos);
		return 1;
	}
	return 0;
}

void fsize_signal(struct call *c)
{
	too_big(c);
}

long fsize_truncate(struct call *c, int64_t cur, int64_t len)
{
	if (len <= cur && cur >= 0)
		return 0;
	int64_t limit = limit_of(c);
	return limit >= 0 && len > limit ? too_big(c) : 0;
}
