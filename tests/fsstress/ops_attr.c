/* SPDX-License-Identifier: BSD-3-Clause */
/* Operations on attributes and data: chmod, chown, truncate, write, read,
 * stat, readdir, utimensat, set/get/list/removexattr. What they observe
 * goes into the log. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ops.h"

#define MAXIO (128 * 1024)
#define PICK(r, a) ((a)[rng_below(&(r)->rng, sizeof(a) / sizeof((a)[0]))])

/* a small set, so that owners repeat and setgid inheritance shows */
static const int ids[] = { -1, 0, 1, 1000, 65534 };

/* the byte at offset off of a write tagged tag: every write differs */
static unsigned char pattern(uint64_t off, uint32_t tag)
{
	return (unsigned char)((off * 131) ^ (tag * 7) ^ (off >> 9) ^ (tag >> 8));
}

void time_str(const struct timespec *ts, char *out, size_t len)
{
	if (ts->tv_sec < FIXED_TIME_LIMIT)
		snprintf(out, len, "%lld.%09ld", (long long)ts->tv_sec, ts->tv_nsec);
	else
		snprintf(out, len, "now");
}

/* offsets: mostly near the start, some in page steps, a few far out */
static uint64_t gen_offset(struct run *r)
{
	unsigned k = rng_below(&r->rng, 100);
	if (k < 50) return rng_below(&r->rng, 64 * 1024);
	if (k < 80) return rng_below(&r->rng, 1024 * 1024);
	if (k < 95) return 4096ull * rng_below(&r->rng, 64);
	return rng_below(&r->rng, 8 * 1024 * 1024);
}

static size_t gen_len(struct run *r)
{
	if (rng_pct(&r->rng, 10))
		return 1 + rng_below(&r->rng, MAXIO);
	return 1 + rng_below(&r->rng, 16 * 1024);
}

long op_chmod(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	gen_path(r, NULL, path, sizeof(path));
	mode_t mode = rng_below(&r->rng, 010000);
	snprintf(args, alen, "%s %04o", path, mode);
	return chmod(path, mode) < 0 ? -errno : 0;
}

long op_chown(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	gen_path(r, NULL, path, sizeof(path));
	int uid = PICK(r, ids), gid = PICK(r, ids);
	int nofollow = rng_pct(&r->rng, 30);
	snprintf(args, alen, "%s %d:%d%s", path, uid, gid, nofollow ? " nofollow" : "");
	if (fchownat(AT_FDCWD, path, (uid_t)uid, (gid_t)gid,
		     nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0)
		return -errno;
	/* root's chown clears set-id bits of non-directories: show it */
	struct stat st;
	if (fstatat(AT_FDCWD, path, &st, nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0)
		return -errno;
	snprintf(extra, elen, "mode %06o", (unsigned)st.st_mode);
	return 0;
}

long op_truncate(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	gen_path(r, "ffffld", path, sizeof(path));
	unsigned k = rng_below(&r->rng, 100);
	off_t len = k < 20 ? 0 : k < 90 ? (off_t)gen_offset(r) :
		    (off_t)rng_below(&r->rng, 4 * 1024 * 1024);
	snprintf(args, alen, "%s %lld", path, (long long)len);
	return truncate(path, len) < 0 ? -errno : 0;
}

long op_write(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	static unsigned char buf[MAXIO];
	char path[PATHBUF];
	gen_path(r, "fffl", path, sizeof(path));
	uint64_t off = gen_offset(r);
	size_t len = gen_len(r);
	uint32_t tag = (uint32_t)rng_next(&r->rng);
	int append = rng_pct(&r->rng, 15);
	snprintf(args, alen, "%s off %llu len %zu tag %08x%s", path,
		 (unsigned long long)off, len, tag, append ? " append" : "");
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | (append ? O_APPEND : 0));
	if (fd < 0)
		return -errno;
	/* with O_APPEND Linux's pwrite writes at the end, not at off: the
	 * pattern follows the offset it was asked for either way */
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(off + i, tag);
	long ret = pwrite(fd, buf, len, (off_t)off);
	if (ret < 0)
		ret = -errno;
	struct stat st;
	if (ret >= 0 && fstat(fd, &st) == 0)
		snprintf(extra, elen, "size %lld", (long long)st.st_size);
	close(fd);
	return ret;
}

long op_read(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	static unsigned char buf[MAXIO];
	char path[PATHBUF];
	/* regular files only: a FIFO opened for reading differs on purpose
	 * (a pool has no FIFO buffers: ENXIO, see pmemfile(7)) */
	snprintf(path, sizeof(path), "%s", tree_pick(&r->tree, &r->rng, "f")->path);
	uint64_t off = gen_offset(r);
	size_t len = gen_len(r);
	snprintf(args, alen, "%s off %llu len %zu", path, (unsigned long long)off, len);
	struct stat st;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		snprintf(extra, elen, "not a file");
		return 0;
	}
	/* mostly inside the file (its size is a result both runs share) */
	if (st.st_size > 0 && rng_pct(&r->rng, 70)) {
		off = rng_next(&r->rng) % (uint64_t)st.st_size;
		snprintf(args, alen, "%s off %llu len %zu", path,
			 (unsigned long long)off, len);
	}
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	long ret = pread(fd, buf, len, (off_t)off);
	if (ret < 0)
		ret = -errno;
	else
		snprintf(extra, elen, "hash %016llx",
			 (unsigned long long)fnv(FNV_INIT, buf, (size_t)ret));
	close(fd);
	return ret;
}

long op_stat(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF], mt[48], at[48];
	gen_path(r, NULL, path, sizeof(path));
	int nofollow = rng_pct(&r->rng, 50);
	snprintf(args, alen, "%s%s", path, nofollow ? " nofollow" : "");
	struct stat st;
	if (fstatat(AT_FDCWD, path, &st, nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0)
		return -errno;
	time_str(&st.st_mtim, mt, sizeof(mt));
	time_str(&st.st_atim, at, sizeof(at));
	/* directory sizes are the file system's own business */
	snprintf(extra, elen, "%c %04o %u:%u nlink %lu size %lld mtime %s atime %s",
		 type_of_mode(st.st_mode), (unsigned)st.st_mode & 07777,
		 (unsigned)st.st_uid, (unsigned)st.st_gid,
		 (unsigned long)st.st_nlink,
		 S_ISDIR(st.st_mode) ? 0ll : (long long)st.st_size, mt, at);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long op_readdir(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	gen_path(r, "dddl", path, sizeof(path));
	snprintf(args, alen, "%s", path);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(de->d_name);
	}
	long ret = errno ? -errno : (long)n;
	closedir(d);
	/* listing order is the file system's: compare the sorted names */
	qsort(names, n, sizeof(*names), cmp_str);
	uint64_t h = FNV_INIT;
	for (size_t i = 0; i < n; i++) {
		h = fnv(h, names[i], strlen(names[i]) + 1);
		free(names[i]);
	}
	free(names);
	if (ret >= 0)
		snprintf(extra, elen, "hash %016llx", (unsigned long long)h);
	return ret;
}

long op_utimes(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	static const long secs[] = { 100000000, 200000000, 300000000 };
	char path[PATHBUF];
	gen_path(r, NULL, path, sizeof(path));
	struct timespec ts[2];
	char desc[2][48];
	for (int i = 0; i < 2; i++) {
		unsigned k = rng_below(&r->rng, 10);
		ts[i].tv_sec = PICK(r, secs);
		ts[i].tv_nsec = (long)rng_below(&r->rng, 4) * 250000000;
		if (k == 0)
			ts[i].tv_nsec = UTIME_NOW;
		else if (k == 1)
			ts[i].tv_nsec = UTIME_OMIT;
		if (k <= 1)
			snprintf(desc[i], sizeof(desc[i]), "%s", k ? "omit" : "now");
		else
			time_str(&ts[i], desc[i], sizeof(desc[i]));
	}
	int nofollow = rng_pct(&r->rng, 30);
	snprintf(args, alen, "%s %s %s%s", path, desc[0], desc[1],
		 nofollow ? " nofollow" : "");
	return utimensat(AT_FDCWD, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0 ?
		-errno : 0;
}

/* ---- extended attributes ---- */

/* a name from a small set, so that sets, gets and removes meet; one in
 * twelve is one Linux refuses ("", no namespace, a namespace alone) */
static const char *gen_xname(struct run *r)
{
	static const char *const good[] = { "user.a", "user.b",
					    "user.long.name", "trusted.t",
					    "security.s" };
	static const char *const bad[] = { "", "nons", "user.", "foo.bar" };
	if (rng_pct(&r->rng, 8))
		return PICK(r, bad);
	return PICK(r, good);
}

/* sorted names of a list, hashed with their values (via get) */
static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long op_setxattr(struct run *r, char *args, size_t alen, char *extra,
		 size_t elen)
{
	static unsigned char buf[8192];
	char path[PATHBUF];
	gen_path(r, NULL, path, sizeof(path));
	const char *name = gen_xname(r);
	static const int flags[] = { 0, 0, XATTR_CREATE, XATTR_REPLACE };
	int fl = PICK(r, flags);
	size_t len = rng_pct(&r->rng, 10) ? rng_below(&r->rng, sizeof(buf)) :
					    rng_below(&r->rng, 200);
	uint32_t tag = (uint32_t)rng_next(&r->rng);
	int nofollow = rng_pct(&r->rng, 30);
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(i, tag);
	snprintf(args, alen, "%s %s len %zu tag %08x flags %d%s", path, name,
		 len, tag, fl, nofollow ? " nofollow" : "");
	int ret = nofollow ? lsetxattr(path, name, buf, len, fl) :
			     setxattr(path, name, buf, len, fl);
	return ret < 0 ? -errno : 0;
}

long op_getxattr(struct run *r, char *args, size_t alen, char *extra,
		 size_t elen)
{
	static unsigned char buf[8192];
	char path[PATHBUF];
	gen_path(r, NULL, path, sizeof(path));
	const char *name = gen_xname(r);
	int nofollow = rng_pct(&r->rng, 30);
	/* sometimes a buffer too small (ERANGE) or none (the size) */
	size_t size = rng_pct(&r->rng, 10) ? rng_below(&r->rng, 8) :
		rng_pct(&r->rng, 10)	   ? 0 :
					     sizeof(buf);
	snprintf(args, alen, "%s %s size %zu%s", path, name, size,
		 nofollow ? " nofollow" : "");
	ssize_t n = nofollow ? lgetxattr(path, name, buf, size) :
			       getxattr(path, name, buf, size);
	if (n < 0)
		return -errno;
	if (size)
		snprintf(extra, elen, "hash %016llx",
			 (unsigned long long)fnv(FNV_INIT, buf, (size_t)n));
	return n;
}

long op_listxattr(struct run *r, char *args, size_t alen, char *extra,
		  size_t elen)
{
	static char buf[8192];
	char path[PATHBUF];
	gen_path(r, NULL, path, sizeof(path));
	int nofollow = rng_pct(&r->rng, 30);
	snprintf(args, alen, "%s%s", path, nofollow ? " nofollow" : "");
	ssize_t n = nofollow ? llistxattr(path, buf, sizeof(buf)) :
			       listxattr(path, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	/* listing order is the file system's: the sorted names */
	char *names[64];
	size_t k = 0;
	for (ssize_t o = 0; o < n && k < 64; o += (ssize_t)strlen(buf + o) + 1)
		names[k++] = buf + o;
	qsort(names, k, sizeof(*names), cmp_cstr);
	size_t o = 0;
	for (size_t i = 0; i < k && o < elen; i++)
		o += (size_t)snprintf(extra + o, elen - o, "%s%s", i ? " " : "",
				      names[i]);
	return n;
}

long op_removexattr(struct run *r, char *args, size_t alen, char *extra,
		    size_t elen)
{
	char path[PATHBUF];
	gen_path(r, NULL, path, sizeof(path));
	const char *name = gen_xname(r);
	int nofollow = rng_pct(&r->rng, 30);
	snprintf(args, alen, "%s %s%s", path, name,
		 nofollow ? " nofollow" : "");
	int ret = nofollow ? lremovexattr(path, name) : removexattr(path, name);
	return ret < 0 ? -errno : 0;
}
