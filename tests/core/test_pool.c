/* SPDX-License-Identifier: BSD-3-Clause */
/* Pools: create, open, close, errors, st_dev, statfs, version. */
#define _GNU_SOURCE
#include "pftest.h"

#include <sys/stat.h>

static void create_open_close(void)
{
	const char *p = pft_side_path("a");
	char msg[256];
	pf_pool *pool = NULL;
	OK(pf_pool_create(p, PF_POOL_MIN_SIZE, 0, msg, sizeof(msg)));
	struct stat st;
	EQ(0, stat(p, &st));
	EQ(PF_POOL_MIN_SIZE, st.st_size);
	OK(pf_pool_open(p, 0, &pool, msg, sizeof(msg)));
	CHECK(pool != NULL);
	/* the root directory exists and is empty */
	struct pf_stat s;
	OK(pf_fstatat(pool, &ROOT, NULL, "/", &s, 0));
	CHECK(S_ISDIR(s.mode));
	EQ(2, s.nlink);
	pf_pool_close(pool);
	pf_pool_close(NULL); /* no-op */
}

static void create_refuses_existing_pool(void)
{
	const char *p = pft_side_path("a");
	char msg[256] = "";
	OK(pf_pool_create(p, PF_POOL_MIN_SIZE, 0, msg, sizeof(msg)));
	ERR(EEXIST, pf_pool_create(p, PF_POOL_MIN_SIZE, 0, msg, sizeof(msg)));
	/* the current case's pool, too */
	ERR(EEXIST, pf_pool_create(pft_pool_path, PF_POOL_MIN_SIZE, 0, msg,
				   sizeof(msg)));
	/* force recreates: the old contents are gone */
	pf_pool *pool;
	pf_file *f;
	OK(pf_pool_open(p, 0, &pool, NULL, 0));
	OK(pf_openat(pool, &ROOT, NULL, "x", O_CREAT | O_WRONLY, 0644, &f));
	pf_close(f);
	pf_pool_close(pool);
	OK(pf_pool_create(p, PF_POOL_MIN_SIZE, 1, msg, sizeof(msg)));
	OK(pf_pool_open(p, 0, &pool, NULL, 0));
	struct pf_stat s;
	ERR(ENOENT, pf_fstatat(pool, &ROOT, NULL, "x", &s, 0));
	pf_pool_close(pool);
}

static void create_too_small(void)
{
	const char *p = pft_side_path("small");
	char msg[256] = "";
	ERR(EINVAL, pf_pool_create(p, PF_POOL_MIN_SIZE - 4096, 0, msg,
				   sizeof(msg)));
	CHECK(msg[0] != 0); /* a reason is given */
	ERR(EINVAL, pf_pool_create(p, 4096, 0, NULL, 0));
}

static void create_size_zero_uses_file_size(void)
{
	const char *p = pft_side_path("z");
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	EQ(0, ftruncate(fd, 32 << 20));
	close(fd);
	char msg[256];
	OK(pf_pool_create(p, 0, 1, msg, sizeof(msg)));
	struct stat st;
	EQ(0, stat(p, &st));
	EQ(32 << 20, st.st_size);
	pf_pool *pool;
	OK(pf_pool_open(p, 0, &pool, NULL, 0));
	pf_pool_close(pool);
	/* size 0 with no file: nothing to size it by */
	CHECK(pf_pool_create(pft_side_path("none"), 0, 0, NULL, 0) < 0);
}

static void create_in_missing_dir(void)
{
	ERR(ENOENT, pf_pool_create("/dev/shm/pf-test-no-such-dir/x",
				   PF_POOL_MIN_SIZE, 0, NULL, 0));
}

static void open_errors(void)
{
	char msg[256] = "";
	pf_pool *pool = (pf_pool *)0x1;
	ERR(ENOENT, pf_pool_open(pft_side_path("missing"), 0, &pool, msg,
				 sizeof(msg)));
	/* a file that is not a pool */
	const char *p = pft_side_path("junk");
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	char junk[65536];
	memset(junk, 'j', sizeof(junk));
	EQ(sizeof(junk), write(fd, junk, sizeof(junk)));
	close(fd);
	msg[0] = 0;
	ERR(EINVAL, pf_pool_open(p, 0, &pool, msg, sizeof(msg)));
	CHECK(msg[0] != 0);
	/* an empty file */
	fd = open(pft_side_path("empty"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	CHECK(pf_pool_open(pft_side_path("empty"), 0, &pool, NULL, 0) < 0);
	/* a directory */
	CHECK(pf_pool_open("/dev/shm", 0, &pool, NULL, 0) < 0);
}

static void open_twice_busy(void)
{
	/* P is open in this process: a second open must not corrupt it */
	pf_pool *pool = NULL;
	int r = pf_pool_open(pft_pool_path, 0, &pool, NULL, 0);
	CHECK(r < 0);
	/* P still works */
	PUTS("f", "x");
	CONTENT("f", "x");
}

static void open_busy_other_process(void)
{
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		pf_pool *pool = NULL;
		int r = pf_pool_open(pft_pool_path, 0, &pool, NULL, 0);
		char c = (char)(r == -EBUSY);
		if (write(pfd[1], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	char c = 0;
	EQ(1, read(pfd[0], &c, 1));
	EQ(1, c);
	close(pfd[0]);
	close(pfd[1]);
}

static void dev_stable(void)
{
	uint64_t d = pf_pool_dev(P);
	CHECK(d != 0);
	struct pf_stat s = STAT("/");
	EQ(d, s.dev);
	struct pf_statfs sf;
	OK(pf_statfs(P, &sf));
	EQ(d, sf.fsid);
	pft_reopen();
	EQ(d, pf_pool_dev(P));
	/* another pool has another dev */
	const char *p = pft_side_path("b");
	pf_pool *pool;
	OK(pf_pool_create(p, PF_POOL_MIN_SIZE, 0, NULL, 0));
	OK(pf_pool_open(p, 0, &pool, NULL, 0));
	CHECK(pf_pool_dev(pool) != d);
	pf_pool_close(pool);
}

static void statfs_numbers(void)
{
	struct pf_statfs a, b, c;
	OK(pf_statfs(P, &a));
	EQ(PF_BLKSIZE, a.bsize);
	EQ(PF_NAME_MAX, a.namelen);
	CHECK(a.frsize > 0);
	CHECK(a.blocks > 0);
	CHECK(a.bfree <= a.blocks);
	CHECK(a.bavail <= a.bfree);
	CHECK(a.ffree <= a.files);
	CHECK(a.files > 0);
	/* the pool can not hold more than its size */
	CHECK(a.blocks * a.frsize <= PFT_POOL_SIZE);
	/* a pool of 64 MiB has most of it free */
	CHECK(a.bfree * a.frsize > PFT_POOL_SIZE / 2);

	/* 1 MiB written: bfree drops by at least 1 MiB */
	char *buf = malloc(1 << 20);
	pft_pattern(buf, 1 << 20, 1, 0);
	PUT("big", buf, 1 << 20);
	OK(pf_statfs(P, &b));
	CHECK((a.bfree - b.bfree) * b.frsize >= (1 << 20));
	/* and not absurdly more (an allocator may round up: allow 2x+64K) */
	CHECK((a.bfree - b.bfree) * b.frsize <= (2 << 20) + 65536);
	CHECK(b.ffree < a.ffree);
	EQ(a.blocks, b.blocks);
	/* unlink: it comes back */
	OK(pf_unlinkat(P, &ROOT, NULL, "big", 0));
	OK(pf_statfs(P, &c));
	CHECK((c.bfree - b.bfree) * c.frsize >= (1 << 20));
	/* ffree may be estimated from free space (metadata such as a grown
	 * directory stays): it must rise again, to near where it was */
	CHECK(c.ffree > b.ffree);
	CHECK(c.ffree + 1024 >= a.ffree);
	free(buf);
}

static void version(void)
{
	const char *v = pf_version();
	CHECK(v != NULL);
	CHECK(v[0] >= '0' && v[0] <= '9');
	CHECK(strchr(v, '.') != NULL);
}

static void root_attributes(void)
{
	struct pf_stat s = STAT("/");
	CHECK(S_ISDIR(s.mode));
	EQ(0, s.uid);
	EQ(0, s.gid);
	EQ(PF_BLKSIZE, s.blksize);
	CHECK(s.ino != 0);
	/* "." ".." "" and "/" all name the root */
	struct pf_stat d = STAT(".");
	EQ(s.ino, d.ino);
	d = STAT("/.");
	EQ(s.ino, d.ino);
	CHECK(pft_recent(s.mtime) || s.mtime.tv_sec > 0);
}

PFT_MAIN(PFT_CASE_NOPOOL(create_open_close),
	 PFT_CASE(create_refuses_existing_pool),
	 PFT_CASE_NOPOOL(create_too_small),
	 PFT_CASE_NOPOOL(create_size_zero_uses_file_size),
	 PFT_CASE_NOPOOL(create_in_missing_dir),
	 PFT_CASE_NOPOOL(open_errors),
	 PFT_CASE(open_twice_busy),
	 PFT_CASE(open_busy_other_process),
	 PFT_CASE(dev_stable),
	 PFT_CASE(statfs_numbers),
	 PFT_CASE_NOPOOL(version),
	 PFT_CASE(root_attributes))
