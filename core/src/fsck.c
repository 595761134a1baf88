/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include "internal.h"
int
pf_fsck(const char *path, void (*report)(void *arg, const char *message),
	void *arg)
{
	(void)path; (void)report; (void)arg;
	return -ENOSYS;
}
