/* SPDX-License-Identifier: BSD-3-Clause */
/* Sparse files: truncate up/down, fallocate modes, SEEK_DATA/SEEK_HOLE,
 * st_blocks true to allocation, ENOSPC without leaks. */
#define _GNU_SOURCE
#include "pftest.h"

#include <linux/falloc.h>

#define KiB 1024L
#define MiB (1024L * 1024L)

static void expect_zeros(pf_file *f, off_t off, size_t len, int line)
{
	char *buf = malloc(len);
	memset(buf, 0x5a, len);
	ssize_t r = pf_pread(P, f, buf, len, off);
	if (r != (ssize_t)len)
		pft_fail(__FILE__, line, "pread %zu at %jd: %zd", len,
			 (intmax_t)off, r);
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			pft_fail(__FILE__, line, "byte at %jd is 0x%02x, not 0",
				 (intmax_t)(off + (off_t)i),
				 (unsigned char)buf[i]);
	free(buf);
}
#define ZEROS(f, off, len) expect_zeros((f), (off), (len), __LINE__)

static void truncate_down_up(void)
{
	char data[10000], buf[10000];
	pft_pattern(data, sizeof(data), 1, 0);
	PUT("a", data, sizeof(data));
	OK(pf_truncate(P, &ROOT, NULL, "a", 5000));
	EQ(5000, STAT("a").size);
	OK(pf_truncate(P, &ROOT, NULL, "a", 12000));
	EQ(12000, STAT("a").size);
	pf_file *f = OPEN("a", O_RDWR, 0);
	EQ(5000, pf_pread(P, f, buf, 5000, 0));
	MEMEQ(data, buf, 5000);
	ZEROS(f, 5000, 7000);   /* old bytes must not come back */
	/* down to an unaligned size inside a block, then write past it */
	OK(pf_ftruncate(P, &ROOT, f, 4097));
	EQ(1, pf_pwrite(P, &ROOT, f, "z", 1, 6000));
	ZEROS(f, 4097, 6000 - 4097);
	/* to zero */
	OK(pf_ftruncate(P, &ROOT, f, 0));
	EQ(0, STAT("a").size);
	EQ(0, STAT("a").blocks);
	/* the offset is not changed by truncate */
	EQ(0, pf_lseek(P, f, 0, SEEK_CUR));
	pf_close(f);
}

static void truncate_errors(void)
{
	PUTS("a", "abc");
	MKDIR("d");
	ERR(EINVAL, pf_truncate(P, &ROOT, NULL, "a", -1));
	ERR(EISDIR, pf_truncate(P, &ROOT, NULL, "d", 0));
	ERR(ENOENT, pf_truncate(P, &ROOT, NULL, "nope", 0));
	ERR(ENOTDIR, pf_truncate(P, &ROOT, NULL, "a/b", 0));
	OK(pf_mknodat(P, &ROOT, NULL, "fifo", S_IFIFO | 0666, 0));
	ERR(EINVAL, pf_truncate(P, &ROOT, NULL, "fifo", 0));
	pf_file *f = OPEN("a", O_RDWR, 0);
	ERR(EINVAL, pf_ftruncate(P, &ROOT, f, -1));
	pf_close(f);
	/* follows symlinks */
	OK(pf_symlinkat(P, &ROOT, "a", NULL, "l"));
	OK(pf_truncate(P, &ROOT, NULL, "l", 1));
	EQ(1, STAT("a").size);
	/* permission: write access needed */
	struct pf_caller u = pft_user(1000, 1000);
	ERR(EACCES, pf_truncate(P, &u, NULL, "a", 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "a", 0666, 0));
	OK(pf_truncate(P, &u, NULL, "a", 0));
}

static void huge_sparse(void)
{
	/* no fixed maximum file size short of the pool: 1 TiB of hole */
	PUTS("a", "x");
	OK(pf_truncate(P, &ROOT, NULL, "a", 1LL << 40));
	struct pf_stat st = STAT("a");
	EQ(1LL << 40, st.size);
	CHECK(st.blocks <= 64);
	pf_file *f = OPEN("a", O_RDWR, 0);
	ZEROS(f, (1LL << 40) - 4096, 4096);
	ZEROS(f, 1LL << 30, 100);
	EQ(1, pf_pwrite(P, &ROOT, f, "y", 1, (1LL << 40) - 1));
	char c;
	EQ(1, pf_pread(P, f, &c, 1, (1LL << 40) - 1));
	EQ('y', c);
	EQ(1LL << 40, STAT("a").size);
	CHECK(STAT("a").blocks <= 128);
	pf_close(f);
	OK(pf_truncate(P, &ROOT, NULL, "a", 0));
}

static void blocks_true_to_allocation(void)
{
	PUTS("a", "");
	EQ(0, STAT("a").blocks);
	PUTS("b", "1");
	struct pf_stat st = STAT("b");
	CHECK(st.blocks >= 1);                  /* something is allocated */
	CHECK(st.blocks * 512 <= 1 * MiB);      /* preallocation bounded */
	char *buf = malloc(4 * MiB);
	pft_pattern(buf, 4 * MiB, 3, 0);
	PUT("c", buf, 4 * MiB);
	st = STAT("c");
	CHECK(st.blocks * 512 >= 4 * MiB);
	CHECK(st.blocks * 512 <= 5 * MiB);
	/* sparse: one block written far away */
	pf_file *f = OPEN("s", O_CREAT | O_RDWR, 0644);
	EQ(4096, pf_pwrite(P, &ROOT, f, buf, 4096, 64 * MiB));
	st = STAT("s");
	EQ(64 * MiB + 4096, st.size);
	CHECK(st.blocks * 512 >= 4096);
	CHECK(st.blocks * 512 <= 1 * MiB);
	pf_close(f);
	/* statfs agrees: allocating 4 MiB more took 4 MiB */
	struct pf_statfs a, b;
	OK(pf_statfs(P, &a));
	f = OPEN("c", O_RDWR, 0);
	EQ(4 * MiB, pf_pwrite(P, &ROOT, f, buf, 4 * MiB, 4 * MiB));
	pf_close(f);
	OK(pf_statfs(P, &b));
	CHECK((a.bfree - b.bfree) * a.frsize >= 4 * MiB);
	CHECK(STAT("c").blocks * 512 >= 8 * MiB);
	/* truncating frees */
	OK(pf_truncate(P, &ROOT, NULL, "c", 1 * MiB));
	CHECK(STAT("c").blocks * 512 >= 1 * MiB);
	CHECK(STAT("c").blocks * 512 <= 2 * MiB);
	free(buf);
}

static void seek_data_hole(void)
{
	char blk[4096];
	memset(blk, 'd', sizeof(blk));
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);
	EQ(4096, pf_pwrite(P, &ROOT, f, blk, 4096, 0));
	EQ(4096, pf_pwrite(P, &ROOT, f, blk, 4096, 4 * MiB));
	OK(pf_ftruncate(P, &ROOT, f, 16 * MiB));
	/* data [0,4K) ... data [4M,4M+4K) ... hole up to 16M */
	EQ(0, pf_lseek(P, f, 0, SEEK_DATA));
	off_t h = pf_lseek(P, f, 0, SEEK_HOLE);
	CHECK(h >= 4096 && h <= 1 * MiB);
	EQ(4 * MiB, pf_lseek(P, f, 2 * MiB, SEEK_DATA));
	EQ(4 * MiB + 100, pf_lseek(P, f, 4 * MiB + 100, SEEK_DATA));
	h = pf_lseek(P, f, 4 * MiB, SEEK_HOLE);
	CHECK(h >= 4 * MiB + 4096 && h <= 5 * MiB);
	ERR(ENXIO, pf_lseek(P, f, 10 * MiB, SEEK_DATA));
	EQ(10 * MiB, pf_lseek(P, f, 10 * MiB, SEEK_HOLE));
	EQ(2 * MiB, pf_lseek(P, f, 2 * MiB, SEEK_HOLE));
	ERR(ENXIO, pf_lseek(P, f, 16 * MiB, SEEK_HOLE));
	/* the offset moved to the last successful result */
	EQ(2 * MiB, pf_lseek(P, f, 0, SEEK_CUR));
	ZEROS(f, 1 * MiB, 4096);
	ZEROS(f, 15 * MiB, 4096);
	pf_close(f);
	/* a file that is all hole */
	f = OPEN("h", O_CREAT | O_RDWR, 0644);
	OK(pf_ftruncate(P, &ROOT, f, 1 * MiB));
	ERR(ENXIO, pf_lseek(P, f, 0, SEEK_DATA));
	EQ(0, pf_lseek(P, f, 0, SEEK_HOLE));
	pf_close(f);
}

static void fallocate_modes(void)
{
	char *data = malloc(1 * MiB);
	pft_pattern(data, 1 * MiB, 5, 0);
	PUT("a", data, 1 * MiB);
	pf_file *f = OPEN("a", O_RDWR, 0);
	struct pf_stat st0 = STAT("a");

	/* mode 0 beyond the end: size grows, zeros, blocks allocated */
	OK(pf_fallocate(P, &ROOT, f, 0, 1 * MiB, 1 * MiB));
	struct pf_stat st = STAT("a");
	EQ(2 * MiB, st.size);
	CHECK(st.blocks * 512 >= 2 * MiB);
	ZEROS(f, 1 * MiB, 1 * MiB);
	/* mode 0 inside: nothing changes */
	OK(pf_fallocate(P, &ROOT, f, 0, 0, 4096));
	EQ(2 * MiB, STAT("a").size);
	char *buf = malloc(1 * MiB);
	EQ(1 * MiB, pf_pread(P, f, buf, 1 * MiB, 0));
	MEMEQ(data, buf, 1 * MiB);

	/* KEEP_SIZE beyond the end: blocks, no size */
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_KEEP_SIZE, 2 * MiB, 1 * MiB));
	st = STAT("a");
	EQ(2 * MiB, st.size);
	CHECK(st.blocks * 512 >= 3 * MiB);
	/* writing then extending into the preallocated range reads zeros */
	OK(pf_ftruncate(P, &ROOT, f, 3 * MiB));
	ZEROS(f, 2 * MiB, 1 * MiB);

	/* PUNCH_HOLE|KEEP_SIZE: zeros, blocks freed, size kept */
	st0 = STAT("a");
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE |
			FALLOC_FL_KEEP_SIZE, 256 * KiB, 256 * KiB));
	st = STAT("a");
	EQ(3 * MiB, st.size);
	EQ(st0.blocks - 256 * KiB / 512, st.blocks);
	ZEROS(f, 256 * KiB, 256 * KiB);
	EQ(256 * KiB, pf_lseek(P, f, 0, SEEK_HOLE));
	EQ(512 * KiB, pf_lseek(P, f, 256 * KiB, SEEK_DATA));
	EQ(256 * KiB, pf_pread(P, f, buf, 256 * KiB, 0));
	MEMEQ(data, buf, 256 * KiB);
	EQ(512 * KiB, pf_pread(P, f, buf, 512 * KiB, 512 * KiB));
	MEMEQ(data + 512 * KiB, buf, 512 * KiB);
	/* unaligned punch: partial blocks zeroed, neighbours kept */
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE |
			FALLOC_FL_KEEP_SIZE, 600 * KiB + 100, 5000));
	ZEROS(f, 600 * KiB + 100, 5000);
	EQ(100, pf_pread(P, f, buf, 100, 600 * KiB));
	MEMEQ(data + 600 * KiB, buf, 100);
	EQ(100, pf_pread(P, f, buf, 100, 600 * KiB + 5100));
	MEMEQ(data + 600 * KiB + 5100, buf, 100);
	/* punch past the end: size unchanged */
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE |
			FALLOC_FL_KEEP_SIZE, 10 * MiB, 4096));
	EQ(3 * MiB, STAT("a").size);

	/* ZERO_RANGE: zeros inside, extends without KEEP_SIZE */
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_ZERO_RANGE, 700 * KiB + 3,
			10000));
	ZEROS(f, 700 * KiB + 3, 10000);
	EQ(3, pf_pread(P, f, buf, 3, 700 * KiB));
	MEMEQ(data + 700 * KiB, buf, 3);
	EQ(3 * MiB, STAT("a").size);
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_ZERO_RANGE, 3 * MiB - 10,
			1000));
	EQ(3 * MiB + 990, STAT("a").size);
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_ZERO_RANGE |
			FALLOC_FL_KEEP_SIZE, 4 * MiB, 1000));
	EQ(3 * MiB + 990, STAT("a").size);

	/* unsupported modes and bad arguments */
	ERR(EOPNOTSUPP, pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE, 0,
				     4096));
	ERR(EOPNOTSUPP, pf_fallocate(P, &ROOT, f, FALLOC_FL_COLLAPSE_RANGE, 0,
				     4096));
	ERR(EOPNOTSUPP, pf_fallocate(P, &ROOT, f, FALLOC_FL_INSERT_RANGE, 0,
				     4096));
	ERR(EOPNOTSUPP, pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE |
				     FALLOC_FL_ZERO_RANGE |
				     FALLOC_FL_KEEP_SIZE, 0, 4096));
	ERR(EOPNOTSUPP, pf_fallocate(P, &ROOT, f, 0x4000, 0, 4096));
	ERR(EINVAL, pf_fallocate(P, &ROOT, f, 0, -1, 4096));
	ERR(EINVAL, pf_fallocate(P, &ROOT, f, 0, 0, 0));
	ERR(EINVAL, pf_fallocate(P, &ROOT, f, 0, 0, -5));
	pf_close(f);
	free(data);
	free(buf);
}

/* Blocks past EOF (KEEP_SIZE): punching there, beyond the size, works and
 * frees them; the size does not change. */
static void punch_past_eof(void)
{
	char b[10000];
	memset(b, 'a', sizeof(b));
	pf_file *f = OPEN("f", O_CREAT | O_RDWR, 0644);
	EQ(10000, pf_write(P, &ROOT, f, b, sizeof(b)));
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_KEEP_SIZE, 0, 20480));
	EQ(10000, STAT("f").size);
	CHECK(STAT("f").blocks * 512 >= 20480);
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE |
			FALLOC_FL_KEEP_SIZE, 14789, 6387));
	OK(pf_fallocate(P, &ROOT, f, FALLOC_FL_PUNCH_HOLE |
			FALLOC_FL_KEEP_SIZE, 9000, 100000));
	EQ(10000, STAT("f").size);
	CHECK(STAT("f").blocks * 512 <= 12288);   /* only [0, 12288) left */
	ZEROS(f, 9000, 1000);
	char c;
	EQ(1, pf_pread(P, f, &c, 1, 8999));
	EQ('a', c);
	pf_close(f);
}

static void fallocate_enospc(void)
{
	PUTS("a", "abc");
	struct pf_statfs a, b;
	OK(pf_statfs(P, &a));
	pf_file *f = OPEN("a", O_RDWR, 0);
	ERR(ENOSPC, pf_fallocate(P, &ROOT, f, 0, 0, 1LL << 30));
	EQ(3, STAT("a").size);
	OK(pf_statfs(P, &b));
	EQ(a.bfree, b.bfree);           /* nothing leaked */
	CONTENT("a", "abc");
	pf_close(f);
}

static void write_enospc(void)
{
	struct pf_statfs a, b;
	OK(pf_statfs(P, &a));
	const size_t chunk = 1 * MiB;
	char *buf = malloc(chunk);
	pft_pattern(buf, chunk, 11, 0);
	pf_file *f = OPEN("fill", O_CREAT | O_RDWR, 0644);
	uint64_t total = 0;
	int full = 0;
	for (int i = 0; i < 200 && !full; i++) {
		ssize_t w = pf_write(P, &ROOT, f, buf, chunk);
		if (w == -ENOSPC || (w >= 0 && (size_t)w < chunk))
			full = 1;
		else
			EQ(chunk, w);
		if (w > 0)
			total += (uint64_t)w;
	}
	CHECK(full);
	EQ(total, STAT("fill").size);
	/* what was written reads back */
	char *rb = malloc(chunk);
	EQ(chunk, pf_pread(P, f, rb, chunk, 0));
	MEMEQ(buf, rb, chunk);
	/* a new file can not grow either, but metadata still works (or
	 * ENOSPC cleanly) */
	pf_close(f);
	OK(pf_unlinkat(P, &ROOT, NULL, "fill", 0));
	OK(pf_statfs(P, &b));
	/* everything came back (metadata kept by the root directory, such
	 * as a directory page, may stay: allow 64 KiB) */
	CHECK(b.bfree <= a.bfree);
	CHECK((a.bfree - b.bfree) * b.frsize <= 64 * KiB);
	/* and the pool still works */
	PUT("after", buf, chunk);
	EQ(chunk, STAT("after").size);
	free(buf);
	free(rb);
}

/* Space freed by truncate and unlink is reused: a long churn with less
 * than 1 MiB live never runs out of a 64 MiB pool. */
static void space_reused(void)
{
	char *buf = calloc(1, 100000);
	struct pf_statfs s0, s1;
	OK(pf_statfs(P, &s0));
	for (int i = 0; i < 400; i++) {
		pf_file *f = OPEN("f", O_CREAT | O_WRONLY | O_APPEND, 0644);
		size_t n = 1000 + (size_t)(i * 7919) % 90000;
		ssize_t w = pf_write(P, &ROOT, f, buf, n);
		pf_close(f);
		if (w != (ssize_t)n)
			pft_fail(__FILE__, __LINE__, "iteration %d: append of "
				 "%zu bytes to a %ju-byte file: %zd", i, n,
				 (uintmax_t)STAT("f").size, w);
		if (i % 3 == 0)
			OK(pf_truncate(P, &ROOT, NULL, "f", (i * 31) % 20000));
		if (i % 5 == 0)
			OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
	}
	OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
	OK(pf_statfs(P, &s1));
	CHECK((s0.bfree - s1.bfree) * s1.frsize <= 64 * KiB);
	free(buf);
}

static void fallocate_bad_files(void)
{
	MKDIR("d");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	ERR(EBADF, pf_fallocate(P, &ROOT, d, 0, 0, 4096));
	pf_close(d);
	PUTS("a", "x");
	pf_file *f = OPEN("a", O_RDONLY, 0);
	ERR(EBADF, pf_fallocate(P, &ROOT, f, 0, 0, 4096));
	pf_close(f);
}

/* Files grown by small appends hold about what tmpfs would once closed:
 * the chunk-class tail of pre-allocation is cut back to small pieces. */
static void appended_files_tight(void)
{
	static const uint64_t sizes[] = { 70000, 100000, 200000, 300000 };
	char blk[4096];
	memset(blk, 'a', sizeof(blk));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct pf_statfs a, b;
		OK(pf_statfs(P, &a));
		pf_file *f = OPEN("grown", O_CREAT | O_WRONLY | O_TRUNC, 0644);
		for (uint64_t done = 0; done < sizes[i];) {
			size_t n = sizes[i] - done < sizeof(blk) ?
				(size_t)(sizes[i] - done) : sizeof(blk);
			EQ((ssize_t)n, pf_write(P, &ROOT, f, blk, n));
			done += n;
		}
		pf_close(f);
		struct pf_stat st = STAT("grown");
		OK(pf_statfs(P, &b));
		uint64_t tight = (sizes[i] + 8191) / 8192 * 8192 + 8192;
		uint64_t used = (a.bfree - b.bfree) * a.frsize;
		printf("%llu bytes: st_blocks %llu, pool space %llu\n",
		       (unsigned long long)sizes[i],
		       (unsigned long long)st.blocks, (unsigned long long)used);
		CHECK(st.blocks * 512 >= sizes[i]);
		CHECK(st.blocks * 512 <= tight);
		CHECK(used <= tight + tight / 4);
		OK(pf_unlinkat(P, &ROOT, NULL, "grown", 0));
	}
}

/*
 * fallocate and writes into holes allocate what they are asked, page for
 * page, as tmpfs does (st_blocks of fallocate(1) -l 1M, 4M and 300000 on
 * /dev/shm: 2048, 8192 and 592), not a size class rounded up.
 */
static void fallocated_files_exact(void)
{
	static const uint64_t sizes[] = { 300000, 1 * MiB, 4 * MiB, 5 * MiB + 12345 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pf_file *f = OPEN("fa", O_CREAT | O_RDWR | O_TRUNC, 0644);
		OK(pf_fallocate(P, &ROOT, f, 0, 0, (off_t)sizes[i]));
		pf_close(f);
		uint64_t pages = (sizes[i] + 4095) / 4096;
		EQ(pages * 8, STAT("fa").blocks);
		OK(pf_unlinkat(P, &ROOT, NULL, "fa", 0));
	}
	/* a 1 MiB write into the hole of a sparse file */
	pf_file *f = OPEN("sp", O_CREAT | O_RDWR, 0644);
	OK(pf_ftruncate(P, &ROOT, f, 8 * MiB));
	static char buf[1 << 20];
	memset(buf, 'h', sizeof(buf));
	EQ((ssize_t)sizeof(buf), pf_pwrite(P, &ROOT, f, buf, sizeof(buf), 2 * MiB));
	char got[4];
	EQ(4, pf_pread(P, f, got, 4, 3 * MiB - 4));
	CHECK(memcmp(got, "hhhh", 4) == 0);
	EQ(4, pf_pread(P, f, got, 4, 1 * MiB));
	CHECK(memcmp(got, "\0\0\0\0", 4) == 0);
	pf_close(f);
	EQ(2048, STAT("sp").blocks);
}

/*
 * Files written as cp and tar write them hold whole pages, as on tmpfs: one
 * write of the whole file (cp), or 10240-byte records and a short last one
 * (tar). Each pair is {size, record}.
 */
static void written_files_page_exact(void)
{
	static const uint64_t cases[][2] = {
		{ 18960, 131072 }, { 20345, 131072 }, { 12297, 10240 },
		{ 20345, 10240 }, { 5000, 10240 }, { 70000, 10240 },
	};
	static char buf[131072];
	memset(buf, 'w', sizeof(buf));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t size = cases[i][0], rec = cases[i][1];
		pf_file *f = OPEN("w", O_CREAT | O_WRONLY | O_TRUNC, 0644);
		for (uint64_t done = 0; done < size;) {
			size_t n = size - done < rec ? (size_t)(size - done) :
				(size_t)rec;
			EQ((ssize_t)n, pf_write(P, &ROOT, f, buf, n));
			done += n;
		}
		pf_close(f);
		struct pf_stat st = STAT("w");
		EQ(size, st.size);
		EQ((size + 4095) / 4096 * 8, st.blocks);
		OK(pf_unlinkat(P, &ROOT, NULL, "w", 0));
	}
}

/*
 * A truncate into a pre-allocated chunk-class extent whose kept part is
 * carved into several small pieces kept only the first piece: the bytes of
 * an earlier write below the new end read as zeros (xfstests' fsx found
 * it; three writes and a truncate). Every byte below the new size must be
 * what was written.
 */
static void truncate_into_carved_extent(void)
{
	static const uint64_t w[][2] = {
		{ 0x2ea, 0x6ad5 }, { 0x140fd, 0xcddf }, { 0x24827, 0xa67a },
	};
	static char model[0x30000], buf[0x30000];
	memset(model, 0, sizeof(model));
	pf_file *f = OPEN("t", O_CREAT | O_RDWR | O_TRUNC, 0644);
	for (int k = 0; k < 3; k++) {
		pft_pattern(model + w[k][0], w[k][1], 7, w[k][0]);
		EQ((ssize_t)w[k][1], pf_pwrite(P, &ROOT, f, model + w[k][0],
					       w[k][1], (off_t)w[k][0]));
	}
	OK(pf_ftruncate(P, &ROOT, f, 0x24cce));
	EQ(0x24cce, pf_pread(P, f, buf, sizeof(buf), 0));
	MEMEQ(model, buf, 0x24cce);
	/* and up again: what was cut reads as zeros */
	OK(pf_ftruncate(P, &ROOT, f, 0x2f000));
	memset(model + 0x24cce, 0, sizeof(model) - 0x24cce);
	EQ(0x2f000, pf_pread(P, f, buf, sizeof(buf), 0));
	MEMEQ(model, buf, 0x2f000);
	pf_close(f);
}

PFT_MAIN(PFT_CASE(truncate_down_up), PFT_CASE(truncate_errors),
	 PFT_CASE(huge_sparse), PFT_CASE(blocks_true_to_allocation),
	 PFT_CASE(seek_data_hole), PFT_CASE(fallocate_modes),
	 PFT_CASE(punch_past_eof),
	 PFT_CASE(fallocate_enospc), PFT_CASE(write_enospc),
	 PFT_CASE(space_reused), PFT_CASE(fallocate_bad_files),
	 PFT_CASE(appended_files_tight), PFT_CASE(fallocated_files_exact),
	 PFT_CASE(written_files_page_exact),
	 PFT_CASE(truncate_into_carved_extent))
