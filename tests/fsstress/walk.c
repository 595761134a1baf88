/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A depth-first walk in byte order of names (strcmp, not the locale and
 * not the file system's listing order, which differ between tmpfs and a
 * pool). lstat only: symlinks are reported, never followed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsstress.h"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* an entry another process removed or replaced while we looked */
static int vanished(int tolerant, int e)
{
	return tolerant && (e == ENOENT || e == ENOTDIR);
}

/* dir: the path to open (root-prefixed); rel: the path reported */
static int walk_dir(const char *dir, const char *rel, int tolerant,
		    walk_fn *fn, void *arg)
{
	struct dirent **names;
	int n = scandir(dir, &names, skip_dots, by_name);
	if (n < 0) {
		int e = errno;
		if (vanished(tolerant, e))
			return 0;
		fprintf(stderr, "pf-fsstress: scandir %s: %s\n", dir, strerror(e));
		return -e;
	}
	int ret = 0;
	for (int i = 0; i < n; i++) {
		char full[8192], path[8192];
		struct stat st;
		snprintf(full, sizeof(full), "%s/%s", dir, names[i]->d_name);
		if (*rel)
			snprintf(path, sizeof(path), "%s/%s", rel, names[i]->d_name);
		else
			snprintf(path, sizeof(path), "%s", names[i]->d_name);
		int skip = 0;
		if (ret == 0 && lstat(full, &st) < 0) {
			if (vanished(tolerant, errno)) {
				skip = 1;
			} else {
				ret = -errno;
				fprintf(stderr, "pf-fsstress: lstat %s: %s\n", full, strerror(-ret));
			}
		}
		if (ret == 0 && !skip)
			ret = fn(path, &st, arg);
		if (ret == 0 && !skip && S_ISDIR(st.st_mode))
			ret = walk_dir(full, path, tolerant, fn, arg);
		free(names[i]);
	}
	free(names);
	return ret;
}

int walk_tree(const char *root, int tolerant, walk_fn *fn, void *arg)
{
	return walk_dir(root, "", tolerant, fn, arg);
}
