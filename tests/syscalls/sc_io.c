/*
 * I/O family: read/write/pread/pwrite/readv/writev/preadv2/pwritev2, lseek
 * with SEEK_DATA/SEEK_HOLE, truncate/ftruncate, fallocate, the fsync family,
 * sendfile/copy_file_range/splice between pool and host, mmap (private:
 * a snapshot; shared mappings in sc_mmap.c),
 * io_uring_setup (ENOSYS under pmemfile-run).
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void t_read_write_offsets(void)
{
	int fd = CHECK_OK(open(path("rw"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(11, write(fd, "hello world", 11));
	CHECK_EQ(11, lseek(fd, 0, SEEK_CUR));
	char buf[64] = { 0 };
	CHECK_EQ(0, read(fd, buf, sizeof(buf))); /* at EOF */
	CHECK_EQ(5, pread(fd, buf, 5, 6));
	CHECK_MEM("world", buf, 5);
	CHECK_EQ(11, lseek(fd, 0, SEEK_CUR)); /* pread does not move it */
	CHECK_EQ(1, pwrite(fd, "W", 1, 6));
	CHECK_EQ(11, lseek(fd, 0, SEEK_CUR));
	CHECK_EQ(11, pread(fd, buf, 64, 0));
	CHECK_MEM("hello World", buf, 11);
	CHECK_EQ(0, pread(fd, buf, 10, 100));
	/* pwrite beyond EOF leaves a hole of zeros */
	CHECK_EQ(1, pwrite(fd, "Z", 1, 20));
	CHECK_EQ(21, pread(fd, buf, 64, 0));
	for (int i = 11; i < 20; i++)
		CHECK_EQ(0, buf[i]);
	CHECK_EQ('Z', buf[20]);
	/* negative offsets */
	CHECK_ERR(EINVAL, pread(fd, buf, 1, -1));
	CHECK_ERR(EINVAL, pwrite(fd, buf, 1, -1));
	/* zero-length I/O */
	CHECK_EQ(0, write(fd, buf, 0));
	CHECK_EQ(0, read(fd, buf, 0));
	/* bad fd */
	CHECK_ERR(EBADF, read(9999, buf, 1));
	/* a big write and read back, across many blocks */
	size_t big = 3 * 1024 * 1024 + 123;
	char *a = malloc(big), *b = malloc(big);
	CHECK(a && b);
	for (size_t i = 0; i < big; i++)
		a[i] = (char)(i * 7 + i / 4096);
	CHECK_EQ((long long)big, pwrite(fd, a, big, 4095));
	CHECK_EQ((long long)big, pread(fd, b, big, 4095));
	CHECK_MEM(a, b, big);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(4095 + (long long)big, st.st_size);
	free(a);
	free(b);
	close(fd);
	CHECK_OK(unlink(path("rw")));
}

static void t_vectors(void)
{
	int fd = CHECK_OK(open(path("vec"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	struct iovec w[3] = {
		{ "abc", 3 }, { "", 0 }, { "defgh", 5 },
	};
	CHECK_EQ(8, writev(fd, w, 3));
	CHECK_EQ(8, lseek(fd, 0, SEEK_CUR));
	char x[2], y[4], z[8];
	struct iovec r[3] = { { x, 2 }, { y, 4 }, { z, 8 } };
	CHECK_EQ(0, lseek(fd, 0, SEEK_SET));
	CHECK_EQ(8, readv(fd, r, 3));
	CHECK_MEM("ab", x, 2);
	CHECK_MEM("cdef", y, 4);
	CHECK_MEM("gh", z, 2);
	CHECK_EQ(8, pwritev(fd, w, 3, 100));
	CHECK_EQ(8, lseek(fd, 0, SEEK_CUR));
	CHECK_EQ(8, preadv(fd, r, 3, 100));
	CHECK_MEM("cdef", y, 4);
	/* preadv2/pwritev2 with offset -1: the file offset is used and moved */
	CHECK_EQ(2, lseek(fd, 2, SEEK_SET));
	CHECK_EQ(3, syscall(SYS_pwritev2, fd, w, 1, -1L, -1L, 0));
	CHECK_EQ(5, lseek(fd, 0, SEEK_CUR));
	CHECK_EQ(0, lseek(fd, 0, SEEK_SET));
	CHECK_EQ(6, syscall(SYS_preadv2, fd, r, 2, -1L, -1L, 0));
	CHECK_MEM("ab", x, 2);
	CHECK_MEM("abcf", y, 4);
	CHECK_EQ(6, lseek(fd, 0, SEEK_CUR));
	/* with an explicit offset the file offset stays */
	CHECK_EQ(2, syscall(SYS_preadv2, fd, r, 1, 100L, 0L, 0));
	CHECK_EQ(6, lseek(fd, 0, SEEK_CUR));
	/* RWF_APPEND appends whatever the offset */
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(3, syscall(SYS_pwritev2, fd, w, 1, 0L, 0L, RWF_APPEND));
	struct stat st2;
	CHECK_OK(fstat(fd, &st2));
	CHECK_EQ(st.st_size + 3, st2.st_size);
	/* unknown RWF flags */
	CHECK_ERR(EOPNOTSUPP,
		  syscall(SYS_pwritev2, fd, w, 1, 0L, 0L, 0x10000000));
	/* too many iovecs */
	CHECK_ERR(EINVAL, syscall(SYS_writev, fd, w, 1025));
	close(fd);
	CHECK_OK(unlink(path("vec")));
}

static void t_lseek_data_hole(void)
{
	int fd = CHECK_OK(open(path("sparse"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	char blk[4096];
	memset(blk, 'd', sizeof(blk));
	CHECK_EQ(4096, pwrite(fd, blk, 4096, 0));
	CHECK_EQ(4096, pwrite(fd, blk, 4096, 1 << 20));
	CHECK_OK(ftruncate(fd, (2 << 20)));
	CHECK_EQ(0, lseek(fd, 0, SEEK_DATA));
	CHECK_EQ(4096, lseek(fd, 0, SEEK_HOLE));
	CHECK_EQ(1 << 20, lseek(fd, 4096, SEEK_DATA));
	CHECK_EQ(100, lseek(fd, 100, SEEK_DATA));
	CHECK_EQ((1 << 20) + 4096, lseek(fd, (1 << 20) + 10, SEEK_HOLE));
	CHECK_ERR(ENXIO, lseek(fd, (1 << 20) + 4096, SEEK_DATA));
	CHECK_EQ((1 << 20) + 4096, lseek(fd, (1 << 20) + 4096, SEEK_HOLE));
	CHECK_ERR(ENXIO, lseek(fd, 2 << 20, SEEK_HOLE));
	CHECK_ERR(ENXIO, lseek(fd, 3 << 20, SEEK_DATA));
	/* plain whence values */
	CHECK_EQ((2 << 20) - 10, lseek(fd, -10, SEEK_END));
	CHECK_EQ((2 << 20) - 5, lseek(fd, 5, SEEK_CUR));
	CHECK_ERR(EINVAL, lseek(fd, -1, SEEK_SET));
	CHECK_ERR(EINVAL, lseek(fd, 0, 42));
	/* beyond EOF is fine, a write there extends with a hole */
	CHECK_EQ(3 << 20, lseek(fd, 3 << 20, SEEK_SET));
	CHECK_EQ(1, write(fd, "e", 1));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ((3 << 20) + 1, st.st_size);
	char c = 1;
	CHECK_EQ(1, pread(fd, &c, 1, (2 << 20) + 7));
	CHECK_EQ(0, c);
	close(fd);
	/* lseek on a pipe: ESPIPE (host fds still behave) */
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(ESPIPE, lseek(p[0], 0, SEEK_CUR));
	close(p[0]);
	close(p[1]);
	CHECK_OK(unlink(path("sparse")));
}

static void t_truncate(void)
{
	write_file(path("tr"), "0123456789");
	CHECK_OK(truncate(path("tr"), 4));
	char buf[64];
	CHECK_EQ(4, read_file(path("tr"), buf, sizeof(buf)));
	CHECK_STR("0123", buf);
	CHECK_OK(truncate(path("tr"), 8));
	CHECK_EQ(8, read_file(path("tr"), buf, sizeof(buf)));
	CHECK_MEM("0123\0\0\0\0", buf, 8);
	int fd = CHECK_OK(open(path("tr"), O_RDWR));
	CHECK_OK(ftruncate(fd, 2));
	CHECK_EQ(2, lseek(fd, 0, SEEK_END));
	CHECK_ERR(EINVAL, ftruncate(fd, -1));
	close(fd);
	fd = CHECK_OK(open(path("tr"), O_RDONLY));
	CHECK_ERR2(EINVAL, EBADF, ftruncate(fd, 0));
	close(fd);
	CHECK_ERR(EINVAL, truncate(path("tr"), -1));
	CHECK_ERR(ENOENT, truncate(path("missing"), 0));
	CHECK_OK(mkdir(path("trdir"), 0755));
	CHECK_ERR(EISDIR, truncate(path("trdir"), 0));
	CHECK_OK(rmdir(path("trdir")));
	/* shrinking then growing must not resurrect old bytes in a block */
	fd = CHECK_OK(open(path("tr"), O_RDWR | O_TRUNC));
	char blk[8192];
	memset(blk, 'x', sizeof(blk));
	CHECK_EQ((long long)sizeof(blk), write(fd, blk, sizeof(blk)));
	CHECK_OK(ftruncate(fd, 100));
	CHECK_OK(ftruncate(fd, 8192));
	CHECK_EQ(8192, pread(fd, blk, sizeof(blk), 0));
	for (int i = 100; i < 8192; i++)
		if (blk[i] != 0)
			PFT_FAIL("byte %d after shrink+grow is %d, not 0", i, blk[i]);
	close(fd);
	CHECK_OK(unlink(path("tr")));
}

static void t_fallocate(void)
{
	int fd = CHECK_OK(open(path("fa"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_OK(fallocate(fd, 0, 0, 10000));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(10000, st.st_size);
	CHECK(st.st_blocks * 512 >= 10000);
	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 10000, 50000));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(10000, st.st_size);
	char blk[16384];
	memset(blk, 'q', sizeof(blk));
	CHECK_EQ((long long)sizeof(blk), pwrite(fd, blk, sizeof(blk), 0));
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		4096, 8192));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(16384, st.st_size);
	CHECK_EQ(16384, pread(fd, blk, sizeof(blk), 0));
	CHECK_EQ('q', blk[4095]);
	for (int i = 4096; i < 12288; i++)
		if (blk[i] != 0)
			PFT_FAIL("punched byte %d is %d", i, blk[i]);
	CHECK_EQ('q', blk[12288]);
	CHECK_EQ(4096, lseek(fd, 4096, SEEK_HOLE));
	CHECK_EQ(12288, lseek(fd, 4096, SEEK_DATA));
	CHECK_ERR(EOPNOTSUPP, fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
	CHECK_ERR(EINVAL, fallocate(fd, 0, -1, 10));
	CHECK_ERR(EINVAL, fallocate(fd, 0, 0, 0));
	CHECK_OK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0 ? 0 : -1);
	CHECK_OK(readahead(fd, 0, 4096));
	CHECK_OK(fsync(fd));
	CHECK_OK(fdatasync(fd));
	CHECK_OK(syncfs(fd));
	CHECK_OK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	close(fd);
	fd = CHECK_OK(open(path("fa"), O_RDONLY));
	CHECK_ERR(EBADF, fallocate(fd, 0, 0, 100));
	close(fd);
	CHECK_ERR(EBADF, fsync(9999));
	CHECK_OK(unlink(path("fa")));
}

static void fill(const char *p, size_t n)
{
	int fd = CHECK_OK(open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	char *b = malloc(n);
	CHECK(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (char)('a' + i % 26 + (i / 1000) % 3);
	CHECK_EQ((long long)n, write(fd, b, n));
	free(b);
	close(fd);
}

static void same_content(const char *a, const char *b)
{
	size_t n = 4 << 20;
	char *x = malloc(n), *y = malloc(n);
	CHECK(x && y);
	long la = read_file(a, x, n), lb = read_file(b, y, n);
	if (la != lb)
		PFT_FAIL("%s has %ld bytes, %s has %ld", a, la, b, lb);
	if (memcmp(x, y, (size_t)la) != 0)
		PFT_FAIL("%s and %s differ", a, b);
	free(x);
	free(y);
}

static void t_sendfile_copy_splice(void)
{
	const size_t n = 3 * 1024 * 1024 + 17; /* > the 1 MiB per call limit */
	fill(path("src"), n);
	fill(hpath("hsrc"), n);
	const char *pairs[][2] = {
		{ path("src"), hpath("to_host") },
		{ hpath("hsrc"), path("to_pool") },
		{ path("src"), path("pool_to_pool") },
	};
	for (int k = 0; k < 3; k++) {
		/* sendfile, looping on short counts */
		int in = CHECK_OK(open(pairs[k][0], O_RDONLY));
		int out = CHECK_OK(open(pairs[k][1], O_WRONLY | O_CREAT | O_TRUNC,
			0644));
		size_t done = 0;
		while (done < n) {
			ssize_t r = sendfile(out, in, NULL, n - done);
			if (r <= 0)
				PFT_FAIL("sendfile %s -> %s: %zd (%s)", pairs[k][0],
					pairs[k][1], r, strerror(errno));
			done += (size_t)r;
		}
		CHECK_EQ((long long)n, lseek(in, 0, SEEK_CUR));
		close(in);
		close(out);
		same_content(pairs[k][0], pairs[k][1]);

		/* sendfile with an offset pointer: the file offset stays */
		in = CHECK_OK(open(pairs[k][0], O_RDONLY));
		out = CHECK_OK(open(pairs[k][1], O_WRONLY | O_TRUNC));
		off_t off = 1000;
		CHECK_EQ(500, sendfile(out, in, &off, 500));
		CHECK_EQ(1500, off);
		CHECK_EQ(0, lseek(in, 0, SEEK_CUR));
		CHECK_EQ(500, lseek(out, 0, SEEK_CUR));
		close(in);
		close(out);

		/* copy_file_range with both offsets given */
		in = CHECK_OK(open(pairs[k][0], O_RDONLY));
		out = CHECK_OK(open(pairs[k][1], O_RDWR | O_TRUNC));
		loff_t oi = 0, oo = 0;
		while ((size_t)oi < n) {
			ssize_t r = copy_file_range(in, &oi, out, &oo, n - (size_t)oi, 0);
			if (r <= 0)
				PFT_FAIL("copy_file_range %s -> %s: %zd (%s)",
					pairs[k][0], pairs[k][1], r, strerror(errno));
		}
		CHECK_EQ((long long)n, oo);
		CHECK_EQ(0, lseek(in, 0, SEEK_CUR));
		CHECK_EQ(0, lseek(out, 0, SEEK_CUR));
		CHECK_ERR(EINVAL, copy_file_range(in, NULL, out, NULL, 10, 1));
		close(in);
		close(out);
		same_content(pairs[k][0], pairs[k][1]);

		/* splice through a pipe, file -> pipe -> file */
		in = CHECK_OK(open(pairs[k][0], O_RDONLY));
		out = CHECK_OK(open(pairs[k][1], O_WRONLY | O_TRUNC));
		int p[2];
		CHECK_OK(pipe(p));
		done = 0;
		while (done < n) {
			ssize_t r = splice(in, NULL, p[1], NULL, 65536, 0);
			if (r <= 0)
				PFT_FAIL("splice %s -> pipe: %zd (%s)", pairs[k][0], r,
					strerror(errno));
			ssize_t left = r;
			while (left > 0) {
				ssize_t w = splice(p[0], NULL, out, NULL, (size_t)left, 0);
				if (w <= 0)
					PFT_FAIL("splice pipe -> %s: %zd (%s)", pairs[k][1],
						w, strerror(errno));
				left -= w;
			}
			done += (size_t)r;
		}
		close(p[0]);
		close(p[1]);
		close(in);
		close(out);
		same_content(pairs[k][0], pairs[k][1]);
	}
	/* copy_file_range into a pipe is not allowed (regular files only) */
	int p[2];
	CHECK_OK(pipe(p));
	int in = CHECK_OK(open(path("src"), O_RDONLY));
	CHECK_ERR(EINVAL, copy_file_range(in, NULL, p[1], NULL, 10, 0));
	close(in);
	close(p[0]);
	close(p[1]);
	CHECK_OK(unlink(path("src")));
	CHECK_OK(unlink(path("to_pool")));
	CHECK_OK(unlink(path("pool_to_pool")));
	CHECK_OK(unlink(hpath("hsrc")));
	CHECK_OK(unlink(hpath("to_host")));
}

static void t_mmap_iouring(void)
{
	write_file(path("map"), "mapped data");
	int fd = CHECK_OK(open(path("map"), O_RDWR));
	/* shared mappings in depth: sc_mmap.c */
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	munmap(m, 4096);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	CHECK_MEM("mapped data", m, 11);
	munmap(m, 4096);
	char *pm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(pm != MAP_FAILED);
	CHECK_MEM("mapped data", pm, 11);
	pm[0] = 'M'; /* private: the file does not change */
	char buf[16];
	CHECK_EQ(11, pread(fd, buf, 11, 0));
	CHECK_MEM("mapped data", buf, 11);
	munmap(pm, 4096);
	/* a mapping at an offset */
	char big[8192];
	memset(big, 'o', sizeof(big));
	CHECK_EQ(8192, pwrite(fd, big, sizeof(big), 0));
	pm = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	CHECK(pm != MAP_FAILED);
	CHECK_EQ('o', pm[4095]);
	munmap(pm, 4096);
	if (g_pool) {
		/* io_uring would bypass the filter */
		char params[120] = { 0 };
		CHECK_ERR(ENOSYS, syscall(SYS_io_uring_setup, 4, params));
	}
	/* anonymous and host mappings keep working */
	void *a = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(a != MAP_FAILED);
	munmap(a, 8192);
	write_file(hpath("hmap"), "host map");
	int hfd = CHECK_OK(open(hpath("hmap"), O_RDONLY));
	void *h = mmap(NULL, 4096, PROT_READ, MAP_SHARED, hfd, 0);
	CHECK(h != MAP_FAILED);
	CHECK_MEM("host map", h, 8);
	munmap(h, 4096);
	close(hfd);
	close(fd);
	CHECK_OK(unlink(path("map")));
	CHECK_OK(unlink(hpath("hmap")));
}

static void t_append_pwrite_huge(void)
{
	/* pwrite on an O_APPEND fd appends (Linux ignores the offset) */
	write_file(path("ap"), "abc");
	int fd = CHECK_OK(open(path("ap"), O_RDWR | O_APPEND));
	CHECK_EQ(1, pwrite(fd, "Z", 1, 0));
	char buf[8] = { 0 };
	CHECK_EQ(4, pread(fd, buf, 8, 0));
	CHECK_STR("abcZ", buf);
	close(fd);
	CHECK_OK(unlink(path("ap")));
	/* a write at 1 TiB: a sparse file of that size */
	fd = CHECK_OK(open(path("huge"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	const off_t tb = 1LL << 40;
	CHECK_EQ(3, pwrite(fd, "end", 3, tb));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(tb + 3, st.st_size);
	CHECK(st.st_blocks < 1024);
	CHECK_EQ(3, pread(fd, buf, 3, tb));
	CHECK_MEM("end", buf, 3);
	CHECK_EQ(3, pread(fd, buf, 3, tb / 2));
	CHECK_MEM("\0\0\0", buf, 3);
	CHECK_EQ((tb / 4096) * 4096, lseek(fd, 0, SEEK_DATA));
	CHECK_OK(ftruncate(fd, 0));
	close(fd);
	CHECK_OK(unlink(path("huge")));
}

/* A full pool: ENOSPC (or a short write), nothing else; space comes back
 * after unlink. Pool only (run.sh makes 64 MiB pools). */
static void t_enospc(void)
{
	if (!g_pool) {
		printf("# native tmpfs is not small: skipped\n");
		return;
	}
	int fd = CHECK_OK(open(path("full"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	size_t chunk = 1 << 20;
	char *b = malloc(chunk);
	CHECK(b);
	memset(b, 'F', chunk);
	long long total = 0;
	int err = 0;
	for (int i = 0; i < 200; i++) {
		ssize_t r = write(fd, b, chunk);
		if (r < 0) {
			err = errno;
			break;
		}
		total += r;
	}
	if (err != ENOSPC)
		PFT_FAIL("filling a 64 MiB pool: stopped with errno %d (%s) after "
			"%lld bytes, want ENOSPC", err, strerror(err), total);
	CHECK(total >= 40LL << 20);
	/* the writes filled what fitted (short counts before ENOSPC, as
	 * POSIX asks): at most a few pages more fit now (libpmemobj may
	 * find a little room it freed lazily), not the most of a MiB a
	 * write that failed whole would have left */
	int pages = 0;
	while (pages < 64 && write(fd, b, 4096) == 4096)
		pages++;
	CHECK(pages < 64);
	CHECK_EQ(ENOSPC, errno);
	total += pages * 4096LL;
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(total, st.st_size);
	/* metadata operations fail cleanly too, or succeed */
	int r = mkdir(path("full_dir"), 0755);
	CHECK(r == 0 || errno == ENOSPC);
	if (r == 0)
		CHECK_OK(rmdir(path("full_dir")));
	close(fd);
	CHECK_OK(unlink(path("full")));
	/* the space is back, at once (Linux frees an unlinked, closed file
	 * before unlink returns) */
	struct statfs sf;
	CHECK_OK(statfs(g_dir, &sf));
	unsigned long long free_now = sf.f_bfree * sf.f_bsize;
	fd = CHECK_OK(open(path("again"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (int i = 0; i < 32; i++) {
		ssize_t w = write(fd, b, chunk);
		if (w != (ssize_t)chunk) {
			int e = errno;
			sleep(1);
			CHECK_OK(statfs(g_dir, &sf));
			PFT_FAIL("write %d of 1 MiB after unlinking the full file: %zd "
				"(%s); statfs free right after unlink %llu KiB, 1 s after "
				"the failure %llu KiB", i, w, strerror(e), free_now >> 10,
				(unsigned long long)(sf.f_bfree * sf.f_bsize) >> 10);
		}
	}
	close(fd);
	CHECK_OK(unlink(path("again")));
	free(b);
}

/* Argument checks found by a differential run against tmpfs. */
static void t_argument_checks(void)
{
	int fd = CHECK_OK(open(path("args"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(10, write(fd, "0123456789", 10));
	char buf[64];
	struct iovec iov = { buf, 2 };
	/* preadv2/pwritev2: -1 is the file position, other negatives EINVAL */
	CHECK_EQ(4, lseek(fd, 4, SEEK_SET));
	CHECK_EQ(2, syscall(SYS_preadv2, fd, &iov, 1, -1L, 0L, 0));
	CHECK_MEM("45", buf, 2);
	CHECK_ERR(EINVAL, syscall(SYS_preadv2, fd, &iov, 1, -2L, 0L, 0));
	CHECK_ERR(EINVAL, syscall(SYS_pwritev2, fd, &iov, 1, -100L, 0L, 0));
	/* and in Linux's order, the same for both: the offset before the
	 * flags, the iovec array before the flags */
	CHECK_ERR(EINVAL,
		  syscall(SYS_preadv2, fd, &iov, 1, -2L, 0L, 0x40000000));
	CHECK_ERR(EINVAL,
		  syscall(SYS_pwritev2, fd, &iov, 1, -2L, 0L, 0x40000000));
	CHECK_ERR(EFAULT,
		  syscall(SYS_preadv2, fd, (void *)8, 1, 0L, 0L, 0x40000000));
	CHECK_ERR(EFAULT,
		  syscall(SYS_pwritev2, fd, (void *)8, 1, 0L, 0L, 0x40000000));
	CHECK_ERR(EOPNOTSUPP,
		  syscall(SYS_preadv2, fd, &iov, 1, 0L, 0L, 0x40000000));
	CHECK_ERR(EOPNOTSUPP,
		  syscall(SYS_pwritev2, fd, &iov, 1, 0L, 0L, 0x40000000));
	CHECK_EQ(6, lseek(fd, 0, SEEK_CUR));
	/* a count beyond user space: EFAULT before anything is read */
	CHECK_ERR(EFAULT, syscall(SYS_read, fd, buf, 1UL << 63));
	CHECK_ERR(EFAULT, syscall(SYS_write, fd, buf, 1UL << 63));
	CHECK_EQ(6, lseek(fd, 0, SEEK_CUR));
	/* F_GETFL: the kernel's O_LARGEFILE is always there on 64-bit */
	CHECK_EQ(0100000, fcntl(fd, F_GETFL) & 0100000);
	/* flock on an O_PATH description: EBADF */
	int pfd = CHECK_OK(open(path("args"), O_PATH));
	CHECK_ERR(EBADF, flock(pfd, LOCK_EX));
	close(pfd);
	/* copy_file_range: overlapping ranges of one file, append output */
	loff_t a = 0, b = 5;
	CHECK_ERR(EINVAL, copy_file_range(fd, &a, fd, &b, 10, 0));
	int ap = CHECK_OK(open(path("args.app"), O_WRONLY | O_CREAT | O_APPEND, 0644));
	a = 0;
	CHECK_ERR(EBADF, copy_file_range(fd, &a, ap, NULL, 4, 0));
	/* sendfile: append output, a directory as input */
	off_t so = 0;
	CHECK_ERR(EINVAL, sendfile(ap, fd, &so, 4));
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(EINVAL, sendfile(fd, dfd, NULL, 4));
	close(dfd);
	close(ap);
	/* statfs says its f_flags are valid (ST_VALID), as every Linux fs */
	struct statfs sfs;
	CHECK_OK(fstatfs(fd, &sfs));
	CHECK_EQ(0x20, sfs.f_flags & 0x20);
	/* times past what 64-bit nanoseconds hold: kept or clamped, never
	 * wrapped to a date in the past */
	struct timespec far[2] = { { 9300000000LL, 0 }, { 9300000000LL, 0 } };
	CHECK_OK(futimens(fd, far));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_mtim.tv_sec >= 9223372036LL);
	CHECK(st.st_atim.tv_sec >= 9223372036LL);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "read_write_offsets", t_read_write_offsets },
		{ "vectors", t_vectors },
		{ "lseek_data_hole", t_lseek_data_hole },
		{ "truncate", t_truncate },
		{ "fallocate", t_fallocate },
		{ "sendfile_copy_splice", t_sendfile_copy_splice },
		{ "mmap_iouring", t_mmap_iouring },
		{ "append_pwrite_huge", t_append_pwrite_huge },
		{ "enospc", t_enospc },
		{ "argument_checks", t_argument_checks },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
