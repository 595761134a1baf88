/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
/* Quick smoke test and latency probe of libpmemfile-core (core helper's own). */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pftest.h" /* CHECK, EQ(expected, got) */

static double
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	char path[256], msg[256];
	snprintf(path, sizeof(path), "/dev/shm/pf-test-smoke-%d", getpid());
	setenv("PMEM_IS_PMEM_FORCE", "1", 1);
	int bench = argc > 1 && strcmp(argv[1], "bench") == 0;
	OK(pf_pool_create(path, bench ? (1ull << 30) : (64 << 20), 0, msg,
			  sizeof(msg)));
	ERR(EEXIST, pf_pool_create(path, 64 << 20, 0, msg, sizeof(msg)));
	pf_pool *p;
	OK(pf_pool_open(path, 0, &p, msg, sizeof(msg)));
	pf_pool *p2;
	ERR(EBUSY, pf_pool_open(path, 0, &p2, msg, sizeof(msg)));
	struct pf_caller c = { .fsuid = getuid(), .fsgid = getgid() };
	pf_file *f;
	OK(pf_mkdirat(p, &c, NULL, "/d", 0755));
	ERR(EEXIST, pf_mkdirat(p, &c, NULL, "/d", 0755));
	OK(pf_openat(p, &c, NULL, "/d/f", O_CREAT | O_RDWR, 0644, &f));
	EQ(5, pf_write(p, &c, f, "hello", 5));
	EQ(1, pf_pwrite(p, &c, f, "X", 1, 10000));
	char buf[20000];
	EQ(10001, pf_pread(p, f, buf, sizeof(buf), 0));
	CHECK(memcmp(buf, "hello", 5) == 0 && buf[5] == 0 && buf[9999] == 0 && buf[10000] == 'X');
	struct pf_stat st;
	OK(pf_fstat(p, f, &st));
	EQ(10001, st.size);
	CHECK(st.blocks > 0);
	EQ(4096, pf_lseek(p, f, 0, SEEK_HOLE));
	EQ(8192, pf_lseek(p, f, 4096, SEEK_DATA));
	OK(pf_ftruncate(p, &c, f, 3));
	EQ(3, pf_pread(p, f, buf, sizeof(buf), 0));
	OK(pf_ftruncate(p, &c, f, 100));
	EQ(100, pf_pread(p, f, buf, sizeof(buf), 0));
	CHECK(buf[3] == 0 && buf[99] == 0);
	OK(pf_fallocate(p, &c, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			2));
	EQ(3, pf_pread(p, f, buf, 3, 0));
	CHECK(buf[0] == 0 && buf[1] == 0 && buf[2] == 'l');
	pf_close(f);
	OK(pf_symlinkat(p, &c, "f", NULL, "/d/l"));
	OK(pf_fstatat(p, &c, NULL, "/d/l", &st, 0));
	EQ(100, st.size);
	EQ(1, pf_readlinkat(p, &c, NULL, "/d/l", buf, sizeof(buf)));
	OK(pf_symlinkat(p, &c, "/etc/passwd", NULL, "/d/abs"));
	char esc[PF_PATH_MAX];
	c.escape = esc;
	c.escape_size = sizeof(esc);
	ERR(PF_ESCAPED, pf_fstatat(p, &c, NULL, "/d/abs", &st, 0));
	CHECK(strcmp(esc, "/etc/passwd") == 0);
	ERR(PF_ESCAPED, pf_fstatat(p, &c, NULL, "/d/../../x/y", &st, 0));
	CHECK(strcmp(esc, "../x/y") == 0);
	OK(pf_renameat2(p, &c, NULL, "/d/f", NULL, "/g", 0));
	ERR(ENOENT, pf_fstatat(p, &c, NULL, "/d/f", &st, 0));
	OK(pf_fstatat(p, &c, NULL, "/g", &st, 0));
	OK(pf_fstatat(p, &c, NULL, "/", &st, 0));
	EQ(3, st.nlink);
	ERR(ENOTEMPTY, pf_unlinkat(p, &c, NULL, "/d", AT_REMOVEDIR));
	OK(pf_unlinkat(p, &c, NULL, "/d/l", 0));
	OK(pf_unlinkat(p, &c, NULL, "/d/abs", 0));
	OK(pf_unlinkat(p, &c, NULL, "/d", AT_REMOVEDIR));
	OK(pf_fstatat(p, &c, NULL, "/", &st, 0));
	EQ(2, st.nlink);
	/* unlinked while open: orphan, then freed on close */
	OK(pf_openat(p, &c, NULL, "/g", O_RDWR, 0, &f));
	OK(pf_unlinkat(p, &c, NULL, "/g", 0));
	EQ(3, pf_write(p, &c, f, "abc", 3));
	pf_close(f);
	/* a directory with many entries; readdir sees all */
	OK(pf_mkdirat(p, &c, NULL, "/big", 0755));
	int N = bench ? 100000 : 2000;
	double t0 = now_ns(), tfirst = 0;
	for (int i = 0; i < N; i++) {
		char n[64];
		snprintf(n, sizeof(n), "/big/file-%d", i);
		if (i == 1000)
			tfirst = (now_ns() - t0) / 1000;
		OK(pf_openat(p, &c, NULL, n, O_CREAT | O_WRONLY | O_EXCL, 0644,
			     &f));
		pf_close(f);
	}
	double t1 = now_ns();
	for (int i = N - 1000; i < N; i++) {
		char n[64];
		snprintf(n, sizeof(n), "/big/file-x%d", i);
		OK(pf_openat(p, &c, NULL, n, O_CREAT | O_WRONLY | O_EXCL, 0644,
			     &f));
		pf_close(f);
	}
	double tlast = (now_ns() - t1) / 1000;
	if (bench)
		printf("create: first 1000 %.0f ns/op, after %d: %.0f ns/op\n", tfirst, N, tlast);
	OK(pf_openat(p, &c, NULL, "/big", O_RDONLY | O_DIRECTORY, 0, &f));
	long total = 0;
	for (;;) {
		ssize_t n = pf_getdents64(p, f, buf, sizeof(buf));
		CHECK(n >= 0);
		if (n == 0)
			break;
		for (ssize_t o = 0; o < n;) {
			unsigned short rl;
			memcpy(&rl, buf + o + 16, 2);
			total++;
			o += rl;
		}
	}
	EQ(N + 1000 + 2, total);
	pf_close(f);
	if (bench) {
		const int R = 200000;
		double t;
		t = now_ns();
		for (int i = 0; i < R; i++)
			pf_fstatat(p, &c, NULL, "/big/file-5", &st, 0);
		printf("stat (2 components): %.0f ns\n", (now_ns() - t) / R);
		t = now_ns();
		for (int i = 0; i < R; i++) {
			pf_openat(p, &c, NULL, "/big/file-5", O_RDONLY, 0, &f);
			pf_close(f);
		}
		printf("open+close: %.0f ns\n", (now_ns() - t) / R);
		OK(pf_openat(p, &c, NULL, "/bench", O_CREAT | O_RDWR, 0644,
			     &f));
		static char blk[1 << 20];
		memset(blk, 'a', sizeof(blk));
		for (int i = 0; i < 256; i++)
			pf_pwrite(p, &c, f, blk, 4096, (off_t)i * 4096);
		t = now_ns();
		for (int i = 0; i < R; i++)
			EQ(4096,
			   pf_pwrite(p, &c, f, blk, 4096,
				     (off_t)(i % 256) * 4096));
		printf("4 KiB pwrite (overwrite): %.0f ns\n", (now_ns() - t) / R);
		t = now_ns();
		for (int i = 0; i < R; i++)
			pf_pread(p, f, blk, 4096, (off_t)(i % 256) * 4096);
		printf("4 KiB pread: %.0f ns\n", (now_ns() - t) / R);
		pf_close(f);
		OK(pf_openat(p, &c, NULL, "/append",
			     O_CREAT | O_RDWR | O_APPEND, 0644, &f));
		t = now_ns();
		for (int i = 0; i < R; i++)
			pf_write(p, &c, f, blk, 100);
		printf("100 B append: %.0f ns\n", (now_ns() - t) / R);
		pf_close(f);
		OK(pf_openat(p, &c, NULL, "/big1m", O_CREAT | O_RDWR, 0644,
			     &f));
		t = now_ns();
		for (int i = 0; i < 16; i++)
			EQ(sizeof(blk), pf_write(p, &c, f, blk, sizeof(blk)));
		printf("1 MiB write (appending): %.0f ns\n", (now_ns() - t) / 16);
		t = now_ns();
		for (int i = 0; i < 64; i++)
			pf_pwrite(p, &c, f, blk, sizeof(blk), (i % 16) << 20);
		printf("1 MiB pwrite (overwrite): %.0f ns\n", (now_ns() - t) / 64);
		t = now_ns();
		for (int i = 0; i < 64; i++)
			EQ(sizeof(blk),
			   pf_pread(p, f, blk, sizeof(blk), (i % 16) << 20));
		printf("1 MiB pread: %.0f ns\n", (now_ns() - t) / 64);
		t = now_ns();
		for (int i = 0; i < 10000; i++) {
			pf_renameat2(p, &c, NULL, i % 2 ? "/r2" : "/big1m", NULL,
				     i % 2 ? "/big1m" : "/r2", 0);
		}
		printf("rename: %.0f ns\n", (now_ns() - t) / 10000);
		t = now_ns();
		for (int i = 0; i < 20000; i++) {
			char n[64];
			snprintf(n, sizeof(n), "/c%d", i);
			pf_openat(p, &c, NULL, n, O_CREAT | O_WRONLY, 0644, &f);
			pf_close(f);
		}
		printf("create+close: %.0f ns\n", (now_ns() - t) / 20000);
		t = now_ns();
		for (int i = 0; i < 20000; i++) {
			char n[64];
			snprintf(n, sizeof(n), "/c%d", i);
			pf_unlinkat(p, &c, NULL, n, 0);
		}
		printf("unlink: %.0f ns\n", (now_ns() - t) / 20000);
	}
	pf_pool_close(p);
	OK(pf_pool_open(path, 0, &p, msg, sizeof(msg)));
	OK(pf_fstatat(p, &c, NULL, "/big/file-7", &st, 0));
	pf_pool_close(p);
	int problems = pf_fsck(path, NULL, NULL);
	if (problems != -ENOSYS)
		OK(problems);
	unlink(path);
	printf("smoke OK\n");
	return 0;
}
