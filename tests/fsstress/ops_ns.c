/* SPDX-License-Identifier: BSD-3-Clause */
/* Operations on names: create, mkdir, link, symlink, mknod, rename,
 * unlink, rmdir. Each updates the tree model only when its call worked. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"

static const mode_t file_modes[] = { 0644, 0600, 0755, 0444, 0666, 04755, 02750 };
/* mostly open to everyone: unprivileged ops (ops.c) must get somewhere */
static const mode_t dir_modes[] = { 0777, 0777, 01777, 03777, 0755, 0700, 02775, 0555 };

#define PICK(r, a) ((a)[rng_below(&(r)->rng, sizeof(a) / sizeof((a)[0]))])

/* note a new object in the model unless the name is known already */
static void learn(struct run *r, const char *path, char type)
{
	char n[PATHBUF];
	norm(path, n, sizeof(n));
	if (tree_find(&r->tree, n) < 0)
		tree_add(&r->tree, n, type);
}

long op_creat(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	if (rng_pct(&r->rng, 60))
		gen_new(r, 'f', path, sizeof(path));
	else
		gen_path(r, NULL, path, sizeof(path));
	/* O_NONBLOCK: an existing FIFO must answer ENXIO, not block */
	int flags = O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC;
	int excl = rng_pct(&r->rng, 30), trunc = rng_pct(&r->rng, 20);
	flags |= (excl ? O_EXCL : 0) | (trunc ? O_TRUNC : 0);
	mode_t mode = PICK(r, file_modes);
	snprintf(args, alen, "%s %04o%s%s", path, mode, excl ? " excl" : "",
		 trunc ? " trunc" : "");
	int fd = open(path, flags, mode);
	if (fd < 0)
		return -errno;
	struct stat st;
	long ret = fstat(fd, &st) < 0 ? -errno : 0;
	if (ret == 0)
		snprintf(extra, elen, "mode %06o size %lld", (unsigned)st.st_mode,
			 (long long)st.st_size);
	close(fd);
	learn(r, path, 'f');
	return ret;
}

long op_mkdir(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	if (rng_pct(&r->rng, 80))
		gen_new(r, 'd', path, sizeof(path));
	else
		gen_path(r, NULL, path, sizeof(path));
	mode_t mode = PICK(r, dir_modes);
	snprintf(args, alen, "%s %04o", path, mode);
	if (mkdir(path, mode) < 0)
		return -errno;
	learn(r, path, 'd');
	return 0;
}

long op_link(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char old[PATHBUF], new[PATHBUF];
	gen_path(r, "ffflpd", old, sizeof(old));
	gen_new(r, 'h', new, sizeof(new));
	int follow = rng_pct(&r->rng, 20);
	snprintf(args, alen, "%s %s%s", old, new, follow ? " follow" : "");
	if (linkat(AT_FDCWD, old, AT_FDCWD, new, follow ? AT_SYMLINK_FOLLOW : 0) < 0)
		return -errno;
	/* with follow the new name is the target's type: ask */
	struct stat st;
	if (lstat(new, &st) < 0)
		return -errno;
	snprintf(extra, elen, "type %c nlink %lu", type_of_mode(st.st_mode),
		 (unsigned long)st.st_nlink);
	learn(r, new, type_of_mode(st.st_mode));
	return 0;
}

long op_symlink(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char target[PATHBUF], path[PATHBUF];
	gen_target(r, target, sizeof(target));
	gen_new(r, 'l', path, sizeof(path));
	snprintf(args, alen, "%s -> %s", path, target);
	if (symlink(target, path) < 0)
		return -errno;
	learn(r, path, 'l');
	return 0;
}

long op_mknod(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	gen_new(r, 'p', path, sizeof(path));
	snprintf(args, alen, "%s fifo 0640", path);
	if (mknod(path, S_IFIFO | 0640, 0) < 0)
		return -errno;
	learn(r, path, 'p');
	return 0;
}

/* the destination of a rename: the flags decide what is likely useful */
static void rename_dst(struct run *r, const char *src, int exchange,
		       char *dst, size_t len)
{
	unsigned k = rng_below(&r->rng, 100);
	char n[PATHBUF];
	if (k < (exchange ? 75u : 40u)) {
		snprintf(dst, len, "%s", tree_pick(&r->tree, &r->rng, NULL)->path);
	} else if (k < 80) {
		gen_new(r, 'r', dst, len);
	} else if (k < 88) {
		/* into itself: EINVAL for a directory, ENOTDIR otherwise */
		char name[32];
		snprintf(name, sizeof(name), "r%lu", r->next_name++);
		norm(src, n, sizeof(n));
		join(n, name, dst, len);
	} else if (k < 93) {
		/* onto its own parent: ENOTEMPTY, EISDIR, EINVAL... */
		norm(src, n, sizeof(n));
		parent_of(n, dst, len);
	} else {
		gen_path(r, NULL, dst, len);
	}
}

long op_rename(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char src[PATHBUF], dst[PATHBUF];
	unsigned k = rng_below(&r->rng, 100);
	unsigned flags = k < 60 ? 0 : k < 80 ? RENAME_NOREPLACE : RENAME_EXCHANGE;
	gen_path(r, NULL, src, sizeof(src));
	rename_dst(r, src, flags == RENAME_EXCHANGE, dst, sizeof(dst));
	snprintf(args, alen, "%s %s %s", src, dst,
		 flags == 0 ? "0" : flags == RENAME_NOREPLACE ? "noreplace" : "exchange");
	if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, flags) < 0)
		return -errno;
	char ns[PATHBUF], nd[PATHBUF];
	norm(src, ns, sizeof(ns));
	norm(dst, nd, sizeof(nd));
	if (flags == RENAME_EXCHANGE) {
		tree_exchange(&r->tree, ns, nd);
		return 0;
	}
	/* two names of one inode: rename does nothing and succeeds */
	struct stat st;
	if (strcmp(ns, nd) && lstat(src, &st) == 0) {
		snprintf(extra, elen, "same inode");
		return 0;
	}
	tree_move(&r->tree, ns, nd);
	return 0;
}

/* unlink and rmdir: a name of the kinds given, removed from the tree
 * model when the call succeeds */
static long remove_op(struct run *r, const char *kinds, int (*rm)(const char *),
		      char *args, size_t alen)
{
	char path[PATHBUF];
	gen_path(r, kinds, path, sizeof(path));
	snprintf(args, alen, "%s", path);
	if (rm(path) < 0)
		return -errno;
	char n[PATHBUF];
	norm(path, n, sizeof(n));
	tree_remove(&r->tree, n);
	return 0;
}

long op_unlink(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	return remove_op(r, "ffflpd", unlink, args, alen);
}

long op_rmdir(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	return remove_op(r, "dddf", rmdir, args, alen);
}
