/* SPDX-License-Identifier: BSD-3-Clause */
/* read/write/pread/pwrite/readv/writev/preadv/pwritev, lseek, and the
 * zero-copy callbacks pf_read_cb/pf_write_cb. */
#define _GNU_SOURCE
#include "pftest.h"

#include <sys/uio.h>

static void read_write_offsets(void)
{
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);
	char buf[64];
	EQ(0, pf_read(P, f, buf, sizeof(buf)));           /* empty: EOF */
	EQ(5, pf_write(P, &ROOT, f, "hello", 5));
	EQ(5, pf_lseek(P, f, 0, SEEK_CUR));
	EQ(0, pf_read(P, f, buf, sizeof(buf)));           /* at EOF */
	EQ(0, pf_lseek(P, f, 0, SEEK_SET));
	EQ(3, pf_read(P, f, buf, 3));
	MEMEQ("hel", buf, 3);
	EQ(2, pf_read(P, f, buf, sizeof(buf)));           /* short read */
	MEMEQ("lo", buf, 2);
	EQ(0, pf_read(P, f, buf, 0));                     /* zero count */
	EQ(0, pf_write(P, &ROOT, f, "x", 0));
	EQ(5, STAT("a").size);
	/* overwrite in the middle */
	EQ(1, pf_lseek(P, f, 1, SEEK_SET));
	EQ(3, pf_write(P, &ROOT, f, "ELL", 3));
	EQ(4, pf_lseek(P, f, 0, SEEK_CUR));
	pf_close(f);
	CONTENT("a", "hELLo");
}

static void pread_pwrite(void)
{
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);
	char buf[64];
	EQ(5, pf_pwrite(P, &ROOT, f, "world", 5, 10));    /* leaves a hole */
	EQ(0, pf_lseek(P, f, 0, SEEK_CUR));               /* offset unchanged */
	EQ(15, STAT("a").size);
	EQ(15, pf_pread(P, f, buf, sizeof(buf), 0));
	MEMEQ("\0\0\0\0\0\0\0\0\0\0world", buf, 15);
	EQ(0, pf_lseek(P, f, 0, SEEK_CUR));
	EQ(0, pf_pread(P, f, buf, sizeof(buf), 15));      /* at EOF */
	EQ(0, pf_pread(P, f, buf, sizeof(buf), 1000));    /* past EOF */
	EQ(2, pf_pread(P, f, buf, 2, 11));
	MEMEQ("or", buf, 2);
	ERR(EINVAL, pf_pread(P, f, buf, 1, -1));
	ERR(EINVAL, pf_pwrite(P, &ROOT, f, "x", 1, -1));
	pf_close(f);
}

static void vectors(void)
{
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);
	struct iovec w[3] = {
		{ "abc", 3 }, { "", 0 }, { "defgh", 5 },
	};
	EQ(8, pf_writev(P, &ROOT, f, w, 3));
	EQ(8, pf_lseek(P, f, 0, SEEK_CUR));
	EQ(3, pf_pwritev(P, &ROOT, f, w, 1, 8));      /* "abc" at 8 */
	EQ(8, pf_lseek(P, f, 0, SEEK_CUR));
	char a[2], b[4], c[10];
	struct iovec r[3] = { { a, 2 }, { b, 4 }, { c, 10 } };
	EQ(0, pf_lseek(P, f, 0, SEEK_SET));
	EQ(11, pf_readv(P, f, r, 3));
	MEMEQ("ab", a, 2);
	MEMEQ("cdef", b, 4);
	MEMEQ("ghabc", c, 5);
	EQ(11, pf_lseek(P, f, 0, SEEK_CUR));
	EQ(6, pf_preadv(P, f, r, 2, 3));
	MEMEQ("de", a, 2);
	MEMEQ("fgha", b, 4);
	EQ(11, pf_lseek(P, f, 0, SEEK_CUR));
	/* zero vectors */
	EQ(0, pf_readv(P, f, r, 0));
	EQ(0, pf_writev(P, &ROOT, f, w, 0));
	/* invalid counts */
	ERR(EINVAL, pf_readv(P, f, r, -1));
	ERR(EINVAL, pf_writev(P, &ROOT, f, w, -1));
	ERR(EINVAL, pf_readv(P, f, r, 1025));   /* IOV_MAX is 1024 */
	pf_close(f);
	CONTENT("a", "abcdefghabc");
}

static void lseek_whences(void)
{
	PUTS("a", "0123456789");
	pf_file *f = OPEN("a", O_RDONLY, 0);
	EQ(4, pf_lseek(P, f, 4, SEEK_SET));
	EQ(6, pf_lseek(P, f, 2, SEEK_CUR));
	EQ(3, pf_lseek(P, f, -3, SEEK_CUR));
	EQ(10, pf_lseek(P, f, 0, SEEK_END));
	EQ(7, pf_lseek(P, f, -3, SEEK_END));
	EQ(20, pf_lseek(P, f, 10, SEEK_END));   /* past the end is fine */
	char c;
	EQ(0, pf_read(P, f, &c, 1));
	EQ(20, pf_lseek(P, f, 0, SEEK_CUR));
	ERR(EINVAL, pf_lseek(P, f, -1, SEEK_SET));
	ERR(EINVAL, pf_lseek(P, f, -21, SEEK_CUR));
	ERR(EINVAL, pf_lseek(P, f, -11, SEEK_END));
	ERR(EINVAL, pf_lseek(P, f, 0, 99));
	EQ(20, pf_lseek(P, f, 0, SEEK_CUR));     /* unchanged by errors */
	/* SEEK_DATA/SEEK_HOLE on a dense file */
	EQ(0, pf_lseek(P, f, 0, SEEK_DATA));
	EQ(10, pf_lseek(P, f, 0, SEEK_HOLE));
	EQ(5, pf_lseek(P, f, 5, SEEK_DATA));
	EQ(10, pf_lseek(P, f, 5, SEEK_HOLE));
	ERR(ENXIO, pf_lseek(P, f, 10, SEEK_DATA));
	ERR(ENXIO, pf_lseek(P, f, 10, SEEK_HOLE));
	ERR(ENXIO, pf_lseek(P, f, 11, SEEK_DATA));
	ERR(ENXIO, pf_lseek(P, f, -1, SEEK_DATA));
	pf_close(f);
	/* empty file */
	PUTS("e", "");
	f = OPEN("e", O_RDONLY, 0);
	ERR(ENXIO, pf_lseek(P, f, 0, SEEK_DATA));
	ERR(ENXIO, pf_lseek(P, f, 0, SEEK_HOLE));
	pf_close(f);
	/* O_PATH: EBADF */
	f = OPEN("a", O_PATH, 0);
	ERR(EBADF, pf_lseek(P, f, 0, SEEK_SET));
	pf_close(f);
}

static void write_past_end_zero_fills(void)
{
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);
	EQ(3, pf_write(P, &ROOT, f, "abc", 3));
	EQ(10000, pf_lseek(P, f, 10000, SEEK_SET));
	EQ(3, pf_write(P, &ROOT, f, "xyz", 3));
	EQ(10003, STAT("a").size);
	char *buf = malloc(10003);
	EQ(10003, pf_pread(P, f, buf, 10003, 0));
	MEMEQ("abc", buf, 3);
	for (int i = 3; i < 10000; i++)
		if (buf[i] != 0)
			pft_fail(__FILE__, __LINE__, "byte %d is %d", i,
				 buf[i]);
	MEMEQ("xyz", buf + 10000, 3);
	free(buf);
	pf_close(f);
}

static void large_io(void)
{
	/* 5 MiB + odd bytes, written in uneven chunks, read back in others */
	const size_t len = (5u << 20) + 12345;
	unsigned char *src = malloc(len), *dst = malloc(len);
	pft_pattern(src, len, 42, 0);
	pf_file *f = OPEN("big", O_CREAT | O_RDWR, 0644);
	size_t done = 0, chunk = 1;
	while (done < len) {
		size_t n = chunk < len - done ? chunk : len - done;
		EQ(n, pf_write(P, &ROOT, f, src + done, n));
		done += n;
		chunk = chunk * 3 + 7;
		if (chunk > 700000)
			chunk = 4095;
	}
	EQ(len, STAT("big").size);
	memset(dst, 0, len);
	EQ(len, pf_pread(P, f, dst, len, 0));
	MEMEQ(src, dst, len);
	/* unaligned overwrite across block boundaries */
	pft_pattern(src + 4000, 100000, 7, 4000);
	EQ(100000, pf_pwrite(P, &ROOT, f, src + 4000, 100000, 4000));
	memset(dst, 0, len);
	done = 0;
	EQ(0, pf_lseek(P, f, 0, SEEK_SET));
	for (;;) {
		ssize_t r = pf_read(P, f, dst + done, 65537);
		CHECK(r >= 0);
		if (r == 0)
			break;
		done += (size_t)r;
	}
	EQ(len, done);
	MEMEQ(src, dst, len);
	pf_close(f);
	free(src);
	free(dst);
}

static void directory_io(void)
{
	MKDIR("d");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	char buf[16];
	ERR(EISDIR, pf_read(P, d, buf, sizeof(buf)));
	ERR(EISDIR, pf_pread(P, d, buf, sizeof(buf), 0));
	struct iovec v = { buf, sizeof(buf) };
	ERR(EISDIR, pf_readv(P, d, &v, 1));
	ERR(EINVAL, pf_ftruncate(P, &ROOT, d, 0));
	pf_close(d);
}

/* ---- callbacks ----------------------------------------------------------- */

struct cbstate {
	unsigned char *buf;     /* destination (read) or source (write) */
	size_t pieces;
	size_t expect_pos;
	size_t limit;           /* stop after this many bytes in total */
	int fail_at_piece;      /* return an error at this piece (-1 never) */
	int holes;
};

static ssize_t read_copy(void *arg, void *pool_mem, size_t len, size_t pos)
{
	struct cbstate *s = arg;
	if (pos != s->expect_pos)
		return -EFAULT;
	if ((int)s->pieces == s->fail_at_piece)
		return -EFAULT;
	s->pieces++;
	if (pos + len > s->limit)
		len = s->limit - pos;
	if (pool_mem)
		memcpy(s->buf + pos, pool_mem, len);
	else {
		memset(s->buf + pos, 0, len);
		s->holes++;
	}
	s->expect_pos = pos + len;
	return (ssize_t)len;
}

static ssize_t write_copy(void *arg, void *pool_mem, size_t len, size_t pos)
{
	struct cbstate *s = arg;
	if (pos != s->expect_pos || !pool_mem)
		return -EFAULT;
	if ((int)s->pieces == s->fail_at_piece)
		return -EFAULT;
	s->pieces++;
	if (pos + len > s->limit)
		len = s->limit - pos;
	memcpy(pool_mem, s->buf + pos, len);
	s->expect_pos = pos + len;
	return (ssize_t)len;
}

static void callbacks(void)
{
	const size_t len = 300000;
	unsigned char *src = malloc(len), *dst = malloc(len);
	pft_pattern(src, len, 9, 0);
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);

	/* write at the file offset */
	struct cbstate s = { .buf = src, .limit = len, .fail_at_piece = -1 };
	EQ(len, pf_write_cb(P, &ROOT, f, len, -1, write_copy, &s));
	CHECK(s.pieces >= 1);
	EQ(len, pf_lseek(P, f, 0, SEEK_CUR));
	EQ(len, STAT("a").size);
	/* read back at an offset (pread semantics) */
	struct cbstate r = { .buf = dst, .limit = len, .fail_at_piece = -1 };
	EQ(len, pf_read_cb(P, f, len, 0, read_copy, &r));
	MEMEQ(src, dst, len);
	EQ(len, pf_lseek(P, f, 0, SEEK_CUR));
	/* read at the offset: at EOF, nothing */
	r = (struct cbstate){ .buf = dst, .limit = len, .fail_at_piece = -1 };
	EQ(0, pf_read_cb(P, f, len, -1, read_copy, &r));
	/* partial read at the offset advances it */
	EQ(100, pf_lseek(P, f, 100, SEEK_SET));
	r = (struct cbstate){ .buf = dst, .limit = 1000, .fail_at_piece = -1 };
	EQ(1000, pf_read_cb(P, f, 1000, -1, read_copy, &r));
	MEMEQ(src + 100, dst, 1000);
	EQ(1100, pf_lseek(P, f, 0, SEEK_CUR));

	/* a short copy stops the call: the count is what was moved */
	r = (struct cbstate){ .buf = dst, .limit = 5000, .fail_at_piece = -1 };
	EQ(5000, pf_read_cb(P, f, len, 0, read_copy, &r));
	/* an error before anything moved is returned */
	r = (struct cbstate){ .buf = dst, .limit = len, .fail_at_piece = 0 };
	ERR(EFAULT, pf_read_cb(P, f, len, 0, read_copy, &r));
	s = (struct cbstate){ .buf = src, .limit = len, .fail_at_piece = 0 };
	ERR(EFAULT, pf_write_cb(P, &ROOT, f, 10, len, write_copy, &s));
	EQ(len, STAT("a").size);        /* failed append changes nothing */

	/* a short write extends the file only by what was moved */
	s = (struct cbstate){ .buf = src, .limit = 777, .fail_at_piece = -1 };
	EQ(777, pf_write_cb(P, &ROOT, f, 5000, len, write_copy, &s));
	EQ(len + 777, STAT("a").size);

	/* holes come as NULL pool_mem */
	OK(pf_ftruncate(P, &ROOT, f, 0));
	EQ(3, pf_pwrite(P, &ROOT, f, "end", 3, 1 << 20));
	memset(dst, 0xff, len);
	r = (struct cbstate){ .buf = dst, .limit = len, .fail_at_piece = -1 };
	EQ(len, pf_read_cb(P, f, len, 0, read_copy, &r));
	CHECK(r.holes >= 1);
	for (size_t i = 0; i < len; i++)
		if (dst[i])
			pft_fail(__FILE__, __LINE__, "hole byte %zu", i);
	/* callbacks on a read-only / write-only description */
	pf_close(f);
	f = OPEN("a", O_RDONLY, 0);
	s = (struct cbstate){ .buf = src, .limit = len, .fail_at_piece = -1 };
	ERR(EBADF, pf_write_cb(P, &ROOT, f, 10, 0, write_copy, &s));
	pf_close(f);
	f = OPEN("a", O_WRONLY, 0);
	ERR(EBADF, pf_read_cb(P, f, 10, 0, read_copy, &r));
	pf_close(f);
	/* O_APPEND: writes at the end even with an offset */
	f = OPEN("a", O_WRONLY | O_APPEND, 0);
	s = (struct cbstate){ .buf = src, .limit = 10, .fail_at_piece = -1 };
	EQ(10, pf_write_cb(P, &ROOT, f, 10, 0, write_copy, &s));
	EQ((1 << 20) + 13, STAT("a").size);
	pf_close(f);
	free(src);
	free(dst);
}

/* pwritev2-style flags for the zero-copy write (RWF_APPEND) */
static void write_cb_flags(void)
{
	unsigned char src[16];
	memcpy(src, "0123456789abcdef", 16);
	PUTS("a", "start");
	pf_file *f = OPEN("a", O_RDWR, 0);
	struct cbstate s = { .buf = src, .limit = 3, .fail_at_piece = -1 };
	/* explicit offset: appended anyway, file offset unchanged */
	EQ(3, pf_write_cb_flags(P, &ROOT, f, 3, 0, PF_RWF_APPEND, write_copy,
				&s));
	EQ(0, pf_lseek(P, f, 0, SEEK_CUR));
	CONTENT("a", "start012");
	/* offset -1: appended, file offset moves to the new end */
	s = (struct cbstate){ .buf = src, .limit = 2, .fail_at_piece = -1 };
	EQ(2, pf_write_cb_flags(P, &ROOT, f, 2, -1, PF_RWF_APPEND, write_copy,
				&s));
	EQ(10, pf_lseek(P, f, 0, SEEK_CUR));
	CONTENT("a", "start01201");
	/* no flags: as pf_write_cb (a pwrite at 0) */
	s = (struct cbstate){ .buf = src, .limit = 2, .fail_at_piece = -1 };
	EQ(2, pf_write_cb_flags(P, &ROOT, f, 2, 0, 0, write_copy, &s));
	CONTENT("a", "01art01201");
	/* unknown flags */
	s = (struct cbstate){ .buf = src, .limit = 2, .fail_at_piece = -1 };
	ERR(EOPNOTSUPP, pf_write_cb_flags(P, &ROOT, f, 2, 0, 0x80, write_copy,
					  &s));
	CONTENT("a", "01art01201");
	pf_close(f);
	/* a read-only description still refuses */
	f = OPEN("a", O_RDONLY, 0);
	ERR(EBADF, pf_write_cb_flags(P, &ROOT, f, 2, -1, PF_RWF_APPEND,
				     write_copy, &s));
	pf_close(f);
}

static void fsync_ok(void)
{
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);
	OK(pf_fsync(P, f));
	OK(pf_fdatasync(P, f));
	pf_close(f);
	f = OPEN("/", O_RDONLY | O_DIRECTORY, 0);
	OK(pf_fsync(P, f));
	pf_close(f);
}

static void two_descriptions_see_each_other(void)
{
	pf_file *w = OPEN("a", O_CREAT | O_WRONLY, 0644);
	pf_file *r = OPEN("a", O_RDONLY, 0);
	char buf[8];
	EQ(4, pf_write(P, &ROOT, w, "abcd", 4));
	EQ(4, pf_read(P, r, buf, sizeof(buf)));
	MEMEQ("abcd", buf, 4);
	EQ(2, pf_write(P, &ROOT, w, "ef", 2));
	EQ(2, pf_read(P, r, buf, sizeof(buf)));
	MEMEQ("ef", buf, 2);
	/* truncate through a third */
	OK(pf_truncate(P, &ROOT, NULL, "a", 1));
	EQ(0, pf_read(P, r, buf, sizeof(buf)));
	EQ(1, pf_pread(P, r, buf, sizeof(buf), 0));
	pf_close(w);
	pf_close(r);
}

/* Offsets at the ends of off_t, as tmpfs answers them on Linux 6.18. */
static void huge_offsets(void)
{
	pf_file *f = OPEN("a", O_CREAT | O_RDWR, 0644);
	EQ(1, pf_pwrite(P, &ROOT, f, "x", 1, 1LL << 62));
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	EQ((1LL << 62) + 1, st.size);
	CHECK(st.blocks <= 2048);
	char c = 0;
	EQ(1, pf_pread(P, f, &c, 1, 1LL << 62));
	EQ('x', c);
	EQ(1, pf_pread(P, f, &c, 1, 1LL << 61));
	EQ(0, c);
	/* the end of a write must be representable */
	ERR(EINVAL, pf_pwrite(P, &ROOT, f, "xy", 2, INT64_MAX - 1));
	ERR(EINVAL, pf_pwrite(P, &ROOT, f, "xy", 2, INT64_MAX));
	EQ(INT64_MAX, pf_lseek(P, f, INT64_MAX, SEEK_SET));
	ERR(EINVAL, pf_write(P, &ROOT, f, "a", 1));
	ERR(EINVAL, pf_lseek(P, f, 1, SEEK_CUR));
	ERR(EFBIG, pf_fallocate(P, &ROOT, f, 0, INT64_MAX - 10, 100));
	OK(pf_ftruncate(P, &ROOT, f, INT64_MAX));
	EQ(INT64_MAX, pf_lseek(P, f, 0, SEEK_END));
	ERR(EINVAL, pf_lseek(P, f, 1, SEEK_END));
	OK(pf_ftruncate(P, &ROOT, f, 0));
	pf_close(f);
}

PFT_MAIN(PFT_CASE(huge_offsets), PFT_CASE(read_write_offsets), PFT_CASE(pread_pwrite),
	 PFT_CASE(vectors), PFT_CASE(lseek_whences),
	 PFT_CASE(write_past_end_zero_fills), PFT_CASE(large_io),
	 PFT_CASE(directory_io), PFT_CASE(callbacks),
	 PFT_CASE(write_cb_flags), PFT_CASE(fsync_ok),
	 PFT_CASE(two_descriptions_see_each_other))
