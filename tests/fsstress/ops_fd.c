/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptions held across operations: an open of a file or directory
 * (followed through symlinks), or of a symlink itself (O_PATH |
 * O_NOFOLLOW), kept in a slot while other operations rename, link and
 * remove names; later, the name /proc/self/fd shows for it and what fstat
 * says. The kernel keeps that name with the dentry the open found: it
 * moves with renames of the file and of its directories and gets
 * " (deleted)" once that name is unlinked or renamed over, though another
 * link may keep the file. A pool supervisor has no dentries and must
 * reproduce it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ops.h"

long op_hold(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	char path[PATHBUF];
	gen_path(r, "ffdll", path, sizeof(path));
	unsigned slot = rng_below(&r->rng, HELD);
	int opath = rng_pct(&r->rng, 20);
	int flags = opath ? O_PATH | O_NOFOLLOW | O_CLOEXEC :
			    O_RDONLY | O_NONBLOCK | O_CLOEXEC;
	snprintf(args, alen, "%s slot %u%s", path, slot, opath ? " path" : "");
	if (r->held[slot]) {
		close(r->held[slot] - 1);
		r->held[slot] = 0;
	}
	int fd = open(path, flags);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		/* a FIFO's /proc name is a documented difference (pmemfile(7)) */
		close(fd);
		snprintf(extra, elen, "not held: a FIFO or socket");
		return 0;
	}
	r->held[slot] = fd + 1;
	return 0;
}

long op_fdname(struct run *r, char *args, size_t alen, char *extra, size_t elen)
{
	unsigned slot = rng_below(&r->rng, HELD);
	snprintf(args, alen, "slot %u", slot);
	if (!r->held[slot]) {
		snprintf(extra, elen, "empty");
		return 0;
	}
	int fd = r->held[slot] - 1;
	char link[64], name[PATHBUF];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, name, sizeof(name) - 1);
	if (n < 0)
		return -errno;
	name[n] = 0;
	size_t rl = strlen(r->root);
	const char *rel = name;
	if (strncmp(name, r->root, rl) == 0 && (name[rl] == '/' || !name[rl]))
		rel = name[rl] ? name + rl + 1 : ".";
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* a directory's size and blocks are the file system's own */
	snprintf(extra, elen, "name %.160s mode %o nlink %lu size %lld", rel,
		 (unsigned)st.st_mode, (unsigned long)st.st_nlink,
		 S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
	return 0;
}

void held_close(struct run *r)
{
	for (unsigned i = 0; i < HELD; i++)
		if (r->held[i]) {
			close(r->held[i] - 1);
			r->held[i] = 0;
		}
}
