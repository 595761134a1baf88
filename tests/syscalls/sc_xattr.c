/*
 * Extended attributes: setxattr/getxattr/listxattr/removexattr, their l and
 * f forms and the *xattrat forms (Linux 6.13), flags, every errno, the
 * namespaces and permissions of another user, ctime, and the argument
 * checks in the kernel's order. Natively on tmpfs the expectations are
 * Linux's; in a pool only system.* (POSIX ACLs: EOPNOTSUPP) and st_blocks
 * (the pool counts the attribute blob, tmpfs does not) differ, by design.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>

#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#endif

/* include/uapi/linux/xattr.h (6.13) */
struct sc_xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

static long setxattrat(int dfd, const char *p, unsigned at, const char *name,
		       const void *v, uint32_t size, uint32_t flags)
{
	struct sc_xattr_args a = { (uint64_t)(uintptr_t)v, size, flags };
	return syscall(SYS_setxattrat, dfd, p, at, name, &a, sizeof(a));
}

static long getxattrat(int dfd, const char *p, unsigned at, const char *name,
		       void *v, uint32_t size)
{
	struct sc_xattr_args a = { (uint64_t)(uintptr_t)v, size, 0 };
	return syscall(SYS_getxattrat, dfd, p, at, name, &a, sizeof(a));
}

/* the names of a list, sorted, joined by ' ' (tmpfs lists in no
 * particular order; the pool sorts) */
static const char *names(const char *list, long n)
{
	static char out[8192];
	const char *v[64];
	int k = 0;
	for (long i = 0; i < n && k < 64; i += (long)strlen(list + i) + 1)
		v[k++] = list + i;
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, v[i]);
	}
	return out;
}

static const char *list_of(const char *p)
{
	static char buf[8192];
	long n = CHECK_OK(listxattr(p, buf, sizeof(buf)));
	return names(buf, n);
}

static void t_basic(void)
{
	const char *f = path("f");
	write_file(f, "data");
	CHECK_OK(setxattr(f, "user.b", "two", 3, 0));
	CHECK_OK(setxattr(f, "user.a", "one", 3, 0));
	char v[64];
	CHECK_EQ(3, getxattr(f, "user.a", v, sizeof(v)));
	CHECK_MEM("one", v, 3);
	CHECK_EQ(3, getxattr(f, "user.a", NULL, 0));
	CHECK_ERR(ERANGE, getxattr(f, "user.a", v, 2));
	CHECK_ERR(ENODATA, getxattr(f, "user.none", v, sizeof(v)));
	CHECK_STR("user.a user.b", list_of(f));
	CHECK_EQ(14, listxattr(f, NULL, 0));
	CHECK_ERR(ERANGE, listxattr(f, v, 13));
	/* replace: longer, shorter, empty */
	CHECK_OK(setxattr(f, "user.a", "a longer value", 14, 0));
	CHECK_EQ(14, getxattr(f, "user.a", v, sizeof(v)));
	CHECK_OK(setxattr(f, "user.a", "", 0, 0));
	CHECK_EQ(0, getxattr(f, "user.a", v, sizeof(v)));
	CHECK_OK(removexattr(f, "user.a"));
	CHECK_ERR(ENODATA, removexattr(f, "user.a"));
	CHECK_STR("user.b", list_of(f));
	/* a directory; lgetxattr on a file is getxattr */
	CHECK_OK(mkdir(path("d"), 0755));
	CHECK_OK(setxattr(path("d"), "user.d", "dir", 3, 0));
	CHECK_EQ(3, lgetxattr(path("d"), "user.d", v, sizeof(v)));
	CHECK_EQ(3, lgetxattr(f, "user.b", v, sizeof(v)));
	/* 64 KiB values; one more byte is E2BIG */
	static char big[65537];
	memset(big, 'x', sizeof(big));
	CHECK_ERR(E2BIG, setxattr(f, "user.big", big, 65537, 0));
	CHECK_OK(setxattr(f, "user.big", big, 65536, 0));
	static char got[65536];
	CHECK_EQ(65536, getxattr(f, "user.big", got, sizeof(got)));
	CHECK_MEM(big, got, 65536);
	/* a buffer larger than 64 KiB is clamped, not refused */
	static char more[70000];
	CHECK_EQ(65536, getxattr(f, "user.big", more, sizeof(more)));
	CHECK_OK(unlink(f));
	CHECK_OK(removexattr(path("d"), "user.d"));
	CHECK_OK(rmdir(path("d")));
}

static void t_flags_names(void)
{
	const char *f = path("f");
	write_file(f, "");
	CHECK_OK(setxattr(f, "user.a", "1", 1, XATTR_CREATE));
	CHECK_ERR(EEXIST, setxattr(f, "user.a", "1", 1, XATTR_CREATE));
	CHECK_ERR(ENODATA, setxattr(f, "user.n", "1", 1, XATTR_REPLACE));
	CHECK_OK(setxattr(f, "user.a", "2", 1, XATTR_REPLACE));
	CHECK_ERR(EEXIST,
		  setxattr(f, "user.a", "1", 1, XATTR_CREATE | XATTR_REPLACE));
	CHECK_ERR(ENODATA,
		  setxattr(f, "user.n", "1", 1, XATTR_CREATE | XATTR_REPLACE));
	CHECK_ERR(EINVAL, setxattr(f, "user.a", "1", 1, 4));
	/* "" and names over 255 bytes are ERANGE, before the path is looked
	 * at; a namespace alone is EINVAL; unknown namespaces EOPNOTSUPP */
	CHECK_ERR(ERANGE, setxattr(f, "", "1", 1, 0));
	CHECK_ERR(ERANGE, getxattr(path("missing"), "", NULL, 0));
	char n[300] = "user.";
	memset(n + 5, 'n', 250);
	n[255] = 0;
	CHECK_OK(setxattr(f, n, "1", 1, 0));
	CHECK_EQ(1, getxattr(f, n, NULL, 0));
	n[255] = 'n';
	n[256] = 0;
	CHECK_ERR(ERANGE, setxattr(f, n, "1", 1, 0));
	CHECK_ERR(ERANGE, getxattr(f, n, NULL, 0));
	CHECK_ERR(ERANGE, removexattr(path("missing"), n));
	CHECK_ERR(ENOENT, setxattr(path("missing"), "user.a", "1", 1, 0));
	CHECK_ERR(ENOENT, listxattr(path("missing"), NULL, 0));
	CHECK_ERR(EINVAL, setxattr(f, "user.", "1", 1, 0));
	CHECK_ERR(EINVAL, getxattr(f, "trusted.", NULL, 0));
	CHECK_ERR(EOPNOTSUPP, setxattr(f, "foo.bar", "1", 1, 0));
	CHECK_ERR(EOPNOTSUPP, getxattr(f, "foo.bar", NULL, 0));
	CHECK_ERR(EOPNOTSUPP, removexattr(f, "foo.bar"));
	CHECK_ERR(EOPNOTSUPP, setxattr(f, "system.foo", "1", 1, 0));
	/* POSIX ACLs: tmpfs has them, a pool does not (pmemfile(7)) */
	if (g_pool)
		CHECK_ERR(EOPNOTSUPP,
			  getxattr(f, "system.posix_acl_access", NULL, 0));
	else
		CHECK_ERR(ENODATA,
			  getxattr(f, "system.posix_acl_access", NULL, 0));
	/* as root: trusted.* and security.* */
	CHECK_OK(setxattr(f, "trusted.t", "t", 1, 0));
	CHECK_OK(setxattr(f, "security.s", "s", 1, 0));
	/* EFAULT: the name, the value, the list (an unmapped address the
	 * compiler cannot see through) */
	char *volatile bad = (char *)8;
	CHECK_ERR(EFAULT, setxattr(f, bad, "1", 1, 0));
	CHECK_ERR(EFAULT, setxattr(f, "user.f", bad, 1, 0));
	CHECK_ERR(EFAULT, getxattr(f, "user.a", bad, 10));
	CHECK_ERR(EFAULT, listxattr(f, bad, 1000));
	CHECK_ERR(EFAULT, setxattr(path("missing"), "user.f", bad, 1, 0));
	CHECK_EQ(1, getxattr(f, "trusted.t", bad, 0));
	CHECK_OK(unlink(f));
}

static void t_symlink_special(void)
{
	const char *f = path("f"), *l = path("l"), *p = path("p");
	write_file(f, "");
	CHECK_OK(symlink("f", l));
	CHECK_OK(mkfifo(p, 0644));
	char v[16];
	/* the path forms follow the link */
	CHECK_OK(setxattr(l, "user.via", "1", 1, 0));
	CHECK_EQ(1, getxattr(f, "user.via", v, sizeof(v)));
	/* user.* is for files and directories only */
	CHECK_ERR(EPERM, lsetxattr(l, "user.x", "1", 1, 0));
	CHECK_ERR(ENODATA, lgetxattr(l, "user.x", v, sizeof(v)));
	CHECK_ERR(EPERM, lremovexattr(l, "user.x"));
	CHECK_OK(lsetxattr(l, "trusted.x", "1", 1, 0));
	CHECK_OK(lsetxattr(l, "security.x", "2", 1, 0));
	char buf[256];
	long n = CHECK_OK(llistxattr(l, buf, sizeof(buf)));
	CHECK_STR("security.x trusted.x", names(buf, n));
	CHECK_STR("user.via", list_of(l));
	CHECK_EQ(1, lgetxattr(l, "trusted.x", v, sizeof(v)));
	CHECK_OK(lremovexattr(l, "trusted.x"));
	CHECK_ERR(EPERM, setxattr(p, "user.x", "1", 1, 0));
	CHECK_ERR(ENODATA, getxattr(p, "user.x", v, sizeof(v)));
	CHECK_OK(setxattr(p, "trusted.x", "1", 1, 0));
	CHECK_OK(unlink(l));
	CHECK_OK(unlink(p));
	CHECK_OK(unlink(f));
	/* a link to a host file: the host file's attributes (in a pool, the
	 * supervisor's call on the target's behalf) */
	write_file(hpath("hf"), "");
	CHECK_OK(symlink(hpath("hf"), path("tohost")));
	CHECK_OK(setxattr(path("tohost"), "user.h", "host", 4, 0));
	CHECK_EQ(4, getxattr(hpath("hf"), "user.h", v, sizeof(v)));
	CHECK_EQ(4, getxattr(path("tohost"), "user.h", v, sizeof(v)));
	CHECK_STR("user.h", list_of(path("tohost")));
	CHECK_ERR(ENODATA, lgetxattr(path("tohost"), "user.h", v, sizeof(v)));
	CHECK_OK(removexattr(path("tohost"), "user.h"));
	CHECK_ERR(ENODATA, getxattr(hpath("hf"), "user.h", v, sizeof(v)));
	CHECK_OK(unlink(path("tohost")));
	CHECK_OK(unlink(hpath("hf")));
}

static void t_fd_forms(void)
{
	const char *f = path("f");
	write_file(f, "");
	int fd = CHECK_OK(open(f, O_RDONLY));
	char v[16];
	CHECK_OK(fsetxattr(fd, "user.a", "fd", 2, 0));
	CHECK_EQ(2, fgetxattr(fd, "user.a", v, sizeof(v)));
	CHECK_EQ(7, flistxattr(fd, v, sizeof(v)));
	CHECK_STR("user.a", v);
	CHECK_OK(fremovexattr(fd, "user.a"));
	CHECK_ERR(ENODATA, fremovexattr(fd, "user.a"));
	/* argument checks come before the fd's */
	CHECK_ERR(ERANGE, fgetxattr(fd, "", v, sizeof(v)));
	CHECK_ERR(EINVAL, fsetxattr(fd, "user.a", "1", 1, 8));
	close(fd);
	/* a closed fd: the name, size and value are checked first */
	char *volatile bad = (char *)8;
	CHECK_ERR(ERANGE, fgetxattr(fd, "", v, sizeof(v)));
	CHECK_ERR(EFAULT, fsetxattr(fd, "user.a", bad, 1, 0));
	CHECK_ERR(E2BIG, fsetxattr(fd, "user.a", bad, 65537, 0));
	CHECK_ERR(EBADF, flistxattr(fd, bad, 16));
	CHECK_ERR(EBADF, fsetxattr(fd, "user.a", "1", 1, 0));
	CHECK_ERR(EBADF, fgetxattr(fd, "user.a", v, sizeof(v)));
	CHECK_ERR(EBADF, flistxattr(fd, v, sizeof(v)));
	CHECK_ERR(EBADF, fremovexattr(fd, "user.a"));
	/* O_PATH descriptions have no xattr calls */
	fd = CHECK_OK(open(f, O_PATH));
	CHECK_ERR(EBADF, fsetxattr(fd, "user.a", "1", 1, 0));
	CHECK_ERR(EBADF, fgetxattr(fd, "user.a", v, sizeof(v)));
	CHECK_ERR(EBADF, flistxattr(fd, v, sizeof(v)));
	CHECK_ERR(EBADF, fremovexattr(fd, "user.a"));
	close(fd);
	CHECK_OK(unlink(f));
}

static void t_xattrat(void)
{
	const char *f = path("f");
	write_file(f, "");
	CHECK_OK(symlink("f", path("l")));
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	char v[64];
	CHECK_OK(setxattrat(dfd, "f", 0, "user.a", "at", 2, 0));
	CHECK_EQ(2, getxattrat(dfd, "f", 0, "user.a", v, sizeof(v)));
	CHECK_MEM("at", v, 2);
	CHECK_EQ(2, getxattrat(dfd, "l", 0, "user.a", NULL, 0));
	CHECK_ERR(ENODATA,
		  getxattrat(dfd, "l", AT_SYMLINK_NOFOLLOW, "user.a", v,
			     sizeof(v)));
	CHECK_ERR(
		EPERM,
		setxattrat(dfd, "l", AT_SYMLINK_NOFOLLOW, "user.a", "1", 1, 0));
	CHECK_OK(setxattrat(dfd, "l", AT_SYMLINK_NOFOLLOW, "trusted.l", "1", 1,
			    0));
	CHECK_EQ(10,
		 syscall(SYS_listxattrat, dfd, "l", AT_SYMLINK_NOFOLLOW, v,
			 sizeof(v)));
	CHECK_STR("trusted.l", v);
	CHECK_EQ(7, syscall(SYS_listxattrat, dfd, "f", 0, v, sizeof(v)));
	CHECK_ERR(EEXIST,
		  setxattrat(dfd, "f", 0, "user.a", "1", 1, XATTR_CREATE));
	CHECK_ERR(EINVAL, setxattrat(dfd, "f", 0, "user.a", "1", 1, 8));
	CHECK_ERR(EINVAL, setxattrat(dfd, "f", 0x10000, "user.a", "1", 1, 0));
	CHECK_ERR(EINVAL, syscall(SYS_listxattrat, dfd, "f", 0x10000, v, 8));
	/* AT_EMPTY_PATH: the fd itself; without it "" is ENOENT */
	int fd = CHECK_OK(open(f, O_RDONLY));
	CHECK_EQ(2, getxattrat(fd, "", AT_EMPTY_PATH, "user.a", v, sizeof(v)));
	CHECK_OK(setxattrat(fd, "", AT_EMPTY_PATH, "user.e", "e", 1, 0));
	CHECK_ERR(ENOENT, getxattrat(fd, "", 0, "user.a", v, sizeof(v)));
	CHECK_ERR(ENOTDIR, getxattrat(fd, "x", 0, "user.a", v, sizeof(v)));
	CHECK_OK(syscall(SYS_removexattrat, fd, "", AT_EMPTY_PATH, "user.e"));
	CHECK_ERR(ENODATA, syscall(SYS_removexattrat, dfd, "f", 0, "user.e"));
	/* a NULL path with AT_EMPTY_PATH is the fd too */
	CHECK_EQ(2,
		 getxattrat(fd, NULL, AT_EMPTY_PATH, "user.a", v, sizeof(v)));
	CHECK_ERR(EFAULT, getxattrat(fd, NULL, 0, "user.a", v, sizeof(v)));
	close(fd);
	/* O_PATH: the fd form has no file to work on (EBADF); AT_FDCWD with
	 * "" is the working directory */
	fd = CHECK_OK(open(f, O_PATH));
	CHECK_ERR(EBADF,
		  getxattrat(fd, "", AT_EMPTY_PATH, "user.a", v, sizeof(v)));
	CHECK_ERR(EBADF, syscall(SYS_listxattrat, fd, "", AT_EMPTY_PATH, v, 8));
	close(fd);
	CHECK_ERR(EBADF,
		  getxattrat(fd, "", AT_EMPTY_PATH, "user.a", v, sizeof(v)));
	char cwd[4096];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_OK(chdir(g_dir));
	CHECK_OK(
		setxattrat(AT_FDCWD, "", AT_EMPTY_PATH, "user.cwd", "1", 1, 0));
	CHECK_EQ(1, getxattr(g_dir, "user.cwd", v, sizeof(v)));
	/* and so is no path at all; but list and remove take AT_FDCWD for
	 * the fd it is not (Linux 6.18) */
	CHECK_EQ(1,
		 getxattrat(AT_FDCWD, NULL, AT_EMPTY_PATH, "user.cwd", v,
			    sizeof(v)));
	CHECK_OK(setxattrat(AT_FDCWD, NULL, AT_EMPTY_PATH, "user.cwd", "2", 1,
			    0));
	CHECK_ERR(EBADF,
		  syscall(SYS_listxattrat, AT_FDCWD, NULL, AT_EMPTY_PATH, v,
			  sizeof(v)));
	CHECK_ERR(EBADF,
		  syscall(SYS_listxattrat, AT_FDCWD, "", AT_EMPTY_PATH, v,
			  sizeof(v)));
	CHECK_ERR(EBADF,
		  syscall(SYS_removexattrat, AT_FDCWD, "", AT_EMPTY_PATH,
			  "user.cwd"));
	CHECK_ERR(ERANGE,
		  syscall(SYS_removexattrat, AT_FDCWD, "", AT_EMPTY_PATH, ""));
	CHECK_OK(removexattr(".", "user.cwd"));
	CHECK_OK(chdir(cwd));
	/* struct xattr_args: size and flags checked */
	struct sc_xattr_args a[2] = { { (uintptr_t)v, sizeof(v), 0 },
				      { 0, 0, 0 } };
	CHECK_ERR(EINVAL, syscall(SYS_getxattrat, dfd, "f", 0, "user.a", a, 8));
	CHECK_EQ(2,
		 syscall(SYS_getxattrat, dfd, "f", 0, "user.a", a, sizeof(a)));
	a[1].size = 1;
	CHECK_ERR(E2BIG,
		  syscall(SYS_getxattrat, dfd, "f", 0, "user.a", a, sizeof(a)));
	CHECK_ERR(E2BIG,
		  syscall(SYS_getxattrat, dfd, "f", 0, "user.a", a, 8192));
	a[0].flags = XATTR_CREATE;
	CHECK_ERR(EINVAL,
		  syscall(SYS_getxattrat, dfd, "f", 0, "user.a", a, 16));
	CHECK_ERR(
		EFAULT,
		syscall(SYS_getxattrat, dfd, "f", 0, "user.a", (void *)8, 16));
	close(dfd);
	CHECK_OK(unlink(path("l")));
	CHECK_OK(unlink(f));
}

/* ctime changes on set and remove, not on get or a failed change */
static void t_ctime(void)
{
	const char *f = path("f");
	write_file(f, "");
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	CHECK_OK(utimensat(AT_FDCWD, f, old, 0));
	struct stat a, b;
	CHECK_OK(stat(f, &a));
	struct timespec t = { 0, 20000000 };
	nanosleep(&t, NULL);
	CHECK_ERR(ENODATA, removexattr(f, "user.a"));
	CHECK_ERR(EEXIST,
		  (setxattr(f, "user.a", "1", 1, 0),
		   setxattr(f, "user.a", "1", 1, XATTR_CREATE)));
	CHECK_OK(stat(f, &b));
	CHECK(b.st_ctim.tv_sec > a.st_ctim.tv_sec ||
	      b.st_ctim.tv_nsec > a.st_ctim.tv_nsec);
	CHECK_EQ(1000000000, b.st_mtim.tv_sec);
	CHECK_EQ(1000000000, b.st_atim.tv_sec);
	a = b;
	nanosleep(&t, NULL);
	char v[4];
	CHECK_EQ(1, getxattr(f, "user.a", v, sizeof(v)));
	CHECK_ERR(EEXIST, setxattr(f, "user.a", "1", 1, XATTR_CREATE));
	CHECK_OK(stat(f, &b));
	CHECK_EQ(a.st_ctim.tv_sec, b.st_ctim.tv_sec);
	CHECK_EQ(a.st_ctim.tv_nsec, b.st_ctim.tv_nsec);
	CHECK_OK(removexattr(f, "user.a"));
	CHECK_OK(stat(f, &b));
	CHECK(b.st_ctim.tv_sec > a.st_ctim.tv_sec ||
	      b.st_ctim.tv_nsec > a.st_ctim.tv_nsec);
	CHECK_EQ(1000000000, b.st_mtim.tv_sec);
	/* st_blocks: the pool counts the attribute blob, tmpfs does not */
	static char big[65536];
	memset(big, 'b', sizeof(big));
	CHECK_OK(setxattr(f, "user.big", big, sizeof(big), 0));
	CHECK_OK(stat(f, &b));
	if (g_pool)
		CHECK(b.st_blocks >= 128);
	CHECK_OK(removexattr(f, "user.big"));
	CHECK_OK(stat(f, &b));
	CHECK_EQ(0, b.st_blocks);
	CHECK_OK(unlink(f));
}

/* security.capability as setcap writes it (revision 2) */
static void t_capability(void)
{
	const char *f = path("f");
	write_file(f, "");
	uint32_t v2[5] = { 0x02000001, 0x400, 0, 0, 0 };
	CHECK_OK(setxattr(f, "security.capability", v2, sizeof(v2), 0));
	uint32_t got[8];
	CHECK_EQ(20, getxattr(f, "security.capability", got, sizeof(got)));
	CHECK_MEM(v2, got, sizeof(v2));
	CHECK_ERR(EINVAL, setxattr(f, "security.capability", v2, 12, 0));
	v2[0] = 0x03000001;
	CHECK_ERR(EINVAL,
		  setxattr(f, "security.capability", v2, sizeof(v2), 0));
	/* revision 3 with root id 0 reads back as revision 2; another root
	 * id stays 3 (cap_convert_nscap, cap_inode_getsecurity) */
	uint32_t v3[6] = { 0x03000001, 0x400, 0, 0, 0, 0 };
	CHECK_OK(setxattr(f, "security.capability", v3, sizeof(v3), 0));
	CHECK_EQ(20, getxattr(f, "security.capability", got, sizeof(got)));
	uint32_t want[5] = { 0x02000001, 0x400, 0, 0, 0 };
	CHECK_MEM(want, got, sizeof(want));
	v3[5] = 1000;
	CHECK_OK(setxattr(f, "security.capability", v3, sizeof(v3), 0));
	CHECK_EQ(24, getxattr(f, "security.capability", got, sizeof(got)));
	CHECK_MEM(v3, got, sizeof(v3));
	/* an empty value is not checked */
	CHECK_OK(setxattr(f, "security.capability", "", 0, 0));
	CHECK_OK(removexattr(f, "security.capability"));
	CHECK_OK(unlink(f));
}

/* another user: permissions, trusted.* hidden, the sticky directory */
static void t_other_user(void)
{
	const char *f = path("f"), *s = path("secret"), *t = path("sticky");
	write_file(f, "");
	write_file(s, "");
	CHECK_OK(chmod(f, 0644));
	CHECK_OK(chmod(s, 0600));
	CHECK_OK(setxattr(f, "user.a", "1", 1, 0));
	CHECK_OK(setxattr(f, "trusted.t", "1", 1, 0));
	CHECK_OK(setxattr(s, "user.a", "1", 1, 0));
	CHECK_OK(mkdir(t, 0777));
	CHECK_OK(chmod(t, 01777));
	CHECK_OK(mkdir(path("mine"), 0755));
	CHECK_OK(chown(path("mine"), 65534, 65534));
	CHECK_OK(chmod(path("mine"), 01777));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		CHECK_OK(setgroups(0, NULL));
		CHECK_OK(setresgid(65534, 65534, 65534));
		CHECK_OK(setresuid(65534, 65534, 65534));
		char v[64];
		CHECK_EQ(1, getxattr(f, "user.a", v, sizeof(v)));
		CHECK_ERR(EACCES, setxattr(f, "user.a", "2", 1, 0));
		CHECK_ERR(EACCES, removexattr(f, "user.a"));
		CHECK_ERR(EACCES, setxattr(f, "user.", "2", 1, 0));
		CHECK_ERR(EACCES, setxattr(f, "foo.bar", "2", 1, 0));
		CHECK_ERR(EACCES, getxattr(s, "user.a", v, sizeof(v)));
		CHECK_ERR(EPERM, setxattr(f, "trusted.t", "2", 1, 0));
		CHECK_ERR(ENODATA, getxattr(f, "trusted.t", v, sizeof(v)));
		CHECK_ERR(EPERM, removexattr(f, "trusted.t"));
		CHECK_ERR(EPERM, setxattr(f, "security.s", "2", 1, 0));
		CHECK_ERR(
			EPERM,
			setxattr(
				f, "security.capability",
				"\x00\x00\x00\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
				20, 0));
		/* list needs no permission; trusted.* is left out */
		CHECK_STR("user.a", list_of(f));
		CHECK_STR("user.a", list_of(s));
		/* a sticky directory: only its owner */
		CHECK_ERR(EPERM, setxattr(t, "user.a", "1", 1, 0));
		CHECK_ERR(EPERM, removexattr(t, "user.a"));
		CHECK_OK(setxattr(path("mine"), "user.a", "1", 1, 0));
		_exit(0);
	}
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status));
	CHECK_EQ(0, WEXITSTATUS(status));
	char v[4];
	CHECK_EQ(1, getxattr(path("mine"), "user.a", v, sizeof(v)));
	CHECK_OK(rmdir(path("mine")));
	CHECK_OK(rmdir(t));
	CHECK_OK(unlink(s));
	CHECK_OK(unlink(f));
}

/* many attributes on one file; the list in one call */
static void t_many(void)
{
	const char *f = path("f");
	write_file(f, "");
	char name[32], v[32];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "user.attr%03d", i);
		snprintf(v, sizeof(v), "value %d", i);
		CHECK_OK(setxattr(f, name, v, strlen(v), XATTR_CREATE));
	}
	CHECK_EQ(100 * 13, listxattr(f, NULL, 0));
	for (int i = 0; i < 100; i += 7) {
		snprintf(name, sizeof(name), "user.attr%03d", i);
		char got[32];
		long n = CHECK_OK(getxattr(f, name, got, sizeof(got)));
		got[n] = 0;
		snprintf(v, sizeof(v), "value %d", i);
		CHECK_STR(v, got);
	}
	for (int i = 0; i < 100; i += 2) {
		snprintf(name, sizeof(name), "user.attr%03d", i);
		CHECK_OK(removexattr(f, name));
	}
	CHECK_EQ(50 * 13, listxattr(f, NULL, 0));
	CHECK_OK(unlink(f));
}

/* A full pool: ENOSPC for a set, a remove still works, the space comes
 * back after unlink. Pool only (run.sh makes 64 MiB pools). */
static void t_enospc(void)
{
	if (!g_pool) {
		printf("# native tmpfs is not small: skipped\n");
		return;
	}
	const char *f = path("f");
	write_file(f, "");
	CHECK_OK(setxattr(f, "user.a", "1", 1, 0));
	CHECK_OK(setxattr(f, "user.b", "2", 1, 0));
	int fd = CHECK_OK(
		open(path("full"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	static char b[1 << 20];
	memset(b, 'F', sizeof(b));
	while (write(fd, b, sizeof(b)) > 0)
		;
	CHECK_EQ(ENOSPC, errno);
	close(fd);
	static char big[65536];
	memset(big, 'x', sizeof(big));
	int err = 0;
	char name[32];
	for (int i = 0; i < 100 && !err; i++) {
		snprintf(name, sizeof(name), "user.big%d", i);
		if (setxattr(f, name, big, sizeof(big), 0) < 0)
			err = errno;
	}
	CHECK_EQ(ENOSPC, err);
	CHECK_ERR(ENODATA, getxattr(f, name, NULL, 0));
	CHECK_OK(removexattr(f, "user.a"));
	CHECK_EQ(1, getxattr(f, "user.b", NULL, 0));
	CHECK_OK(unlink(path("full")));
	CHECK_OK(setxattr(f, name, big, sizeof(big), 0));
	CHECK_OK(unlink(f));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "basic", t_basic },
		{ "flags_names", t_flags_names },
		{ "symlink_special", t_symlink_special },
		{ "fd_forms", t_fd_forms },
		{ "xattrat", t_xattrat },
		{ "ctime", t_ctime },
		{ "capability", t_capability },
		{ "other_user", t_other_user },
		{ "many", t_many },
		{ "enospc", t_enospc },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
