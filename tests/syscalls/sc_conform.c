/*
 * What third-party file-system suites (LTP syscalls, pjdfstest, xfstests'
 * generic tests) check, written again as our own cases: fallocate's modes
 * as tmpfs answers them, copy_file_range's argument checks, statx's masks
 * and flags, the generic ioctls, the set-ID bits a write or chown clears,
 * sticky directories, rename/rmdir/link errnos, utimensat's permission
 * rules, truncate's errnos, open flags F_GETFL shows, and directory
 * reading while the directory changes.
 */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef STATX_ATTR_AUTOMOUNT
#define STATX_ATTR_AUTOMOUNT 0x00001000
#endif
#ifndef FS_IOC_FSGETXATTR
#define FS_IOC_FSGETXATTR _IOR('X', 31, struct fsxattr)
#endif

/* Runs fn in a child that is uid/gid (no groups, no capabilities). */
static void as_user(uid_t uid, void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			_exit(3);
		fn();
		fflush(NULL);
		_exit(0);
	}
	wait_ok(pid);
}

static mode_t mode_of(const char *p)
{
	struct stat st;
	CHECK_OK(lstat(p, &st));
	return st.st_mode & 07777;
}

static void t_fallocate_modes(void)
{
	int fd = CHECK_OK(open(path("fa"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	char buf[3 * 4096];
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ((long)sizeof(buf), write(fd, buf, sizeof(buf)));
	/* tmpfs: only KEEP_SIZE and PUNCH_HOLE; a pool zeroes ranges too
	 * (as ext4 and xfs: suites probe the mode, then check its result) */
	if (g_pool) {
		CHECK_OK(fallocate(fd,
				   FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
				   10, 20));
		char zb[40];
		CHECK_EQ(40, pread(fd, zb, 40, 0));
		CHECK_EQ('x', zb[9]);
		CHECK_EQ(0, zb[10] | zb[29]);
		CHECK_EQ('x', zb[30]);
		CHECK_EQ(20, pwrite(fd, buf, 20, 10));
	} else {
		CHECK_ERR(EOPNOTSUPP,
			  fallocate(fd,
				    FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
				    0, 4096));
	}
	CHECK_ERR(EOPNOTSUPP, fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096));
	CHECK_ERR(EOPNOTSUPP, fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096));
	CHECK_ERR(EOPNOTSUPP,
		  fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE,
			    0, 4096));
	CHECK_ERR(EOPNOTSUPP, fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, 4096));
	CHECK_ERR(EOPNOTSUPP, fallocate(fd, 0x1000, 0, 4096));
	CHECK_ERR(EOPNOTSUPP,
		  fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE, 0,
			    4096));
	CHECK_ERR(EINVAL, fallocate(fd, 0, 0, -1));
	CHECK_ERR(EFBIG, fallocate(fd, 0, LLONG_MAX - 10, 100));
	/* st_blocks drop after a punched hole, and grow with KEEP_SIZE */
	struct stat a, b;
	CHECK_OK(fstat(fd, &a));
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096,
			   4096));
	CHECK_OK(fstat(fd, &b));
	CHECK(b.st_blocks < a.st_blocks);
	CHECK_EQ((long)sizeof(buf), b.st_size);
	CHECK_EQ(4096, lseek(fd, 0, SEEK_HOLE));
	CHECK_EQ(8192, lseek(fd, 4096, SEEK_DATA));
	CHECK_ERR(ENXIO, lseek(fd, (off_t)sizeof(buf), SEEK_HOLE));
	CHECK_ERR(ENXIO, lseek(fd, (off_t)sizeof(buf), SEEK_DATA));
	CHECK_ERR(ENXIO, lseek(fd, -1, SEEK_DATA));
	CHECK_ERR(ENXIO, lseek(fd, -1, SEEK_HOLE));
	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 3 * 4096, 4 * 4096));
	struct stat c;
	CHECK_OK(fstat(fd, &c));
	CHECK_EQ((long)sizeof(buf), c.st_size);
	CHECK(c.st_blocks >= b.st_blocks + 4 * 8);
	/* mode 0 grows the size, reads zeros */
	CHECK_OK(posix_fallocate(fd, 0, 10 * 4096));
	CHECK_OK(fstat(fd, &c));
	CHECK_EQ(10 * 4096, c.st_size);
	char z[16];
	CHECK_EQ(16, pread(fd, z, 16, 9 * 4096));
	CHECK_EQ(0, z[0] | z[15]);
	CHECK_EQ(16, pread(fd, z, 16, 4096));
	CHECK_EQ(0, z[0] | z[15]);
	CHECK_OK(close(fd));
	/* not open for writing */
	fd = CHECK_OK(open(path("fa"), O_RDONLY));
	CHECK_ERR(EBADF, fallocate(fd, 0, 0, 10));
	CHECK_ERR(EBADF,
		  fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			    10));
	CHECK_OK(close(fd));
	/* O_APPEND allows fallocate */
	fd = CHECK_OK(open(path("fa"), O_WRONLY | O_APPEND));
	CHECK_OK(fallocate(fd, 0, 0, 11 * 4096));
	CHECK_OK(close(fd));
	int d = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(EBADF, fallocate(d, 0, 0, 10));
	CHECK_OK(close(d));
	CHECK_OK(unlink(path("fa")));
}

static void t_copy_range_args(void)
{
	write_file(path("ci"), "0123456789abcdef");
	int in = CHECK_OK(open(path("ci"), O_RDONLY));
	int out = CHECK_OK(open(path("co"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	int wo = CHECK_OK(open(path("ci"), O_WRONLY));
	loff_t a = 0, b = 0;
	/* source not readable, destination not writable */
	CHECK_ERR(EBADF, copy_file_range(wo, &a, out, &b, 4, 0));
	CHECK_ERR(EBADF, copy_file_range(in, &a, in, &b, 4, 0));
	/* a directory on either side */
	int d = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(EISDIR, copy_file_range(d, NULL, out, NULL, 4, 0));
	CHECK_ERR2(EISDIR, EBADF, copy_file_range(in, NULL, d, NULL, 4, 0));
	CHECK_OK(close(d));
	/* negative offsets, wrapping ranges */
	a = -1;
	CHECK_ERR(EOVERFLOW, copy_file_range(in, &a, out, NULL, 4, 0));
	a = 0;
	b = -1;
	CHECK_ERR(EOVERFLOW, copy_file_range(in, &a, out, &b, 4, 0));
	/* a length that wraps the destination range (LTP's case) */
	a = 0;
	b = LLONG_MAX - 65537;
	CHECK_ERR(EOVERFLOW,
		  syscall(SYS_copy_file_range, in, &a, out, &b, ~0UL, 0));
	/* a source range past the end is cut to it first: nothing to do */
	a = LLONG_MAX - 2;
	b = 0;
	CHECK_EQ(0, copy_file_range(in, &a, out, &b, 10, 0));
	/* past the source's end: 0, offsets unchanged */
	a = 100;
	b = 0;
	CHECK_EQ(0, copy_file_range(in, &a, out, &b, 10, 0));
	CHECK_EQ(100, a);
	CHECK_EQ(0, b);
	/* short at the end, offsets advanced; the file offsets untouched */
	a = 10;
	b = 3;
	CHECK_EQ(6, copy_file_range(in, &a, out, &b, 100, 0));
	CHECK_EQ(16, a);
	CHECK_EQ(9, b);
	CHECK_EQ(0, lseek(in, 0, SEEK_CUR));
	CHECK_EQ(0, lseek(out, 0, SEEK_CUR));
	struct stat st;
	CHECK_OK(fstat(out, &st));
	CHECK_EQ(9, st.st_size);
	/* NULL offsets use and advance the file offsets */
	CHECK_OK(lseek(in, 4, SEEK_SET));
	CHECK_EQ(5, copy_file_range(in, NULL, out, NULL, 5, 0));
	CHECK_EQ(9, lseek(in, 0, SEEK_CUR));
	CHECK_EQ(5, lseek(out, 0, SEEK_CUR));
	/* same file, ranges that do not overlap */
	int rw = CHECK_OK(open(path("ci"), O_RDWR));
	a = 0;
	b = 8;
	CHECK_EQ(8, copy_file_range(rw, &a, rw, &b, 8, 0));
	char buf[32];
	CHECK_EQ(16, read_file(path("ci"), buf, sizeof(buf)));
	CHECK_STR("0123456701234567", buf);
	/* same file, overlapping */
	a = 0;
	b = 4;
	CHECK_ERR(EINVAL, copy_file_range(rw, &a, rw, &b, 8, 0));
	/* zero length */
	a = 0;
	b = 0;
	CHECK_EQ(0, copy_file_range(in, &a, out, &b, 0, 0));
	CHECK_OK(close(rw));
	CHECK_OK(close(wo));
	CHECK_OK(close(in));
	CHECK_OK(close(out));
	CHECK_OK(unlink(path("ci")));
	CHECK_OK(unlink(path("co")));
}

static void t_statx_fields(void)
{
	write_file(path("sx"), "hello");
	struct statx sx;
	CHECK_OK(statx(AT_FDCWD, path("sx"), 0, STATX_ALL, &sx));
	CHECK_EQ(STATX_BASIC_STATS | STATX_BTIME,
		 sx.stx_mask & (STATX_BASIC_STATS | STATX_BTIME));
	CHECK(sx.stx_btime.tv_sec > 0);
	/* tmpfs: append, immutable, nodump; the VFS adds the rest */
	CHECK_EQ(STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE | STATX_ATTR_NODUMP |
			 STATX_ATTR_AUTOMOUNT | STATX_ATTR_MOUNT_ROOT |
			 STATX_ATTR_DAX,
		 sx.stx_attributes_mask);
	CHECK_EQ(0,
		 sx.stx_attributes &
			 (STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE |
			  STATX_ATTR_MOUNT_ROOT));
	struct statx m;
	CHECK_OK(statx(AT_FDCWD, path("sx"), 0, STATX_MNT_ID, &m));
	CHECK(m.stx_mask & STATX_MNT_ID);
	struct statx r;
	CHECK_OK(statx(AT_FDCWD, g_dir, 0, STATX_MNT_ID, &r));
	CHECK_EQ(m.stx_mnt_id, r.stx_mnt_id);
	if (g_pool)
		CHECK(r.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	/* the unique id instead, when asked (Linux 6.8) */
	CHECK_OK(statx(AT_FDCWD, path("sx"), 0, 0x4000U, &m));
	CHECK_EQ(0x4000U, m.stx_mask & (0x4000U | STATX_MNT_ID));
	CHECK(m.stx_mnt_id != r.stx_mnt_id);
	CHECK(m.stx_mnt_id >= 0x80000000ULL);
	/* stat and statx agree */
	struct stat st;
	CHECK_OK(stat(path("sx"), &st));
	CHECK_EQ(major(st.st_dev), sx.stx_dev_major);
	CHECK_EQ(minor(st.st_dev), sx.stx_dev_minor);
	CHECK_EQ(st.st_ino, sx.stx_ino);
	CHECK_EQ(st.st_blksize, sx.stx_blksize);
	CHECK_EQ(st.st_blocks, sx.stx_blocks);
	CHECK_EQ(st.st_ctim.tv_nsec, sx.stx_ctime.tv_nsec);
	/* flags */
	CHECK_ERR(EINVAL,
		  statx(AT_FDCWD, path("sx"),
			AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, 0, &sx));
	CHECK_ERR(EINVAL, statx(AT_FDCWD, path("sx"), 0x1, 0, &sx));
	CHECK_OK(statx(AT_FDCWD, path("sx"),
		       AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC, STATX_BASIC_STATS,
		       &sx));
	CHECK_OK(statx(AT_FDCWD, path("sx"), AT_STATX_FORCE_SYNC, 0, &sx));
	/* empty path: AT_EMPTY_PATH or ENOENT */
	int fd = CHECK_OK(open(path("sx"), O_RDONLY));
	CHECK_ERR(ENOENT, statx(fd, "", 0, STATX_BASIC_STATS, &sx));
	CHECK_OK(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
	CHECK_EQ(5, sx.stx_size);
	CHECK_ERR(ENOTDIR, statx(fd, "x", 0, STATX_BASIC_STATS, &sx));
	CHECK_ERR(ENOTDIR, fstatat(fd, "x", &st, 0));
	CHECK_ERR(EINVAL, fstatat(fd, "", &st, 0x1));
	CHECK_OK(fstatat(fd, "", &st, AT_EMPTY_PATH | AT_NO_AUTOMOUNT));
	CHECK_EQ(5, st.st_size);
	/* a NULL path with AT_EMPTY_PATH (Linux 6.11) */
	memset(&st, 0, sizeof(st));
	CHECK_OK(syscall(SYS_newfstatat, fd, NULL, &st, AT_EMPTY_PATH));
	CHECK_EQ(5, st.st_size);
	memset(&sx, 0, sizeof(sx));
	CHECK_OK(syscall(SYS_statx, fd, NULL, AT_EMPTY_PATH, STATX_BASIC_STATS,
			 &sx));
	CHECK_EQ(5, sx.stx_size);
	CHECK_ERR(EFAULT,
		  syscall(SYS_statx, fd, NULL, 0, STATX_BASIC_STATS, &sx));
	CHECK_OK(close(fd));
	CHECK_OK(unlink(path("sx")));
}

static void setflags_not_owner(void)
{
	int fd = CHECK_OK(open(path("io"), O_RDONLY));
	int fl = 0;
	CHECK_ERR(EPERM, ioctl(fd, FS_IOC_SETFLAGS, &fl));
	int blk = 0;
	CHECK_ERR(EPERM, ioctl(fd, FIBMAP, &blk));
	CHECK_OK(close(fd));
}

static void t_generic_ioctls(void)
{
	write_file(path("io"), "0123456789");
	int fd = CHECK_OK(open(path("io"), O_RDWR));
	int n = -1;
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	CHECK_EQ(10, n);
	CHECK_OK(lseek(fd, 4, SEEK_SET));
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	CHECK_EQ(6, n);
	int bs = -1;
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_OK(ioctl(fd, FIGETBSZ, &bs));
	CHECK_EQ(st.st_blksize, bs);
	loff_t q = -1;
	CHECK_OK(ioctl(fd, FIOQSIZE, &q));
	CHECK_EQ(st.st_blocks * 512, q); /* bytes used, not the size */
	int fl = -1;
	CHECK_OK(ioctl(fd, FS_IOC_GETFLAGS, &fl));
	CHECK_EQ(0, fl & (FS_IMMUTABLE_FL | FS_APPEND_FL));
	struct fsxattr fx;
	memset(&fx, 0xff, sizeof(fx));
	CHECK_OK(ioctl(fd, FS_IOC_FSGETXATTR, &fx));
	CHECK_EQ(0, fx.fsx_xflags);
	int on = 0;
	CHECK_OK(ioctl(fd, FIOASYNC, &on));
	/* setting no flags: the owner may; setting one a pool cannot keep */
	fl = 0;
	CHECK_OK(ioctl(fd, FS_IOC_SETFLAGS, &fl));
	CHECK_OK(ioctl(fd, FS_IOC_FSSETXATTR, &fx));
	as_user(65534, setflags_not_owner);
	/* no extent map, no reflinks (tmpfs has neither) */
	struct fiemap fm;
	memset(&fm, 0, sizeof(fm));
	fm.fm_length = ~0ULL;
	CHECK_ERR(EOPNOTSUPP, ioctl(fd, FS_IOC_FIEMAP, &fm));
	int src = CHECK_OK(open(path("io"), O_RDONLY));
	CHECK_ERR(EOPNOTSUPP, ioctl(fd, FICLONE, src));
	CHECK_OK(close(src));
	int blk = 0;
	CHECK_ERR(EINVAL, ioctl(fd, FIBMAP, &blk));
	/* an unknown request */
	CHECK_ERR(ENOTTY, ioctl(fd, _IO('P', 0x7e), 0));
	CHECK_OK(close(fd));
	int d = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_OK(ioctl(d, FS_IOC_GETFLAGS, &fl));
	CHECK_OK(ioctl(d, FIOQSIZE, &q));
	CHECK_OK(fstat(d, &st));
	CHECK_EQ(st.st_blocks * 512, q);
	CHECK_ERR(ENOTTY, ioctl(d, FIONREAD, &n));
	CHECK_OK(close(d));
	CHECK_OK(unlink(path("io")));
}

static void write_as_nobody(void)
{
	int fd = CHECK_OK(open(path("suid"), O_WRONLY));
	CHECK_EQ(1, write(fd, "x", 1));
	CHECK_OK(close(fd));
	CHECK_EQ(0777, mode_of(path("suid")));
}

static void truncate_as_nobody(void)
{
	CHECK_OK(truncate(path("suid"), 3));
	CHECK_EQ(0777, mode_of(path("suid")));
}

static void write_as_nobody_sgid(void)
{
	int fd = CHECK_OK(open(path("suid"), O_WRONLY));
	CHECK_EQ(1, write(fd, "x", 1));
	CHECK_OK(close(fd));
	CHECK_EQ(0666, mode_of(path("suid")));
}

static void t_setid_clearing(void)
{
	/* a write by someone without CAP_FSETID clears both bits */
	write_file(path("suid"), "abc");
	CHECK_OK(chmod(path("suid"), 06777));
	as_user(65534, write_as_nobody);
	CHECK_OK(chmod(path("suid"), 06777));
	as_user(65534, truncate_as_nobody);
	/* root's write keeps them */
	CHECK_OK(chmod(path("suid"), 06777));
	int fd = CHECK_OK(open(path("suid"), O_WRONLY));
	CHECK_EQ(1, write(fd, "y", 1));
	CHECK_OK(close(fd));
	CHECK_EQ(06777, mode_of(path("suid")));
	/* set-group-ID without group execute: cleared too when the writer
	 * is not in the file's group */
	CHECK_OK(chmod(path("suid"), 02666));
	as_user(65534, write_as_nobody_sgid);
	/* chown clears set-ID bits of a regular file, even root's */
	CHECK_OK(chmod(path("suid"), 06755));
	CHECK_OK(chown(path("suid"), 65534, 65534));
	CHECK_EQ(0755, mode_of(path("suid")));
	CHECK_OK(chmod(path("suid"), 06755));
	CHECK_OK(chown(path("suid"), -1, -1));
	CHECK_EQ(0755, mode_of(path("suid")));
	CHECK_OK(chmod(path("suid"), 02755));
	CHECK_OK(chown(path("suid"), -1, 0));
	CHECK_EQ(0755, mode_of(path("suid")));
	/* set-group-ID without group execute survives chown */
	CHECK_OK(chmod(path("suid"), 06744));
	CHECK_OK(chown(path("suid"), 0, 0));
	CHECK_EQ(02744, mode_of(path("suid")));
	/* a directory keeps them */
	CHECK_OK(mkdir(path("sdir"), 0755));
	CHECK_OK(chmod(path("sdir"), 07755));
	CHECK_OK(chown(path("sdir"), 65534, 65534));
	CHECK_EQ(07755, mode_of(path("sdir")));
	CHECK_OK(rmdir(path("sdir")));
	CHECK_OK(unlink(path("suid")));
}

static void sticky_as_nobody(void)
{
	/* root's file in a sticky directory nobody may write */
	CHECK_ERR(EPERM, unlink(path("st/rootf")));
	CHECK_ERR(EPERM, rename(path("st/rootf"), path("st/x")));
	CHECK_ERR(EPERM, rename(path("st/mine"), path("st/rootf")));
	CHECK_ERR(EPERM, rmdir(path("st/rootd")));
	/* own files are fine */
	CHECK_OK(rename(path("st/mine"), path("st/mine2")));
	CHECK_OK(unlink(path("st/mine2")));
}

static void sticky_owner_dir(void)
{
	/* the directory's owner may remove anything in it */
	CHECK_OK(unlink(path("st/rootf")));
	CHECK_OK(rmdir(path("st/rootd")));
}

static void t_sticky(void)
{
	CHECK_OK(mkdir(path("st"), 01777));
	CHECK_OK(chmod(path("st"), 01777));
	write_file(path("st/rootf"), "r");
	CHECK_OK(chmod(path("st/rootf"), 0666));
	CHECK_OK(mkdir(path("st/rootd"), 0777));
	write_file(path("st/mine"), "m");
	CHECK_OK(chown(path("st/mine"), 65534, 65534));
	as_user(65534, sticky_as_nobody);
	CHECK_OK(chown(path("st"), 65534, 65534));
	as_user(65534, sticky_owner_dir);
	CHECK_OK(rmdir(path("st")));
}

static void t_namespace_errnos(void)
{
	CHECK_OK(mkdir(path("a"), 0755));
	CHECK_OK(mkdir(path("a/b"), 0755));
	CHECK_OK(mkdir(path("c"), 0755));
	write_file(path("c/f"), "f");
	write_file(path("f"), "f");
	/* rename a directory into itself */
	CHECK_ERR(EINVAL, rename(path("a"), path("a/b/x")));
	CHECK_ERR(EINVAL, rename(path("a"), path("a/x")));
	/* over a non-empty directory */
	CHECK_ERR2(ENOTEMPTY, EEXIST, rename(path("a"), path("c")));
	/* an ancestor over its descendant */
	CHECK_ERR2(ENOTEMPTY, EINVAL, rename(path("a"), path("a/b")));
	/* a descendant over its non-empty ancestor */
	CHECK_ERR(ENOTEMPTY, rename(path("a/b"), path("a")));
	CHECK_ERR(EISDIR, rename(path("f"), path("a")));
	CHECK_ERR(ENOTDIR, rename(path("a"), path("f")));
	CHECK_ERR(ENOTDIR, rename(path("f"), path("c/f/x")));
	CHECK_ERR(ENOTDIR, rename(path("f/"), path("g")));
	CHECK_ERR(ENOTDIR, rename(path("f"), path("g/")));
	/* "." and ".." */
	CHECK_ERR2(EBUSY, EINVAL, rename(path("a/."), path("z")));
	CHECK_ERR2(EBUSY, EINVAL, rename(path("a/.."), path("z")));
	CHECK_ERR2(EBUSY, EINVAL, rename(path("z"), path("a/.")));
	CHECK_ERR(EINVAL, rmdir(path("a/.")));
	CHECK_ERR(ENOTEMPTY, rmdir(path("a/b/..")));
	CHECK_ERR(ENOTEMPTY, rmdir(path("a")));
	CHECK_ERR(ENOTDIR, rmdir(path("f")));
	CHECK_ERR(EISDIR, unlink(path("a")));
	CHECK_ERR(EPERM, link(path("a"), path("al")));
	CHECK_ERR(EEXIST, link(path("f"), path("c/f")));
	CHECK_ERR(EEXIST, mkdir(path("f"), 0755));
	CHECK_ERR(EEXIST, mkdir(path("a/"), 0755));
	CHECK_ERR(ENOENT, link(path("nope"), path("x")));
	CHECK_ERR(ENOTDIR, link(path("f/"), path("x")));
	CHECK_ERR(ENOENT, link(path("f"), path("x/")));
	CHECK_ERR(EEXIST, symlink("x", path("f")));
	CHECK_ERR(ENOENT, symlink("", path("emptylink")));
	/* renaming onto the same file is a no-op */
	CHECK_OK(link(path("f"), path("f2")));
	CHECK_OK(rename(path("f"), path("f2")));
	CHECK_OK(access(path("f"), F_OK));
	CHECK_OK(access(path("f2"), F_OK));
	/* RENAME_NOREPLACE / RENAME_EXCHANGE */
	CHECK_ERR(EEXIST,
		  renameat2(AT_FDCWD, path("f"), AT_FDCWD, path("c"),
			    RENAME_NOREPLACE));
	CHECK_ERR(ENOENT,
		  renameat2(AT_FDCWD, path("f"), AT_FDCWD, path("q"),
			    RENAME_EXCHANGE));
	CHECK_ERR(EINVAL,
		  renameat2(AT_FDCWD, path("f"), AT_FDCWD, path("c"),
			    RENAME_EXCHANGE | RENAME_NOREPLACE));
	CHECK_OK(renameat2(AT_FDCWD, path("f"), AT_FDCWD, path("c"),
			   RENAME_EXCHANGE));
	struct stat st;
	CHECK_OK(stat(path("f/f"), &st));
	CHECK_OK(renameat2(AT_FDCWD, path("f"), AT_FDCWD, path("c"),
			   RENAME_EXCHANGE));
	/* mknod */
	CHECK_ERR(EINVAL, mknod(path("bad"), S_IFMT | 0644, 0));
	CHECK_OK(mknod(path("reg"), S_IFREG | 0644, 0));
	CHECK_OK(mknod(path("reg0"), 0644, 0));
	CHECK_OK(stat(path("reg0"), &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_ERR(EEXIST, mkfifo(path("reg"), 0644));
	CHECK_ERR(ENOENT, mkfifo(path("nope/x"), 0644));
	CHECK_ERR(ENOTDIR, mkfifo(path("f2/x"), 0644));
	CHECK_OK(unlink(path("reg")));
	CHECK_OK(unlink(path("reg0")));
	CHECK_OK(unlink(path("f")));
	CHECK_OK(unlink(path("f2")));
	CHECK_OK(unlink(path("c/f")));
	CHECK_OK(rmdir(path("c")));
	CHECK_OK(rmdir(path("a/b")));
	CHECK_OK(rmdir(path("a")));
}

static void times_nobody_writable(void)
{
	/* write permission: UTIME_NOW and NULL allowed, explicit times not */
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), NULL, 0));
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), now, 0));
	struct timespec t[2] = { { 1000, 0 }, { 1000, 0 } };
	CHECK_ERR(EPERM, utimensat(AT_FDCWD, path("ut"), t, 0));
	struct timespec mixed[2] = { { 0, UTIME_NOW }, { 1000, 0 } };
	CHECK_ERR(EPERM, utimensat(AT_FDCWD, path("ut"), mixed, 0));
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), omit, 0));
	struct timespec nowomit[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	CHECK_ERR(EPERM, utimensat(AT_FDCWD, path("ut"), nowomit, 0));
}

static void times_nobody_readonly(void)
{
	CHECK_ERR(EACCES, utimensat(AT_FDCWD, path("ut"), NULL, 0));
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	CHECK_ERR(EACCES, utimensat(AT_FDCWD, path("ut"), now, 0));
	struct timespec t[2] = { { 1000, 0 }, { 1000, 0 } };
	CHECK_ERR(EPERM, utimensat(AT_FDCWD, path("ut"), t, 0));
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), omit, 0));
}

static void t_utimensat_rules(void)
{
	write_file(path("ut"), "t");
	CHECK_OK(chmod(path("ut"), 0666));
	as_user(65534, times_nobody_writable);
	CHECK_OK(chmod(path("ut"), 0644));
	as_user(65534, times_nobody_readonly);
	/* both omitted: ctime unchanged */
	struct stat a, b;
	struct timespec t[2] = { { 1000, 5 }, { 2000, 7 } };
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), t, 0));
	CHECK_OK(stat(path("ut"), &a));
	CHECK_EQ(1000, a.st_atim.tv_sec);
	CHECK_EQ(5, a.st_atim.tv_nsec);
	CHECK_EQ(2000, a.st_mtim.tv_sec);
	CHECK_EQ(7, a.st_mtim.tv_nsec);
	usleep(20000);
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), omit, 0));
	CHECK_OK(stat(path("ut"), &b));
	CHECK_EQ(a.st_ctim.tv_sec, b.st_ctim.tv_sec);
	CHECK_EQ(a.st_ctim.tv_nsec, b.st_ctim.tv_nsec);
	/* one omitted: the other set, ctime now */
	struct timespec one[2] = { { 0, UTIME_OMIT }, { 3000, 0 } };
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), one, 0));
	CHECK_OK(stat(path("ut"), &b));
	CHECK_EQ(1000, b.st_atim.tv_sec);
	CHECK_EQ(3000, b.st_mtim.tv_sec);
	CHECK(b.st_ctim.tv_sec > a.st_ctim.tv_sec ||
	      b.st_ctim.tv_nsec != a.st_ctim.tv_nsec);
	/* bad nanoseconds, bad flags */
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	CHECK_ERR(EINVAL, utimensat(AT_FDCWD, path("ut"), bad, 0));
	struct timespec neg[2] = { { 0, -1 }, { 0, 0 } };
	CHECK_ERR(EINVAL, utimensat(AT_FDCWD, path("ut"), neg, 0));
	CHECK_ERR(EINVAL, utimensat(AT_FDCWD, path("ut"), NULL, 0x1));
	/* negative seconds are times before 1970 */
	struct timespec old[2] = { { -100, 0 }, { -200, 0 } };
	CHECK_OK(utimensat(AT_FDCWD, path("ut"), old, 0));
	CHECK_OK(stat(path("ut"), &b));
	CHECK_EQ(-100, b.st_atim.tv_sec);
	CHECK_EQ(-200, b.st_mtim.tv_sec);
	/* futimens through an O_PATH fd: EBADF */
	int fd = CHECK_OK(open(path("ut"), O_PATH));
	CHECK_ERR(EBADF, futimens(fd, NULL));
	CHECK_OK(close(fd));
	CHECK_OK(unlink(path("ut")));
}

static void truncate_nobody(void)
{
	CHECK_ERR(EACCES, truncate(path("tr"), 0));
	int fd = CHECK_OK(open(path("tr"), O_RDONLY));
	CHECK_ERR(EINVAL, ftruncate(fd, 0));
	CHECK_OK(close(fd));
}

static void t_truncate_errnos(void)
{
	write_file(path("tr"), "0123456789");
	CHECK_ERR(EINVAL, truncate(path("tr"), -1));
	int fd = CHECK_OK(open(path("tr"), O_RDWR));
	CHECK_ERR(EINVAL, ftruncate(fd, -1));
	CHECK_OK(close(fd));
	fd = CHECK_OK(open(path("tr"), O_RDONLY));
	CHECK_ERR(EINVAL, ftruncate(fd, 0));
	CHECK_OK(close(fd));
	CHECK_OK(mkdir(path("trd"), 0755));
	CHECK_ERR(EISDIR, truncate(path("trd"), 0));
	int d = CHECK_OK(open(path("trd"), O_RDONLY));
	CHECK_ERR(EINVAL, ftruncate(d, 0));
	CHECK_OK(close(d));
	CHECK_ERR(ENOTDIR, truncate(path("tr/x"), 0));
	CHECK_ERR(ENOENT, truncate(path("nope"), 0));
	CHECK_ERR(ENOENT, truncate("", 0));
	as_user(65534, truncate_nobody);
	/* truncate through a symlink follows it */
	CHECK_OK(symlink("tr", path("trl")));
	CHECK_OK(truncate(path("trl"), 4));
	struct stat st;
	CHECK_OK(stat(path("tr"), &st));
	CHECK_EQ(4, st.st_size);
	/* times change only when the size does? No: always on Linux */
	struct timespec t[2] = { { 1000, 0 }, { 1000, 0 } };
	CHECK_OK(utimensat(AT_FDCWD, path("tr"), t, 0));
	CHECK_OK(truncate(path("tr"), 4));
	CHECK_OK(stat(path("tr"), &st));
	CHECK(st.st_mtim.tv_sec != 1000);
	CHECK_OK(utimensat(AT_FDCWD, path("tr"), t, 0));
	fd = CHECK_OK(open(path("tr"), O_RDWR));
	CHECK_OK(ftruncate(fd, 4));
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_mtim.tv_sec != 1000);
	CHECK_OK(close(fd));
	CHECK_OK(unlink(path("trl")));
	CHECK_OK(unlink(path("tr")));
	CHECK_OK(rmdir(path("trd")));
}

static void noatime_nobody(void)
{
	CHECK_ERR(EPERM, open(path("na"), O_RDONLY | O_NOATIME));
	int fd = CHECK_OK(open(path("na"), O_RDONLY));
	CHECK_ERR(EPERM, fcntl(fd, F_SETFL, O_NOATIME));
	CHECK_OK(close(fd));
}

static void t_open_flags(void)
{
	write_file(path("na"), "x");
	CHECK_OK(chmod(path("na"), 0644));
	as_user(65534, noatime_nobody);
	int fd = CHECK_OK(open(path("na"), O_RDONLY | O_NOATIME));
	CHECK(fcntl(fd, F_GETFL) & O_NOATIME);
	CHECK_OK(close(fd));
	fd = CHECK_OK(open(path("na"), O_WRONLY | O_SYNC));
	CHECK_EQ(O_SYNC, fcntl(fd, F_GETFL) & O_SYNC);
	CHECK_OK(close(fd));
	fd = CHECK_OK(open(path("na"), O_WRONLY | O_DSYNC | O_APPEND));
	int fl = fcntl(fd, F_GETFL);
	CHECK_EQ(O_DSYNC, fl & O_SYNC);
	/* O_LARGEFILE is the kernel's 0100000 (glibc's is 0 here) */
	CHECK_EQ(O_WRONLY | O_DSYNC | O_APPEND | 0100000, fl);
	/* F_SETFL changes O_APPEND, O_NONBLOCK, O_NOATIME; not O_SYNC */
	CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	fl = fcntl(fd, F_GETFL);
	CHECK_EQ(O_NONBLOCK, fl & (O_NONBLOCK | O_APPEND));
	CHECK_EQ(O_DSYNC, fl & O_SYNC);
	CHECK_OK(close(fd));
	/* O_DIRECT: tmpfs accepts it since Linux 6.6 */
	fd = open(path("na"), O_RDONLY | O_DIRECT);
	CHECK(fd >= 0 || errno == EINVAL);
	if (fd >= 0) {
		CHECK(fcntl(fd, F_GETFL) & O_DIRECT);
		CHECK_OK(close(fd));
	}
	/* O_CREAT|O_EXCL on a symlink, dangling or not: EEXIST */
	CHECK_OK(symlink("dangling", path("dl")));
	CHECK_ERR(EEXIST, open(path("dl"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK_OK(symlink("na", path("nl")));
	CHECK_ERR(EEXIST, open(path("nl"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK_ERR(ELOOP, open(path("nl"), O_RDONLY | O_NOFOLLOW));
	CHECK_ERR(ENOTDIR, open(path("nl"), O_RDONLY | O_DIRECTORY));
	/* without O_EXCL a dangling symlink's target is created */
	fd = CHECK_OK(open(path("dl"), O_CREAT | O_WRONLY, 0644));
	CHECK_OK(close(fd));
	CHECK_OK(access(path("dangling"), F_OK));
	/* O_TMPFILE needs a directory and write access mode */
	CHECK_ERR(EINVAL, open(g_dir, O_TMPFILE | O_RDONLY, 0600));
	CHECK_ERR(ENOTDIR, open(path("na"), O_TMPFILE | O_RDWR, 0600));
	/* O_DIRECTORY|O_CREAT is EINVAL */
	CHECK_ERR(EINVAL, open(path("newd"), O_DIRECTORY | O_CREAT, 0644));
	CHECK_ERR(EISDIR, open(g_dir, O_WRONLY));
	CHECK_ERR(EISDIR, open(g_dir, O_RDONLY | O_CREAT, 0644));
	CHECK_OK(unlink(path("dangling")));
	CHECK_OK(unlink(path("dl")));
	CHECK_OK(unlink(path("nl")));
	CHECK_OK(unlink(path("na")));
}

struct ld_dirent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static void t_dir_reading(void)
{
	CHECK_OK(mkdir(path("dr"), 0755));
	CHECK_OK(mkdir(path("dr/sub1"), 0755));
	CHECK_OK(mkdir(path("dr/sub2"), 0755));
	struct stat dst, sst, pst;
	CHECK_OK(stat(path("dr"), &dst));
	CHECK_EQ(4, dst.st_nlink);
	CHECK_OK(stat(path("dr/sub1/.."), &pst));
	CHECK_EQ(dst.st_ino, pst.st_ino);
	CHECK_OK(stat(path("dr/sub1/."), &sst));
	CHECK_EQ(2, sst.st_nlink);
	/* ".." as readdir shows it: the parent's inode */
	DIR *sd = opendir(path("dr/sub1"));
	CHECK(sd != NULL);
	struct dirent *se;
	int dots = 0;
	while ((se = readdir(sd))) {
		if (strcmp(se->d_name, "..") == 0) {
			CHECK_EQ(dst.st_ino, se->d_ino);
			dots++;
		} else if (strcmp(se->d_name, ".") == 0) {
			CHECK_EQ(sst.st_ino, se->d_ino);
			dots++;
		}
	}
	CHECK_EQ(2, dots);
	closedir(sd);
	char name[64];
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "dr/f%02d", i);
		write_file(path(name), "x");
	}
	CHECK_OK(symlink("x", path("dr/sl")));
	CHECK_OK(mkfifo(path("dr/fifo"), 0644));
	/* d_type, "." and ".." inode numbers */
	DIR *d = opendir(path("dr"));
	CHECK(d != NULL);
	struct dirent *e;
	int seen = 0;
	long pos_mid = -1;
	char mid_name[256] = "";
	while ((e = readdir(d))) {
		seen++;
		if (strcmp(e->d_name, ".") == 0) {
			CHECK_EQ(DT_DIR, e->d_type);
			CHECK_EQ(dst.st_ino, e->d_ino);
		} else if (strcmp(e->d_name, "..") == 0) {
			CHECK_EQ(DT_DIR, e->d_type);
		} else if (strcmp(e->d_name, "sl") == 0) {
			CHECK_EQ(DT_LNK, e->d_type);
		} else if (strcmp(e->d_name, "fifo") == 0) {
			CHECK_EQ(DT_FIFO, e->d_type);
		} else if (strncmp(e->d_name, "sub", 3) == 0) {
			CHECK_EQ(DT_DIR, e->d_type);
		} else {
			CHECK_EQ(DT_REG, e->d_type);
		}
		if (seen == 30) {
			pos_mid = telldir(d);
			e = readdir(d);
			seen++;
			strcpy(mid_name, e->d_name);
		}
	}
	CHECK_EQ(2 + 2 + 60 + 2, seen);
	/* seekdir back: the same entry again */
	seekdir(d, pos_mid);
	e = readdir(d);
	CHECK(e != NULL);
	if (e)
		CHECK_STR(mid_name, e->d_name);
	/* rewinddir after an unlink: the name is gone */
	CHECK_OK(unlink(path("dr/f00")));
	rewinddir(d);
	seen = 0;
	while ((e = readdir(d))) {
		seen++;
		if (strcmp(e->d_name, "f00") == 0)
			PFT_FAIL("f00 listed after unlink and rewinddir");
	}
	CHECK_EQ(2 + 2 + 59 + 2, seen);
	closedir(d);
	/* names present throughout are seen exactly once while others come
	 * and go */
	d = opendir(path("dr"));
	int count[60] = { 0 };
	int n = 0;
	while ((e = readdir(d))) {
		int k;
		if (sscanf(e->d_name, "f%d", &k) == 1 && k >= 0 && k < 60)
			count[k]++;
		if (++n == 20) {
			for (int i = 0; i < 40; i++) {
				snprintf(name, sizeof(name), "dr/new%02d", i);
				write_file(path(name), "n");
			}
			CHECK_OK(unlink(path("dr/f59")));
			CHECK_OK(unlink(path("dr/f01")));
		}
	}
	closedir(d);
	for (int i = 2; i < 59; i++)
		if (count[i] != 1)
			PFT_FAIL("f%02d seen %d times", i, count[i]);
	/* getdents64 with a buffer too small for one entry; on a file */
	int fd = CHECK_OK(open(path("dr"), O_RDONLY | O_DIRECTORY));
	char small[16];
	CHECK_ERR(EINVAL, syscall(SYS_getdents64, fd, small, sizeof(small)));
	char buf[4096];
	long got = CHECK_OK(syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	CHECK(got > 0);
	struct ld_dirent *ld = (struct ld_dirent *)buf;
	CHECK(ld->reclen % 8 == 0);
	CHECK_OK(close(fd));
	fd = CHECK_OK(open(path("dr/f02"), O_RDONLY));
	CHECK_ERR(ENOTDIR, syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	CHECK_OK(close(fd));
	d = opendir(path("dr"));
	int dfd = dirfd(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			CHECK_OK(unlinkat(dfd, e->d_name,
					  e->d_type == DT_DIR ? AT_REMOVEDIR :
								0));
	closedir(d);
	CHECK_OK(rmdir(path("dr")));
}

static void chmod_chown_nobody(void)
{
	/* not the owner */
	CHECK_ERR(EPERM, chmod(path("cc/root"), 0600));
	CHECK_ERR(EPERM, chown(path("cc/mine"), 0, -1));
	/* the owner: a group it is not in */
	CHECK_ERR(EPERM, chown(path("cc/mine"), -1, 0));
	/* to its own ids: allowed, set-ID bits cleared */
	CHECK_OK(chmod(path("cc/mine"), 06755));
	CHECK_OK(chown(path("cc/mine"), 65534, 65534));
	CHECK_EQ(0755, mode_of(path("cc/mine")));
	/* set-group-ID for a group the caller is not in: dropped silently */
	CHECK_OK(chown(path("cc/mine"), -1, 65534));
	CHECK_OK(chmod(path("cc/mine"), 02755));
	CHECK_EQ(02755, mode_of(path("cc/mine")));
	CHECK_OK(chmod(path("cc/other"), 02755));
	CHECK_EQ(0755, mode_of(path("cc/other")));
	/* the sticky bit on a file: allowed on Linux */
	CHECK_OK(chmod(path("cc/mine"), 01644));
	CHECK_EQ(01644, mode_of(path("cc/mine")));
	/* X_OK without any execute bit */
	CHECK_ERR(EACCES, access(path("cc/mine"), X_OK));
}

static void t_chmod_chown_rules(void)
{
	CHECK_OK(mkdir(path("cc"), 0755));
	write_file(path("cc/root"), "r");
	write_file(path("cc/mine"), "m");
	write_file(path("cc/other"), "o");
	CHECK_OK(chown(path("cc/mine"), 65534, 65534));
	CHECK_OK(chown(path("cc/other"), 65534, 0));
	as_user(65534, chmod_chown_nobody);
	/* root: X_OK needs one execute bit; chown -1 -1 changes ctime */
	CHECK_ERR(EACCES, access(path("cc/root"), X_OK));
	CHECK_OK(chmod(path("cc/root"), 0010));
	CHECK_OK(access(path("cc/root"), X_OK));
	struct stat a, b;
	CHECK_OK(stat(path("cc/root"), &a));
	usleep(20000);
	CHECK_OK(chown(path("cc/root"), -1, -1));
	CHECK_OK(stat(path("cc/root"), &b));
	CHECK(a.st_ctim.tv_nsec != b.st_ctim.tv_nsec ||
	      a.st_ctim.tv_sec != b.st_ctim.tv_sec);
	/* O_RDONLY|O_TRUNC truncates */
	int fd = CHECK_OK(open(path("cc/root"), O_RDONLY | O_TRUNC));
	CHECK_OK(fstat(fd, &b));
	CHECK_EQ(0, b.st_size);
	/* an unlinked open file: nlink 0 */
	CHECK_OK(unlink(path("cc/root")));
	CHECK_OK(fstat(fd, &b));
	CHECK_EQ(0, b.st_nlink);
	CHECK_OK(close(fd));
	/* rename changes the file's ctime, both parents' mtime, and the
	 * nlink of parents when a directory moves */
	CHECK_OK(mkdir(path("cc/d1"), 0755));
	CHECK_OK(mkdir(path("cc/d2"), 0755));
	CHECK_OK(mkdir(path("cc/d1/sub"), 0755));
	CHECK_OK(stat(path("cc/d1"), &a));
	CHECK_EQ(3, a.st_nlink);
	CHECK_OK(stat(path("cc/d1/sub"), &a));
	usleep(20000);
	CHECK_OK(rename(path("cc/d1/sub"), path("cc/d2/sub")));
	CHECK_OK(stat(path("cc/d2/sub"), &b));
	CHECK(a.st_ctim.tv_nsec != b.st_ctim.tv_nsec ||
	      a.st_ctim.tv_sec != b.st_ctim.tv_sec);
	CHECK_OK(stat(path("cc/d1"), &a));
	CHECK_EQ(2, a.st_nlink);
	CHECK_OK(stat(path("cc/d2"), &a));
	CHECK_EQ(3, a.st_nlink);
	struct stat up;
	CHECK_OK(stat(path("cc/d2/sub/.."), &up));
	CHECK_EQ(a.st_ino, up.st_ino);
	/* a directory over an empty one */
	CHECK_OK(rename(path("cc/d2/sub"), path("cc/d1")));
	CHECK_OK(stat(path("cc/d2"), &a));
	CHECK_EQ(2, a.st_nlink);
	/* utimensat on a symlink itself */
	CHECK_OK(symlink("nowhere", path("cc/sl")));
	struct timespec t[2] = { { 100, 0 }, { 200, 0 } };
	CHECK_OK(utimensat(AT_FDCWD, path("cc/sl"), t, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(lstat(path("cc/sl"), &a));
	CHECK_EQ(200, a.st_mtim.tv_sec);
	CHECK_ERR(ENOENT, utimensat(AT_FDCWD, path("cc/sl"), t, 0));
	CHECK_OK(unlink(path("cc/sl")));
	CHECK_OK(rmdir(path("cc/d1")));
	CHECK_OK(rmdir(path("cc/d2")));
	CHECK_OK(unlink(path("cc/mine")));
	CHECK_OK(unlink(path("cc/other")));
	CHECK_OK(rmdir(path("cc")));
}

static void t_sendfile_splice_args(void)
{
	write_file(path("sf"), "0123456789");
	int in = CHECK_OK(open(path("sf"), O_RDONLY));
	int out =
		CHECK_OK(open(path("sfo"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	int ap = CHECK_OK(open(path("sfo"), O_WRONLY | O_APPEND));
	off_t o = -1;
	CHECK_ERR(EINVAL, sendfile(out, in, &o, 4));
	o = 0;
	CHECK_ERR(EINVAL, sendfile(ap, in, &o, 4));
	CHECK_ERR(EBADF, sendfile(in, in, &o, 4));
	CHECK_ERR(EBADF, sendfile(out, out, &o, 4));
	o = 20;
	CHECK_EQ(0, sendfile(out, in, &o, 4));
	CHECK_EQ(20, o);
	o = 8;
	CHECK_EQ(2, sendfile(out, in, &o, 4));
	CHECK_EQ(10, o);
	CHECK_EQ(0, lseek(in, 0, SEEK_CUR));
	CHECK_EQ(4, sendfile(out, in, NULL, 4));
	CHECK_EQ(4, lseek(in, 0, SEEK_CUR));
	/* splice: a pipe on one side, offsets on the file side only */
	int p[2];
	CHECK_OK(pipe(p));
	loff_t lo = 2;
	CHECK_EQ(3, splice(in, &lo, p[1], NULL, 3, 0));
	CHECK_EQ(5, lo);
	CHECK_ERR(ESPIPE, splice(p[0], &lo, out, NULL, 3, 0));
	CHECK_ERR(EINVAL, splice(in, NULL, out, NULL, 3, 0));
	lo = -1;
	CHECK_ERR(EINVAL, splice(in, &lo, p[1], NULL, 3, 0));
	CHECK_ERR(EINVAL, splice(p[0], NULL, ap, NULL, 3, 0)); /* O_APPEND */
	CHECK_EQ(3, splice(p[0], NULL, out, NULL, 3, 0));
	char buf[32];
	CHECK_EQ(9, read_file(path("sfo"), buf, sizeof(buf)));
	CHECK_STR("890123234", buf);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	/* lseek: negative result, directories */
	CHECK_ERR(EINVAL, lseek(in, -20, SEEK_CUR));
	CHECK_ERR(EINVAL, lseek(in, 0, 7));
	CHECK_EQ(100, lseek(in, 90, SEEK_END));
	int d = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(EINVAL, lseek(d, -1, SEEK_SET));
	CHECK_OK(close(d));
	CHECK_OK(close(in));
	CHECK_OK(close(out));
	CHECK_OK(close(ap));
	CHECK_OK(unlink(path("sf")));
	CHECK_OK(unlink(path("sfo")));
}

static int get_flags(const char *p)
{
	int fd = CHECK_OK(open(p, O_RDONLY | O_NONBLOCK | O_NOFOLLOW));
	int fl = -1;
	CHECK_OK(ioctl(fd, FS_IOC_GETFLAGS, &fl));
	CHECK_OK(close(fd));
	return fl;
}

static long set_flags(const char *p, int fl)
{
	int fd = CHECK_OK(open(p, O_RDONLY | O_NONBLOCK | O_NOFOLLOW));
	long r = ioctl(fd, FS_IOC_SETFLAGS, &fl);
	int e = errno;
	CHECK_OK(close(fd));
	errno = e;
	return r;
}

static void flags_nobody(void)
{
	/* the owner without CAP_LINUX_IMMUTABLE: other flags only */
	CHECK_ERR(EPERM, set_flags(path("fl/mine"), FS_IMMUTABLE_FL));
	CHECK_ERR(EPERM, set_flags(path("fl/mine"), FS_APPEND_FL));
	CHECK_OK(set_flags(path("fl/mine"), FS_NODUMP_FL));
	CHECK_EQ(FS_NODUMP_FL, get_flags(path("fl/mine")));
	/* not the owner */
	CHECK_ERR(EPERM, set_flags(path("fl/im"), 0));
}

static void t_inode_flags(void)
{
	CHECK_OK(mkdir(path("fl"), 0777));
	write_file(path("fl/im"), "immutable");
	write_file(path("fl/x"), "x");
	CHECK_EQ(0, get_flags(path("fl/im")));
	int wfd = CHECK_OK(open(path("fl/im"), O_RDWR));
	CHECK_OK(set_flags(path("fl/im"), FS_IMMUTABLE_FL));
	CHECK_EQ(FS_IMMUTABLE_FL, get_flags(path("fl/im")));
	struct statx sx;
	CHECK_OK(statx(AT_FDCWD, path("fl/im"), 0, STATX_BASIC_STATS, &sx));
	CHECK_EQ(STATX_ATTR_IMMUTABLE,
		 sx.stx_attributes &
			 (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND));
	/* nothing changes it, root included */
	CHECK_ERR(EPERM, open(path("fl/im"), O_WRONLY));
	CHECK_ERR(EPERM, open(path("fl/im"), O_RDWR));
	CHECK_ERR(EPERM, open(path("fl/im"), O_RDONLY | O_TRUNC));
	int rfd = CHECK_OK(open(path("fl/im"), O_RDONLY));
	CHECK_OK(close(rfd));
	CHECK_ERR(EPERM, access(path("fl/im"), W_OK));
	CHECK_ERR(EPERM, truncate(path("fl/im"), 0));
	CHECK_ERR(EPERM, unlink(path("fl/im")));
	CHECK_ERR(EPERM, rename(path("fl/im"), path("fl/y")));
	CHECK_ERR(EPERM, rename(path("fl/x"), path("fl/im")));
	CHECK_ERR(EPERM, link(path("fl/im"), path("fl/y")));
	CHECK_ERR(EPERM, chmod(path("fl/im"), 0600));
	CHECK_ERR(EPERM, chown(path("fl/im"), 1, 1));
	CHECK_ERR(EPERM, utimensat(AT_FDCWD, path("fl/im"), NULL, 0));
	struct timespec t[2] = { { 1, 0 }, { 1, 0 } };
	CHECK_ERR(EPERM, utimensat(AT_FDCWD, path("fl/im"), t, 0));
	CHECK_ERR(EPERM, setxattr(path("fl/im"), "user.a", "v", 1, 0));
	CHECK_ERR(EPERM, fallocate(wfd, 0, 0, 100));
	int src = CHECK_OK(open(path("fl/x"), O_RDONLY));
	CHECK_ERR(EPERM, copy_file_range(src, NULL, wfd, NULL, 1, 0));
	CHECK_OK(close(src));
	CHECK_OK(close(wfd));
	/* an immutable directory gets no new names and loses none */
	CHECK_OK(set_flags(path("fl"), FS_IMMUTABLE_FL));
	CHECK_ERR(EPERM, open(path("fl/new"), O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(EPERM, mkdir(path("fl/newd"), 0755));
	CHECK_ERR(EPERM, unlink(path("fl/x")));
	CHECK_OK(set_flags(path("fl"), 0));
	CHECK_OK(set_flags(path("fl/im"), 0));
	CHECK_OK(unlink(path("fl/im")));
	/* append-only */
	write_file(path("fl/ap"), "ab");
	CHECK_OK(set_flags(path("fl/ap"), FS_APPEND_FL));
	CHECK_ERR(EPERM, open(path("fl/ap"), O_WRONLY));
	CHECK_ERR(EPERM, open(path("fl/ap"), O_RDWR));
	CHECK_ERR(EPERM, open(path("fl/ap"), O_WRONLY | O_APPEND | O_TRUNC));
	int afd = CHECK_OK(open(path("fl/ap"), O_WRONLY | O_APPEND));
	CHECK_EQ(1, write(afd, "c", 1));
	CHECK_ERR(EPERM, fcntl(afd, F_SETFL, 0));
	CHECK_ERR(EPERM, ftruncate(afd, 0));
	CHECK_ERR(EPERM,
		  fallocate(afd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			    1));
	CHECK_OK(fallocate(afd, 0, 0, 4));
	/* no shared mapping through a writable open (do_mmap) */
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, afd, 0) == MAP_FAILED &&
	      errno == EACCES);
	CHECK_OK(close(afd));
	afd = CHECK_OK(open(path("fl/ap"), O_RDONLY));
	void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, afd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED)
		CHECK_OK(munmap(m, 4096));
	CHECK_OK(close(afd));
	char buf[16];
	CHECK_EQ(4, read_file(path("fl/ap"), buf, sizeof(buf)));
	CHECK_MEM("abc", buf, 3);
	CHECK_ERR(EPERM, truncate(path("fl/ap"), 0));
	CHECK_ERR(EPERM, unlink(path("fl/ap")));
	CHECK_ERR(EPERM, rename(path("fl/ap"), path("fl/y")));
	CHECK_ERR(EPERM, chmod(path("fl/ap"), 0600));
	CHECK_ERR(EPERM, utimensat(AT_FDCWD, path("fl/ap"), t, 0));
	CHECK_OK(utimensat(AT_FDCWD, path("fl/ap"), NULL, 0));
	CHECK_OK(set_flags(path("fl/ap"), 0));
	CHECK_OK(unlink(path("fl/ap")));
	/* an append-only directory: names come, none go */
	CHECK_OK(set_flags(path("fl"), FS_APPEND_FL));
	write_file(path("fl/new"), "n");
	CHECK_ERR(EPERM, unlink(path("fl/new")));
	CHECK_ERR(EPERM, rename(path("fl/new"), path("fl/new2")));
	CHECK_OK(set_flags(path("fl"), 0));
	CHECK_OK(unlink(path("fl/new")));
	/* a flag tmpfs does not keep; the unprivileged owner */
	CHECK_ERR(EOPNOTSUPP, set_flags(path("fl/x"), FS_SYNC_FL));
	write_file(path("fl/mine"), "m");
	CHECK_OK(chown(path("fl/mine"), 65534, 65534));
	write_file(path("fl/im"), "i");
	as_user(65534, flags_nobody);
	/* NOATIME: reads leave atime */
	CHECK_OK(set_flags(path("fl/x"), FS_NOATIME_FL));
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	CHECK_OK(utimensat(AT_FDCWD, path("fl/x"), old, 0));
	CHECK_EQ(1, read_file(path("fl/x"), buf, sizeof(buf)));
	struct stat st;
	CHECK_OK(stat(path("fl/x"), &st));
	CHECK_EQ(1000, st.st_atim.tv_sec);
	CHECK_OK(set_flags(path("fl/x"), 0));
	CHECK_OK(unlink(path("fl/x")));
	CHECK_OK(unlink(path("fl/im")));
	CHECK_OK(unlink(path("fl/mine")));
	CHECK_OK(rmdir(path("fl")));
}

static void t_removed_dirs(void)
{
	CHECK_OK(mkdir(path("gone"), 0755));
	int d = CHECK_OK(open(path("gone"), O_RDONLY | O_DIRECTORY));
	CHECK_OK(rmdir(path("gone")));
	char buf[4096];
	CHECK_ERR(ENOENT, syscall(SYS_getdents64, d, buf, sizeof(buf)));
	CHECK_ERR(ENOENT, openat(d, "x", O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(ENOENT, mkdirat(d, "x", 0755));
	CHECK_ERR(ENOENT, symlinkat("t", d, "x"));
	CHECK_ERR(ENOENT, mknodat(d, "x", S_IFIFO | 0644, 0));
	CHECK_ERR(ENOENT, openat(d, "x", O_RDONLY));
	write_file(path("mv"), "m");
	CHECK_ERR(ENOENT, renameat(AT_FDCWD, path("mv"), d, "x"));
	CHECK_ERR(ENOENT, linkat(AT_FDCWD, path("mv"), d, "x", 0));
	struct stat st;
	CHECK_OK(fstat(d, &st));
	CHECK_EQ(0, st.st_nlink);
	CHECK_OK(close(d));
	CHECK_OK(unlink(path("mv")));
	/* readlink's answers */
	CHECK_OK(symlink("0123456789", path("rl")));
	char small[4];
	CHECK_EQ(4, readlink(path("rl"), small, sizeof(small)));
	CHECK_MEM("0123", small, 4);
	CHECK_ERR(EINVAL, readlink(path("rl"), small, 0));
	write_file(path("nl"), "n");
	CHECK_ERR(EINVAL, readlink(path("nl"), small, sizeof(small)));
	CHECK_ERR(ENOENT, readlink(path("none"), small, sizeof(small)));
	/* a target of PATH_MAX - 1 bytes is stored, one more is not */
	static char longt[PATH_MAX + 1];
	memset(longt, 'a', PATH_MAX - 1);
	longt[PATH_MAX - 1] = 0;
	CHECK_OK(symlink(longt, path("lt")));
	static char back[PATH_MAX + 1];
	CHECK_EQ(PATH_MAX - 1, readlink(path("lt"), back, sizeof(back)));
	longt[PATH_MAX - 1] = 'a';
	CHECK_ERR(ENAMETOOLONG, symlink(longt, path("lt2")));
	CHECK_OK(unlink(path("lt")));
	CHECK_OK(unlink(path("rl")));
	CHECK_OK(unlink(path("nl")));
	/* mkdir keeps the sticky bit, takes the umask */
	umask(027);
	CHECK_OK(mkdir(path("sd"), 01777));
	CHECK_EQ(01750, mode_of(path("sd")));
	umask(022);
	CHECK_OK(rmdir(path("sd")));
	/* the mount point itself */
	if (g_pool) {
		CHECK_ERR(EBUSY, rmdir(g_dir));
		CHECK_ERR2(EBUSY, EXDEV, rename(g_dir, hpath("x")));
	}
}

static void dir_perms_nobody(void)
{
	struct stat st;
	/* no write on the directory */
	CHECK_ERR(EACCES, open(path("dp/ro/f"), O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(EACCES, mkdir(path("dp/ro/d"), 0755));
	CHECK_ERR(EACCES, unlink(path("dp/ro/file")));
	CHECK_ERR(EACCES, rename(path("dp/ro/file"), path("dp/rw/file")));
	/* protected_hardlinks first: not the owner, not writable */
	CHECK_ERR(EPERM, link(path("dp/ro/file"), path("dp/ro/l")));
	CHECK_ERR(EACCES, symlink("x", path("dp/ro/s")));
	CHECK_ERR(EACCES, mkfifo(path("dp/ro/p"), 0644));
	/* write and search, no read: create yes, list no */
	CHECK_ERR(EACCES, open(path("dp/wx"), O_RDONLY | O_DIRECTORY));
	int fd = CHECK_OK(open(path("dp/wx/f"), O_CREAT | O_WRONLY, 0644));
	CHECK_OK(close(fd));
	CHECK_OK(unlink(path("dp/wx/f")));
	/* read and write, no search: nothing by name */
	CHECK_ERR(EACCES, stat(path("dp/rw-/file"), &st));
	CHECK_ERR(EACCES, open(path("dp/rw-/f"), O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(EACCES, unlink(path("dp/rw-/file")));
	int d = CHECK_OK(open(path("dp/rw-"), O_RDONLY | O_DIRECTORY));
	char buf[4096];
	CHECK(syscall(SYS_getdents64, d, buf, sizeof(buf)) > 0);
	CHECK_ERR(EACCES, fstatat(d, "file", &st, 0));
	CHECK_OK(close(d));
	/* moving one's own directory elsewhere needs write on it ("..") */
	CHECK_ERR(EACCES, rename(path("dp/rw/mydir"), path("dp/rw2/mydir")));
	/* within the same parent it does not */
	CHECK_OK(rename(path("dp/rw/mydir"), path("dp/rw/mydir2")));
	CHECK_OK(rename(path("dp/rw/mydir2"), path("dp/rw/mydir")));
	/* search permission along the way */
	CHECK_ERR(EACCES, access(path("dp/none/x"), F_OK));
	CHECK_ERR(EACCES, chdir(path("dp/none")));
	CHECK_ERR(EACCES, opendir(path("dp/none")) ? 0 : -1);
}

static void t_dir_permissions(void)
{
	CHECK_OK(mkdir(path("dp"), 0755));
	CHECK_OK(mkdir(path("dp/ro"), 0755));
	write_file(path("dp/ro/file"), "f");
	CHECK_OK(mkdir(path("dp/wx"), 0733));
	CHECK_OK(chmod(path("dp/wx"), 0733));
	CHECK_OK(mkdir(path("dp/rw-"), 0777));
	write_file(path("dp/rw-/file"), "f");
	CHECK_OK(chmod(path("dp/rw-"), 0766));
	CHECK_OK(mkdir(path("dp/rw"), 0777));
	CHECK_OK(chmod(path("dp/rw"), 0777));
	CHECK_OK(mkdir(path("dp/rw2"), 0777));
	CHECK_OK(chmod(path("dp/rw2"), 0777));
	CHECK_OK(mkdir(path("dp/rw/mydir"), 0555));
	CHECK_OK(chown(path("dp/rw/mydir"), 65534, 65534));
	CHECK_OK(mkdir(path("dp/none"), 0700));
	as_user(65534, dir_perms_nobody);
	CHECK_OK(rmdir(path("dp/rw/mydir")));
	CHECK_OK(rmdir(path("dp/rw")));
	CHECK_OK(rmdir(path("dp/rw2")));
	CHECK_OK(unlink(path("dp/rw-/file")));
	CHECK_OK(rmdir(path("dp/rw-")));
	CHECK_OK(rmdir(path("dp/wx")));
	CHECK_OK(unlink(path("dp/ro/file")));
	CHECK_OK(rmdir(path("dp/ro")));
	CHECK_OK(rmdir(path("dp/none")));
	CHECK_OK(rmdir(path("dp")));
}

static void t_removed_cwd(void)
{
	CHECK_OK(mkdir(path("cwd"), 0755));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		CHECK_OK(chdir(path("cwd")));
		CHECK_OK(rmdir(path("cwd")));
		char buf[PATH_MAX];
		CHECK(getcwd(buf, sizeof(buf)) == NULL && errno == ENOENT);
		CHECK_ERR(ENOENT, open("x", O_CREAT | O_WRONLY, 0644));
		CHECK_ERR(ENOENT, mkdir("d", 0755));
		CHECK_ERR(ENOENT, open("x", O_RDONLY));
		struct stat st;
		CHECK_OK(stat(".", &st));
		CHECK_EQ(0, st.st_nlink);
		CHECK_OK(stat("..", &st));
		int d = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
		char db[4096];
		CHECK_ERR(ENOENT, syscall(SYS_getdents64, d, db, sizeof(db)));
		CHECK_OK(close(d));
		fflush(NULL);
		_exit(0);
	}
	wait_ok(pid);
	CHECK_ERR(ENOENT, access(path("cwd"), F_OK));
}

static void t_symlink_depth(void)
{
	CHECK_OK(mkdir(path("lp"), 0755));
	CHECK_OK(symlink(".", path("lp/s")));
	/* 40 links followed on one walk, the 41st is ELOOP */
	static char p[PATH_MAX];
	for (int n = 39; n <= 41; n++) {
		snprintf(p, sizeof(p), "%s", path("lp"));
		for (int i = 0; i < n; i++)
			strcat(p, "/s");
		struct stat st;
		if (n <= 40)
			CHECK_OK(stat(p, &st));
		else
			CHECK_ERR(ELOOP, stat(p, &st));
		strcat(p, "/x");
		if (n <= 40)
			CHECK_OK(mkdir(p, 0755) == 0 ? rmdir(p) : -1);
		else
			CHECK_ERR(ELOOP, mkdir(p, 0755));
	}
	/* a loop of two */
	CHECK_OK(symlink("b", path("lp/a")));
	CHECK_OK(symlink("a", path("lp/b")));
	struct stat st;
	CHECK_ERR(ELOOP, stat(path("lp/a"), &st));
	CHECK_ERR(ELOOP, open(path("lp/a"), O_CREAT | O_WRONLY, 0644));
	CHECK_OK(lstat(path("lp/a"), &st));
	CHECK_ERR(ELOOP, stat(path("lp/a/x"), &st));
	CHECK_OK(unlink(path("lp/a")));
	CHECK_OK(unlink(path("lp/b")));
	CHECK_OK(unlink(path("lp/s")));
	CHECK_OK(rmdir(path("lp")));
}

static void t_opath_symlink(void)
{
	write_file(path("ot"), "target");
	CHECK_OK(symlink("ot", path("ol")));
	int l = CHECK_OK(open(path("ol"), O_PATH | O_NOFOLLOW));
	struct stat st;
	CHECK_OK(fstat(l, &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(2, st.st_size);
	char buf[16];
	CHECK_EQ(2, readlinkat(l, "", buf, sizeof(buf)));
	CHECK_MEM("ot", buf, 2);
	CHECK_OK(fchownat(l, "", 0, 0, AT_EMPTY_PATH));
	CHECK_ERR(ENOTDIR, openat(l, "x", O_RDONLY));
	/* a link made from it links the symlink itself */
	CHECK_OK(linkat(l, "", AT_FDCWD, path("ol2"), AT_EMPTY_PATH));
	CHECK_OK(lstat(path("ol2"), &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(2, st.st_nlink);
	CHECK_OK(close(l));
	/* O_PATH follows without O_NOFOLLOW */
	l = CHECK_OK(open(path("ol"), O_PATH));
	CHECK_OK(fstat(l, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_ERR(ENOENT, readlinkat(l, "", buf, sizeof(buf)));
	CHECK_OK(close(l));
	/* O_DIRECTORY through a symlink to a directory */
	CHECK_OK(mkdir(path("odir"), 0755));
	CHECK_OK(symlink("odir", path("odl")));
	int d = CHECK_OK(open(path("odl"), O_RDONLY | O_DIRECTORY));
	CHECK_OK(close(d));
	CHECK_ERR(ENOTDIR,
		  open(path("odl"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
	/* trailing slash follows the link */
	CHECK_OK(stat(path("odl/"), &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(lstat(path("odl/"), &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_ERR(ENOTDIR, lstat(path("ol/"), &st));
	CHECK_ERR(ENOTDIR, unlink(path("odl/")));
	CHECK_ERR(ENOTDIR, rmdir(path("odl/")));
	CHECK_OK(unlink(path("odl")));
	CHECK_OK(rmdir(path("odir")));
	CHECK_OK(unlink(path("ol2")));
	CHECK_OK(unlink(path("ol")));
	CHECK_OK(unlink(path("ot")));
}

/* struct file_attr and the calls of Linux 6.17 (headers here are 6.1) */
struct t_file_attr {
	uint64_t fa_xflags;
	uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};
#define T_NR_file_getattr 468
#define T_NR_file_setattr 469

static void file_attr_nobody(void)
{
	struct t_file_attr fa = { .fa_xflags = FS_XFLAG_NODUMP };
	CHECK_ERR(EPERM,
		  syscall(T_NR_file_setattr, AT_FDCWD, path("fa/f"), &fa,
			  sizeof(fa), 0));
}

static void t_file_attr_calls(void)
{
	CHECK_OK(mkdir(path("fa"), 0755));
	write_file(path("fa/f"), "f");
	struct t_file_attr fa;
	memset(&fa, 0xff, sizeof(fa));
	CHECK_OK(syscall(T_NR_file_getattr, AT_FDCWD, path("fa/f"), &fa,
			 sizeof(fa), 0));
	CHECK_EQ(0, fa.fa_xflags);
	CHECK_EQ(0,
		 fa.fa_extsize | fa.fa_nextents | fa.fa_projid |
			 fa.fa_cowextsize);
	fa.fa_xflags = FS_XFLAG_NODUMP | FS_XFLAG_APPEND;
	CHECK_OK(syscall(T_NR_file_setattr, AT_FDCWD, path("fa/f"), &fa,
			 sizeof(fa), 0));
	CHECK_EQ(FS_NODUMP_FL | FS_APPEND_FL, get_flags(path("fa/f")));
	CHECK_ERR(EPERM, unlink(path("fa/f")));
	fa.fa_xflags = 0;
	CHECK_OK(syscall(T_NR_file_getattr, AT_FDCWD, path("fa/f"), &fa,
			 sizeof(fa), 0));
	CHECK_EQ(FS_XFLAG_NODUMP | FS_XFLAG_APPEND, fa.fa_xflags);
	/* through an fd, with a NULL or an empty path; not an O_PATH one */
	int fd = CHECK_OK(open(path("fa/f"), O_PATH));
	CHECK_ERR(EBADF,
		  syscall(T_NR_file_getattr, fd, NULL, &fa, sizeof(fa),
			  AT_EMPTY_PATH));
	CHECK_ERR(EBADF,
		  syscall(T_NR_file_setattr, fd, "", &fa, sizeof(fa),
			  AT_EMPTY_PATH));
	CHECK_OK(close(fd));
	fd = CHECK_OK(open(path("fa/f"), O_RDONLY));
	fa.fa_xflags = 0;
	CHECK_OK(syscall(T_NR_file_getattr, fd, NULL, &fa, sizeof(fa),
			 AT_EMPTY_PATH));
	CHECK_EQ(FS_XFLAG_NODUMP | FS_XFLAG_APPEND, fa.fa_xflags);
	CHECK_ERR(ENOENT,
		  syscall(T_NR_file_getattr, fd, "", &fa, sizeof(fa), 0));
	fa.fa_xflags = 0;
	CHECK_OK(syscall(T_NR_file_setattr, fd, "", &fa, sizeof(fa),
			 AT_EMPTY_PATH));
	CHECK_EQ(0, get_flags(path("fa/f")));
	CHECK_OK(close(fd));
	/* the argument checks */
	CHECK_ERR(
		EINVAL,
		syscall(T_NR_file_getattr, AT_FDCWD, path("fa/f"), &fa, 16, 0));
	CHECK_ERR(E2BIG,
		  syscall(T_NR_file_getattr, AT_FDCWD, path("fa/f"), &fa, 8192,
			  0));
	CHECK_ERR(EINVAL,
		  syscall(T_NR_file_getattr, AT_FDCWD, path("fa/f"), &fa,
			  sizeof(fa), 0x1));
	fa.fa_xflags = 0x40000;
	CHECK_ERR(EINVAL,
		  syscall(T_NR_file_setattr, AT_FDCWD, path("fa/f"), &fa,
			  sizeof(fa), 0));
	fa.fa_xflags = FS_XFLAG_REALTIME;
	CHECK_ERR(EOPNOTSUPP,
		  syscall(T_NR_file_setattr, AT_FDCWD, path("fa/f"), &fa,
			  sizeof(fa), 0));
	fa.fa_xflags = 0;
	fa.fa_extsize = 4096;
	CHECK_ERR(EOPNOTSUPP,
		  syscall(T_NR_file_setattr, AT_FDCWD, path("fa/f"), &fa,
			  sizeof(fa), 0));
	/* a longer struct: zeros after ours; a non-zero tail is E2BIG */
	char big[64];
	memset(big, 0x5a, sizeof(big));
	CHECK_OK(syscall(T_NR_file_getattr, AT_FDCWD, path("fa/f"), big,
			 sizeof(big), 0));
	for (size_t i = 0; i < sizeof(big); i++)
		if (big[i])
			PFT_FAIL("file_getattr left byte %zu", i);
	big[40] = 1;
	CHECK_ERR(E2BIG,
		  syscall(T_NR_file_setattr, AT_FDCWD, path("fa/f"), big,
			  sizeof(big), 0));
	/* a symlink itself, a FIFO: none */
	CHECK_OK(symlink("f", path("fa/l")));
	CHECK_ERR(EOPNOTSUPP,
		  syscall(T_NR_file_getattr, AT_FDCWD, path("fa/l"), &fa,
			  sizeof(fa), AT_SYMLINK_NOFOLLOW));
	CHECK_OK(syscall(T_NR_file_getattr, AT_FDCWD, path("fa/l"), &fa,
			 sizeof(fa), 0));
	CHECK_OK(mkfifo(path("fa/p"), 0644));
	CHECK_ERR(EOPNOTSUPP,
		  syscall(T_NR_file_getattr, AT_FDCWD, path("fa/p"), &fa,
			  sizeof(fa), 0));
	fa.fa_extsize = 0;
	CHECK_ERR(EOPNOTSUPP,
		  syscall(T_NR_file_setattr, AT_FDCWD, path("fa/p"), &fa,
			  sizeof(fa), 0));
	/* a directory; not the owner */
	fa.fa_xflags = FS_XFLAG_IMMUTABLE;
	CHECK_OK(syscall(T_NR_file_setattr, AT_FDCWD, path("fa"), &fa,
			 sizeof(fa), 0));
	CHECK_ERR(EPERM, mkdir(path("fa/d"), 0755));
	fa.fa_xflags = 0;
	CHECK_OK(syscall(T_NR_file_setattr, AT_FDCWD, path("fa"), &fa,
			 sizeof(fa), 0));
	as_user(65534, file_attr_nobody);
	CHECK_OK(unlink(path("fa/p")));
	CHECK_OK(unlink(path("fa/l")));
	CHECK_OK(unlink(path("fa/f")));
	CHECK_OK(rmdir(path("fa")));
}

static void t_io_edges(void)
{
	write_file(path("ie"), "0123456789");
	int fd = CHECK_OK(open(path("ie"), O_RDWR));
	char buf[16];
	CHECK_ERR(EINVAL, pread(fd, buf, 1, -1));
	CHECK_ERR(EINVAL, pwrite(fd, buf, 1, -1));
	CHECK_EQ(0, pread(fd, buf, 4, 100));
	CHECK_EQ(0, read(fd, buf, 0));
	CHECK_ERR(EINVAL, sync_file_range(fd, 0, 10, 0x100));
	CHECK_ERR(EINVAL, sync_file_range(fd, -1, 10, 0));
	CHECK_OK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	CHECK_EQ(EINVAL, posix_fadvise(fd, 0, 0, 99));
	CHECK_EQ(EINVAL, posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL));
	CHECK_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	long ra = readahead(fd, 0, 4096);
	int rae = errno;
	CHECK_OK(close(fd));
	/* O_APPEND: pwrite appends too (Linux) */
	fd = CHECK_OK(open(path("ie"), O_WRONLY | O_APPEND));
	CHECK_EQ(2, pwrite(fd, "ab", 2, 0));
	CHECK_EQ(12, lseek(fd, 0, SEEK_END));
	CHECK_OK(close(fd));
	CHECK_EQ(12, read_file(path("ie"), buf, sizeof(buf)));
	CHECK_STR("0123456789ab", buf);
	/* a directory: read EISDIR, lseek SEEK_SET and SEEK_CUR only */
	int d = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(EISDIR, read(d, buf, 1));
	CHECK_ERR(EISDIR, pread(d, buf, 1, 0));
	CHECK_OK(fsync(d));
	CHECK_OK(fdatasync(d));
	CHECK_EQ(0, lseek(d, 0, SEEK_CUR));
	off_t e = lseek(d, 0, SEEK_END);
	int ee = errno;
	CHECK_OK(close(d));
	CHECK_EQ(0, ra);
	(void)rae;
	CHECK_EQ(-1, e);
	CHECK_EQ(EINVAL, ee);
	CHECK_OK(unlink(path("ie")));
}

static void t_dir_cookies(void)
{
	CHECK_OK(mkdir(path("ck"), 0755));
	char name[300];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "ck/e%02d", i);
		write_file(path(name), "x");
	}
	DIR *d = opendir(path("ck"));
	CHECK(d != NULL);
	long pos[32];
	char names[32][256];
	int n = 0;
	struct dirent *e;
	for (;;) {
		long p = telldir(d);
		if (!(e = readdir(d)))
			break;
		if (e->d_name[0] == '.')
			continue;
		pos[n] = p;
		snprintf(names[n], sizeof(names[n]), "%s", e->d_name);
		n++;
	}
	CHECK_EQ(20, n);
	/* a cookie whose entry is gone resumes at the next one */
	snprintf(name, sizeof(name), "ck/%s", names[10]);
	CHECK_OK(unlink(path(name)));
	seekdir(d, pos[10]);
	e = readdir(d);
	CHECK(e != NULL);
	if (e)
		CHECK_STR(names[11], e->d_name);
	/* the other cookies still name their entries */
	seekdir(d, pos[5]);
	e = readdir(d);
	CHECK(e != NULL);
	if (e)
		CHECK_STR(names[5], e->d_name);
	/* a name made now comes after the old ones, if at all (POSIX
	 * leaves it open; tmpfs 6.18 and a pool stop at the old end) */
	write_file(path("ck/new"), "n");
	seekdir(d, pos[19]);
	e = readdir(d);
	CHECK(e != NULL);
	if (e)
		CHECK_STR(names[19], e->d_name);
	e = readdir(d);
	if (e)
		CHECK_STR("new", e->d_name);
	if (e)
		CHECK(readdir(d) == NULL);
	closedir(d);
	d = opendir(path("ck"));
	int dfd = dirfd(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			CHECK_OK(unlinkat(dfd, e->d_name, 0));
	closedir(d);
	CHECK_OK(rmdir(path("ck")));
}

static int ts_changed(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec || a->tv_nsec != b->tv_nsec;
}

/* what changed since *old: bit 1 mtime, bit 2 ctime */
static int times_moved(const char *p, const struct stat *old)
{
	struct stat st;
	CHECK_OK(lstat(p, &st));
	return (ts_changed(&old->st_mtim, &st.st_mtim) ? 1 : 0) |
		(ts_changed(&old->st_ctim, &st.st_ctim) ? 2 : 0);
}

static void snap(const char *p, struct stat *st)
{
	CHECK_OK(lstat(p, st));
	usleep(10000);
}

static void t_times_per_call(void)
{
	CHECK_OK(mkdir(path("tp"), 0755));
	CHECK_OK(mkdir(path("tp/o"), 0755));
	write_file(path("tp/f"), "f");
	struct stat d, f, o;
	/* creates: the parent's mtime and ctime */
	snap(path("tp"), &d);
	CHECK_OK(mkdir(path("tp/sub"), 0755));
	CHECK_EQ(3, times_moved(path("tp"), &d));
	snap(path("tp"), &d);
	CHECK_OK(mkfifo(path("tp/fifo"), 0644));
	CHECK_EQ(3, times_moved(path("tp"), &d));
	snap(path("tp"), &d);
	CHECK_OK(symlink("f", path("tp/sl")));
	CHECK_EQ(3, times_moved(path("tp"), &d));
	/* link: the file's ctime, the parent's both */
	snap(path("tp"), &d);
	snap(path("tp/f"), &f);
	CHECK_OK(link(path("tp/f"), path("tp/f2")));
	CHECK_EQ(3, times_moved(path("tp"), &d));
	CHECK_EQ(2, times_moved(path("tp/f"), &f));
	/* unlink of one name: the same */
	snap(path("tp"), &d);
	snap(path("tp/f"), &f);
	CHECK_OK(unlink(path("tp/f2")));
	CHECK_EQ(3, times_moved(path("tp"), &d));
	CHECK_EQ(2, times_moved(path("tp/f"), &f));
	/* rename to another directory: both parents, the file's ctime */
	snap(path("tp"), &d);
	snap(path("tp/o"), &o);
	snap(path("tp/f"), &f);
	CHECK_OK(rename(path("tp/f"), path("tp/o/f")));
	CHECK_EQ(3, times_moved(path("tp"), &d));
	CHECK_EQ(3, times_moved(path("tp/o"), &o));
	CHECK_EQ(2, times_moved(path("tp/o/f"), &f));
	/* a directory moved: its ctime too ("..") */
	snap(path("tp/sub"), &f);
	CHECK_OK(rename(path("tp/sub"), path("tp/o/sub")));
	CHECK_EQ(2, times_moved(path("tp/o/sub"), &f) & 2);
	/* chmod, chown: ctime only */
	snap(path("tp/o/f"), &f);
	CHECK_OK(chmod(path("tp/o/f"), 0600));
	CHECK_EQ(2, times_moved(path("tp/o/f"), &f));
	snap(path("tp/o/f"), &f);
	CHECK_OK(chown(path("tp/o/f"), 1, 1));
	CHECK_EQ(2, times_moved(path("tp/o/f"), &f));
	/* write: both; a failed call: none */
	snap(path("tp/o/f"), &f);
	int fd = CHECK_OK(open(path("tp/o/f"), O_WRONLY));
	CHECK_EQ(1, write(fd, "x", 1));
	CHECK_OK(close(fd));
	CHECK_EQ(3, times_moved(path("tp/o/f"), &f));
	snap(path("tp"), &d);
	CHECK_ERR(EEXIST, mkdir(path("tp/o"), 0755));
	CHECK_ERR(ENOTEMPTY, rmdir(path("tp/o")));
	CHECK_ERR(EEXIST, link(path("tp/sl"), path("tp/fifo")));
	CHECK_EQ(0, times_moved(path("tp"), &d));
	/* rmdir: the parent's both */
	snap(path("tp/o"), &o);
	CHECK_OK(rmdir(path("tp/o/sub")));
	CHECK_EQ(3, times_moved(path("tp/o"), &o));
	/* xattr set: ctime */
	snap(path("tp/o/f"), &f);
	CHECK_OK(setxattr(path("tp/o/f"), "user.t", "v", 1, 0));
	CHECK_EQ(2, times_moved(path("tp/o/f"), &f));
	CHECK_OK(unlink(path("tp/o/f")));
	CHECK_OK(rmdir(path("tp/o")));
	CHECK_OK(unlink(path("tp/fifo")));
	CHECK_OK(unlink(path("tp/sl")));
	CHECK_OK(rmdir(path("tp")));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "fallocate_modes", t_fallocate_modes },
		{ "copy_range_args", t_copy_range_args },
		{ "statx_fields", t_statx_fields },
		{ "generic_ioctls", t_generic_ioctls },
		{ "setid_clearing", t_setid_clearing },
		{ "sticky", t_sticky },
		{ "namespace_errnos", t_namespace_errnos },
		{ "utimensat_rules", t_utimensat_rules },
		{ "truncate_errnos", t_truncate_errnos },
		{ "open_flags", t_open_flags },
		{ "dir_reading", t_dir_reading },
		{ "chmod_chown_rules", t_chmod_chown_rules },
		{ "sendfile_splice_args", t_sendfile_splice_args },
		{ "inode_flags", t_inode_flags },
		{ "removed_dirs", t_removed_dirs },
		{ "dir_permissions", t_dir_permissions },
		{ "removed_cwd", t_removed_cwd },
		{ "symlink_depth", t_symlink_depth },
		{ "opath_symlink", t_opath_symlink },
		{ "file_attr_calls", t_file_attr_calls },
		{ "io_edges", t_io_edges },
		{ "dir_cookies", t_dir_cookies },
		{ "times_per_call", t_times_per_call },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
