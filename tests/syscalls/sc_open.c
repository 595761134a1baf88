/*
 * open family: open/openat/openat2/creat flag cases, access/faccessat2,
 * permission checks as another user, bad pointers and overlong paths.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void t_create_excl(void)
{
	const char *p = path("o_excl");
	int fd = CHECK_OK(open(p, O_RDWR | O_CREAT | O_EXCL, 0640));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(S_IFREG | 0640, st.st_mode);
	CHECK_EQ(0, st.st_size);
	CHECK_OK(close(fd));
	CHECK_ERR(EEXIST, open(p, O_RDWR | O_CREAT | O_EXCL, 0640));
	/* O_CREAT without O_EXCL opens the existing file, mode unchanged */
	fd = CHECK_OK(open(p, O_RDWR | O_CREAT, 0600));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0640, st.st_mode & 07777);
	close(fd);
	/* O_EXCL on a dangling symlink: EEXIST, the link is not followed */
	CHECK_OK(symlink("nowhere", path("o_excl_link")));
	CHECK_ERR(EEXIST,
		  open(path("o_excl_link"), O_WRONLY | O_CREAT | O_EXCL, 0600));
	CHECK_OK(unlink(path("o_excl_link")));
	CHECK_OK(unlink(p));
}

static void t_enoent_enotdir_eisdir(void)
{
	CHECK_ERR(ENOENT, open(path("missing"), O_RDONLY));
	CHECK_ERR(ENOENT, open(path("missing/x"), O_RDONLY | O_CREAT, 0644));
	write_file(path("plain"), "abc");
	CHECK_ERR(ENOTDIR, open(path("plain/x"), O_RDONLY));
	CHECK_ERR(ENOTDIR, open(path("plain"), O_RDONLY | O_DIRECTORY));
	CHECK_OK(mkdir(path("adir"), 0755));
	CHECK_ERR(EISDIR, open(path("adir"), O_WRONLY));
	CHECK_ERR(EISDIR, open(path("adir"), O_RDWR));
	CHECK_ERR(EISDIR, open(path("adir"), O_RDONLY | O_CREAT, 0644));
	CHECK_ERR(EISDIR, open(path("adir"), O_RDONLY | O_TRUNC));
	int fd = CHECK_OK(open(path("adir"), O_RDONLY | O_DIRECTORY));
	char c;
	CHECK_ERR(EISDIR, read(fd, &c, 1));
	CHECK_OK(close(fd));
	/* trailing slash on a regular file */
	CHECK_ERR(ENOTDIR, open(path("plain/"), O_RDONLY));
	fd = CHECK_OK(open(path("adir/"), O_RDONLY));
	close(fd);
	/* O_CREAT on "." or ".." with a trailing slash: they are not names
	 * to create, so O_EXCL says EEXIST before the slash says EISDIR (a
	 * random pf-fsstress seed found the pool answering EISDIR) */
	CHECK_ERR(EEXIST,
		  open(path("adir/./"), O_WRONLY | O_CREAT | O_EXCL, 0600));
	CHECK_ERR(EEXIST,
		  open(path("adir/../"), O_WRONLY | O_CREAT | O_EXCL, 0600));
	CHECK_ERR(EEXIST,
		  open(path("adir/.//"), O_CREAT | O_EXCL | O_TRUNC, 0600));
	CHECK_ERR(EISDIR, open(path("adir/./"), O_WRONLY | O_CREAT, 0600));
	CHECK_ERR(EISDIR,
		  open(path("adir/"), O_WRONLY | O_CREAT | O_EXCL, 0600));
	CHECK_ERR(ENOENT, open("", O_RDONLY));
	CHECK_OK(rmdir(path("adir")));
	CHECK_OK(unlink(path("plain")));
}

static void t_trunc_append_accmode(void)
{
	const char *p = path("trunc");
	write_file(p, "0123456789");
	int fd = CHECK_OK(open(p, O_WRONLY | O_TRUNC));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0, st.st_size);
	CHECK_EQ(6, write(fd, "abcdef", 6));
	close(fd);

	fd = CHECK_OK(open(p, O_WRONLY | O_APPEND));
	CHECK_EQ(0, lseek(fd, 0, SEEK_SET));
	CHECK_EQ(2, write(fd, "XY", 2));
	CHECK_EQ(8, lseek(fd, 0, SEEK_CUR));
	char buf[16];
	CHECK_ERR(EBADF, read(fd, buf, 1));
	close(fd);
	CHECK_EQ(8, read_file(p, buf, sizeof(buf)));
	CHECK_STR("abcdefXY", buf);

	fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_ERR(EBADF, write(fd, "z", 1));
	close(fd);

	/* O_RDONLY|O_TRUNC truncates too (Linux) */
	fd = CHECK_OK(open(p, O_RDONLY | O_TRUNC));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0, st.st_size);
	close(fd);
	CHECK_OK(unlink(p));
}

static void t_nofollow_path(void)
{
	write_file(path("target"), "T");
	CHECK_OK(symlink("target", path("link")));
	CHECK_ERR(ELOOP, open(path("link"), O_RDONLY | O_NOFOLLOW));
	int fd = CHECK_OK(open(path("link"), O_RDONLY));
	char c;
	CHECK_EQ(1, read(fd, &c, 1));
	CHECK_EQ('T', c);
	close(fd);

	/* O_PATH|O_NOFOLLOW opens the link itself */
	fd = CHECK_OK(open(path("link"), O_PATH | O_NOFOLLOW));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISLNK(st.st_mode));
	close(fd);

	/* O_PATH: no I/O */
	fd = CHECK_OK(open(path("target"), O_PATH));
	CHECK_ERR(EBADF, read(fd, &c, 1));
	CHECK_ERR(EBADF, write(fd, &c, 1));
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(1, st.st_size);
	close(fd);

	/* a symlink loop */
	CHECK_OK(symlink("loop2", path("loop1")));
	CHECK_OK(symlink("loop1", path("loop2")));
	CHECK_ERR(ELOOP, open(path("loop1"), O_RDONLY));
	CHECK_OK(unlink(path("loop1")));
	CHECK_OK(unlink(path("loop2")));
	CHECK_OK(unlink(path("link")));
	CHECK_OK(unlink(path("target")));
}

static void t_creat_umask(void)
{
	umask(027);
	int fd = CHECK_OK(creat(path("creat"), 0666));
	CHECK_EQ(O_WRONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	CHECK_EQ(5, write(fd, "hello", 5));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(S_IFREG | 0640, st.st_mode);
	close(fd);
	/* creat truncates an existing file */
	fd = CHECK_OK(creat(path("creat"), 0600));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0, st.st_size);
	CHECK_EQ(0640, st.st_mode & 0777);
	close(fd);
	/* raw syscalls: the legacy open and creat numbers */
	fd = CHECK_OK(syscall(SYS_creat, path("creat2"), 0644));
	close(fd);
	fd = CHECK_OK(syscall(SYS_open, path("creat2"), O_RDONLY));
	close(fd);
	umask(022);
	CHECK_OK(unlink(path("creat")));
	CHECK_OK(unlink(path("creat2")));
}

static void t_openat_dirfd(void)
{
	CHECK_OK(mkdir(path("at"), 0755));
	int dfd = CHECK_OK(open(path("at"), O_RDONLY | O_DIRECTORY));
	int fd = CHECK_OK(openat(dfd, "rel", O_WRONLY | O_CREAT, 0644));
	CHECK_EQ(1, write(fd, "r", 1));
	close(fd);
	struct stat st;
	CHECK_OK(stat(path("at/rel"), &st));
	CHECK_EQ(1, st.st_size);
	/* an absolute path ignores dirfd */
	fd = CHECK_OK(openat(12345, path("at/rel"), O_RDONLY));
	close(fd);
	CHECK_ERR(EBADF, openat(12345, "rel", O_RDONLY));
	int ffd = CHECK_OK(openat(dfd, "rel", O_RDONLY));
	CHECK_ERR(ENOTDIR, openat(ffd, "x", O_RDONLY));
	close(ffd);
	/* dirfd ".." leads back to g_dir */
	fd = CHECK_OK(openat(dfd, "../at/rel", O_RDONLY));
	close(fd);
	/* an O_PATH directory fd works as dirfd */
	int pfd = CHECK_OK(open(path("at"), O_PATH | O_DIRECTORY));
	fd = CHECK_OK(openat(pfd, "rel", O_RDONLY));
	close(fd);
	close(pfd);
	close(dfd);
	CHECK_OK(unlink(path("at/rel")));
	CHECK_OK(rmdir(path("at")));
}

static void t_openat2(void)
{
	write_file(path("o2"), "x");
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
	int fd = CHECK_OK(syscall(SYS_openat2, AT_FDCWD, path("o2"), &how,
		sizeof(how)));
	CHECK_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	close(fd);
	/* mode without O_CREAT/O_TMPFILE: EINVAL */
	struct open_how bad = { .flags = O_RDONLY, .mode = 0644 };
	CHECK_ERR(
		EINVAL,
		syscall(SYS_openat2, AT_FDCWD, path("o2"), &bad, sizeof(bad)));
	/* unknown flag bits: EINVAL */
	struct open_how bad2 = { .flags = 1ULL << 40 };
	CHECK_ERR(EINVAL,
		  syscall(SYS_openat2, AT_FDCWD, path("o2"), &bad2,
			  sizeof(bad2)));
	/* size smaller than the first version: EINVAL */
	CHECK_ERR(EINVAL, syscall(SYS_openat2, AT_FDCWD, path("o2"), &how, 8));
	/* create through openat2 */
	struct open_how cr = { .flags = O_WRONLY | O_CREAT | O_EXCL,
		.mode = 0600 };
	fd = CHECK_OK(syscall(SYS_openat2, AT_FDCWD, path("o2new"), &cr,
		sizeof(cr)));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0600, st.st_mode & 0777);
	close(fd);
	CHECK_ERR(
		EEXIST,
		syscall(SYS_openat2, AT_FDCWD, path("o2new"), &cr, sizeof(cr)));
	/* RESOLVE_* flags (sc_resolve has them all) */
	struct open_how rs = { .flags = O_RDONLY,
		.resolve = RESOLVE_NO_SYMLINKS };
	fd = CHECK_OK(
		syscall(SYS_openat2, AT_FDCWD, path("o2"), &rs, sizeof(rs)));
	close(fd);
	CHECK_OK(unlink(path("o2")));
	CHECK_OK(unlink(path("o2new")));
}

static void t_tmpfile(void)
{
	int fd = CHECK_OK(open(g_dir, O_TMPFILE | O_RDWR, 0600));
	CHECK_EQ(7, write(fd, "tmpdata", 7));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0, st.st_nlink);
	CHECK(S_ISREG(st.st_mode));
	/* give it a name (root has CAP_DAC_READ_SEARCH for AT_EMPTY_PATH) */
	if (geteuid() == 0) {
		CHECK_OK(linkat(fd, "", AT_FDCWD, path("tmpnamed"), AT_EMPTY_PATH));
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(1, st.st_nlink);
		char buf[16];
		CHECK_EQ(7, read_file(path("tmpnamed"), buf, sizeof(buf)));
		CHECK_STR("tmpdata", buf);
		CHECK_OK(unlink(path("tmpnamed")));
	}
	close(fd);
	/* its /proc/self/fd link: "DIR/#INO (deleted)"; linkat of that
	 * link with AT_SYMLINK_FOLLOW names it (open(2)'s recipe, which
	 * needs no capability) */
	fd = CHECK_OK(open(g_dir, O_TMPFILE | O_WRONLY, 0640));
	CHECK_EQ(7, write(fd, "viaproc", 7));
	CHECK_OK(fstat(fd, &st));
	char link[64], want[4200], got[4200];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	snprintf(want, sizeof(want), "%s/#%llu (deleted)", g_dir,
		 (unsigned long long)st.st_ino);
	ssize_t n = CHECK_OK(readlink(link, got, sizeof(got) - 1));
	got[n] = 0;
	CHECK_STR(want, got);
	CHECK_OK(linkat(AT_FDCWD, link, AT_FDCWD, path("tmpproc"),
			AT_SYMLINK_FOLLOW));
	struct stat named;
	CHECK_OK(stat(path("tmpproc"), &named));
	CHECK_EQ(st.st_ino, named.st_ino);
	CHECK_EQ(1, named.st_nlink);
	CHECK_EQ(0640, (long)(named.st_mode & 07777));
	char buf2[16];
	CHECK_EQ(7, read_file(path("tmpproc"), buf2, sizeof(buf2)));
	CHECK_STR("viaproc", buf2);
	/* without AT_SYMLINK_FOLLOW the magic link itself is linked: EXDEV
	 * (procfs is another file system) */
	CHECK_ERR(EXDEV, linkat(AT_FDCWD, link, AT_FDCWD, path("tmpproc2"), 0));
	close(fd);
	CHECK_OK(unlink(path("tmpproc")));
	/* O_TMPFILE needs write access */
	CHECK_ERR(EINVAL, open(g_dir, O_TMPFILE | O_RDONLY, 0600));
}

static void t_access(void)
{
	write_file(path("acc"), "a");
	CHECK_OK(chmod(path("acc"), 0644));
	CHECK_OK(access(path("acc"), F_OK));
	CHECK_OK(access(path("acc"), R_OK | W_OK));
	CHECK_ERR(ENOENT, access(path("missing"), F_OK));
	if (geteuid() == 0) /* root needs one x bit for X_OK */
		CHECK_ERR(EACCES, access(path("acc"), X_OK));
	CHECK_OK(chmod(path("acc"), 0744));
	CHECK_OK(access(path("acc"), X_OK));
	CHECK_OK(faccessat(AT_FDCWD, path("acc"), R_OK, AT_EACCESS));
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, path("acc"), R_OK,
		AT_EACCESS));
	CHECK_ERR(
		EINVAL,
		syscall(SYS_faccessat2, AT_FDCWD, path("acc"), R_OK, 0x40000));
	CHECK_ERR(EINVAL, access(path("acc"), 0100));
	CHECK_OK(symlink("missing", path("dangling")));
	CHECK_ERR(ENOENT, access(path("dangling"), F_OK));
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, path("dangling"), F_OK,
		AT_SYMLINK_NOFOLLOW));
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_OK(faccessat(dfd, "acc", R_OK, 0));
	CHECK_OK(syscall(SYS_faccessat2, dfd, "", F_OK, AT_EMPTY_PATH));
	close(dfd);
	CHECK_OK(unlink(path("dangling")));
	CHECK_OK(unlink(path("acc")));
}

/* In a child that became uid/gid 65534: permission checks as that user. */
static void t_other_user(void)
{
	if (geteuid() != 0) {
		printf("# not root: skipped\n");
		return;
	}
	CHECK_OK(mkdir(path("rootdir"), 0755));
	write_file(path("rootdir/secret"), "s");
	CHECK_OK(chmod(path("rootdir/secret"), 0600));
	write_file(path("rootdir/public"), "p");
	CHECK_OK(chmod(path("rootdir/public"), 0644));
	CHECK_OK(mkdir(path("rootdir/closed"), 0700));
	CHECK_OK(mkdir(path("userdir"), 0755));
	CHECK_OK(chown(path("userdir"), 65534, 65534));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		CHECK_OK(setgroups(0, NULL));
		CHECK_OK(setresgid(65534, 65534, 65534));
		CHECK_OK(setresuid(65534, 65534, 65534));
		CHECK_ERR(EACCES, open(path("rootdir/secret"), O_RDONLY));
		CHECK_ERR(EACCES, access(path("rootdir/secret"), R_OK));
		int fd = CHECK_OK(open(path("rootdir/public"), O_RDONLY));
		close(fd);
		CHECK_ERR(EACCES, open(path("rootdir/public"), O_WRONLY));
		CHECK_ERR(EACCES,
			  open(path("rootdir/new"), O_WRONLY | O_CREAT, 0644));
		CHECK_ERR(EACCES, mkdir(path("rootdir/newdir"), 0755));
		CHECK_ERR(EACCES, unlink(path("rootdir/public")));
		CHECK_ERR(EACCES, open(path("rootdir/closed/x"), O_RDONLY));
		CHECK_ERR(EPERM, chmod(path("rootdir/public"), 0666));
		CHECK_ERR(EPERM, chown(path("userdir"), 0, 0));
		fd = CHECK_OK(open(path("userdir/mine"), O_WRONLY | O_CREAT, 0644));
		struct stat st;
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(65534, st.st_uid);
		CHECK_EQ(65534, st.st_gid);
		close(fd);
		CHECK_OK(chmod(path("userdir/mine"), 0600));
		/* fs.protected_hardlinks: another user's file that one may
		 * not write cannot be linked; one's own can */
		int protect = 0;
		FILE *pf = fopen("/proc/sys/fs/protected_hardlinks", "r");
		if (pf) {
			if (fscanf(pf, "%d", &protect) != 1)
				protect = 0;
			fclose(pf);
		}
		if (protect)
			CHECK_ERR(EPERM,
				  link(path("rootdir/public"),
				       path("userdir/hl")));
		else
			CHECK_OK(link(path("rootdir/public"), path("userdir/hl")));
		CHECK_OK(link(path("userdir/mine"), path("userdir/mine2")));
		CHECK_OK(unlink(path("userdir/mine2")));
		_exit(0);
	}
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status));
	CHECK_EQ(0, WEXITSTATUS(status));
	CHECK_OK(unlink(path("userdir/mine")));
	unlink(path("userdir/hl"));
	CHECK_OK(rmdir(path("userdir")));
	CHECK_OK(rmdir(path("rootdir/closed")));
	CHECK_OK(unlink(path("rootdir/secret")));
	CHECK_OK(unlink(path("rootdir/public")));
	CHECK_OK(rmdir(path("rootdir")));
}

static void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_OK(munmap(p, 4096));
	return p;
}

static void t_efault(void)
{
	void *bad = unmapped_page();
	CHECK_ERR(EFAULT, open((const char *)bad, O_RDONLY));
	CHECK_ERR(EFAULT,
		  syscall(SYS_openat, AT_FDCWD, (const char *)1, O_RDONLY));
	write_file(path("fault"), "0123456789");
	int fd = CHECK_OK(open(path("fault"), O_RDWR));
	CHECK_ERR(EFAULT, read(fd, bad, 10));
	CHECK_ERR(EFAULT, write(fd, bad, 10));
	CHECK_ERR(EFAULT, pread(fd, bad, 10, 0));
	CHECK_ERR(EFAULT, syscall(SYS_fstat, fd, bad));
	CHECK_ERR(EFAULT,
		  syscall(SYS_newfstatat, AT_FDCWD, path("fault"), bad, 0));
	CHECK_ERR(EFAULT,
		  syscall(SYS_statx, AT_FDCWD, path("fault"), 0,
			  STATX_BASIC_STATS, bad));
	CHECK_ERR(ENOTDIR, syscall(SYS_getdents64, fd, bad, 4096));
	/* the file is unchanged and the offset did not move */
	CHECK_EQ(0, lseek(fd, 0, SEEK_CUR));
	char buf[16];
	CHECK_EQ(10, read(fd, buf, 10));
	CHECK_MEM("0123456789", buf, 10);
	close(fd);
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(EFAULT, syscall(SYS_getdents64, dfd, bad, 4096));
	close(dfd);
	CHECK_ERR(EINVAL,
		  syscall(SYS_readlinkat, AT_FDCWD, path("fault"), bad, 10));
	CHECK_OK(symlink("fault", path("faultlink")));
	CHECK_ERR(
		EFAULT,
		syscall(SYS_readlinkat, AT_FDCWD, path("faultlink"), bad, 10));
	CHECK_OK(unlink(path("faultlink")));
	CHECK_OK(unlink(path("fault")));
}

static void t_nametoolong(void)
{
	char name[300];
	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK_ERR(ENAMETOOLONG, open(path(name), O_RDONLY | O_CREAT, 0644));
	CHECK_ERR(ENAMETOOLONG, mkdir(path(name), 0755));
	name[255] = '\0'; /* 255 bytes: allowed */
	int fd = CHECK_OK(open(path(name), O_RDONLY | O_CREAT, 0644));
	close(fd);
	CHECK_OK(unlink(path(name)));

	/* a path of PATH_MAX bytes and more without a NUL: it starts with the
	 * directory under test, then runs on; the NUL is far away */
	size_t len = 3 * 4096;
	char *p = malloc(len + 1);
	CHECK(p != NULL);
	size_t dl = strlen(g_dir);
	memcpy(p, g_dir, dl);
	for (size_t i = dl; i < len; i++)
		p[i] = (i % 100 == 0) ? '/' : 'a';
	p[len] = '\0';
	CHECK_ERR(ENAMETOOLONG, open(p, O_RDONLY));
	CHECK_ERR(ENAMETOOLONG,
		  syscall(SYS_newfstatat, AT_FDCWD, p, &(struct stat){ 0 }, 0));
	free(p);

	/* the path runs into an unmapped page before any NUL: EFAULT */
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED);
	CHECK_OK(munmap(two + 4096, 4096));
	char *start = two + 4096 - 1000;
	memset(start, 'b', 1000);
	memcpy(start, g_dir, dl);
	start[dl] = '/';
	CHECK_ERR(EFAULT, open(start, O_RDONLY));
	munmap(two, 4096);
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "create_excl", t_create_excl },
		{ "enoent_enotdir_eisdir", t_enoent_enotdir_eisdir },
		{ "trunc_append_accmode", t_trunc_append_accmode },
		{ "nofollow_path", t_nofollow_path },
		{ "creat_umask", t_creat_umask },
		{ "openat_dirfd", t_openat_dirfd },
		{ "openat2", t_openat2 },
		{ "tmpfile", t_tmpfile },
		{ "access", t_access },
		{ "other_user", t_other_user },
		{ "efault", t_efault },
		{ "nametoolong", t_nametoolong },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
