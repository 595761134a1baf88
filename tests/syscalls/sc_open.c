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
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_EQ(st.st_size, 0);
	CHECK_OK(close(fd));
	CHECK_ERR(open(p, O_RDWR | O_CREAT | O_EXCL, 0640), EEXIST);
	/* O_CREAT without O_EXCL opens the existing file, mode unchanged */
	fd = CHECK_OK(open(p, O_RDWR | O_CREAT, 0600));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 07777, 0640);
	close(fd);
	/* O_EXCL on a dangling symlink: EEXIST, the link is not followed */
	CHECK_OK(symlink("nowhere", path("o_excl_link")));
	CHECK_ERR(open(path("o_excl_link"), O_WRONLY | O_CREAT | O_EXCL, 0600),
		EEXIST);
	CHECK_OK(unlink(path("o_excl_link")));
	CHECK_OK(unlink(p));
}

static void t_enoent_enotdir_eisdir(void)
{
	CHECK_ERR(open(path("missing"), O_RDONLY), ENOENT);
	CHECK_ERR(open(path("missing/x"), O_RDONLY | O_CREAT, 0644), ENOENT);
	write_file(path("plain"), "abc");
	CHECK_ERR(open(path("plain/x"), O_RDONLY), ENOTDIR);
	CHECK_ERR(open(path("plain"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_OK(mkdir(path("adir"), 0755));
	CHECK_ERR(open(path("adir"), O_WRONLY), EISDIR);
	CHECK_ERR(open(path("adir"), O_RDWR), EISDIR);
	CHECK_ERR(open(path("adir"), O_RDONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERR(open(path("adir"), O_RDONLY | O_TRUNC), EISDIR);
	int fd = CHECK_OK(open(path("adir"), O_RDONLY | O_DIRECTORY));
	char c;
	CHECK_ERR(read(fd, &c, 1), EISDIR);
	CHECK_OK(close(fd));
	/* trailing slash on a regular file */
	CHECK_ERR(open(path("plain/"), O_RDONLY), ENOTDIR);
	fd = CHECK_OK(open(path("adir/"), O_RDONLY));
	close(fd);
	CHECK_ERR(open("", O_RDONLY), ENOENT);
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
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(write(fd, "abcdef", 6), 6);
	close(fd);

	fd = CHECK_OK(open(p, O_WRONLY | O_APPEND));
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "XY", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 8);
	char buf[16];
	CHECK_ERR(read(fd, buf, 1), EBADF);
	close(fd);
	CHECK_EQ(read_file(p, buf, sizeof(buf)), 8);
	CHECK_STR(buf, "abcdefXY");

	fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_ERR(write(fd, "z", 1), EBADF);
	close(fd);

	/* O_RDONLY|O_TRUNC truncates too (Linux) */
	fd = CHECK_OK(open(p, O_RDONLY | O_TRUNC));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 0);
	close(fd);
	CHECK_OK(unlink(p));
}

static void t_nofollow_path(void)
{
	write_file(path("target"), "T");
	CHECK_OK(symlink("target", path("link")));
	CHECK_ERR(open(path("link"), O_RDONLY | O_NOFOLLOW), ELOOP);
	int fd = CHECK_OK(open(path("link"), O_RDONLY));
	char c;
	CHECK_EQ(read(fd, &c, 1), 1);
	CHECK_EQ(c, 'T');
	close(fd);

	/* O_PATH|O_NOFOLLOW opens the link itself */
	fd = CHECK_OK(open(path("link"), O_PATH | O_NOFOLLOW));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISLNK(st.st_mode));
	close(fd);

	/* O_PATH: no I/O */
	fd = CHECK_OK(open(path("target"), O_PATH));
	CHECK_ERR(read(fd, &c, 1), EBADF);
	CHECK_ERR(write(fd, &c, 1), EBADF);
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 1);
	close(fd);

	/* a symlink loop */
	CHECK_OK(symlink("loop2", path("loop1")));
	CHECK_OK(symlink("loop1", path("loop2")));
	CHECK_ERR(open(path("loop1"), O_RDONLY), ELOOP);
	CHECK_OK(unlink(path("loop1")));
	CHECK_OK(unlink(path("loop2")));
	CHECK_OK(unlink(path("link")));
	CHECK_OK(unlink(path("target")));
}

static void t_creat_umask(void)
{
	umask(027);
	int fd = CHECK_OK(creat(path("creat"), 0666));
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ(write(fd, "hello", 5), 5);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	close(fd);
	/* creat truncates an existing file */
	fd = CHECK_OK(creat(path("creat"), 0600));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
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
	CHECK_EQ(write(fd, "r", 1), 1);
	close(fd);
	struct stat st;
	CHECK_OK(stat(path("at/rel"), &st));
	CHECK_EQ(st.st_size, 1);
	/* an absolute path ignores dirfd */
	fd = CHECK_OK(openat(12345, path("at/rel"), O_RDONLY));
	close(fd);
	CHECK_ERR(openat(12345, "rel", O_RDONLY), EBADF);
	int ffd = CHECK_OK(openat(dfd, "rel", O_RDONLY));
	CHECK_ERR(openat(ffd, "x", O_RDONLY), ENOTDIR);
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
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	/* mode without O_CREAT/O_TMPFILE: EINVAL */
	struct open_how bad = { .flags = O_RDONLY, .mode = 0644 };
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path("o2"), &bad, sizeof(bad)),
		EINVAL);
	/* unknown flag bits: EINVAL */
	struct open_how bad2 = { .flags = 1ULL << 40 };
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path("o2"), &bad2,
		sizeof(bad2)), EINVAL);
	/* size smaller than the first version: EINVAL */
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path("o2"), &how, 8), EINVAL);
	/* create through openat2 */
	struct open_how cr = { .flags = O_WRONLY | O_CREAT | O_EXCL,
		.mode = 0600 };
	fd = CHECK_OK(syscall(SYS_openat2, AT_FDCWD, path("o2new"), &cr,
		sizeof(cr)));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 0777, 0600);
	close(fd);
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path("o2new"), &cr, sizeof(cr)),
		EEXIST);
	/* RESOLVE_* flags in a pool: documented EOPNOTSUPP */
	struct open_how rs = { .flags = O_RDONLY,
		.resolve = RESOLVE_NO_SYMLINKS };
	if (g_pool) {
		CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path("o2"), &rs,
			sizeof(rs)), EOPNOTSUPP);
	} else {
		fd = CHECK_OK(syscall(SYS_openat2, AT_FDCWD, path("o2"), &rs,
			sizeof(rs)));
		close(fd);
	}
	CHECK_OK(unlink(path("o2")));
	CHECK_OK(unlink(path("o2new")));
}

static void t_tmpfile(void)
{
	int fd = CHECK_OK(open(g_dir, O_TMPFILE | O_RDWR, 0600));
	CHECK_EQ(write(fd, "tmpdata", 7), 7);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK(S_ISREG(st.st_mode));
	/* give it a name (root has CAP_DAC_READ_SEARCH for AT_EMPTY_PATH) */
	if (geteuid() == 0) {
		CHECK_OK(linkat(fd, "", AT_FDCWD, path("tmpnamed"), AT_EMPTY_PATH));
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(st.st_nlink, 1);
		char buf[16];
		CHECK_EQ(read_file(path("tmpnamed"), buf, sizeof(buf)), 7);
		CHECK_STR(buf, "tmpdata");
		CHECK_OK(unlink(path("tmpnamed")));
	}
	close(fd);
	/* its /proc/self/fd link: "DIR/#INO (deleted)"; linkat of that
	 * link with AT_SYMLINK_FOLLOW names it (open(2)'s recipe, which
	 * needs no capability) */
	fd = CHECK_OK(open(g_dir, O_TMPFILE | O_WRONLY, 0640));
	CHECK_EQ(write(fd, "viaproc", 7), 7);
	CHECK_OK(fstat(fd, &st));
	char link[64], want[4200], got[4200];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	snprintf(want, sizeof(want), "%s/#%llu (deleted)", g_dir,
		 (unsigned long long)st.st_ino);
	ssize_t n = CHECK_OK(readlink(link, got, sizeof(got) - 1));
	got[n] = 0;
	CHECK_STR(got, want);
	CHECK_OK(linkat(AT_FDCWD, link, AT_FDCWD, path("tmpproc"),
			AT_SYMLINK_FOLLOW));
	struct stat named;
	CHECK_OK(stat(path("tmpproc"), &named));
	CHECK_EQ(named.st_ino, st.st_ino);
	CHECK_EQ(named.st_nlink, 1);
	CHECK_EQ((long)(named.st_mode & 07777), 0640);
	char buf2[16];
	CHECK_EQ(read_file(path("tmpproc"), buf2, sizeof(buf2)), 7);
	CHECK_STR(buf2, "viaproc");
	/* without AT_SYMLINK_FOLLOW the magic link itself is linked: EXDEV
	 * (procfs is another file system) */
	CHECK_ERR(linkat(AT_FDCWD, link, AT_FDCWD, path("tmpproc2"), 0), EXDEV);
	close(fd);
	CHECK_OK(unlink(path("tmpproc")));
	/* O_TMPFILE needs write access */
	CHECK_ERR(open(g_dir, O_TMPFILE | O_RDONLY, 0600), EINVAL);
}

static void t_access(void)
{
	write_file(path("acc"), "a");
	CHECK_OK(chmod(path("acc"), 0644));
	CHECK_OK(access(path("acc"), F_OK));
	CHECK_OK(access(path("acc"), R_OK | W_OK));
	CHECK_ERR(access(path("missing"), F_OK), ENOENT);
	if (geteuid() == 0) /* root needs one x bit for X_OK */
		CHECK_ERR(access(path("acc"), X_OK), EACCES);
	CHECK_OK(chmod(path("acc"), 0744));
	CHECK_OK(access(path("acc"), X_OK));
	CHECK_OK(faccessat(AT_FDCWD, path("acc"), R_OK, AT_EACCESS));
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, path("acc"), R_OK,
		AT_EACCESS));
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, path("acc"), R_OK, 0x40000),
		EINVAL);
	CHECK_ERR(access(path("acc"), 0100), EINVAL);
	CHECK_OK(symlink("missing", path("dangling")));
	CHECK_ERR(access(path("dangling"), F_OK), ENOENT);
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
		CHECK_ERR(open(path("rootdir/secret"), O_RDONLY), EACCES);
		CHECK_ERR(access(path("rootdir/secret"), R_OK), EACCES);
		int fd = CHECK_OK(open(path("rootdir/public"), O_RDONLY));
		close(fd);
		CHECK_ERR(open(path("rootdir/public"), O_WRONLY), EACCES);
		CHECK_ERR(open(path("rootdir/new"), O_WRONLY | O_CREAT, 0644),
			EACCES);
		CHECK_ERR(mkdir(path("rootdir/newdir"), 0755), EACCES);
		CHECK_ERR(unlink(path("rootdir/public")), EACCES);
		CHECK_ERR(open(path("rootdir/closed/x"), O_RDONLY), EACCES);
		CHECK_ERR(chmod(path("rootdir/public"), 0666), EPERM);
		CHECK_ERR(chown(path("userdir"), 0, 0), EPERM);
		fd = CHECK_OK(open(path("userdir/mine"), O_WRONLY | O_CREAT, 0644));
		struct stat st;
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(st.st_uid, 65534);
		CHECK_EQ(st.st_gid, 65534);
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
			CHECK_ERR(link(path("rootdir/public"), path("userdir/hl")),
				EPERM);
		else
			CHECK_OK(link(path("rootdir/public"), path("userdir/hl")));
		CHECK_OK(link(path("userdir/mine"), path("userdir/mine2")));
		CHECK_OK(unlink(path("userdir/mine2")));
		_exit(0);
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
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
	CHECK_ERR(open((const char *)bad, O_RDONLY), EFAULT);
	CHECK_ERR(syscall(SYS_openat, AT_FDCWD, (const char *)1, O_RDONLY),
		EFAULT);
	write_file(path("fault"), "0123456789");
	int fd = CHECK_OK(open(path("fault"), O_RDWR));
	CHECK_ERR(read(fd, bad, 10), EFAULT);
	CHECK_ERR(write(fd, bad, 10), EFAULT);
	CHECK_ERR(pread(fd, bad, 10, 0), EFAULT);
	CHECK_ERR(syscall(SYS_fstat, fd, bad), EFAULT);
	CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, path("fault"), bad, 0),
		EFAULT);
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, path("fault"), 0, STATX_BASIC_STATS,
		bad), EFAULT);
	CHECK_ERR(syscall(SYS_getdents64, fd, bad, 4096), ENOTDIR);
	/* the file is unchanged and the offset did not move */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	char buf[16];
	CHECK_EQ(read(fd, buf, 10), 10);
	CHECK_MEM(buf, "0123456789", 10);
	close(fd);
	int dfd = CHECK_OK(open(g_dir, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(syscall(SYS_getdents64, dfd, bad, 4096), EFAULT);
	close(dfd);
	CHECK_ERR(syscall(SYS_readlinkat, AT_FDCWD, path("fault"), bad, 10),
		EINVAL);
	CHECK_OK(symlink("fault", path("faultlink")));
	CHECK_ERR(syscall(SYS_readlinkat, AT_FDCWD, path("faultlink"), bad, 10),
		EFAULT);
	CHECK_OK(unlink(path("faultlink")));
	CHECK_OK(unlink(path("fault")));
}

static void t_nametoolong(void)
{
	char name[300];
	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK_ERR(open(path(name), O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
	CHECK_ERR(mkdir(path(name), 0755), ENAMETOOLONG);
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
	CHECK_ERR(open(p, O_RDONLY), ENAMETOOLONG);
	CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, p, &(struct stat){ 0 }, 0),
		ENAMETOOLONG);
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
	CHECK_ERR(open(start, O_RDONLY), EFAULT);
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
