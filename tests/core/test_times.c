/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timestamps are updated exactly where POSIX (and Linux) say. Method: set
 * atime/mtime to an old fixed value (ctime becomes now), wait a tick so the
 * clock moves, do one operation, then check which stamps changed:
 * atime/mtime "changed" = no longer the old value and recent; ctime
 * "changed" = later than before the operation.
 */
#define _GNU_SOURCE
#include "pftest.h"

#include <linux/falloc.h>

struct snap {
	const char *path;
	int nofollow;
	struct pf_stat st;
};

static void tick(void)
{
	struct timespec t = { 0, 15000000 };
	nanosleep(&t, NULL);
}

static struct snap prep(const char *path, int nofollow)
{
	struct snap s = { path, nofollow, { 0 } };
	pft_set_old_times(path);
	s.st = pft_stat(__FILE__, __LINE__, path,
			nofollow ? AT_SYMLINK_NOFOLLOW : 0);
	return s;
}

#define A 1
#define M 2
#define C 4
static void expect(struct snap *s, int changed, int line)
{
	struct pf_stat now = pft_stat(__FILE__, line, s->path,
				      s->nofollow ? AT_SYMLINK_NOFOLLOW : 0);
	int a = !IS_OLD(now.atime), m = !IS_OLD(now.mtime);
	int c = pft_ts_cmp(now.ctime, s->st.ctime) != 0;
	if (a != !!(changed & A) || m != !!(changed & M) ||
	    c != !!(changed & C))
		pft_fail(__FILE__, line, "%s: changed atime %d mtime %d "
			 "ctime %d; expected %d %d %d", s->path, a, m, c,
			 !!(changed & A), !!(changed & M), !!(changed & C));
	if (a && !pft_recent(now.atime))
		pft_fail(__FILE__, line, "%s: atime not now", s->path);
	if (m && !pft_recent(now.mtime))
		pft_fail(__FILE__, line, "%s: mtime not now", s->path);
	if (c && (!pft_recent(now.ctime) ||
		  pft_ts_cmp(now.ctime, s->st.ctime) < 0))
		pft_fail(__FILE__, line, "%s: ctime went back", s->path);
	/* mtime and ctime set by one operation are equal */
	if (m && c && pft_ts_cmp(now.mtime, now.ctime) != 0)
		pft_fail(__FILE__, line, "%s: mtime != ctime after one "
			 "operation", s->path);
}
#define EXPECT(s, what) expect(&(s), (what), __LINE__)

static void create_and_mkdir(void)
{
	MKDIR("d");
	struct snap d = prep("d", 0);
	tick();
	pf_file *f = OPEN("d/f", O_CREAT | O_WRONLY, 0644);
	pf_close(f);
	EXPECT(d, M | C);
	struct pf_stat st = STAT("d/f");
	CHECK(pft_recent(st.atime) && pft_recent(st.mtime) &&
	      pft_recent(st.ctime) && pft_recent(st.btime));
	EQ(0, pft_ts_cmp(st.mtime, st.ctime));
	/* opening an existing file with O_CREAT changes nothing */
	d = prep("d", 0);
	struct snap fs = prep("d/f", 0);
	tick();
	f = OPEN("d/f", O_CREAT | O_RDONLY, 0644);
	pf_close(f);
	EXPECT(d, 0);
	EXPECT(fs, 0);
	/* mkdir, mknod, symlink */
	d = prep("d", 0);
	tick();
	MKDIR("d/sub");
	EXPECT(d, M | C);
	d = prep("d", 0);
	tick();
	OK(pf_mknodat(P, &ROOT, NULL, "d/fifo", S_IFIFO | 0644, 0));
	EXPECT(d, M | C);
	d = prep("d", 0);
	tick();
	OK(pf_symlinkat(P, &ROOT, "x", NULL, "d/l"));
	EXPECT(d, M | C);
	/* a failed create changes nothing */
	d = prep("d", 0);
	tick();
	ERR(EEXIST, pf_mkdirat(P, &ROOT, NULL, "d/sub", 0755));
	EXPECT(d, 0);
}

static void write_read_truncate(void)
{
	PUTS("f", "0123456789");
	struct snap s = prep("f", 0);
	tick();
	pf_file *f = OPEN("f", O_RDWR, 0);
	EXPECT(s, 0);                           /* open alone: nothing */
	EQ(2, pf_write(P, &ROOT, f, "ab", 2));
	EXPECT(s, M | C);
	s = prep("f", 0);
	tick();
	EQ(0, pf_write(P, &ROOT, f, "ab", 0));  /* zero bytes: no effect */
	EXPECT(s, 0);
	s = prep("f", 0);
	tick();
	EQ(2, pf_pwrite(P, &ROOT, f, "cd", 2, 100));
	EXPECT(s, M | C);
	s = prep("f", 0);
	tick();
	char buf[4];
	EQ(4, pf_pread(P, f, buf, 4, 0));
	EXPECT(s, A);
	s = prep("f", 0);
	tick();
	OK(pf_ftruncate(P, &ROOT, f, 5));
	EXPECT(s, M | C);
	s = prep("f", 0);
	tick();
	OK(pf_ftruncate(P, &ROOT, f, 5));       /* same size: still updated */
	EXPECT(s, M | C);
	s = prep("f", 0);
	tick();
	OK(pf_truncate(P, &ROOT, NULL, "f", 50));
	EXPECT(s, M | C);
	/* truncate(2) to the same size: vfs_truncate asks for no times,
	 * unlike ftruncate, but tmpfs sets them while the file has data
	 * allocated (shmem_truncate_range; Linux 6.18) */
	s = prep("f", 0);
	tick();
	OK(pf_truncate(P, &ROOT, NULL, "f", 50));
	EXPECT(s, M | C);
	/* and without data: nothing (found by pf-fsstress against tmpfs) */
	PUTS("sparse", "");
	OK(pf_truncate(P, &ROOT, NULL, "sparse", 50));
	s = prep("sparse", 0);
	tick();
	OK(pf_truncate(P, &ROOT, NULL, "sparse", 50));
	EXPECT(s, 0);
	s = prep("f", 0);
	tick();
	OK(pf_fallocate(P, &ROOT, f, 0, 0, 8192));
	EXPECT(s, M | C);
	s = prep("f", 0);
	tick();
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE |
			FALLOC_FL_KEEP_SIZE, 0, 4096));
	EXPECT(s, M | C);
	s = prep("f", 0);
	tick();
	OK(pf_fsync(P, f));
	EQ(8192, pf_lseek(P, f, 0, SEEK_END));
	EXPECT(s, 0);
	pf_close(f);
	/* O_TRUNC: even of an empty file */
	PUTS("e", "");
	s = prep("e", 0);
	tick();
	f = OPEN("e", O_WRONLY | O_TRUNC, 0);
	pf_close(f);
	EXPECT(s, M | C);
	/* vector and callback writes too */
	s = prep("e", 0);
	tick();
	f = OPEN("e", O_WRONLY, 0);
	struct iovec v = { "xy", 2 };
	EQ(2, pf_writev(P, &ROOT, f, &v, 1));
	pf_close(f);
	EXPECT(s, M | C);
}

static void relatime(void)
{
	PUTS("f", "abc");
	char buf[8];
	/* atime older than mtime/ctime: a read updates it */
	struct snap s = prep("f", 0);
	tick();
	pf_file *f = OPEN("f", O_RDONLY, 0);
	EQ(3, pf_read(P, f, buf, sizeof(buf)));
	pf_close(f);
	EXPECT(s, A);
	/* atime newer than mtime and ctime and younger than a day: no
	 * update (relatime) */
	struct timespec now = pft_now();
	struct timespec ts[2] = { { now.tv_sec + 3600, 0 },
				  { PFT_OLD_SEC, 0 } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", ts, 0));
	f = OPEN("f", O_RDONLY, 0);
	EQ(3, pf_read(P, f, buf, sizeof(buf)));
	pf_close(f);
	struct pf_stat st = STAT("f");
	EQ(now.tv_sec + 3600, st.atime.tv_sec);
	EQ(0, st.atime.tv_nsec);
	/* a zero-byte read at EOF: Linux still touches atime when due;
	 * a read of nothing from an empty range must not fail at least */
	/* O_NOATIME: never */
	s = prep("f", 0);
	tick();
	f = OPEN("f", O_RDONLY | O_NOATIME, 0);
	EQ(3, pf_read(P, f, buf, sizeof(buf)));
	pf_close(f);
	EXPECT(s, 0);
	/* atime older than a day but newer than mtime/ctime: updated */
	s = prep("f", 0);
	(void)s;
	struct timespec day[2] = { { now.tv_sec - 2 * 86400, 0 },
				   { now.tv_sec - 3 * 86400, 0 } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", day, 0));
	/* (ctime is now, so atime < ctime anyway: updated) */
	f = OPEN("f", O_RDONLY, 0);
	EQ(3, pf_read(P, f, buf, sizeof(buf)));
	pf_close(f);
	CHECK(pft_recent(STAT("f").atime));
}

static void dir_listing_and_readlink_atime(void)
{
	MKDIR("d");
	PUTS("d/x", "");
	struct snap s = prep("d", 0);
	tick();
	char *l = pft_list("d");
	free(l);
	EXPECT(s, A);
	OK(pf_symlinkat(P, &ROOT, "target", NULL, "l"));
	s = prep("l", 1);
	tick();
	char buf[16];
	EQ(6, pf_readlinkat(P, &ROOT, NULL, "l", buf, sizeof(buf)));
	EXPECT(s, A);
	/* following a link in a path reads it too (Linux's pick_link;
	 * found by pf-fsstress against tmpfs) */
	PUTS("target", "");
	s = prep("l", 1);
	tick();
	STAT("l");
	EXPECT(s, A);
	/* lookups through a directory do not touch it */
	s = prep("d", 0);
	tick();
	STAT("d/x");
	EXPECT(s, 0);
}

static void attribute_changes(void)
{
	PUTS("f", "x");
	struct snap s = prep("f", 0);
	tick();
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0600, 0));
	EXPECT(s, C);
	s = prep("f", 0);
	tick();
	OK(pf_fchownat(P, &ROOT, NULL, "f", 5, 5, 0));
	EXPECT(s, C);
	s = prep("f", 0);
	tick();
	OK(pf_fchownat(P, &ROOT, NULL, "f", (uint32_t)-1, (uint32_t)-1, 0));
	EXPECT(s, C);            /* Linux updates ctime even for a no-op */
	s = prep("f", 0);
	tick();
	struct timespec om[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", om, 0));
	EXPECT(s, M | C);
	s = prep("f", 0);
	tick();
	struct pf_stat st;
	OK(pf_fstatat(P, &ROOT, NULL, "f", &st, 0));
	OK(pf_faccessat(P, &ROOT, NULL, "f", R_OK, 0));
	EXPECT(s, 0);
}

static void link_unlink_rename(void)
{
	MKDIR("a");
	MKDIR("b");
	PUTS("a/f", "x");
	/* link: the file's ctime, the new parent's mtime+ctime */
	struct snap f = prep("a/f", 0), a = prep("a", 0), b = prep("b", 0);
	tick();
	OK(pf_linkat(P, &ROOT, NULL, "a/f", NULL, "b/g", 0));
	EXPECT(f, C);
	EXPECT(a, 0);
	EXPECT(b, M | C);
	/* unlink of one name: the file's ctime, the parent's mtime+ctime */
	f = prep("a/f", 0);
	a = prep("a", 0);
	b = prep("b", 0);
	tick();
	OK(pf_unlinkat(P, &ROOT, NULL, "b/g", 0));
	EXPECT(f, C);
	EXPECT(a, 0);
	EXPECT(b, M | C);
	/* rename across directories: both parents, and the inode's ctime */
	f = prep("a/f", 0);
	a = prep("a", 0);
	b = prep("b", 0);
	tick();
	OK(pf_renameat2(P, &ROOT, NULL, "a/f", NULL, "b/f", 0));
	f.path = "b/f";
	EXPECT(f, C);
	EXPECT(a, M | C);
	EXPECT(b, M | C);
	/* rename within one directory */
	b = prep("b", 0);
	f = prep("b/f", 0);
	tick();
	OK(pf_renameat2(P, &ROOT, NULL, "b/f", NULL, "b/f2", 0));
	f.path = "b/f2";
	EXPECT(b, M | C);
	EXPECT(f, C);
	/* rename over an existing file: the victim's ctime */
	PUTS("b/victim", "v");
	pf_file *v = OPEN("b/victim", O_RDONLY, 0);
	PUTS("b/keep", "k");
	OK(pf_linkat(P, &ROOT, NULL, "b/victim", NULL, "b/victim2", 0));
	struct snap vs = prep("b/victim2", 0);
	tick();
	OK(pf_renameat2(P, &ROOT, NULL, "b/f2", NULL, "b/victim", 0));
	EXPECT(vs, C);
	pf_close(v);
	/* directory moved: the directory itself (its ..) and both parents */
	MKDIR("a/dir");
	struct snap dir = prep("a/dir", 0);
	a = prep("a", 0);
	b = prep("b", 0);
	tick();
	OK(pf_renameat2(P, &ROOT, NULL, "a/dir", NULL, "b/dir", 0));
	dir.path = "b/dir";
	EXPECT(dir, C);
	EXPECT(a, M | C);
	EXPECT(b, M | C);
	/* rmdir: the parent */
	b = prep("b", 0);
	tick();
	OK(pf_unlinkat(P, &ROOT, NULL, "b/dir", AT_REMOVEDIR));
	EXPECT(b, M | C);
	/* a failed rename changes nothing */
	a = prep("a", 0);
	b = prep("b", 0);
	tick();
	ERR(ENOENT, pf_renameat2(P, &ROOT, NULL, "a/nope", NULL, "b/x", 0));
	EXPECT(a, 0);
	EXPECT(b, 0);
}

static void nanosecond_precision(void)
{
	/* two writes some milliseconds apart get different mtimes, with
	 * sub-second digits */
	PUTS("f", "x");
	struct pf_stat a = STAT("f");
	tick();
	PUTS("f", "y");
	struct pf_stat b = STAT("f");
	CHECK(pft_ts_cmp(b.mtime, a.mtime) > 0);
	CHECK(a.mtime.tv_nsec >= 0 && a.mtime.tv_nsec < 1000000000);
	/* a file created later has a later btime */
	PUTS("g", "");
	CHECK(pft_ts_cmp(STAT("g").btime, a.btime) > 0);
	/* btime never changes */
	struct pf_stat g0 = STAT("g");
	tick();
	PUTS("g", "more");
	OK(pf_fchmodat(P, &ROOT, NULL, "g", 0600, 0));
	EQ(0, pft_ts_cmp(g0.btime, STAT("g").btime));
}

PFT_MAIN(PFT_CASE(create_and_mkdir), PFT_CASE(write_read_truncate),
	 PFT_CASE(relatime), PFT_CASE(dir_listing_and_readlink_atime),
	 PFT_CASE(attribute_changes), PFT_CASE(link_unlink_rename),
	 PFT_CASE(nanosecond_precision))
