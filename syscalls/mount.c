/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mount table: which host directories are pools, and which mount a
 * host path falls in (the longest matching mount point).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "syscalls.h"

static struct mount mounts[SC_MAX_MOUNTS];
static int nmounts;

int sc_mount_add(const char *dir, pf_pool *pool, const char *source)
{
	if (dir[0] != '/')
		return -EINVAL;
	if (nmounts == SC_MAX_MOUNTS)
		return -ENOSPC;
	struct mount *m = &mounts[nmounts];
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len >= sizeof(m->dir))
		return -ENAMETOOLONG;
	memcpy(m->dir, dir, len);
	m->dir[len] = 0;
	m->dirlen = len;
	memcpy(m->parent, m->dir, len + 1);
	char *slash = strrchr(m->parent, '/');
	if (slash == m->parent)
		slash[1] = 0;
	else
		*slash = 0;
	m->pool = pool;
	snprintf(m->source, sizeof(m->source), "%s", source ? source : "pmemfile");
	m->dev = pool ? pf_pool_dev(pool) : 0;
	m->mnt_id = 0x7fff0000 + nmounts;
	m->root_ino = 0;
	if (pool) {
		struct pf_caller pc = { .caps = ~0ULL };
		struct pf_stat st;
		if (pf_fstatat(pool, &pc, NULL, PF_PATH_SELF, &st, 0) == 0)
			m->root_ino = st.ino;
	}
	nmounts++;
	return 0;
}

int sc_mount_count(void)
{
	return nmounts;
}

struct mount *sc_mount_get(int i)
{
	return &mounts[i];
}

/*
 * Walks abs and the mount dir component by component (ignoring repeated
 * slashes and "." components, as the kernel does) and returns where the
 * in-pool part of abs starts. The longest matching mount wins.
 */
static const char *match_one(const char *abs, const char *dir)
{
	const char *a = abs, *d = dir;
	for (;;) {
		while (*d == '/')
			d++;
		for (;;) {
			while (*a == '/')
				a++;
			if (a[0] == '.' && (a[1] == '/' || a[1] == 0))
				a++;
			else
				break;
		}
		if (!*d)
			return a;  /* dir exhausted: the rest is in the pool */
		size_t n = strcspn(d, "/");
		if (strncmp(a, d, n) != 0 || (a[n] != '/' && a[n] != 0))
			return NULL;
		a += n;
		d += n;
	}
}

const char *mount_match(const char *abs, struct mount **mp)
{
	const char *best = NULL;
	size_t bestlen = 0;
	for (int i = 0; i < nmounts; i++) {
		const char *r = match_one(abs, mounts[i].dir);
		if (r && (!best || mounts[i].dirlen > bestlen)) {
			best = r;
			bestlen = mounts[i].dirlen;
			*mp = &mounts[i];
		}
	}
	if (!best)
		return NULL;
	/* in-pool absolute: back up to include one '/' (or "/" for root) */
	if (*best == 0)
		return "/";
	return best - 1;
}
