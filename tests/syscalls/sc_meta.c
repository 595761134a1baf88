/*
 * Metadata family: stat/lstat/fstat/newfstatat/statx (AT_EMPTY_PATH, field
 * values), mkdir/rmdir/unlink/rename/renameat2/link/symlink/readlink,
 * chmod/chown/utimensat/futimesat/utimes/utime, umask, mknod FIFO,
 * statfs/fstatfs, getdents64/getdents, chdir/fchdir/getcwd.
 */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#define PF_MAGIC 0x504d4546

static void t_stat_fields(void)
{
	umask(022);
	int fd = CHECK_OK(open(path("st"), O_RDWR | O_CREAT | O_EXCL, 0666));
	CHECK_EQ(10, write(fd, "0123456789", 10));
	struct stat a, b, c;
	CHECK_OK(fstat(fd, &a));
	CHECK_OK(stat(path("st"), &b));
	CHECK_OK(lstat(path("st"), &c));
	CHECK_EQ(S_IFREG | 0644, a.st_mode);
	CHECK_EQ(1, a.st_nlink);
	CHECK_EQ(geteuid(), a.st_uid);
	CHECK_EQ(getegid(), a.st_gid);
	CHECK_EQ(10, a.st_size);
	CHECK(a.st_blksize > 0);
	CHECK(a.st_blocks >= 1);
	CHECK_EQ(b.st_ino, a.st_ino);
	CHECK_EQ(b.st_dev, a.st_dev);
	CHECK_EQ(c.st_ino, b.st_ino);
	CHECK_EQ(b.st_mtim.tv_sec, a.st_mtim.tv_sec);
	CHECK_EQ(b.st_mtim.tv_nsec, a.st_mtim.tv_nsec);
	/* timestamps are recent, with nanoseconds */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK(a.st_mtim.tv_sec <= now.tv_sec && a.st_mtim.tv_sec >= now.tv_sec - 60);
	CHECK(a.st_ctim.tv_sec <= now.tv_sec && a.st_ctim.tv_sec >= now.tv_sec - 60);

	/* newfstatat: AT_EMPTY_PATH on the fd, dirfd-relative */
	struct stat d;
	CHECK_OK(fstatat(fd, "", &d, AT_EMPTY_PATH));
	CHECK_EQ(a.st_ino, d.st_ino);
	CHECK_ERR(ENOENT, fstatat(fd, "", &d, 0));
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_OK(fstatat(dfd, "st", &d, 0));
	CHECK_EQ(a.st_ino, d.st_ino);
	CHECK_ERR(EINVAL, fstatat(dfd, "st", &d, 0x8000000));

	/* statx */
	struct statx sx;
	CHECK_OK(statx(AT_FDCWD, path("st"), 0, STATX_BASIC_STATS, &sx));
	CHECK((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	CHECK_EQ(S_IFREG | 0644, sx.stx_mode);
	CHECK_EQ(10, sx.stx_size);
	CHECK_EQ(1, sx.stx_nlink);
	CHECK_EQ(a.st_ino, sx.stx_ino);
	CHECK_EQ(a.st_uid, sx.stx_uid);
	CHECK_EQ(a.st_blocks, sx.stx_blocks);
	CHECK_EQ(a.st_mtim.tv_sec, sx.stx_mtime.tv_sec);
	CHECK_EQ(a.st_mtim.tv_nsec, sx.stx_mtime.tv_nsec);
	CHECK_EQ(major(a.st_dev), sx.stx_dev_major);
	CHECK_EQ(minor(a.st_dev), sx.stx_dev_minor);
	struct statx sy;
	CHECK_OK(statx(fd, "", AT_EMPTY_PATH, STATX_ALL, &sy));
	CHECK_EQ(a.st_ino, sy.stx_ino);
	CHECK_OK(statx(dfd, "st", AT_SYMLINK_NOFOLLOW, STATX_SIZE, &sy));
	CHECK_EQ(10, sy.stx_size);
	CHECK_ERR(EINVAL, statx(AT_FDCWD, path("st"), 0, STATX__RESERVED, &sy));
	CHECK_ERR(ENOENT,
		  statx(AT_FDCWD, path("nope"), 0, STATX_BASIC_STATS, &sy));
	close(dfd);

	/* a write updates mtime and ctime, not atime */
	struct timespec old[2] = { { 1000, 1 }, { 2000, 2 } };
	CHECK_OK(futimens(fd, old));
	CHECK_EQ(1, pwrite(fd, "x", 1, 0));
	CHECK_OK(fstat(fd, &d));
	CHECK_EQ(1000, d.st_atim.tv_sec);
	CHECK(d.st_mtim.tv_sec > 2000);
	close(fd);

	/* symlinks: lstat sees the link, st_size is the target length */
	CHECK_OK(symlink("st", path("st_link")));
	CHECK_OK(lstat(path("st_link"), &d));
	CHECK(S_ISLNK(d.st_mode));
	CHECK_EQ(2, d.st_size);
	CHECK_OK(stat(path("st_link"), &d));
	CHECK(S_ISREG(d.st_mode));
	CHECK_OK(fstatat(AT_FDCWD, path("st_link"), &d, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISLNK(d.st_mode));
	CHECK_OK(unlink(path("st_link")));

	/* a directory: nlink 2, +1 per subdirectory */
	CHECK_OK(mkdir(path("sd"), 0750));
	CHECK_OK(stat(path("sd"), &d));
	CHECK_EQ(S_IFDIR | 0750, d.st_mode);
	CHECK_EQ(2, d.st_nlink);
	CHECK_OK(mkdir(path("sd/sub"), 0755));
	CHECK_OK(stat(path("sd"), &d));
	CHECK_EQ(3, d.st_nlink);
	CHECK_OK(rmdir(path("sd/sub")));
	CHECK_OK(stat(path("sd"), &d));
	CHECK_EQ(2, d.st_nlink);
	CHECK_OK(rmdir(path("sd")));
	CHECK_OK(unlink(path("st")));
}

static void t_dirs_unlink(void)
{
	CHECK_OK(mkdir(path("d1"), 0755));
	CHECK_ERR(EEXIST, mkdir(path("d1"), 0755));
	CHECK_ERR(ENOENT, mkdir(path("nope/d2"), 0755));
	write_file(path("d1/f"), "f");
	CHECK_ERR(ENOTDIR, mkdir(path("d1/f/x"), 0755));
	CHECK_ERR(ENOTEMPTY, rmdir(path("d1")));
	CHECK_ERR(ENOTDIR, rmdir(path("d1/f")));
	CHECK_ERR(EINVAL, rmdir(path("d1/.")));
	CHECK_ERR(EISDIR, unlink(path("d1")));
	CHECK_ERR(ENOENT, unlink(path("d1/missing")));
	CHECK_ERR(ENOTDIR, unlinkat(AT_FDCWD, path("d1/f"), AT_REMOVEDIR));
	CHECK_ERR(EINVAL, unlinkat(AT_FDCWD, path("d1/f"), 0x4000));
	int dfd = CHECK_OK(open(path("d1"), O_RDONLY | O_DIRECTORY));
	CHECK_OK(unlinkat(dfd, "f", 0));
	CHECK_OK(mkdirat(dfd, "sub", 0700));
	CHECK_OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
	close(dfd);
	CHECK_OK(rmdir(path("d1")));
	CHECK_ERR(ENOENT, rmdir(path("d1")));
	/* mkdir with a trailing slash */
	CHECK_OK(mkdir(path("d3/"), 0755));
	CHECK_OK(rmdir(path("d3/")));
}

static void t_rename(void)
{
	write_file(path("ra"), "A");
	write_file(path("rb"), "B");
	struct stat sa, sb;
	CHECK_OK(stat(path("ra"), &sa));
	CHECK_OK(rename(path("ra"), path("rb")));
	CHECK_ERR(ENOENT, stat(path("ra"), &sb));
	CHECK_OK(stat(path("rb"), &sb));
	CHECK_EQ(sa.st_ino, sb.st_ino);
	/* rename to itself: nothing happens */
	CHECK_OK(rename(path("rb"), path("rb")));
	CHECK_OK(mkdir(path("rd1"), 0755));
	CHECK_OK(mkdir(path("rd2"), 0755));
	CHECK_OK(mkdir(path("rd3"), 0755));
	write_file(path("rd3/x"), "x");
	CHECK_OK(rename(path("rd1"), path("rd2"))); /* over an empty dir */
	CHECK_ERR(ENOENT, stat(path("rd1"), &sb));
	CHECK_ERR(ENOTEMPTY, rename(path("rd2"), path("rd3")));
	CHECK_ERR(EISDIR, rename(path("rb"), path("rd2")));
	CHECK_ERR(ENOTDIR, rename(path("rd2"), path("rb")));
	CHECK_ERR(EINVAL, rename(path("rd3"), path("rd3/inside")));
	CHECK_ERR(ENOENT, rename(path("missing"), path("x")));
	/* moving a directory updates both parents' link counts */
	CHECK_OK(stat(path("rd3"), &sa));
	CHECK_EQ(2, sa.st_nlink);
	CHECK_OK(rename(path("rd2"), path("rd3/moved")));
	CHECK_OK(stat(path("rd3"), &sa));
	CHECK_EQ(3, sa.st_nlink);
	/* renameat2 flags */
	write_file(path("n1"), "1");
	write_file(path("n2"), "2");
	CHECK_ERR(EEXIST,
		  renameat2(AT_FDCWD, path("n1"), AT_FDCWD, path("n2"),
			    RENAME_NOREPLACE));
	CHECK_OK(renameat2(AT_FDCWD, path("n1"), AT_FDCWD, path("n3"),
		RENAME_NOREPLACE));
	CHECK_OK(renameat2(AT_FDCWD, path("n3"), AT_FDCWD, path("n2"),
		RENAME_EXCHANGE));
	char buf[8];
	read_file(path("n2"), buf, sizeof(buf));
	CHECK_STR("1", buf);
	read_file(path("n3"), buf, sizeof(buf));
	CHECK_STR("2", buf);
	CHECK_ERR(ENOENT,
		  renameat2(AT_FDCWD, path("n3"), AT_FDCWD, path("n4"),
			    RENAME_EXCHANGE));
	CHECK_ERR(EINVAL,
		  renameat2(AT_FDCWD, path("n3"), AT_FDCWD, path("n2"),
			    RENAME_EXCHANGE | RENAME_NOREPLACE));
	/* exchange a file and a directory */
	CHECK_OK(renameat2(AT_FDCWD, path("n3"), AT_FDCWD, path("rd3"),
		RENAME_EXCHANGE));
	CHECK_OK(stat(path("n3"), &sa));
	CHECK(S_ISDIR(sa.st_mode));
	CHECK_OK(renameat2(AT_FDCWD, path("n3"), AT_FDCWD, path("rd3"),
		RENAME_EXCHANGE));
	/* across the mount boundary: EXDEV (natively both are on tmpfs) */
	if (g_pool) {
		CHECK_ERR(EXDEV, rename(path("n2"), hpath("n2")));
		write_file(hpath("h"), "h");
		CHECK_ERR(EXDEV, rename(hpath("h"), path("h")));
		CHECK_ERR(EXDEV, link(path("n2"), hpath("l")));
		CHECK_ERR(EXDEV, link(hpath("h"), path("l")));
		/* the mount point: EXDEV against a path in the pool or on
		 * another host file system, EBUSY against a host path whose
		 * parent shares the mount point's file system (as Linux
		 * checks the parents' mounts first) */
		struct stat mp, hp;
		char parent[4096];
		snprintf(parent, sizeof(parent), "%s", g_dir);
		*strrchr(parent, '/') = 0;
		CHECK_OK(stat(parent[0] ? parent : "/", &mp));
		CHECK_OK(stat(g_host, &hp));
		int busy = mp.st_dev == hp.st_dev ? EBUSY : EXDEV;
		CHECK_ERR(busy, rename(g_dir, hpath("moved")));
		CHECK_ERR(busy, rename(hpath("h"), g_dir));
		CHECK_ERR(EXDEV, rename(g_dir, path("inner")));

		CHECK_OK(unlink(hpath("h")));
	}
	CHECK_OK(unlink(path("n2")));
	CHECK_OK(unlink(path("n3")));
	CHECK_OK(unlink(path("rb")));
	CHECK_OK(rmdir(path("rd3/moved")));
	CHECK_OK(unlink(path("rd3/x")));
	CHECK_OK(rmdir(path("rd3")));
}

static void t_links(void)
{
	write_file(path("orig"), "data");
	CHECK_OK(link(path("orig"), path("hard")));
	struct stat a, b;
	CHECK_OK(stat(path("orig"), &a));
	CHECK_OK(stat(path("hard"), &b));
	CHECK_EQ(b.st_ino, a.st_ino);
	CHECK_EQ(2, a.st_nlink);
	CHECK_ERR(EEXIST, link(path("orig"), path("hard")));
	CHECK_OK(mkdir(path("ldir"), 0755));
	CHECK_ERR(EPERM, link(path("ldir"), path("ldir2")));
	CHECK_ERR(ENOENT, link(path("missing"), path("x")));
	/* symlink + readlink */
	CHECK_OK(symlink("orig", path("sym")));
	CHECK_ERR(EEXIST, symlink("orig", path("sym")));
	CHECK_ERR(ENOENT, symlink("", path("empty")));
	char buf[64];
	CHECK_EQ(4, readlink(path("sym"), buf, sizeof(buf)));
	CHECK_MEM("orig", buf, 4);
	CHECK_EQ(2, readlink(path("sym"), buf, 2)); /* truncated, no NUL */
	CHECK_MEM("or", buf, 2);
	CHECK_ERR(EINVAL, readlink(path("orig"), buf, sizeof(buf)));
	CHECK_ERR(EINVAL, readlink(path("sym"), buf, 0));
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_EQ(4, readlinkat(dfd, "sym", buf, sizeof(buf)));
	int lfd = CHECK_OK(open(path("sym"), O_PATH | O_NOFOLLOW));
	CHECK_EQ(4, readlinkat(lfd, "", buf, sizeof(buf)));
	close(lfd);
	/* linkat: without AT_SYMLINK_FOLLOW the link itself is linked */
	CHECK_OK(linkat(dfd, "sym", dfd, "sym_hard", 0));
	CHECK_OK(lstat(path("sym_hard"), &b));
	CHECK(S_ISLNK(b.st_mode));
	CHECK_OK(linkat(dfd, "sym", dfd, "followed", AT_SYMLINK_FOLLOW));
	CHECK_OK(lstat(path("followed"), &b));
	CHECK(S_ISREG(b.st_mode));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(3, b.st_nlink);
	CHECK_OK(symlinkat("ldir", dfd, "dsym"));
	CHECK_OK(stat(path("dsym/"), &b));
	CHECK(S_ISDIR(b.st_mode));
	/* a long target */
	char target[4000];
	memset(target, 't', sizeof(target) - 1);
	target[sizeof(target) - 1] = '\0';
	CHECK_OK(symlink(target, path("longsym")));
	char back[4096];
	CHECK_EQ(3999, readlink(path("longsym"), back, sizeof(back)));
	CHECK_MEM(target, back, 3999);
	close(dfd);
	const char *names[] = { "orig", "hard", "sym", "sym_hard", "followed",
		"dsym", "longsym" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_OK(unlink(path(names[i])));
	CHECK_OK(rmdir(path("ldir")));
}

static void t_chmod_chown(void)
{
	write_file(path("cm"), "x");
	CHECK_OK(mkdir(path("cmd"), 0700));
	CHECK_OK(chmod(path("cm"), 04755));
	struct stat st;
	CHECK_OK(stat(path("cm"), &st));
	CHECK_EQ(04755, st.st_mode & 07777);
	int fd = CHECK_OK(open(path("cm"), O_RDWR));
	CHECK_OK(fchmod(fd, 0600));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0600, st.st_mode & 07777);
	CHECK_OK(fchmodat(AT_FDCWD, path("cm"), 01644, 0));
	CHECK_OK(stat(path("cm"), &st));
	CHECK_EQ(01644, st.st_mode & 07777);
	/* glibc implements AT_SYMLINK_NOFOLLOW through O_PATH and
	 * /proc/self/fd/N: the mode must land on the pool file */
	CHECK_OK(fchmodat(AT_FDCWD, path("cm"), 0640, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(stat(path("cm"), &st));
	CHECK_EQ(0640, st.st_mode & 07777);
	CHECK_OK(fchmodat(AT_FDCWD, path("cmd"), 0755, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(stat(path("cmd"), &st));
	CHECK_EQ(0755, st.st_mode & 07777);
	CHECK_OK(symlink("cm", path("cml")));
	CHECK_ERR(EOPNOTSUPP,
		  fchmodat(AT_FDCWD, path("cml"), 0600, AT_SYMLINK_NOFOLLOW));
	/* chmod through a symlink changes the target */
	CHECK_OK(chmod(path("cml"), 0604));
	CHECK_OK(stat(path("cm"), &st));
	CHECK_EQ(0604, st.st_mode & 07777);
	CHECK_ERR(ENOENT, chmod(path("missing"), 0644));
	/* ctime moves on chmod */
	struct timespec old[2] = { { 100, 0 }, { 100, 0 } };
	CHECK_OK(futimens(fd, old));
	struct stat before;
	CHECK_OK(fstat(fd, &before));
	CHECK_OK(fchmod(fd, 0644));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(100, st.st_mtim.tv_sec);
	CHECK(st.st_ctim.tv_sec >= before.st_ctim.tv_sec);
	if (geteuid() == 0) {
		CHECK_OK(chown(path("cm"), 1234, 5678));
		CHECK_OK(stat(path("cm"), &st));
		CHECK_EQ(1234, st.st_uid);
		CHECK_EQ(5678, st.st_gid);
		CHECK_OK(fchown(fd, -1, 42));
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(1234, st.st_uid);
		CHECK_EQ(42, st.st_gid);
		/* lchown changes the link, not the target */
		CHECK_OK(lchown(path("cml"), 7, 8));
		struct stat l;
		CHECK_OK(lstat(path("cml"), &l));
		CHECK_EQ(7, l.st_uid);
		CHECK_OK(stat(path("cm"), &st));
		CHECK_EQ(1234, st.st_uid);
		CHECK_OK(fchownat(AT_FDCWD, path("cml"), 9, 9, AT_SYMLINK_NOFOLLOW));
		CHECK_OK(lstat(path("cml"), &l));
		CHECK_EQ(9, l.st_uid);
		CHECK_OK(fchownat(fd, "", 0, 0, AT_EMPTY_PATH));
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(0, st.st_uid);
		/* chown of an executable clears set-user-ID */
		CHECK_OK(fchmod(fd, 04755));
		CHECK_OK(fchown(fd, 1, 1));
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(0755, st.st_mode & 07777);
		CHECK_OK(fchown(fd, 0, 0));
	}
	close(fd);
	CHECK_OK(unlink(path("cml")));
	CHECK_OK(unlink(path("cm")));
	CHECK_OK(rmdir(path("cmd")));
}

static void t_times(void)
{
	write_file(path("tm"), "x");
	struct timespec ts[2] = { { 1000000000, 123456789 },
		{ 1200000000, 987654321 } };
	CHECK_OK(utimensat(AT_FDCWD, path("tm"), ts, 0));
	struct stat st;
	CHECK_OK(stat(path("tm"), &st));
	CHECK_EQ(1000000000, st.st_atim.tv_sec);
	CHECK_EQ(123456789, st.st_atim.tv_nsec);
	CHECK_EQ(1200000000, st.st_mtim.tv_sec);
	CHECK_EQ(987654321, st.st_mtim.tv_nsec);
	struct timespec omit[2] = { { 5, UTIME_OMIT }, { 7, 0 } };
	CHECK_OK(utimensat(AT_FDCWD, path("tm"), omit, 0));
	CHECK_OK(stat(path("tm"), &st));
	CHECK_EQ(1000000000, st.st_atim.tv_sec);
	CHECK_EQ(7, st.st_mtim.tv_sec);
	struct timespec nowts[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	CHECK_OK(utimensat(AT_FDCWD, path("tm"), nowts, 0));
	CHECK_OK(stat(path("tm"), &st));
	CHECK(st.st_atim.tv_sec > 1600000000);
	CHECK_EQ(7, st.st_mtim.tv_sec);
	struct timespec badns[2] = { { 0, 1000000000 }, { 0, 0 } };
	CHECK_ERR(EINVAL, utimensat(AT_FDCWD, path("tm"), badns, 0));
	/* utimes / futimesat / utime */
	struct timeval tv[2] = { { 300, 5 }, { 400, 6 } };
	CHECK_OK(utimes(path("tm"), tv));
	CHECK_OK(stat(path("tm"), &st));
	CHECK_EQ(300, st.st_atim.tv_sec);
	CHECK_EQ(5000, st.st_atim.tv_nsec);
	CHECK_EQ(400, st.st_mtim.tv_sec);
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	struct timeval tv2[2] = { { 500, 0 }, { 600, 0 } };
	CHECK_OK(syscall(SYS_futimesat, dfd, "tm", tv2));
	CHECK_OK(stat(path("tm"), &st));
	CHECK_EQ(600, st.st_mtim.tv_sec);
	close(dfd);
	struct utimbuf ub = { 700, 800 };
	CHECK_OK(syscall(SYS_utime, path("tm"), &ub));
	CHECK_OK(stat(path("tm"), &st));
	CHECK_EQ(700, st.st_atim.tv_sec);
	CHECK_EQ(800, st.st_mtim.tv_sec);
	/* NULL times: now */
	CHECK_OK(utimensat(AT_FDCWD, path("tm"), NULL, 0));
	CHECK_OK(stat(path("tm"), &st));
	CHECK(st.st_mtim.tv_sec > 1600000000);
	/* AT_SYMLINK_NOFOLLOW on a symlink sets the link's times */
	CHECK_OK(symlink("tm", path("tml")));
	CHECK_OK(utimensat(AT_FDCWD, path("tml"), ts, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(lstat(path("tml"), &st));
	CHECK_EQ(1200000000, st.st_mtim.tv_sec);
	CHECK_OK(stat(path("tml"), &st));
	CHECK(st.st_mtim.tv_sec > 1600000000);
	/* futimens on an fd */
	int fd = CHECK_OK(open(path("tm"), O_RDONLY));
	CHECK_OK(futimens(fd, ts));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(987654321, st.st_mtim.tv_nsec);
	/* a NULL path (do_utimes): the fd itself, with no flags; EFAULT with
	 * AT_FDCWD or without a dirfd (fuzz_syscall: utimes(NULL) made the
	 * supervisor read past the argument array and answer EBADF, and
	 * futimesat(fd, NULL) was EFAULT) */
	CHECK_OK(syscall(SYS_futimesat, fd, NULL, tv2));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(600, st.st_mtim.tv_sec);
	CHECK_ERR(EINVAL,
		  syscall(SYS_utimensat, fd, NULL, ts, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(syscall(SYS_utimensat, fd, NULL, ts, 0));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(1200000000, st.st_mtim.tv_sec);
	CHECK_ERR(EFAULT, syscall(SYS_utimes, NULL, tv));
	CHECK_ERR(EFAULT, syscall(SYS_utime, NULL, &ub));
	CHECK_ERR(EFAULT, syscall(SYS_futimesat, AT_FDCWD, NULL, tv));
	CHECK_ERR(EFAULT, syscall(SYS_utimensat, AT_FDCWD, NULL, ts, 0));
	/* both UTIME_OMIT: 0 before the path or the flags are looked at */
	struct timespec omit2[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	CHECK_OK(utimensat(AT_FDCWD, path("nonexistent/x"), omit2, 0));
	CHECK_OK(syscall(SYS_utimensat, AT_FDCWD, NULL, omit2, 0));
	close(fd);
	CHECK_OK(unlink(path("tml")));
	CHECK_OK(unlink(path("tm")));
}

static void t_umask(void)
{
	mode_t old = umask(077);
	CHECK_EQ(022, old);
	CHECK_OK(mkdir(path("um_d"), 0777));
	int fd = CHECK_OK(open(path("um_f"), O_WRONLY | O_CREAT, 0666));
	close(fd);
	struct stat st;
	CHECK_OK(stat(path("um_d"), &st));
	CHECK_EQ(0700, st.st_mode & 07777);
	CHECK_OK(stat(path("um_f"), &st));
	CHECK_EQ(0600, st.st_mode & 07777);
	umask(0);
	CHECK_OK(mknod(path("um_n"), S_IFREG | 0666, 0));
	CHECK_OK(stat(path("um_n"), &st));
	CHECK_EQ(S_IFREG | 0666, st.st_mode);
	umask(022);
	CHECK_OK(symlink("x", path("um_l")));
	CHECK_OK(lstat(path("um_l"), &st));
	CHECK_EQ(0777, st.st_mode & 0777);
	CHECK_OK(unlink(path("um_l")));
	CHECK_OK(unlink(path("um_n")));
	CHECK_OK(unlink(path("um_f")));
	CHECK_OK(rmdir(path("um_d")));
}

static void t_mknod_fifo(void)
{
	CHECK_OK(mknod(path("fifo"), S_IFIFO | 0644, 0));
	struct stat st;
	CHECK_OK(stat(path("fifo"), &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(0644, st.st_mode & 0777);
	CHECK_ERR(EEXIST, mknod(path("fifo"), S_IFIFO | 0644, 0));
	CHECK_OK(mkfifoat(AT_FDCWD, path("fifo2"), 0600));
	int fd = CHECK_OK(open(path("fifo"), O_RDONLY | O_NONBLOCK));
	close(fd); /* sc_special has the rest of FIFOs */
	fd = CHECK_OK(open(path("fifo"), O_PATH));
	close(fd);
	CHECK_ERR(EINVAL, mknod(path("bad"), 0170000 | 0644, 0));
	CHECK_OK(unlink(path("fifo")));
	CHECK_OK(unlink(path("fifo2")));
}

static void t_statfs(void)
{
	struct statfs a, b;
	CHECK_OK(statfs(g_dir, &a));
	int fd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_OK(fstatfs(fd, &b));
	close(fd);
	CHECK_EQ(b.f_type, a.f_type);
	CHECK_EQ(g_pool ? PF_MAGIC : TMPFS_MAGIC, a.f_type);
	CHECK(a.f_bsize > 0);
	CHECK(a.f_blocks > 0);
	CHECK(a.f_bfree <= a.f_blocks);
	CHECK(a.f_bavail <= a.f_bfree);
	CHECK_EQ(255, a.f_namelen);
	if (g_pool) {
		/* the pool's own numbers: 64 MiB made by run.sh */
		CHECK((unsigned long long)a.f_blocks * a.f_bsize <= 64ULL << 20);
		CHECK((unsigned long long)a.f_blocks * a.f_bsize >= 32ULL << 20);
		/* writing 4 MiB takes free blocks */
		int w = CHECK_OK(open(path("fill"), O_WRONLY | O_CREAT, 0644));
		char *buf = calloc(1, 4 << 20);
		CHECK(buf);
		memset(buf, 1, 4 << 20);
		CHECK_EQ(4 << 20, write(w, buf, 4 << 20));
		free(buf);
		close(w);
		CHECK_OK(statfs(path("fill"), &b));
		CHECK(b.f_bfree + (4 << 20) / b.f_bsize <= a.f_bfree);
		CHECK_OK(unlink(path("fill")));
	}
	/* the host keeps its own answer */
	CHECK_OK(statfs(g_host, &b));
	CHECK_EQ(TMPFS_MAGIC, b.f_type);
	CHECK_ERR(ENOENT, statfs(path("missing"), &b));
}

struct lde {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int list_dir(int fd, size_t bufsize, char names[][32], unsigned char *types,
	uint64_t *inos, int max)
{
	char *buf = malloc(bufsize);
	CHECK(buf);
	int n = 0;
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, bufsize);
		if (r < 0)
			PFT_FAIL("getdents64: %s", strerror(errno));
		if (r == 0)
			break;
		for (long pos = 0; pos < r;) {
			struct lde *d = (struct lde *)(buf + pos);
			CHECK(d->reclen > 0 && d->reclen % 8 == 0);
			if (n >= max)
				PFT_FAIL("too many entries");
			snprintf(names[n], 32, "%s", d->name);
			types[n] = d->type;
			inos[n] = d->ino;
			n++;
			pos += d->reclen;
		}
	}
	free(buf);
	return n;
}

static void t_getdents(void)
{
	enum { N = 300 };
	CHECK_OK(mkdir(path("gd"), 0755));
	for (int i = 0; i < N; i++) {
		char name[64];
		snprintf(name, sizeof(name), "gd/file-%03d", i);
		write_file(path(name), "");
	}
	CHECK_OK(mkdir(path("gd/subdir"), 0755));
	CHECK_OK(symlink("file-000", path("gd/symlink")));
	static char names[N + 10][32];
	static unsigned char types[N + 10];
	static uint64_t inos[N + 10];
	int fd = CHECK_OK(open(path("gd"), O_RDONLY | O_DIRECTORY));
	/* a small buffer forces many calls */
	int n = list_dir(fd, 512, names, types, inos, N + 10);
	CHECK_EQ(N + 4, n);
	int seen[N] = { 0 }, dot = 0, dotdot = 0, sub = 0, sym = 0;
	for (int i = 0; i < n; i++) {
		int k;
		if (strcmp(names[i], ".") == 0) {
			dot++;
			CHECK_EQ(DT_DIR, types[i]);
		} else if (strcmp(names[i], "..") == 0) {
			dotdot++;
			CHECK_EQ(DT_DIR, types[i]);
		} else if (strcmp(names[i], "subdir") == 0) {
			sub++;
			CHECK_EQ(DT_DIR, types[i]);
		} else if (strcmp(names[i], "symlink") == 0) {
			sym++;
			CHECK_EQ(DT_LNK, types[i]);
		} else if (sscanf(names[i], "file-%d", &k) == 1 && k >= 0 && k < N) {
			seen[k]++;
			CHECK_EQ(DT_REG, types[i]);
			if (k == 7) {
				struct stat st;
				CHECK_OK(stat(path("gd/file-007"), &st));
				CHECK_EQ(st.st_ino, inos[i]);
			}
		} else {
			PFT_FAIL("unexpected entry '%s'", names[i]);
		}
	}
	CHECK_EQ(1, dot);
	CHECK_EQ(1, dotdot);
	CHECK_EQ(1, sub);
	CHECK_EQ(1, sym);
	for (int k = 0; k < N; k++)
		if (seen[k] != 1)
			PFT_FAIL("file-%03d seen %d times", k, seen[k]);
	/* at the end: 0; rewind and read again */
	char small[64];
	CHECK_EQ(0, syscall(SYS_getdents64, fd, small, sizeof(small)));
	CHECK_EQ(0, lseek(fd, 0, SEEK_SET));
	CHECK_EQ(N + 4, list_dir(fd, 32768, names, types, inos, N + 10));
	/* a buffer too small for one entry */
	CHECK_EQ(0, lseek(fd, 0, SEEK_SET));
	CHECK_ERR(EINVAL, syscall(SYS_getdents64, fd, small, 10));
	/* the old getdents works too */
	CHECK_EQ(0, lseek(fd, 0, SEEK_SET));
	char obuf[4096];
	long r = CHECK_OK(syscall(SYS_getdents, fd, obuf, sizeof(obuf)));
	CHECK(r > 0);
	close(fd);
	/* readdir(3) through glibc sees the same count */
	DIR *d = opendir(path("gd"));
	CHECK(d != NULL);
	int count = 0;
	while (readdir(d))
		count++;
	closedir(d);
	CHECK_EQ(N + 4, count);
	/* getdents64 on a file */
	fd = CHECK_OK(open(path("gd/file-001"), O_RDONLY));
	CHECK_ERR(ENOTDIR, syscall(SYS_getdents64, fd, obuf, sizeof(obuf)));
	close(fd);
	for (int i = 0; i < N; i++) {
		char name[64];
		snprintf(name, sizeof(name), "gd/file-%03d", i);
		CHECK_OK(unlink(path(name)));
	}
	CHECK_OK(unlink(path("gd/symlink")));
	CHECK_OK(rmdir(path("gd/subdir")));
	/* an empty directory lists . and .. only */
	fd = CHECK_OK(open(path("gd"), O_RDONLY | O_DIRECTORY));
	CHECK_EQ(2, list_dir(fd, 4096, names, types, inos, N + 10));
	close(fd);
	CHECK_OK(rmdir(path("gd")));
}

static void t_cwd(void)
{
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(mkdir(path("cw"), 0755));
	CHECK_OK(mkdir(path("cw/in"), 0755));
	write_file(path("cw/in/f"), "cwd file");
	CHECK_OK(chdir(path("cw")));
	char buf[4096];
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK_STR(path("cw"), buf);
	/* the raw syscall returns the length including the NUL */
	CHECK_EQ(strlen(path("cw")) + 1, syscall(SYS_getcwd, buf, sizeof(buf)));
	CHECK_ERR(ERANGE, syscall(SYS_getcwd, buf, 3));
	CHECK_OK(chdir("in"));
	char data[32];
	CHECK_EQ(8, read_file("f", data, sizeof(data)));
	CHECK_STR("cwd file", data);
	struct stat st;
	CHECK_OK(stat("../in/f", &st));
	CHECK_OK(chdir(".."));
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK_STR(path("cw"), buf);
	CHECK_ERR(ENOTDIR, chdir("in/f"));
	CHECK_ERR(ENOENT, chdir("nope"));
	/* fchdir */
	int dfd = CHECK_OK(open(path("cw/in"), O_RDONLY | O_DIRECTORY));
	CHECK_OK(chdir("/"));
	CHECK_OK(fchdir(dfd));
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK_STR(path("cw/in"), buf);
	CHECK_OK(access("f", R_OK));
	close(dfd);
	int ffd = CHECK_OK(open(path("cw/in/f"), O_RDONLY));
	CHECK_ERR(ENOTDIR, fchdir(ffd));
	close(ffd);
	/* /proc/self/cwd reads as the virtual path */
	ssize_t n = CHECK_OK(readlink("/proc/self/cwd", buf, sizeof(buf) - 1));
	buf[n] = '\0';
	CHECK_STR(path("cw/in"), buf);
	/* *at calls with AT_FDCWD follow the cwd */
	CHECK_OK(fstatat(AT_FDCWD, "f", &st, 0));
	int fd = CHECK_OK(openat(AT_FDCWD, "new", O_WRONLY | O_CREAT, 0644));
	close(fd);
	CHECK_OK(stat(path("cw/in/new"), &st));
	CHECK_OK(unlinkat(AT_FDCWD, "new", 0));
	/* getcwd and /proc/self/cwd follow renames of the cwd and of its
	 * ancestors, and show the real path when entered by a symlink */
	CHECK_OK(mkdir(path("cw/in/deep"), 0755));
	CHECK_OK(chdir(path("cw/in/deep")));
	CHECK_OK(rename(path("cw/in"), path("cw/moved")));
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK_STR(path("cw/moved/deep"), buf);
	CHECK_OK(rename(path("cw/moved/deep"), path("cw/moved/deeper")));
	n = CHECK_OK(readlink("/proc/self/cwd", buf, sizeof(buf) - 1));
	buf[n] = '\0';
	CHECK_STR(path("cw/moved/deeper"), buf);
	CHECK_OK(symlink("cw/moved/deeper", path("cwlink")));
	CHECK_OK(chdir(path("cwlink")));
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK_STR(path("cw/moved/deeper"), buf);
	/* a directory fd's link follows too, and so do paths through it */
	int mfd = CHECK_OK(open(path("cw/moved"), O_RDONLY | O_DIRECTORY));
	CHECK_OK(rename(path("cw/moved"), path("cw/in")));
	char fdl[64];
	snprintf(fdl, sizeof(fdl), "/proc/self/fd/%d", mfd);
	n = CHECK_OK(readlink(fdl, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	CHECK_STR(path("cw/in"), buf);
	snprintf(fdl, sizeof(fdl), "/proc/self/fd/%d/f", mfd);
	CHECK_EQ(8, read_file(fdl, data, sizeof(data)));
	CHECK_STR("cwd file", data);
	close(mfd);
	CHECK_OK(chdir(path("cw/in")));
	CHECK_OK(rmdir("deeper"));
	CHECK_OK(unlink(path("cwlink")));
	/* back to the host by absolute path */
	CHECK_OK(chdir(g_host));
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK_STR(g_host, buf);
	write_file("hostfile", "h");
	CHECK_OK(stat(hpath("hostfile"), &st));
	CHECK_OK(unlink(hpath("hostfile")));
	/* leaving the pool root with a relative "..": documented EXDEV */
	if (g_pool) {
		CHECK_OK(chdir(g_dir));
		CHECK_ERR(EXDEV, chdir(".."));
	}
	CHECK_OK(chdir(saved));
	CHECK_OK(unlink(path("cw/in/f")));
	CHECK_OK(rmdir(path("cw/in")));
	CHECK_OK(rmdir(path("cw")));
}

/* Paths that cross the mount boundary: pool symlinks to the host (absolute
 * and through ..), .. at the pool root, a removed cwd, deleted-file links. */
static void t_boundary_paths(void)
{
	write_file(hpath("hf"), "host file");
	/* an absolute symlink in the pool to a host file */
	CHECK_OK(symlink(hpath("hf"), path("tohost")));
	char buf[4096];
	CHECK_EQ(9, read_file(path("tohost"), buf, sizeof(buf)));
	CHECK_STR("host file", buf);
	struct stat a, b;
	CHECK_OK(stat(path("tohost"), &a));
	CHECK_OK(stat(hpath("hf"), &b));
	CHECK_EQ(b.st_ino, a.st_ino);
	CHECK_EQ(b.st_dev, a.st_dev);
	/* O_CREAT through a dangling pool symlink creates the host file */
	CHECK_OK(symlink(hpath("created"), path("tohost_new")));
	int fd = CHECK_OK(open(path("tohost_new"), O_WRONLY | O_CREAT, 0644));
	CHECK_EQ(1, write(fd, "c", 1));
	close(fd);
	CHECK_OK(stat(hpath("created"), &b));
	CHECK_EQ(1, b.st_size);
	/* a relative symlink that climbs out through .. (clamped at /) */
	char rel[4200];
	snprintf(rel, sizeof(rel), "../../../../../../../../..%s/hf", g_host);
	CHECK_OK(symlink(rel, path("climb")));
	CHECK_EQ(9, read_file(path("climb"), buf, sizeof(buf)));
	/* a symlink to a host directory, then a path through it */
	CHECK_OK(mkdir(hpath("hd"), 0755));
	write_file(hpath("hd/inner"), "inner");
	CHECK_OK(symlink(hpath("hd"), path("hostdir")));
	CHECK_EQ(5, read_file(path("hostdir/inner"), buf, sizeof(buf)));
	CHECK_OK(stat(path("hostdir/"), &a));
	CHECK(S_ISDIR(a.st_mode));
	fd = CHECK_OK(open(path("hostdir/new"), O_WRONLY | O_CREAT, 0600));
	close(fd);
	CHECK_OK(stat(hpath("hd/new"), &b));
	CHECK_OK(unlink(path("hostdir/new")));
	CHECK_ERR(ENOENT, stat(hpath("hd/new"), &b));

	/* .. of the directory under test is its host parent */
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", g_dir);
	*strrchr(parent, '/') = '\0';
	if (parent[0] == '\0')
		strcpy(parent, "/");
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	int up = CHECK_OK(openat(dfd, "..", O_RDONLY | O_DIRECTORY));
	CHECK_OK(fstat(up, &a));
	CHECK_OK(stat(parent, &b));
	CHECK_EQ(b.st_ino, a.st_ino);
	CHECK_EQ(b.st_dev, a.st_dev);
	close(up);
	CHECK_OK(fstatat(dfd, "..", &a, 0));
	CHECK_EQ(b.st_ino, a.st_ino);
	char p2[4200];
	snprintf(p2, sizeof(p2), "%s/..", g_dir);
	CHECK_OK(stat(p2, &a));
	CHECK_EQ(b.st_ino, a.st_ino);
	snprintf(p2, sizeof(p2), "%s/.", g_dir);
	CHECK_OK(stat(p2, &a));
	CHECK_OK(fstat(dfd, &b));
	CHECK_EQ(b.st_ino, a.st_ino);
	close(dfd);

	/* the cwd removed under a process */
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(mkdir(path("gone"), 0755));
	CHECK_OK(chdir(path("gone")));
	CHECK_OK(rmdir(path("gone")));
	CHECK_ERR(ENOENT, syscall(SYS_getcwd, buf, sizeof(buf)));
	CHECK_ERR(ENOENT, open("x", O_WRONLY | O_CREAT, 0644));
	CHECK_OK(chdir(saved));

	/* /proc/self/fd of an unlinked file: "PATH (deleted)" */
	fd = CHECK_OK(open(path("del"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(unlink(path("del")));
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = CHECK_OK(readlink(link, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	char want[4200];
	snprintf(want, sizeof(want), "%s (deleted)", path("del"));
	CHECK_STR(want, buf);
	close(fd);

	/* O_CREAT|O_DIRECTORY is EINVAL since Linux 6.4 */
	CHECK_ERR(EINVAL,
		  open(path("cd"), O_CREAT | O_DIRECTORY | O_RDONLY, 0755));
	CHECK_ERR(ENOENT, stat(path("cd"), &a));

	CHECK_OK(unlink(path("hostdir")));
	CHECK_OK(unlink(path("climb")));
	CHECK_OK(unlink(path("tohost_new")));
	CHECK_OK(unlink(path("tohost")));
	CHECK_OK(unlink(hpath("hd/inner")));
	CHECK_OK(rmdir(hpath("hd")));
	CHECK_OK(unlink(hpath("created")));
	CHECK_OK(unlink(hpath("hf")));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "stat_fields", t_stat_fields },
		{ "dirs_unlink", t_dirs_unlink },
		{ "rename", t_rename },
		{ "links", t_links },
		{ "chmod_chown", t_chmod_chown },
		{ "times", t_times },
		{ "umask", t_umask },
		{ "mknod_fifo", t_mknod_fifo },
		{ "statfs", t_statfs },
		{ "getdents", t_getdents },
		{ "cwd", t_cwd },
		{ "boundary_paths", t_boundary_paths },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
