/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF_OPEN_ISOLATED: a trial open in a child process.
 *
 * The core checks its own persistent pointers (check.c), but libpmemobj
 * reads its pool header, lanes and heap headers on open and while walking
 * objects, and a damaged byte there can make it fault. A crash in a child
 * costs nothing but the child; the caller gets -EIO and a message instead
 * of dying. The child's exit codes: TRIAL_OK, TRIAL_REFUSED (an ordinary
 * error, which the real open then reports with its message); anything
 * else, a signal or a sanitizer's exit, is a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#define TRIAL_OK 0
#define TRIAL_REFUSED 42
#define TRIAL_DAMAGED 43        /* pmemobj_check found damage */

int
pf_pool_open_trial(const char *path, char *msg, size_t msglen)
{
	pid_t pid = fork();
	if (pid < 0)
		return 0;       /* cannot isolate: open unprotected */
	if (pid == 0) {
		pf_pool *p;
		char m[8];
		struct stat st;
		/* the verdict travels in the exit code; a sanitizer's report
		 * of a fault would only clutter the caller's one-line error */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 2);
		/* files that are no pool at all: the real open explains */
		if (stat(path, &st) != 0 ||
		    pf_pool_precheck(path, &st, m, sizeof(m)) != 0)
			_exit(TRIAL_REFUSED);
		/* a damaged lane is replayed by the next transaction that
		 * uses it, long after open: pmemobj_check reads them all */
		if (pmemobj_check(path, PF_LAYOUT_NAME) == 0)
			_exit(TRIAL_DAMAGED);
		if (pf_pool_open(path, 0, &p, m, sizeof(m)) < 0)
			_exit(TRIAL_REFUSED);
		pf_pool_close(p);
		_exit(TRIAL_OK);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (WIFEXITED(st) && (WEXITSTATUS(st) == TRIAL_OK ||
			      WEXITSTATUS(st) == TRIAL_REFUSED))
		return 0;
	if (msg && msglen) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == TRIAL_DAMAGED)
			snprintf(msg, msglen, "%s: the pool is damaged: libpmemobj's "
				 "consistency check failed; run pmemfile fsck", path);
		else if (WIFSIGNALED(st))
			snprintf(msg, msglen, "%s: the pool is damaged: opening "
				 "it crashed libpmemobj (%s); run pmemfile fsck",
				 path, strsignal(WTERMSIG(st)));
		else
			snprintf(msg, msglen, "%s: the pool is damaged: a trial "
				 "open failed (exit %d); run pmemfile fsck", path,
				 WEXITSTATUS(st));
	}
	return -EIO;
}
