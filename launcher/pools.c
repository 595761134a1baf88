/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening pools: explicit ones, --create, and the per-user default. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

void pools_open(struct options *o)
{
	if (o->npools == 0)
		use_default(o);
	for (int i = 0; i < o->npools; i++) {
		char msg[256] = "";
		int r = pf_pool_open(o->pool[i], 0, &o->open[i], msg, sizeof(msg));
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
		if (r < 0)
			die("cannot open pool %s: %s", o->pool[i],
			    msg[0] ? msg : strerror(-r));
		r = sc_mount_add(o->mount[i], o->open[i]);
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
