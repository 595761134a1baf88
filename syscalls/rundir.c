/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The supervisor's private runtime directory, for the host files the
 * kernel needs in place of pool files: copies of programs being executed
 * (x/, exec_cache.c), FIFOs (f/, fifo.c) and bound UNIX sockets (s/,
 * socket.c).
 *
 * /dev/shm/pmemfile-run-PID-XXXXXX: tmpfs (memory speed, like the pool),
 * where files may be executed; $TMPDIR or /tmp when /dev/shm is missing
 * or noexec. Mode 0711, and so are its subdirectories: the tree (which
 * may run as other users) can reach a name it is given but cannot list
 * them. Made on first use, removed at sc_shutdown; directories of
 * supervisors that died without removing theirs (SIGKILL) are removed by
 * the next one to make its own.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "syscalls.h"
#include "rundir.h"

#define PREFIX "pmemfile-run-"

static char root[PATH_MAX];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void rundir_remove(const char *path, int depth)
{
	DIR *d = depth > 0 ? opendir(path) : NULL;
	if (d) {
		struct dirent *de;
		char sub[PATH_MAX];
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") &&
			    strcmp(de->d_name, "..") &&
			    snprintf(sub, sizeof(sub), "%s/%s", path,
				     de->d_name) < (int)sizeof(sub))
				rundir_remove(sub, depth - 1);
		closedir(d);
	}
	if (rmdir(path) < 0)
		unlink(path);
}

/* Directories PREFIX<pid>-* in dir of supervisors that are gone. */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) != 0)
			continue;
		char *end;
		long pid = strtol(de->d_name + strlen(PREFIX), &end, 10);
		if (*end != '-' || pid <= 0 || pid == getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			rundir_remove(path, RUNDIR_DEPTH);
	}
	closedir(d);
}

static int make_root(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *dirs[] = { "/dev/shm", tmp && *tmp == '/' ? tmp : "/tmp",
			       "/tmp" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct statvfs sv;
		if (statvfs(dirs[i], &sv) < 0 || (sv.f_flag & ST_NOEXEC))
			continue;
		remove_stale(dirs[i]);
		snprintf(root, sizeof(root), "%s/" PREFIX "%d-XXXXXX", dirs[i],
			 (int)getpid());
		if (mkdtemp(root) && chmod(root, 0711) == 0)
			return 0;
	}
	root[0] = 0;
	sc_log(SC_LOG_ERR,
	       "no runtime directory: /dev/shm, $TMPDIR and /tmp are noexec or not writable");
	return -EACCES;
}

int rundir_sub(const char *name, char *out, size_t size)
{
	int r = 0;
	pthread_mutex_lock(&lock);
	if (!root[0])
		r = make_root();
	if (r == 0 && snprintf(out, size, "%s/%s", root, name) >= (int)size)
		r = -ENAMETOOLONG;
	if (r == 0 && mkdir(out, 0711) < 0 && errno != EEXIST)
		r = -errno;
	pthread_mutex_unlock(&lock);
	return r;
}

int rundir_owns(const char *path)
{
	size_t n = strlen(root);
	return n && !strncmp(path, root, n) && path[n] == '/';
}

void rundir_shutdown(void)
{
	pthread_mutex_lock(&lock);
	if (root[0])
		rundir_remove(root, RUNDIR_DEPTH);
	root[0] = 0;
	pthread_mutex_unlock(&lock);
}
