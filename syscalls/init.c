/* SPDX-License-Identifier: BSD-3-Clause */
/* The syscall layer's global state: set up before the first call, torn
 * down after the last (before the pools are closed). */
#include "syscalls.h"
#include "exec_cache.h"
#include "rundir.h"
#include "shm.h"
#include "notify.h"

int sc_init(void)
{
	return ofd_init();
}

void sc_shutdown(void)
{
	/* what was stored through shared mappings goes to the pools */
	shm_shutdown();
	/* placeholders first: they hold descriptions */
	placeholder_shutdown();
	ofd_shutdown();
	inotify_shutdown();
	proc_clear_all();
	exec_cache_shutdown();
	twin_shutdown();
	rundir_shutdown();
}
