/* SPDX-License-Identifier: BSD-3-Clause */
/* Directory notification (fcntl F_NOTIFY) on pool directories. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "notify.h"

long dnotify_set(struct call *c, struct ofd *o, int fd, unsigned long arg)
{
	sc_log_unsupported(c, "F_NOTIFY is not supported in a pool");
	return -EINVAL;
}

void dnotify_ofd_gone(struct ofd *o)
{
}
