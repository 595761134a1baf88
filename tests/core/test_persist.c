/* SPDX-License-Identifier: BSD-3-Clause */
/* Everything survives closing and reopening the pool, cleanly or after the
 * process died with the pool open; fsck is clean after both. */
#define _GNU_SOURCE
#include "pftest.h"

#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define MiB (1024L * 1024L)

static void fsck_report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fsck: %s\n", msg);
}

struct expect_file {
	const char *path;
	uint64_t seed;
	off_t off;      /* data starts here (a hole before it) */
	size_t len;
};

static const struct expect_file files[] = {
	{ "small", 1, 0, 5 },
	{ "d1/block", 2, 0, 4096 },
	{ "d1/d2/odd", 3, 0, 123457 },
	{ "d1/d2/d3/big", 4, 0, 3 * MiB + 17 },
	{ "sparse", 5, 10 * MiB, 4096 },
	{ "d1/sparse2", 6, 100000, 1 },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static struct timespec stamp = { 1500000000, 123456789 };
static uint64_t ino_small, ino_big, dev;
static struct timespec btime_big;

static void build(void)
{
	MKDIR("d1");
	MKDIR("d1/d2");
	MKDIR("d1/d2/d3");
	MKDIR("empty");
	for (size_t i = 0; i < NFILES; i++) {
		const struct expect_file *e = &files[i];
		char *buf = malloc(e->len);
		pft_pattern(buf, e->len, e->seed, 0);
		pf_file *f = OPEN(e->path, O_CREAT | O_RDWR, 0640);
		EQ(e->len, pf_pwrite(P, &ROOT, f, buf, e->len, e->off));
		pf_close(f);
		free(buf);
	}
	OK(pf_symlinkat(P, &ROOT, "d1/d2/odd", NULL, "link"));
	OK(pf_symlinkat(P, &ROOT, "../nowhere", NULL, "d1/dangling"));
	OK(pf_linkat(P, &ROOT, NULL, "small", NULL, "d1/d2/hard", 0));
	OK(pf_mknodat(P, &ROOT, NULL, "fifo", S_IFIFO | 0604, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "sock", S_IFSOCK | 0600, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "chr", S_IFCHR | 0600, makedev(4, 5)));
	OK(pf_fchownat(P, &ROOT, NULL, "d1/block", 1234, 5678, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "d1/block", 04751, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "empty", 01777, 0));
	struct timespec ts[2] = { stamp, stamp };
	OK(pf_utimensat(P, &ROOT, NULL, "small", ts, 0));
	/* a directory with many entries, some removed */
	MKDIR("many");
	char name[32];
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "many/e%d", i);
		PUTS(name, "");
	}
	for (int i = 0; i < 500; i += 5) {
		snprintf(name, sizeof(name), "many/e%d", i);
		OK(pf_unlinkat(P, &ROOT, NULL, name, 0));
	}
	/* a renamed directory */
	MKDIR("old");
	PUTS("old/inside", "in");
	OK(pf_renameat2(P, &ROOT, NULL, "old", NULL, "d1/new", 0));
	ino_small = STAT("small").ino;
	ino_big = STAT("d1/d2/d3/big").ino;
	btime_big = STAT("d1/d2/d3/big").btime;
	dev = pf_pool_dev(P);
}

static void verify_all(void)
{
	size_t len;
	/* file data */
	for (size_t i = 0; i < NFILES; i++) {
		const struct expect_file *e = &files[i];
		char *got = GET(e->path, &len);
		EQ(e->off + e->len, len);
		char *want = malloc(e->len);
		pft_pattern(want, e->len, e->seed, 0);
		for (off_t k = 0; k < e->off; k++)
			if (got[k])
				pft_fail(__FILE__, __LINE__, "%s: byte %jd",
					 e->path, (intmax_t)k);
		MEMEQ(want, got + e->off, e->len);
		free(want);
		free(got);
	}
	/* names */
	STREQ("chr d1 empty fifo link many small sock sparse", pft_list("/"));
	STREQ("block d2 dangling new sparse2", pft_list("d1"));
	STREQ("d3 hard odd", pft_list("d1/d2"));
	STREQ("", pft_list("empty"));
	CONTENT("d1/new/inside", "in");
	EQ(STAT("d1").ino, STAT("d1/new/..").ino);
	/* links */
	char buf[64];
	EQ(9, pf_readlinkat(P, &ROOT, NULL, "link", buf, sizeof(buf)));
	MEMEQ("d1/d2/odd", buf, 9);
	EQ(10, pf_readlinkat(P, &ROOT, NULL, "d1/dangling", buf, sizeof(buf)));
	MEMEQ("../nowhere", buf, 10);
	EQ(STAT("d1/d2/odd").ino, STAT("link").ino);
	EQ(ino_small, STAT("d1/d2/hard").ino);
	EQ(2, STAT("small").nlink);
	/* attributes */
	struct pf_stat st = STAT("d1/block");
	EQ(1234, st.uid);
	EQ(5678, st.gid);
	EQ(S_IFREG | 04751, st.mode);
	EQ(S_IFDIR | 01777, STAT("empty").mode);
	EQ(S_IFIFO | 0604, LSTAT("fifo").mode);
	EQ(S_IFSOCK | 0600, LSTAT("sock").mode);
	EQ(makedev(4, 5), LSTAT("chr").rdev);
	st = STAT("small");
	EQ(stamp.tv_sec, st.mtime.tv_sec);
	EQ(stamp.tv_nsec, st.mtime.tv_nsec);
	/* (atime: reading the files above updated it, relatime) */
	EQ(ino_small, st.ino);
	EQ(ino_big, STAT("d1/d2/d3/big").ino);
	EQ(0, pft_ts_cmp(btime_big, STAT("d1/d2/d3/big").btime));
	EQ(dev, pf_pool_dev(P));
	/* link counts of directories */
	EQ(2 + 3, STAT("/").nlink);     /* d1 empty many */
	EQ(2 + 2, STAT("d1").nlink);    /* d2 new */
	EQ(3, STAT("d1/d2").nlink);
	/* the big directory */
	char name[32];
	int n = 0;
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "many/e%d", i);
		EQ(i % 5 != 0, pft_exists(name));
		n += i % 5 != 0;
	}
	EQ(400, n);
	/* sparse files stay sparse */
	CHECK(STAT("sparse").blocks * 512 < 2 * MiB);
}

static void clean_reopen(void)
{
	build();
	verify_all();
	pft_reopen();
	verify_all();
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(pft_pool_path, fsck_report, NULL));
	OK(pf_pool_open(pft_pool_path, 0, &P, NULL, 0));
	verify_all();
	/* and it is still writable after reopening */
	PUTS("d1/after", "after");
	pft_reopen();
	CONTENT("d1/after", "after");
}

static void reopen_after_kill(void)
{
	pf_pool_close(P);
	P = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		if (pf_pool_open(pft_pool_path, 0, &P, NULL, 0))
			_exit(2);
		build();
		kill(getpid(), SIGKILL);
		_exit(3);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EQ(0, pf_fsck(pft_pool_path, fsck_report, NULL));
	OK(pf_pool_open(pft_pool_path, 0, &P, NULL, 0));
	/* the child's static state is not ours: take dev and inos again */
	ino_small = STAT("small").ino;
	ino_big = STAT("d1/d2/d3/big").ino;
	btime_big = STAT("d1/d2/d3/big").btime;
	dev = pf_pool_dev(P);
	verify_all();
	pft_reopen();
	verify_all();
}

static void statfs_persists(void)
{
	char *buf = calloc(1, 2 * MiB);
	PUT("a", buf, 2 * MiB);
	struct pf_statfs a, b;
	OK(pf_statfs(P, &a));
	pft_reopen();
	OK(pf_statfs(P, &b));
	EQ(a.blocks, b.blocks);
	EQ(a.bfree, b.bfree);
	EQ(a.files, b.files);
	EQ(a.ffree, b.ffree);
	free(buf);
}

PFT_MAIN(PFT_CASE(clean_reopen), PFT_CASE(reopen_after_kill),
	 PFT_CASE(statfs_persists))
