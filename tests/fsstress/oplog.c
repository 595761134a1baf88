/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The op log: one line per operation with its arguments and its result
 * (return value or errno name). Two runs are equal when their logs are:
 * the hash of all lines is printed at the end, the lines themselves are
 * written with -l/-v so that the first difference can be found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "fsstress.h"

void oplog_line(struct oplog *l, const char *fmt, ...)
{
	char buf[16384];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	l->hash = fnv(l->hash, buf, (size_t)n);
	l->lines++;
	if (l->out)
		fwrite(buf, 1, (size_t)n, l->out);
}

const char *result_str(long ret, char *buf, size_t len)
{
	if (ret >= 0) {
		snprintf(buf, len, "= %ld", ret);
	} else {
		const char *name = strerrorname_np((int)-ret);
		if (name)
			snprintf(buf, len, "= -1 %s", name);
		else
			snprintf(buf, len, "= -1 errno%ld", -ret);
	}
	return buf;
}

/*
 * Every errno the calls of ops.c may return on a healthy file system,
 * including races between processes. Anything else (EIO, ESRCH, EFAULT,
 * ENOSPC, EBADF...) says the file system or the supervisor is broken, and
 * fails the run even where nothing is compared (multi-process mode).
 */
int errno_expected(int e)
{
	switch (e) {
	case ENOENT: case EEXIST: case ENOTEMPTY: case EISDIR: case ENOTDIR:
	case EINVAL: case ELOOP: case ENXIO: case EBUSY: case ENAMETOOLONG:
	case EMLINK: case EPERM: case ESPIPE: case EACCES:
	/* extended attributes */
	case ENODATA:
	case ERANGE:
	case EOPNOTSUPP: return 1;
	default:
		return 0;
	}
}
