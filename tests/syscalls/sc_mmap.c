/*
 * Shared mappings: one set of pages for every process that maps a file
 * (as a page cache), write()/truncate seen in mappings, stores seen by
 * read(), SIGBUS past the end, mremap, mprotect, MAP_SHARED_VALIDATE,
 * EACCES, msync/fsync, mappings that outlive their fd.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PG 4096

/* a new file of `size` zero bytes, open O_RDWR */
static int make(const char *name, off_t size)
{
	int fd = CHECK_OK(open(path(name), O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_OK(ftruncate(fd, size));
	return fd;
}

static char *map(int fd, size_t len, int prot, off_t off)
{
	char *m = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	if (m == MAP_FAILED)
		PFT_FAIL(
			"mmap(%zu, prot %d, MAP_SHARED, off %lld): errno %d (%s)",
			len, prot, (long long)off, errno, strerror(errno));
	return m;
}

/* runs fn in a child; fails unless it exits 0 */
static void in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	int st;
	CHECK_EQ(pid, waitpid(pid, &st, 0));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* the child opens the file itself (another open file description) */
static void child_store(void *arg)
{
	int fd = CHECK_OK(open(path("two"), O_RDWR));
	char *m = map(fd, 2 * PG, PROT_READ | PROT_WRITE, 0);
	CHECK_MEM("parent", m, 6);
	memcpy(m + PG + 10, "child", 5);
	(void)arg;
}

static void t_two_processes(void)
{
	int fd = make("two", 2 * PG);
	char *m = map(fd, 2 * PG, PROT_READ | PROT_WRITE, 0);
	memcpy(m, "parent", 6);
	in_child(child_store, NULL);
	CHECK_MEM("child", m + PG + 10, 5);
	/* live: the child stores while the parent watches, without msync */
	int go[2], done[2];
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(done));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int cfd = CHECK_OK(open(path("two"), O_RDWR));
		char *cm = map(cfd, 2 * PG, PROT_READ | PROT_WRITE, 0);
		char b;
		CHECK_EQ(1, write(done[1], "r", 1));
		CHECK_EQ(1, read(go[0], &b, 1));
		CHECK_MEM("second", cm + 100, 6); /* the parent's store */
		memcpy(cm + 200, "answer", 6);
		CHECK_EQ(1, write(done[1], "d", 1));
		_exit(0);
	}
	char b;
	CHECK_EQ(1, read(done[0], &b, 1));
	memcpy(m + 100, "second", 6);
	CHECK_EQ(1, write(go[1], "g", 1));
	CHECK_EQ(1, read(done[0], &b, 1));
	CHECK_MEM("answer", m + 200, 6);
	int st;
	CHECK_EQ(pid, waitpid(pid, &st, 0));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_OK(munmap(m, 2 * PG));
	close(fd);
	for (int i = 0; i < 2; i++) {
		close(go[i]);
		close(done[i]);
	}
	CHECK_OK(unlink(path("two")));
}

static void t_write_seen_in_map(void)
{
	int fd = make("w", PG);
	char *m = map(fd, 3 * PG, PROT_READ | PROT_WRITE, 0);
	CHECK_EQ(5, pwrite(fd, "hello", 5, 10));
	CHECK_MEM("hello", m + 10, 5);
	/* through another open, with write() at its offset */
	int fd2 = CHECK_OK(open(path("w"), O_RDWR));
	CHECK_EQ(100, lseek(fd2, 100, SEEK_SET));
	CHECK_EQ(3, write(fd2, "abc", 3));
	CHECK_MEM("abc", m + 100, 3);
	/* O_APPEND grows the file: the new bytes are in the mapping */
	int fa = CHECK_OK(open(path("w"), O_WRONLY | O_APPEND));
	CHECK_EQ(4, write(fa, "tail", 4));
	CHECK_MEM("tail", m + PG, 4);
	/* a write over bytes stored through the mapping replaces them */
	memcpy(m + 300, "mapped", 6);
	CHECK_EQ(3, pwrite(fd, "XYZ", 3, 301));
	CHECK_MEM("mXYZed", m + 300, 6);
	/* truncate (by path and by fd) is seen too: zeros after regrowth */
	CHECK_OK(truncate(path("w"), 50));
	CHECK_OK(ftruncate(fd, 2 * PG));
	CHECK_EQ(0, m[100]);
	CHECK_EQ(0, m[PG]);
	CHECK_MEM("hello", m + 10, 5);
	/* a hole punched */
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			   PG));
	CHECK_EQ(0, m[10]);
	close(fa);
	close(fd2);
	CHECK_OK(munmap(m, 3 * PG));
	close(fd);
	CHECK_OK(unlink(path("w")));
}

static void child_reads(void *arg)
{
	int fd = CHECK_OK(open(path("r"), O_RDONLY));
	char buf[8];
	CHECK_EQ(7, pread(fd, buf, 7, PG + 1));
	CHECK_MEM((const char *)arg, buf, 7);
}

static void t_map_seen_by_read(void)
{
	int fd = make("r", 2 * PG);
	char *m = map(fd, 2 * PG, PROT_READ | PROT_WRITE, 0);
	memcpy(m + PG + 1, "stored1", 7);
	/* at once, in this process, as Linux does */
	char buf[8];
	CHECK_EQ(7, pread(fd, buf, 7, PG + 1));
	CHECK_MEM("stored1", buf, 7);
	memcpy(m + PG + 1, "stored2", 7);
	CHECK_OK(msync(m, 2 * PG, MS_SYNC));
	in_child(child_reads, "stored2");
	memcpy(m + PG + 1, "stored3", 7);
	CHECK_OK(msync(m + PG, PG, MS_ASYNC));
	in_child(child_reads, "stored3");
	memcpy(m + PG + 1, "stored4", 7);
	CHECK_OK(fsync(fd));
	in_child(child_reads, "stored4");
	memcpy(m + PG + 1, "stored5", 7);
	CHECK_OK(fdatasync(fd));
	in_child(child_reads, "stored5");
	CHECK_OK(msync(m, PG, MS_INVALIDATE));
	CHECK_MEM("stored5", m + PG + 1, 7);
	CHECK_ERR(EINVAL, msync(m, PG, MS_SYNC | MS_ASYNC));
	CHECK_ERR(EINVAL, msync(m + 1, PG, MS_SYNC));
	/* copy_file_range from the file reads the stores too */
	memcpy(m + PG + 1, "stored6", 7);
	int out = CHECK_OK(
		open(path("r.copy"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	loff_t in_off = PG + 1;
	CHECK_EQ(7, copy_file_range(fd, &in_off, out, NULL, 7, 0));
	CHECK_EQ(7, pread(out, buf, 7, 0));
	CHECK_MEM("stored6", buf, 7);
	close(out);
	/* the mapping outlives its fd; stores still reach the file */
	close(fd);
	memcpy(m + PG + 1, "stored7", 7);
	CHECK_OK(msync(m, 2 * PG, MS_SYNC));
	in_child(child_reads, "stored7");
	memcpy(m + PG + 1, "stored8", 7);
	CHECK_OK(munmap(m, 2 * PG));
	in_child(child_reads, "stored8");
	CHECK_OK(unlink(path("r")));
	CHECK_OK(unlink(path("r.copy")));
}

static sigjmp_buf jb;
static void on_sigbus(int sig)
{
	siglongjmp(jb, 1);
}

/* 1 if reading p gives SIGBUS */
static int faults(volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	sigaction(SIGBUS, &sa, &old);
	int got = 0;
	if (sigsetjmp(jb, 1) == 0)
		(void)*p;
	else
		got = 1;
	sigaction(SIGBUS, &old, NULL);
	return got;
}

static void t_sigbus_mremap(void)
{
	int fd = make("b", PG + 10);
	char *m = map(fd, 3 * PG, PROT_READ | PROT_WRITE, 0);
	CHECK_EQ(0, faults(m + PG + 100)); /* the last page, past the end */
	CHECK_EQ(1, faults(m + 2 * PG)); /* a page past the end */
	CHECK_OK(ftruncate(fd, 10));
	CHECK_EQ(1, faults(m + PG));
	CHECK_OK(ftruncate(fd, 3 * PG));
	CHECK_EQ(0, faults(m + 2 * PG));
	CHECK_EQ(0, m[2 * PG]);
	/* mremap: grow (moving), the new part stores to the file too */
	CHECK_OK(ftruncate(fd, 5 * PG));
	char *g = mremap(m, 3 * PG, 5 * PG, MREMAP_MAYMOVE);
	CHECK(g != MAP_FAILED);
	memcpy(g + 4 * PG, "grown", 5);
	char buf[8];
	CHECK_EQ(5, pread(fd, buf, 5, 4 * PG));
	CHECK_MEM("grown", buf, 5);
	/* madvise(DONTNEED) on a shared mapping drops nothing */
	CHECK_OK(madvise(g, 5 * PG, MADV_DONTNEED));
	CHECK_MEM("grown", g + 4 * PG, 5);
	CHECK_OK(munmap(g, 5 * PG));
	/* a mapping at an offset */
	char *o = map(fd, PG, PROT_READ | PROT_WRITE, 4 * PG);
	CHECK_MEM("grown", o, 5);
	CHECK_OK(munmap(o, PG));
	close(fd);
	CHECK_OK(unlink(path("b")));
}

/* open with O_TRUNC empties the mappings too; stale bytes never return */
static void t_open_trunc(void)
{
	int fd = make("t", 2 * PG);
	char *m = map(fd, 2 * PG, PROT_READ | PROT_WRITE, 0);
	memset(m, 'x', 2 * PG);
	CHECK_OK(msync(m, 2 * PG, MS_SYNC));
	int t = CHECK_OK(open(path("t"), O_RDWR | O_TRUNC));
	CHECK_EQ(1, faults(m));
	CHECK_EQ(1, pwrite(t, "z", 1, 100));
	CHECK_EQ(0, m[10]);
	CHECK_EQ('z', m[100]);
	CHECK_OK(msync(m, PG, MS_SYNC));
	char buf[101];
	CHECK_EQ(101, pread(fd, buf, 101, 0));
	for (int i = 0; i < 100; i++)
		CHECK_EQ(0, buf[i]);
	CHECK_OK(munmap(m, 2 * PG));
	close(t);
	close(fd);
	CHECK_OK(unlink(path("t")));
}

static void t_modes(void)
{
	int fd = make("m", PG);
	close(fd);
	int ro = CHECK_OK(open(path("m"), O_RDONLY));
	int wo = CHECK_OK(open(path("m"), O_WRONLY));
	int rw = CHECK_OK(open(path("m"), O_RDWR));
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) ==
	      MAP_FAILED);
	CHECK_EQ(EACCES, errno);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED);
	CHECK_EQ(EACCES, errno);
	/* unknown flags: MAP_SHARED ignores them, MAP_SHARED_VALIDATE not */
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rw,
		   0) == MAP_FAILED);
	CHECK_EQ(EOPNOTSUPP, errno);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, rw,
		   0) == MAP_FAILED);
	CHECK_EQ(EOPNOTSUPP, errno);
	char *v = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE,
		       rw, 0);
	CHECK(v != MAP_FAILED);
	memcpy(v, "validated", 9);
	CHECK_OK(munmap(v, PG));
	/* read-only shared of an O_RDONLY fd: mprotect cannot add write */
	char *r = map(ro, PG, PROT_READ, 0);
	CHECK_MEM("validated", r, 9);
	CHECK_ERR(EACCES, mprotect(r, PG, PROT_READ | PROT_WRITE));
	/* but of an O_RDWR fd it can, and the store is the file's */
	char *w = map(rw, PG, PROT_READ, 0);
	CHECK_OK(mprotect(w, PG, PROT_READ | PROT_WRITE));
	memcpy(w, "protected", 9);
	CHECK_MEM("protected", r, 9);
	char buf[16];
	CHECK_EQ(9, pread(ro, buf, 9, 0));
	CHECK_MEM("protected", buf, 9);
	/* errors the kernel gives for the arguments */
	CHECK(mmap(NULL, 0, PROT_READ, MAP_SHARED, rw, 0) == MAP_FAILED);
	CHECK_EQ(EINVAL, errno);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, rw, 1) == MAP_FAILED);
	CHECK_EQ(EINVAL, errno);
	CHECK_OK(munmap(r, PG));
	CHECK_OK(munmap(w, PG));
	/* a private mapping sees what was stored through a shared one */
	char *s = map(rw, PG, PROT_READ | PROT_WRITE, 0);
	memcpy(s, "shared!", 7);
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, rw, 0);
	CHECK(p != MAP_FAILED);
	CHECK_MEM("shared!", p, 7);
	/* it sees later writes to the file until it writes the page */
	CHECK_EQ(5, pwrite(rw, "later", 5, 100));
	CHECK_MEM("later", p + 100, 5);
	memcpy(s + 200, "store", 5);
	CHECK_MEM("store", p + 200, 5);
	p[0] = 'S'; /* private: not the file's */
	CHECK_MEM("shared!", s, 7);
	CHECK_EQ(5, pwrite(rw, "after", 5, 100));
	CHECK_MEM("later", p + 100, 5); /* its own copy now */
	CHECK_OK(munmap(p, PG));
	CHECK_OK(munmap(s, PG));
	close(ro);
	close(wo);
	close(rw);
	CHECK_OK(unlink(path("m")));
}

/* msync is trapped now: host mappings and anonymous ones are the kernel's */
static void t_host_msync(void)
{
	int fd = CHECK_OK(open(hpath("h"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_OK(ftruncate(fd, PG));
	char *m = map(fd, PG, PROT_READ | PROT_WRITE, 0);
	memcpy(m, "host", 4);
	CHECK_OK(msync(m, PG, MS_SYNC));
	char buf[4];
	CHECK_EQ(4, pread(fd, buf, 4, 0));
	CHECK_MEM("host", buf, 4);
	CHECK_ERR(EINVAL, msync(m, PG, 8));
	CHECK_OK(munmap(m, PG));
	CHECK_ERR(ENOMEM, msync(m, PG, MS_SYNC));
	close(fd);
	CHECK_OK(unlink(hpath("h")));
}

static void t_unlinked(void)
{
	int fd = make("u", PG);
	char *m = map(fd, PG, PROT_READ | PROT_WRITE, 0);
	CHECK_OK(unlink(path("u")));
	memcpy(m, "orphan", 6);
	CHECK_OK(msync(m, PG, MS_SYNC));
	char buf[8];
	CHECK_EQ(6, pread(fd, buf, 6, 0));
	CHECK_MEM("orphan", buf, 6);
	CHECK_OK(munmap(m, PG));
	close(fd);
}

static void child_maps_and_exits(void *arg)
{
	int fd = CHECK_OK(open(path("o"), O_RDWR));
	char *m = map(fd, PG, PROT_READ | PROT_WRITE, 0);
	m[0] = 'a';
}

/*
 * B maps the file and forks C, which keeps B's mapping; B exits, then A
 * (which mapped it too) exits. C's stores must still reach the file:
 * the page cache is not dropped while a grandchild maps it.
 */
static void t_orphaned_mapping(void)
{
	int fd = make("o", PG);
	int go[2], done[2];
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(done));
	pid_t b = CHECK_OK(fork());
	if (b == 0) {
		int bfd = CHECK_OK(open(path("o"), O_RDWR));
		char *m = map(bfd, PG, PROT_READ | PROT_WRITE, 0);
		if (CHECK_OK(fork()) == 0) {
			char c;
			close(bfd);
			CHECK_EQ(1, read(go[0], &c, 1));
			memcpy(m + 10, "grandchild", 10);
			CHECK_OK(msync(m, PG, MS_SYNC));
			CHECK_EQ(1, write(done[1], "d", 1));
			_exit(0);
		}
		_exit(0);
	}
	int st;
	CHECK_EQ(b, waitpid(b, &st, 0));
	in_child(child_maps_and_exits, NULL);
	usleep(200000); /* the supervisor sees A's mapping go */
	CHECK_EQ(1, write(go[1], "g", 1));
	char c, buf[16];
	CHECK_EQ(1, read(done[0], &c, 1));
	CHECK_EQ(10, pread(fd, buf, 10, 10));
	CHECK_MEM("grandchild", buf, 10);
	for (int i = 0; i < 2; i++) {
		close(go[i]);
		close(done[i]);
	}
	close(fd);
	CHECK_OK(unlink(path("o")));
}

/* a page mapped at the end of a 1 TiB sparse file: nothing walks the hole */
static void t_sparse(void)
{
	off_t size = (off_t)1 << 40;
	int fd = make("sparse", size);
	char *m = map(fd, PG, PROT_READ | PROT_WRITE, size - PG);
	memcpy(m + PG - 4, "end!", 4);
	CHECK_OK(msync(m, PG, MS_SYNC));
	char buf[4];
	CHECK_EQ(4, pread(fd, buf, 4, size - 4));
	CHECK_MEM("end!", buf, 4);
	CHECK_EQ(4, pwrite(fd, "head", 4, 0));
	CHECK_OK(fsync(fd));
	CHECK_OK(munmap(m, PG));
	close(fd);
	CHECK_OK(unlink(path("sparse")));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "two_processes", t_two_processes },
		{ "write_seen_in_map", t_write_seen_in_map },
		{ "map_seen_by_read", t_map_seen_by_read },
		{ "sigbus_mremap", t_sigbus_mremap },
		{ "open_trunc", t_open_trunc },
		{ "modes", t_modes },
		{ "host_msync", t_host_msync },
		{ "unlinked", t_unlinked },
		{ "orphaned_mapping", t_orphaned_mapping },
		{ "sparse", t_sparse },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
