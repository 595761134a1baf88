/*
 * Small Linux answers: calls refused on O_PATH fds (EBADF), fchdir without
 * search permission, mmap's flag checks before its permission checks, the
 * set-group-ID bit of files created in a set-group-ID directory,
 * RLIMIT_FSIZE (EFBIG, SIGXFSZ, short writes), and sendfile's offset
 * written back to memory it cannot write (EFAULT).
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void t_opath_ebadf(void)
{
	write_file(path("op"), "0123456789");
	CHECK_OK(mkdir(path("opd"), 0755));
	int fd = CHECK_OK(open(path("op"), O_PATH | O_CLOEXEC));
	int d = CHECK_OK(open(path("opd"), O_PATH | O_DIRECTORY | O_CLOEXEC));
	char buf[16];
	int n;
	CHECK_ERR(EBADF, ioctl(fd, FIONREAD, &n));
	CHECK_ERR(EBADF, ioctl(fd, FIOCLEX));
	CHECK_ERR(EBADF, read(fd, buf, 1));
	CHECK_ERR(EBADF, write(fd, buf, 1));
	CHECK_ERR(EBADF, pread(fd, buf, 1, 0));
	CHECK_ERR(EBADF, lseek(fd, 0, SEEK_SET));
	CHECK_ERR(EBADF, fchmod(fd, 0600));
	CHECK_ERR(EBADF, fchown(fd, 0, 0));
	CHECK_ERR(EBADF, ftruncate(fd, 0));
	CHECK_ERR(EBADF, fsync(fd));
	CHECK_ERR(EBADF, fdatasync(fd));
	CHECK_ERR(EBADF, fallocate(fd, 0, 0, 10));
	CHECK_EQ(EBADF, posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL));
	CHECK_ERR(EBADF, futimens(fd, NULL));
	CHECK_ERR(EBADF, readahead(fd, 0, 10));
	CHECK_ERR(EBADF, sync_file_range(fd, 0, 10, 0));
	CHECK_ERR(EBADF, syncfs(fd));
	CHECK_ERR(EBADF, flock(fd, LOCK_SH));
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK_ERR(EBADF, fcntl(fd, F_SETLK, &fl));
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED &&
	      errno == EBADF);
	CHECK_ERR(EBADF, syscall(SYS_getdents64, d, buf, sizeof(buf)));
	off_t off = 0;
	int out = CHECK_OK(
		open(path("op2"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	CHECK_ERR(EBADF, sendfile(out, fd, &off, 1));
	close(out);
	/* what O_PATH allows */
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	struct statfs sfs;
	CHECK_OK(fstatfs(fd, &sfs));
	CHECK_EQ(O_PATH | O_LARGEFILE, fcntl(fd, F_GETFL));
	int e = CHECK_OK(openat(d, "..", O_PATH | O_CLOEXEC));
	close(e);
	close(fd);
	close(d);
	CHECK_OK(unlink(path("op")));
	CHECK_OK(unlink(path("op2")));
	CHECK_OK(rmdir(path("opd")));
}

static void t_fchdir_eacces(void)
{
	CHECK_OK(mkdir(path("nosearch"), 0700));
	CHECK_OK(mkdir(path("nosearch/in"), 0777));
	CHECK_OK(mkdir(path("search"), 0711));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int d = CHECK_OK(
			open(path("nosearch"), O_RDONLY | O_DIRECTORY));
		int p = CHECK_OK(open(path("nosearch"), O_PATH | O_DIRECTORY));
		int ok = CHECK_OK(open(path("search"), O_PATH | O_DIRECTORY));
		become_nobody();
		CHECK_ERR(EACCES, fchdir(d));
		CHECK_ERR(EACCES, fchdir(p));
		CHECK_OK(fchdir(ok));
		_exit(0);
	}
	wait_ok(pid);
	CHECK_OK(rmdir(path("nosearch/in")));
	CHECK_OK(rmdir(path("nosearch")));
	CHECK_OK(rmdir(path("search")));
}

static void t_mmap_flags(void)
{
	write_file(path("mf"), "mmap");
	int w = CHECK_OK(open(path("mf"), O_WRONLY | O_CLOEXEC));
	int r = CHECK_OK(open(path("mf"), O_RDONLY | O_CLOEXEC));
	/* no mapping type: EINVAL, before the access mode is looked at */
	CHECK(mmap(NULL, 4096, PROT_READ, 0, w, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(NULL, 4096, PROT_READ, 0x0f, w, 0) == MAP_FAILED &&
	      errno == EINVAL);
	/* length 0, unaligned offset: EINVAL */
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, w, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, w, 100) == MAP_FAILED &&
	      errno == EINVAL);
	/* MAP_SHARED_VALIDATE with a flag this file does not know */
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, w,
		   0) == MAP_FAILED &&
	      errno == EOPNOTSUPP);
	/* valid flags: the access mode decides */
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, w, 0) == MAP_FAILED &&
	      errno == EACCES);
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, r, 0);
	CHECK(m != MAP_FAILED);
	CHECK_MEM("mmap", (char *)m, 4);
	munmap(m, 4096);
	close(w);
	close(r);
	CHECK_OK(unlink(path("mf")));
}

static void t_setgid_dir(void)
{
	umask(0);
	CHECK_OK(mkdir(path("sgid"), 0777));
	CHECK_OK(chown(path("sgid"), 0, 4242));
	CHECK_OK(chmod(path("sgid"), 02777));
	struct stat st;
	/* with CAP_FSETID the bit stays */
	int fd = CHECK_OK(open(path("sgid/root"), O_CREAT | O_WRONLY, 02755));
	close(fd);
	CHECK_OK(stat(path("sgid/root"), &st));
	CHECK_EQ(4242, st.st_gid);
	CHECK_EQ(02755, st.st_mode & 07777);
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		become_nobody();
		/* not in group 4242: the group-executable set-gid bit goes */
		int f = CHECK_OK(
			open(path("sgid/f"), O_CREAT | O_WRONLY, 02755));
		close(f);
		CHECK_OK(stat(path("sgid/f"), &st));
		CHECK_EQ(4242, st.st_gid);
		CHECK_EQ(0755, st.st_mode & 07777);
		/* without group execute it is no set-gid program: kept */
		f = CHECK_OK(open(path("sgid/g"), O_CREAT | O_WRONLY, 02644));
		close(f);
		CHECK_OK(stat(path("sgid/g"), &st));
		CHECK_EQ(02644, st.st_mode & 07777);
		/* mknod and O_TMPFILE too */
		CHECK_OK(mknod(path("sgid/n"), S_IFREG | 02750, 0));
		CHECK_OK(stat(path("sgid/n"), &st));
		CHECK_EQ(0750, st.st_mode & 07777);
		f = CHECK_OK(open(path("sgid"), O_TMPFILE | O_WRONLY, 02755));
		CHECK_OK(fstat(f, &st));
		CHECK_EQ(4242, st.st_gid);
		CHECK_EQ(0755, st.st_mode & 07777);
		close(f);
		/* a directory inherits the bit */
		CHECK_OK(mkdir(path("sgid/d"), 0755));
		CHECK_OK(stat(path("sgid/d"), &st));
		CHECK_EQ(4242, st.st_gid);
		CHECK_EQ(02755, st.st_mode & 07777);
		_exit(0);
	}
	wait_ok(pid);
	/* a member of the group keeps it */
	pid = CHECK_OK(fork());
	if (pid == 0) {
		gid_t g = 4242;
		CHECK_OK(setgroups(1, &g));
		CHECK_OK(setgid(65534));
		CHECK_OK(setuid(65534));
		int f = CHECK_OK(
			open(path("sgid/m"), O_CREAT | O_WRONLY, 02755));
		close(f);
		CHECK_OK(stat(path("sgid/m"), &st));
		CHECK_EQ(02755, st.st_mode & 07777);
		_exit(0);
	}
	wait_ok(pid);
	const char *names[] = { "root", "f", "g", "n", "m" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char n[64];
		snprintf(n, sizeof(n), "sgid/%s", names[i]);
		CHECK_OK(unlink(path(n)));
	}
	CHECK_OK(rmdir(path("sgid/d")));
	CHECK_OK(rmdir(path("sgid")));
	umask(022);
}

static volatile sig_atomic_t xfsz;
static void on_xfsz(int sig)
{
	(void)sig;
	xfsz++;
}

static void t_fsize_limit(void)
{
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		signal(SIGXFSZ, on_xfsz);
		struct rlimit rl = { 10000, 10000 };
		CHECK_OK(setrlimit(RLIMIT_FSIZE, &rl));
		int fd = CHECK_OK(
			open(path("fsz"), O_RDWR | O_CREAT | O_TRUNC, 0600));
		static char buf[8192];
		memset(buf, 'x', sizeof(buf));
		CHECK_EQ(8192, write(fd, buf, 8192));
		/* crossing the limit: short */
		CHECK_EQ(10000 - 8192, write(fd, buf, 8192));
		CHECK_EQ(0, xfsz);
		/* at the limit: EFBIG and SIGXFSZ */
		CHECK_ERR(EFBIG, write(fd, buf, 1));
		CHECK_EQ(1, xfsz);
		CHECK_ERR(EFBIG, pwrite(fd, buf, 1, 20000));
		CHECK_EQ(2, xfsz);
		/* below it, still fine */
		CHECK_EQ(100, pwrite(fd, buf, 100, 0));
		CHECK_ERR(EFBIG, ftruncate(fd, 10001));
		CHECK_EQ(3, xfsz);
		CHECK_ERR(EFBIG, truncate(path("fsz"), 20000));
		CHECK_EQ(4, xfsz);
		CHECK_OK(ftruncate(fd, 10000));
		CHECK_ERR(EFBIG, fallocate(fd, 0, 9000, 2000));
		CHECK_EQ(5, xfsz);
		CHECK_ERR(EFBIG,
			  fallocate(fd, FALLOC_FL_KEEP_SIZE, 9000, 2000));
		CHECK_EQ(6, xfsz);
		CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 9000, 1000));
		/* copies into the file are limited too */
		int src = CHECK_OK(open(path("fsz-src"),
					O_RDWR | O_CREAT | O_TRUNC, 0600));
		CHECK_EQ(4096, write(src, buf, 4096));
		off_t so = 0;
		CHECK_OK(ftruncate(fd, 9000));
		CHECK_OK(lseek(fd, 9000, SEEK_SET));
		/* sendfile's next chunk meets the limit: SIGXFSZ */
		CHECK_EQ(1000, sendfile(fd, src, &so, 4096));
		CHECK_EQ(7, xfsz);
		so = 0;
		CHECK_ERR(EFBIG, sendfile(fd, src, &so, 4096));
		CHECK_EQ(8, xfsz);
		loff_t si = 0, di = 9500;
		CHECK_EQ(500, copy_file_range(src, &si, fd, &di, 4096, 0));
		CHECK_EQ(8, xfsz);
		si = 0;
		di = 10000;
		CHECK_ERR(EFBIG, copy_file_range(src, &si, fd, &di, 4096, 0));
		CHECK_EQ(9, xfsz);
		close(src);
		CHECK_OK(unlink(path("fsz-src")));
		CHECK_OK(ftruncate(fd, 5));
		struct stat st;
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(5, st.st_size);
		close(fd);
		/* the default action kills */
		signal(SIGXFSZ, SIG_DFL);
		fd = CHECK_OK(open(path("fsz"), O_RDWR | O_APPEND));
		CHECK_OK(ftruncate(fd, 10000));
		write(fd, buf, 1);
		_exit(3);
	}
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGXFSZ)
		PFT_FAIL("child: status 0x%x, not killed by SIGXFSZ", status);
	CHECK_OK(unlink(path("fsz")));
}

static void t_sendfile_efault(void)
{
	write_file(path("sf"), "sendfile data");
	int in = CHECK_OK(open(path("sf"), O_RDONLY | O_CLOEXEC));
	int out = CHECK_OK(open(
		path("sf2"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	off_t *ro =
		mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	/* the offset can be read but not written back */
	CHECK_ERR(EFAULT, sendfile(out, in, ro, 4));
	CHECK_ERR(EFAULT, sendfile(out, in, (off_t *)8, 4));
	CHECK_ERR(EFAULT, copy_file_range(in, ro, out, NULL, 4, 0));
	munmap(ro, 4096);
	close(in);
	close(out);
	CHECK_OK(unlink(path("sf")));
	CHECK_OK(unlink(path("sf2")));
}

#ifndef F_CREATED_QUERY
#define F_CREATED_QUERY (1024 + 4)
#endif

/* F_CREATED_QUERY (Linux 6.12): did this open create the file; the pipe
 * size calls on a regular file: EBADF. */
static void t_fcntl_newer(void)
{
	const char *p = path("created");
	int a = CHECK_OK(open(p, O_CREAT | O_RDWR, 0644));
	CHECK_EQ(1, fcntl(a, F_CREATED_QUERY));
	int d = CHECK_OK(dup(a));
	CHECK_EQ(1, fcntl(d, F_CREATED_QUERY));
	int b = CHECK_OK(open(p, O_CREAT | O_RDWR, 0644));
	CHECK_EQ(0, fcntl(b, F_CREATED_QUERY));
	int e = CHECK_OK(open(p, O_RDONLY));
	CHECK_EQ(0, fcntl(e, F_CREATED_QUERY));
	int t = CHECK_OK(open(g_dir, O_TMPFILE | O_RDWR, 0600));
	CHECK_EQ(0, fcntl(t, F_CREATED_QUERY));
	CHECK_ERR(EBADF, fcntl(a, F_GETPIPE_SZ));
	/* RWF_NOWAIT: EOPNOTSUPP, as tmpfs (pmemfile(7)) */
	char buf[4] = "abc";
	struct iovec io = { buf, 3 };
	CHECK_ERR(EOPNOTSUPP, pwritev2(a, &io, 1, 0, RWF_NOWAIT));
	CHECK_ERR(EOPNOTSUPP, preadv2(a, &io, 1, 0, RWF_NOWAIT));
	CHECK_EQ(3, pwritev2(a, &io, 1, 0, 0));
	CHECK_ERR(EBADF, fcntl(a, F_SETPIPE_SZ, 65536));
	close(a);
	close(b);
	close(d);
	close(e);
	close(t);
	CHECK_OK(unlink(p));
}

/* link/rename between DIR and the host: the lookups' errors come before
 * EXDEV (in a pool the two are different file systems; natively the
 * same one, and the answers must still be these). */
static void t_cross_order(void)
{
	write_file(path("file"), "x");
	write_file(hpath("hf"), "h");
	CHECK_ERR(ENOTDIR, link(hpath("hf"), path("file/x")));
	CHECK_ERR(ENOENT, link(hpath("hf"), path("missing/x")));
	CHECK_ERR(ENOENT, link(path("file"), "/nonexistent-pf-dir/x"));
	CHECK_ERR(ENOENT, link(hpath("missing"), path("new")));
	CHECK_ERR(ENOTDIR, rename(hpath("hf"), path("file/x")));
	CHECK_ERR(ENOENT, rename(path("file"), "/nonexistent-pf-dir/x"));
	CHECK_OK(unlink(path("file")));
	CHECK_OK(unlink(hpath("hf")));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "opath_ebadf", t_opath_ebadf },
		{ "fchdir_eacces", t_fchdir_eacces },
		{ "mmap_flags", t_mmap_flags },
		{ "setgid_dir", t_setgid_dir },
		{ "fsize_limit", t_fsize_limit },
		{ "sendfile_efault", t_sendfile_efault },
		{ "fcntl_newer", t_fcntl_newer },
		{ "cross_order", t_cross_order },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
