/*
 * openat2(2): RESOLVE_* flags and the argument checks, relative to a
 * directory fd in DIR (the pool natively: a tmpfs directory).
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int dfd = -1;

static long o2(int dir, const char *p, unsigned long long flags,
	       unsigned long long mode, unsigned long long resolve)
{
	struct open_how how = { .flags = flags,
				.mode = mode,
				.resolve = resolve };
	return syscall(SYS_openat2, dir, p, &how, sizeof(how));
}

/* opens dfd/p with resolve and checks it is the file at DIR/want */
static void opens(const char *p, unsigned long long resolve, const char *want)
{
	int fd = (int)CHECK_OK(o2(dfd, p, O_RDONLY | O_CLOEXEC, 0, resolve));
	struct stat a, b;
	CHECK_OK(fstat(fd, &a));
	CHECK_OK(stat(path(want), &b));
	if (a.st_ino != b.st_ino)
		PFT_FAIL("openat2(%s, 0x%llx) opened another file than %s", p,
			 resolve, want);
	close(fd);
}

static void setup(void)
{
	if (dfd >= 0)
		return;
	CHECK_OK(mkdir(path("r"), 0755));
	CHECK_OK(mkdir(path("r/s"), 0755));
	write_file(path("r/f"), "f");
	write_file(path("r/s/x"), "x");
	write_file(path("outside"), "o");
	CHECK_OK(symlink("f", path("r/lnk")));
	CHECK_OK(symlink("s", path("r/dirlnk")));
	CHECK_OK(symlink("../outside", path("r/up")));
	CHECK_OK(symlink(path("r/f"), path("r/abs")));
	dfd = (int)CHECK_OK(open(path("r"), O_PATH | O_DIRECTORY | O_CLOEXEC));
}

static void t_no_symlinks(void)
{
	setup();
	opens("f", RESOLVE_NO_SYMLINKS, "r/f");
	opens("s/../f", RESOLVE_NO_SYMLINKS, "r/f");
	CHECK_ERR(ELOOP, o2(dfd, "lnk", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	CHECK_ERR(ELOOP, o2(dfd, "dirlnk/x", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	CHECK_ERR(ELOOP, o2(dfd, "abs", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	CHECK_ERR(
		ELOOP,
		o2(dfd, "lnk", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
	/* the link itself, not followed */
	int fd = (int)CHECK_OK(
		o2(dfd, "lnk", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
	struct stat st;
	CHECK_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
	CHECK(S_ISLNK(st.st_mode));
	close(fd);
	/* a magic link is a symlink too */
	int f = (int)CHECK_OK(open(path("r/f"), O_RDONLY | O_CLOEXEC));
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f);
	CHECK_ERR(ELOOP, o2(AT_FDCWD, proc, O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	close(f);
}

static void t_no_magiclinks(void)
{
	setup();
	int f = (int)CHECK_OK(open(path("r/f"), O_RDONLY | O_CLOEXEC));
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f);
	CHECK_ERR(ELOOP,
		  o2(AT_FDCWD, proc, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
	/* without the flag the magic link leads to the file */
	int g = (int)CHECK_OK(o2(AT_FDCWD, proc, O_RDONLY | O_CLOEXEC, 0, 0));
	close(g);
	/* ordinary symlinks are fine */
	opens("lnk", RESOLVE_NO_MAGICLINKS, "r/f");
	opens("abs", RESOLVE_NO_MAGICLINKS, "r/f");
	close(f);
}

static void t_beneath(void)
{
	setup();
	opens("f", RESOLVE_BENEATH, "r/f");
	opens("s/../f", RESOLVE_BENEATH, "r/f");
	opens("lnk", RESOLVE_BENEATH, "r/f");
	opens("dirlnk/../f", RESOLVE_BENEATH, "r/f");
	CHECK_ERR(EXDEV, o2(dfd, "..", O_RDONLY, 0, RESOLVE_BENEATH));
	CHECK_ERR(EXDEV, o2(dfd, "../r/f", O_RDONLY, 0, RESOLVE_BENEATH));
	CHECK_ERR(EXDEV,
		  o2(dfd, "s/../../outside", O_RDONLY, 0, RESOLVE_BENEATH));
	CHECK_ERR(EXDEV, o2(dfd, path("r/f"), O_RDONLY, 0, RESOLVE_BENEATH));
	CHECK_ERR(EXDEV, o2(dfd, "abs", O_RDONLY, 0, RESOLVE_BENEATH));
	CHECK_ERR(EXDEV, o2(dfd, "up", O_RDONLY, 0, RESOLVE_BENEATH));
	int f = (int)CHECK_OK(open(path("r/f"), O_RDONLY | O_CLOEXEC));
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f);
	CHECK_ERR(EXDEV, o2(dfd, proc, O_RDONLY, 0, RESOLVE_BENEATH));
	close(f);
	/* creating beneath works */
	int fd = (int)CHECK_OK(o2(dfd, "s/new", O_WRONLY | O_CREAT | O_CLOEXEC,
				  0600, RESOLVE_BENEATH));
	close(fd);
	CHECK_OK(unlink(path("r/s/new")));
}

static void t_in_root(void)
{
	setup();
	opens("/f", RESOLVE_IN_ROOT, "r/f");
	opens("../f", RESOLVE_IN_ROOT, "r/f");
	opens("/s/../../../f", RESOLVE_IN_ROOT, "r/f");
	opens("/dirlnk/x", RESOLVE_IN_ROOT, "r/s/x");
	/* an absolute symlink starts again at the root: DIR/r/f under r
	 * does not exist */
	CHECK_ERR(ENOENT, o2(dfd, "abs", O_RDONLY, 0, RESOLVE_IN_ROOT));
	/* "up" names ../outside: .. stays at the root, no outside there */
	CHECK_ERR(ENOENT, o2(dfd, "up", O_RDONLY, 0, RESOLVE_IN_ROOT));
	int f = (int)CHECK_OK(open(path("r/f"), O_RDONLY | O_CLOEXEC));
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f);
	/* under the root, /proc does not exist */
	CHECK_ERR(ENOENT, o2(dfd, proc, O_RDONLY, 0, RESOLVE_IN_ROOT));
	close(f);
}

static void t_no_xdev(void)
{
	setup();
	opens("f", RESOLVE_NO_XDEV, "r/f");
	opens("s/../f", RESOLVE_NO_XDEV, "r/f");
	opens("lnk", RESOLVE_NO_XDEV, "r/f");
	opens("up", RESOLVE_NO_XDEV, "outside");
	/* an absolute symlink jumps to /, another mount */
	CHECK_ERR(EXDEV, o2(dfd, "abs", O_RDONLY, 0, RESOLVE_NO_XDEV));
	/* so does an absolute path (from / into DIR's mount) */
	CHECK_ERR(EXDEV, o2(dfd, path("r/f"), O_RDONLY, 0, RESOLVE_NO_XDEV));
	/* DIR is at or right below its mount's root: three levels up
	 * leave the mount */
	CHECK_ERR(EXDEV, o2(dfd, "../../..", O_RDONLY, 0, RESOLVE_NO_XDEV));
	int f = (int)CHECK_OK(open(path("r/f"), O_RDONLY | O_CLOEXEC));
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f);
	CHECK_ERR(EXDEV, o2(AT_FDCWD, proc, O_RDONLY, 0, RESOLVE_NO_XDEV));
	close(f);
}

static void t_cached(void)
{
	setup();
	struct stat st;
	CHECK_OK(stat(path("r/f"), &st)); /* in the kernel's cache */
	opens("f", RESOLVE_CACHED, "r/f");
	CHECK_ERR(EAGAIN, o2(dfd, "f", O_RDWR | O_TRUNC, 0, RESOLVE_CACHED));
	CHECK_ERR(EAGAIN, o2(dfd, "n", O_RDWR | O_CREAT, 0600, RESOLVE_CACHED));
	CHECK_ERR(EAGAIN,
		  o2(dfd, ".", O_TMPFILE | O_RDWR, 0600, RESOLVE_CACHED));
	CHECK_ERR(ENOENT, access(path("r/n"), F_OK));
}

static void t_invalid(void)
{
	setup();
	/* what openat2 refuses before it looks at the path: EINVAL */
	static const struct {
		const char *path;
		unsigned long long flags, mode, resolve;
	} bad[] = {
		{ "f", O_RDONLY, 0, 1ULL << 20 },
		{ "f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT },
		{ "f", O_RDONLY, 0644, 0 },
		{ "f", O_RDONLY | O_TRUNC, 0600, 0 },
		{ "n", O_WRONLY | O_CREAT, 010644, 0 },
		{ "n", O_WRONLY | O_CREAT | O_DIRECTORY, 0600, 0 },
		{ "f", O_PATH | O_APPEND, 0, 0 },
		{ "f", O_PATH | O_RDWR, 0, 0 },
		{ "f", 1ULL << 40, 0, 0 },
		{ ".", O_TMPFILE | O_RDONLY, 0600, 0 },
	};
	for (size_t i = 0; i < ROWS(bad); i++) {
		char what[128];
		snprintf(
			what, sizeof(what),
			"openat2(\"%s\", flags %#llo, mode %#llo, resolve %#llx)",
			bad[i].path, bad[i].flags, bad[i].mode, bad[i].resolve);
		CHECK_ERR_ROW(what, EINVAL,
			      o2(dfd, bad[i].path, bad[i].flags, bad[i].mode,
				 bad[i].resolve));
	}
	CHECK_ERR(ENOENT, access(path("r/n"), F_OK));
	/* a larger struct whose extra bytes are not zero */
	struct {
		struct open_how h;
		unsigned long long x;
	} big = { { .flags = O_RDONLY }, 1 };
	CHECK_ERR(E2BIG, syscall(SYS_openat2, dfd, "f", &big, sizeof(big)));
	big.x = 0;
	int fd = (int)CHECK_OK(
		syscall(SYS_openat2, dfd, "f", &big, sizeof(big)));
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "no_symlinks", t_no_symlinks },
		{ "no_magiclinks", t_no_magiclinks },
		{ "beneath", t_beneath },
		{ "in_root", t_in_root },
		{ "no_xdev", t_no_xdev },
		{ "cached", t_cached },
		{ "invalid", t_invalid },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
