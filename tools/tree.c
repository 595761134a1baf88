/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmemfile put -r / get -r: whole trees between the host and a pool, for
 * CI jobs that seed a pool from a workspace and collect artifacts after.
 * Like `rsync -aHX SRC/ DST/`: DST is made if missing (its parents must
 * exist) and SRC's contents go into it, keeping types (directories,
 * files with their holes, symbolic links, FIFOs, sockets, device nodes
 * where permitted), modes with their set-id and sticky bits, owners (when
 * the caller may: root; otherwise they are the caller's, as for cp -a),
 * access and modification times, hard links within the tree, and
 * extended attributes. An entry that cannot be copied is reported and
 * the copy goes on; the exit status is then 1. On a terminal, a progress
 * line counts files and bytes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "tool.h"

#define BUF (1 << 20)

struct tree {
	pf_pool *pool;
	struct pf_caller *caller;
	int failed;
	/* hard links: (source inode) -> first destination path */
	struct seen {
		uint64_t dev, ino;
		char *dst;
	} * seen;
	size_t nseen, capseen;
	/* progress */
	int tty;
	unsigned long long files, bytes;
	struct timespec last;
	char *buf;
};

static void fail(struct tree *t, const char *what, int err)
{
	tool_error("%s: %s", what, strerror(err));
	t->failed = 1;
}

static void fail_attr(struct tree *t, const char *path, const char *name,
		      int err)
{
	tool_error("%s: attribute %.255s: %s", path, name, strerror(err));
	t->failed = 1;
}

static void progress(struct tree *t, int final)
{
	if (!t->tty)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final &&
	    (now.tv_sec - t->last.tv_sec) * 1000000000L +
			    (now.tv_nsec - t->last.tv_nsec) <
		    200000000L)
		return;
	t->last = now;
	fprintf(stderr, "\r%llu files, %.1f MiB%s", t->files,
		(double)t->bytes / (1 << 20), final ? "\n" : "");
}

/* The first destination of a source inode seen before, or NULL (then
 * dst is remembered for it). */
static const char *link_target(struct tree *t, uint64_t dev, uint64_t ino,
			       const char *dst)
{
	for (size_t i = 0; i < t->nseen; i++)
		if (t->seen[i].dev == dev && t->seen[i].ino == ino)
			return t->seen[i].dst;
	if (t->nseen == t->capseen) {
		size_t cap = t->capseen ? 2 * t->capseen : 64;
		struct seen *n = realloc(t->seen, cap * sizeof(*n));
		if (!n)
			return NULL;
		t->seen = n;
		t->capseen = cap;
	}
	char *d = strdup(dst);
	if (d)
		t->seen[t->nseen++] = (struct seen){ dev, ino, d };
	return NULL;
}

static char *join(const char *a, const char *b)
{
	char *s;
	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

/* fn(SRC/name, DST/name): one entry of a directory being copied. */
static void visit(struct tree *t, const char *src, const char *dst,
		  const char *name,
		  void (*fn)(struct tree *t, const char *s, const char *d,
			     int top))
{
	char *s = join(src, name), *d = join(dst, name);
	if (s && d)
		fn(t, s, d, 0);
	else
		fail(t, src, ENOMEM);
	free(s);
	free(d);
}

/* ---- host -> pool -------------------------------------------------------- */

static void put_data(struct tree *t, const char *src, const char *dst,
		     const struct stat *st)
{
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	pf_file *f = NULL;
	int r = in < 0 ? -errno :
			 pf_openat(t->pool, t->caller, NULL, dst,
				   O_WRONLY | O_CREAT | O_EXCL, 0600, &f);
	if (r) {
		fail(t, in < 0 ? src : dst, -r);
		if (in >= 0)
			close(in);
		return;
	}
	/* the data only, hole by hole as the host has them */
	off_t pos = 0;
	while (pos < st->st_size) {
		off_t data = lseek(in, pos, SEEK_DATA);
		if (data < 0)
			break; /* a hole to the end (or no SEEK_DATA: below) */
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			hole = st->st_size;
		for (off_t o = data; o < hole && !t->failed;) {
			size_t want = hole - o < BUF ? (size_t)(hole - o) : BUF;
			ssize_t n = pread(in, t->buf, want, o);
			if (n <= 0) {
				fail(t, src, n < 0 ? errno : EIO);
				break;
			}
			for (ssize_t done = 0; done < n;) {
				ssize_t w = pf_pwrite(
					t->pool, t->caller, f, t->buf + done,
					(size_t)(n - done), o + done);
				if (w <= 0) {
					fail(t, dst, w < 0 ? (int)-w : EIO);
					goto out;
				}
				done += w;
			}
			o += n;
			t->bytes += (unsigned long long)n;
			progress(t, 0);
		}
		pos = hole;
	}
	if ((r = pf_ftruncate(t->pool, t->caller, f, st->st_size)))
		fail(t, dst, -r);
out:
	pf_close(f);
	close(in);
}

static void put_xattrs(struct tree *t, const char *src, const char *dst)
{
	char list[PF_XATTR_LIST_MAX];
	ssize_t n = llistxattr(src, list, sizeof(list));
	if (n < 0) {
		if (errno != ENOTSUP)
			fail(t, src, errno);
		return;
	}
	for (char *name = list; name < list + n; name += strlen(name) + 1) {
		ssize_t v = lgetxattr(src, name, t->buf, PF_XATTR_SIZE_MAX);
		int r = v < 0 ? -errno :
				pf_setxattrat(t->pool, t->caller, NULL, dst,
					      AT_SYMLINK_NOFOLLOW, name, t->buf,
					      (size_t)v, 0);
		if (r)
			fail_attr(t, dst, name, -r);
	}
}

/* Owner, mode and times last, after what would change them. */
static void put_meta(struct tree *t, const char *dst, const struct stat *st)
{
	int r;
	if (t->caller->fsuid == 0 &&
	    (r = pf_fchownat(t->pool, t->caller, NULL, dst, st->st_uid,
			     st->st_gid, AT_SYMLINK_NOFOLLOW)))
		fail(t, dst, -r);
	if (!S_ISLNK(st->st_mode) &&
	    (r = pf_fchmodat(t->pool, t->caller, NULL, dst, st->st_mode & 07777,
			     0)))
		fail(t, dst, -r);
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	if ((r = pf_utimensat(t->pool, t->caller, NULL, dst, ts,
			      AT_SYMLINK_NOFOLLOW)))
		fail(t, dst, -r);
}

static void put_entry(struct tree *t, const char *src, const char *dst, int top)
{
	struct stat st;
	if (lstat(src, &st) < 0) {
		fail(t, src, errno);
		return;
	}
	int r = 0;
	t->files++;
	progress(t, 0);
	if (S_ISDIR(st.st_mode)) {
		r = pf_mkdirat(t->pool, t->caller, NULL, dst, 0700);
		if (r == -EEXIST && top)
			r = 0; /* the contents go into an existing directory */
		if (r) {
			fail(t, dst, -r);
			return;
		}
		DIR *d = opendir(src);
		if (!d) {
			fail(t, src, errno);
			return;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			visit(t, src, dst, de->d_name, put_entry);
		}
		closedir(d);
	} else {
		const char *first = st.st_nlink > 1 ?
			link_target(t, st.st_dev, st.st_ino, dst) :
			NULL;
		if (first) {
			if ((r = pf_linkat(t->pool, t->caller, NULL, first,
					   NULL, dst, 0)))
				fail(t, dst, -r);
			return; /* its attributes are the first name's */
		}
		if (S_ISREG(st.st_mode)) {
			put_data(t, src, dst, &st);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(src, target, sizeof(target) - 1);
			if (n < 0) {
				fail(t, src, errno);
				return;
			}
			target[n] = 0;
			r = pf_symlinkat(t->pool, t->caller, target, NULL, dst);
		} else {
			r = pf_mknodat(t->pool, t->caller, NULL, dst,
				       (st.st_mode & S_IFMT) | 0600,
				       st.st_rdev);
		}
		if (r) {
			fail(t, dst, -r);
			return;
		}
	}
	put_xattrs(t, src, dst);
	put_meta(t, dst, &st);
}

/* ---- pool -> host -------------------------------------------------------- */

static void get_data(struct tree *t, const char *src, const char *dst,
		     const struct pf_stat *st)
{
	pf_file *f;
	int r = pf_openat(t->pool, t->caller, NULL, src, O_RDONLY | O_NOFOLLOW,
			  0, &f);
	if (r) {
		fail(t, src, -r);
		return;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		fail(t, dst, errno);
		pf_close(f);
		return;
	}
	off_t pos = 0;
	while ((uint64_t)pos < st->size) {
		off_t data = pf_lseek(t->pool, f, pos, SEEK_DATA);
		if (data < 0)
			break;
		off_t hole = pf_lseek(t->pool, f, data, SEEK_HOLE);
		if (hole < 0)
			hole = (off_t)st->size;
		for (off_t o = data; o < hole;) {
			size_t want = hole - o < BUF ? (size_t)(hole - o) : BUF;
			ssize_t n = pf_pread(t->pool, f, t->buf, want, o);
			if (n <= 0) {
				fail(t, src, n < 0 ? (int)-n : EIO);
				goto out;
			}
			for (ssize_t done = 0; done < n;) {
				ssize_t w =
					pwrite(out, t->buf + done,
					       (size_t)(n - done), o + done);
				if (w < 0) {
					fail(t, dst, errno);
					goto out;
				}
				done += w;
			}
			o += n;
			t->bytes += (unsigned long long)n;
			progress(t, 0);
		}
		pos = hole;
	}
	if (ftruncate(out, (off_t)st->size) < 0)
		fail(t, dst, errno);
out:
	if (close(out) < 0)
		fail(t, dst, errno);
	pf_close(f);
}

static void get_xattrs(struct tree *t, const char *src, const char *dst)
{
	char list[PF_XATTR_LIST_MAX];
	ssize_t n = pf_listxattrat(t->pool, t->caller, NULL, src,
				   AT_SYMLINK_NOFOLLOW, list, sizeof(list));
	if (n < 0) {
		fail(t, src, (int)-n);
		return;
	}
	for (char *name = list; name < list + n; name += strlen(name) + 1) {
		ssize_t v = pf_getxattrat(t->pool, t->caller, NULL, src,
					  AT_SYMLINK_NOFOLLOW, name, t->buf,
					  PF_XATTR_SIZE_MAX);
		int err = v < 0 ? (int)-v :
			lsetxattr(dst, name, t->buf, (size_t)v, 0) < 0 ? errno :
									 0;
		if (err)
			fail_attr(t, dst, name, err);
	}
}

static void get_meta(struct tree *t, const char *dst, const struct pf_stat *st)
{
	if (t->caller->fsuid == 0 && lchown(dst, st->uid, st->gid) < 0)
		fail(t, dst, errno);
	if (!S_ISLNK(st->mode) && chmod(dst, st->mode & 07777) < 0)
		fail(t, dst, errno);
	struct timespec ts[2] = { st->atime, st->mtime };
	if (utimensat(AT_FDCWD, dst, ts, AT_SYMLINK_NOFOLLOW) < 0)
		fail(t, dst, errno);
}

static void get_entry(struct tree *t, const char *src, const char *dst, int top)
{
	struct pf_stat st;
	int r = pf_fstatat(t->pool, t->caller, NULL, src, &st,
			   AT_SYMLINK_NOFOLLOW);
	if (r) {
		fail(t, src, -r);
		return;
	}
	t->files++;
	progress(t, 0);
	if (S_ISDIR(st.mode)) {
		if (mkdir(dst, 0700) < 0 && !(errno == EEXIST && top)) {
			fail(t, dst, errno);
			return;
		}
		pf_file *d;
		r = pf_openat(t->pool, t->caller, NULL, src,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, &d);
		if (r) {
			fail(t, src, -r);
			return;
		}
		char buf[16384];
		ssize_t got;
		while ((got = pf_getdents64(t->pool, d, buf, sizeof(buf))) > 0)
			for (ssize_t off = 0; off < got;) {
				struct pf_dirent64 *e = (void *)(buf + off);
				off += e->d_reclen;
				if (!strcmp(e->d_name, ".") ||
				    !strcmp(e->d_name, ".."))
					continue;
				visit(t, src, dst, e->d_name, get_entry);
			}
		if (got < 0)
			fail(t, src, (int)-got);
		pf_close(d);
	} else {
		const char *first = st.nlink > 1 ?
			link_target(t, st.dev, st.ino, dst) :
			NULL;
		if (first) {
			if (link(first, dst) < 0)
				fail(t, dst, errno);
			return;
		}
		if (S_ISREG(st.mode)) {
			get_data(t, src, dst, &st);
		} else if (S_ISLNK(st.mode)) {
			char target[PATH_MAX];
			ssize_t n = pf_readlinkat(t->pool, t->caller, NULL, src,
						  target, sizeof(target) - 1);
			if (n < 0) {
				fail(t, src, (int)-n);
				return;
			}
			target[n] = 0;
			if (symlink(target, dst) < 0) {
				fail(t, dst, errno);
				return;
			}
		} else if (mknod(dst, (st.mode & S_IFMT) | 0600,
				 (dev_t)st.rdev) < 0) {
			fail(t, dst, errno);
			return;
		}
	}
	get_xattrs(t, src, dst);
	get_meta(t, dst, &st);
}

/* ---- the two directions -------------------------------------------------- */

static int run(pf_pool *pool, struct pf_caller *caller, const char *src,
	       const char *dst, int put)
{
	struct tree t = { .pool = pool,
			  .caller = caller,
			  .tty = isatty(STDERR_FILENO) };
	t.buf = malloc(BUF > PF_XATTR_SIZE_MAX ? BUF : PF_XATTR_SIZE_MAX);
	if (!t.buf) {
		tool_error("%s", strerror(ENOMEM));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t.last);
	if (put)
		put_entry(&t, src, dst, 1);
	else
		get_entry(&t, src, dst, 1);
	progress(&t, 1);
	for (size_t i = 0; i < t.nseen; i++)
		free(t.seen[i].dst);
	free(t.seen);
	free(t.buf);
	return t.failed;
}

int tree_put(pf_pool *pool, struct pf_caller *caller, const char *hostdir,
	     const char *path)
{
	return run(pool, caller, hostdir, path, 1);
}

int tree_get(pf_pool *pool, struct pf_caller *caller, const char *path,
	     const char *hostdir)
{
	return run(pool, caller, path, hostdir, 0);
}
