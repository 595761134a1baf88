/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening pools: explicit ones, --create, and the per-user default. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "launcher.h"
#include "syscalls.h"

#define DEFAULT_SIZE (256ULL << 20)
#define DEFAULT_MOUNT "/pmem"

static char default_pool[PATH_MAX];

static void mkdir_p(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
}

/* Fills o with the default pool, creating it on first use. */
static void use_default(struct options *o)
{
	const char *pool = getenv("PMEMFILE_DEFAULT_POOL");
	const char *mount = getenv("PMEMFILE_DEFAULT_MOUNT");
	if (!mount || !*mount)
		mount = DEFAULT_MOUNT;
	if (mount[0] != '/')
		die("PMEMFILE_DEFAULT_MOUNT=%s is not absolute; use a path starting with /", mount);
	if (pool && *pool) {
		snprintf(default_pool, sizeof(default_pool), "%s", pool);
	} else {
		const char *xdg = getenv("XDG_DATA_HOME");
		const char *home = getenv("HOME");
		if (xdg && *xdg)
			snprintf(default_pool, sizeof(default_pool), "%s/pmemfile/default.pool", xdg);
		else if (home && *home)
			snprintf(default_pool, sizeof(default_pool), "%s/.local/share/pmemfile/default.pool", home);
		else
			die("no pool given and neither HOME nor XDG_DATA_HOME is set; use --pool PATH --mount DIR");
	}
	o->pool[0] = default_pool;
	o->mount[0] = mount;
	o->npools = 1;
	if (access(default_pool, F_OK) == 0)
		return;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", default_pool);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir_p(dir);
	}
	uint64_t size = o->create_size ? o->create_size : DEFAULT_SIZE;
	char msg[256] = "";
	int r = pf_pool_create(default_pool, size, 0, msg, sizeof(msg));
	if (r < 0)
		die("cannot create the default pool %s: %s", default_pool,
		    msg[0] ? msg : strerror(-r));
	fprintf(stderr, "pmemfile-run: created the default pool %s (%llu MiB), mounted at %s\n",
		default_pool, (unsigned long long)(size >> 20), mount);
}

/*
 * The pid holding a lock on path according to /proc/locks, or 0. A pool
 * stays locked (pmemobj's flock, held through its mapping) until its
 * process is completely gone; a SIGKILLed supervisor can linger as a
 * zombie for seconds while the kernel tears down its inotify marks.
 */
static pid_t lock_holder(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	FILE *f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	char line[256];
	pid_t found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line;
		int pid;
		unsigned maj, min;
		unsigned long ino;
		/* "1: FLOCK  ADVISORY  WRITE 123 00:1b:4567 0 EOF" */
		for (int field = 0; field < 4 && p; field++) {
			p = strchr(p, ' ');
			while (p && *p == ' ')
				p++;
		}
		if (p && sscanf(p, "%d %x:%x:%lu", &pid, &maj, &min, &ino) == 4 &&
		    ino == st.st_ino && maj == major(st.st_dev) &&
		    min == minor(st.st_dev))
			found = pid;
	}
	fclose(f);
	return found;
}

/* An exiting process has released its memory: its cmdline reads empty. */
static int is_dying(pid_t pid)
{
	char path[64], buf[16];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 1;  /* gone already */
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == 0;
}

/* pf_pool_open, waiting (up to 30 s) while the pool's lock belongs to a
 * process that is exiting, and 1 s in any case (a process just killed may
 * not have started exiting yet). */
static int open_waiting(const char *path, pf_pool **out, char *msg, size_t len)
{
	int said = 0;
	for (int i = 0;; i++) {
		int r = pf_pool_open(path, PF_OPEN_ISOLATED, out, msg, len);
		if (r != -EBUSY || i >= 600)
			return r;
		pid_t holder = lock_holder(path);
		if (i >= 20 && (!holder || !is_dying(holder)))
			return r;
		if (!said++ && holder)
			log_msg(2, "pool %s is still held by exiting process %d; waiting",
				path, (int)holder);
		usleep(50000);
	}
}

void pools_open(struct options *o)
{
	if (o->npools == 0)
		use_default(o);
	for (int i = 0; i < o->npools; i++) {
		char msg[256] = "";
		int r = open_waiting(o->pool[i], &o->open[i], msg, sizeof(msg));
		if (r == -ENOENT && o->create_size) {
			r = pf_pool_create(o->pool[i], o->create_size, 0, msg, sizeof(msg));
			if (r < 0)
				die("cannot create pool %s: %s", o->pool[i],
				    msg[0] ? msg : strerror(-r));
			log_msg(3, "created pool %s", o->pool[i]);
			r = pf_pool_open(o->pool[i], 0, &o->open[i], msg, sizeof(msg));
		}
		if (r == -ENOENT)
			die("pool %s does not exist; create it with mkfs.pmemfile %s SIZE or pass --create SIZE",
			    o->pool[i], o->pool[i]);
		if (r == -EBUSY)
			die("pool %s is in use by another process; pools cannot be shared between pmemfile-run instances (run everything under one)",
			    o->pool[i]);
		if (r < 0)
			die("cannot open pool %s: %s", o->pool[i],
			    msg[0] ? msg : strerror(-r));
		/* the mount tables name the pool by its absolute path */
		char *abs = realpath(o->pool[i], NULL);
		r = sc_mount_add(o->mount[i], o->open[i], abs ? abs : o->pool[i]);
		free(abs);
		if (r < 0)
			die("cannot mount %s: %s", o->mount[i], strerror(-r));
		for (int j = 0; j < i; j++)
			if (strcmp(o->mount[i], o->mount[j]) == 0)
				die("mount point %s given twice", o->mount[i]);
	}
}

void pools_close(struct options *o)
{
	for (int i = 0; i < o->npools; i++) {
		pf_pool_close(o->open[i]);
		o->open[i] = NULL;
	}
}
