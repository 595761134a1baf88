/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --ephemeral: a pool made for this run and removed at its end.
 *
 * The pool is $PMEMFILE_RUNTIME_DIR (default /dev/shm/pmemfile-run-UID, a
 * 0700 directory of the user) /ephemeral-PID.pool. It is removed by an
 * atexit handler, which runs on every way pmemfile-run ends but SIGKILL
 * (the command's exit status, its failure, a signal forwarded to it, a
 * start-up failure after the pool was made); the pool of a pmemfile-run
 * that was SIGKILLed is removed by the next start-up of --ephemeral that
 * finds its pid dead.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"

#define DEFAULT_SIZE (256ULL << 20) /* as the default pool */

static char dir[PATH_MAX];
static char pool[PATH_MAX + 64];
static pid_t owner;

static void remove_pool(void)
{
	/* not in a child that returned instead of exec'ing */
	if (pool[0] && getpid() == owner)
		unlink(pool);
}

/* Removes the ephemeral pools of pmemfile-runs that are gone. */
static void remove_stale(void)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		long pid;
		char tail[16];
		if (sscanf(e->d_name, "ephemeral-%ld%15s", &pid, tail) != 2 ||
		    strcmp(tail, ".pool") != 0 || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char p[PATH_MAX + 300];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) == 0)
			log_msg(3, "removed the stale ephemeral pool %s", p);
	}
	closedir(d);
}

void ephemeral_setup(struct options *o)
{
	if (!o->ephemeral)
		return;
	if (o->npools)
		die("--ephemeral makes its own pool; give --mount DIR alone, not --pool");
	const char *env = getenv("PMEMFILE_RUNTIME_DIR");
	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "/dev/shm/pmemfile-run-%u",
			 (unsigned)getuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		die("--ephemeral: cannot make %s: %s", dir, strerror(errno));
	struct stat st;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid())
		die("--ephemeral: %s is not a directory of this user", dir);
	remove_stale();
	/* under --sandbox, no tree may write here (other runs' pools) */
	sandbox_protect(dir);
	owner = getpid();
	snprintf(pool, sizeof(pool), "%s/ephemeral-%d.pool", dir, (int)owner);
	unlink(pool); /* a stale one of a pid that came back */
	const char *mount = o->ephemeral_mount;
	if (!mount) {
		mount = getenv("PMEMFILE_DEFAULT_MOUNT");
		if (!mount || !*mount)
			mount = "/pmem";
	}
	o->pool[0] = pool;
	o->mount[0] = mount;
	o->npools = 1;
	if (!o->create_size)
		o->create_size = DEFAULT_SIZE;
	atexit(remove_pool);
}
