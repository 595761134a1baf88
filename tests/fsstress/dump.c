/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The canonical listing of a tree, one line per entry in sorted path
 * order: type, permission bits, owner, link count, size (not of
 * directories: that is the file system's own), symlink target or a hash
 * of the contents, and the times the exerciser set (later ones print as
 * "now"), then its extended attributes (sorted names, each with a hash of
 * its value). No inode numbers, no block counts, no ctimes: they differ
 * between file systems without anything being wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ops.h"

static int content_hash(const char *path, uint64_t *h)
{
	static unsigned char buf[65536];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*h = FNV_INIT;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*h = fnv(*h, buf, (size_t)n);
	int e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* " xattr NAME=HASH..." for the attributes of path (not followed) */
static int xattr_desc(const char *path, char *out, size_t len)
{
	static char list[65536];
	static unsigned char val[65536];
	ssize_t n = llistxattr(path, list, sizeof(list));
	if (n < 0)
		return -errno;
	char *names[256];
	size_t k = 0;
	for (ssize_t o = 0; o < n && k < 256;
	     o += (ssize_t)strlen(list + o) + 1)
		names[k++] = list + o;
	qsort(names, k, sizeof(*names), cmp_cstr);
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < k && o < len; i++) {
		ssize_t v = lgetxattr(path, names[i], val, sizeof(val));
		if (v < 0)
			return -errno;
		o += (size_t)snprintf(
			out + o, len - o, " xattr %s=%016llx", names[i],
			(unsigned long long)fnv(FNV_INIT, val, (size_t)v));
	}
	return 0;
}

struct dump {
	const char *root;
	FILE *out;
};

static int dump_one(const char *path, const struct stat *st, void *arg)
{
	struct dump *d = arg;
	char full[PATHBUF], mt[48], at[48], what[PATHBUF + 32] = "";
	snprintf(full, sizeof(full), "%s/%s", d->root, path);
	if (S_ISREG(st->st_mode)) {
		uint64_t h = 0;
		int e = content_hash(full, &h);
		if (e) {
			fprintf(stderr, "pf-fsstress: read %s: %s\n", full, strerror(-e));
			return e;
		}
		snprintf(what, sizeof(what), " size %lld hash %016llx",
			 (long long)st->st_size, (unsigned long long)h);
	} else if (S_ISLNK(st->st_mode)) {
		char target[PATHBUF];
		ssize_t n = readlink(full, target, sizeof(target) - 1);
		if (n < 0) {
			fprintf(stderr, "pf-fsstress: readlink %s: %s\n", full, strerror(errno));
			return -errno;
		}
		target[n] = 0;
		snprintf(what, sizeof(what), " -> %s", target);
	}
	char xa[4096];
	int e = xattr_desc(full, xa, sizeof(xa));
	if (e) {
		fprintf(stderr, "pf-fsstress: listxattr %s: %s\n", full,
			strerror(-e));
		return e;
	}
	/* the times as lstat saw them, before the hash read the file */
	time_str(&st->st_mtim, mt, sizeof(mt));
	time_str(&st->st_atim, at, sizeof(at));
	fprintf(d->out, "%s %c %04o %u:%u nlink %lu mtime %s atime %s%s%s\n",
		path, type_of_mode(st->st_mode), (unsigned)st->st_mode & 07777,
		(unsigned)st->st_uid, (unsigned)st->st_gid,
		(unsigned long)st->st_nlink, mt, at, what, xa);
	return 0;
}

int dump_tree(const char *root, FILE *out)
{
	struct dump d = { root, out };
	return walk_tree(root, 0, dump_one, &d);
}
