/* SPDX-License-Identifier: BSD-3-Clause */
/* pf_openat flags, pf_file references and status flags. */
#define _GNU_SOURCE
#include "pftest.h"

static void create_new(void)
{
	struct pf_caller u = pft_user(1000, 100);
	OK(pf_fchmodat(P, &ROOT, NULL, "/", 0777, 0));
	pf_file *f = OPEN_AS(&u, "new", O_CREAT | O_WRONLY, 0640);
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	CHECK(S_ISREG(st.mode));
	EQ(0640, st.mode & 07777);
	EQ(1000, st.uid);
	EQ(100, st.gid);
	EQ(0, st.size);
	EQ(1, st.nlink);
	EQ(0, st.blocks);
	pf_close(f);
	/* mode bits are taken as given (the caller applied umask) */
	f = OPEN("m", O_CREAT | O_RDWR, 04777);
	pf_close(f);
	EQ(04777, STAT("m").mode & 07777);
	/* O_CREAT on an existing file opens it, mode unchanged */
	f = OPEN("m", O_CREAT | O_RDWR, 0600);
	pf_close(f);
	EQ(04777, STAT("m").mode & 07777);
}

static void create_excl(void)
{
	pf_file *f;
	PUTS("a", "data");
	ERR(EEXIST, pf_openat(P, &ROOT, NULL, "a", O_CREAT | O_EXCL | O_RDWR,
			      0644, &f));
	/* a dangling symlink counts as existing with O_EXCL */
	OK(pf_symlinkat(P, &ROOT, "nowhere", NULL, "dl"));
	ERR(EEXIST, pf_openat(P, &ROOT, NULL, "dl", O_CREAT | O_EXCL | O_RDWR,
			      0644, &f));
	CHECK(!pft_exists("nowhere"));
	/* a directory too */
	MKDIR("d");
	ERR(EEXIST, pf_openat(P, &ROOT, NULL, "d", O_CREAT | O_EXCL | O_RDWR,
			      0644, &f));
	/* O_EXCL without O_CREAT is ignored for regular files */
	f = OPEN("a", O_EXCL | O_RDONLY, 0);
	pf_close(f);
	/* content untouched */
	CONTENT("a", "data");
	/* new name: works */
	f = OPEN("b", O_CREAT | O_EXCL | O_RDWR, 0644);
	pf_close(f);
}

static void create_through_dangling_symlink(void)
{
	OK(pf_symlinkat(P, &ROOT, "target", NULL, "dl"));
	pf_file *f = OPEN("dl", O_CREAT | O_WRONLY, 0644);
	pf_close(f);
	CHECK(pft_exists("target"));
	CHECK(S_ISREG(STAT("target").mode));
	CHECK(S_ISLNK(LSTAT("dl").mode));
	/* with O_NOFOLLOW it is ELOOP */
	OK(pf_symlinkat(P, &ROOT, "target2", NULL, "dl2"));
	ERR(ELOOP, pf_openat(P, &ROOT, NULL, "dl2",
			     O_CREAT | O_WRONLY | O_NOFOLLOW, 0644, &f));
	CHECK(!pft_exists("target2"));
}

static void missing(void)
{
	pf_file *f;
	ERR(ENOENT, pf_openat(P, &ROOT, NULL, "nope", O_RDONLY, 0, &f));
	ERR(ENOENT, pf_openat(P, &ROOT, NULL, "", O_RDONLY, 0, &f));
	ERR(ENOENT, pf_openat(P, &ROOT, NULL, "nodir/x", O_CREAT | O_RDWR,
			      0644, &f));
	PUTS("file", "x");
	ERR(ENOTDIR, pf_openat(P, &ROOT, NULL, "file/x", O_CREAT | O_RDWR,
			       0644, &f));
	ERR(ENOTDIR, pf_openat(P, &ROOT, NULL, "file/x", O_RDONLY, 0, &f));
}

static void directory_flag(void)
{
	pf_file *f;
	PUTS("file", "x");
	MKDIR("d");
	ERR(ENOTDIR, pf_openat(P, &ROOT, NULL, "file", O_RDONLY | O_DIRECTORY,
			       0, &f));
	f = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	pf_close(f);
	f = OPEN("d", O_RDONLY, 0);
	pf_close(f);
	/* a symlink to a directory is followed */
	OK(pf_symlinkat(P, &ROOT, "d", NULL, "ld"));
	f = OPEN("ld", O_RDONLY | O_DIRECTORY, 0);
	pf_close(f);
	/* a directory can not be opened for writing */
	ERR(EISDIR, pf_openat(P, &ROOT, NULL, "d", O_WRONLY, 0, &f));
	ERR(EISDIR, pf_openat(P, &ROOT, NULL, "d", O_RDWR, 0, &f));
	ERR(EISDIR, pf_openat(P, &ROOT, NULL, "d", O_CREAT | O_RDWR, 0644,
			      &f));
	ERR(EISDIR, pf_openat(P, &ROOT, NULL, "d", O_CREAT | O_RDONLY, 0644,
			      &f));
	/* O_CREAT|O_DIRECTORY: EINVAL since Linux 6.4 */
	ERR(EINVAL, pf_openat(P, &ROOT, NULL, "newd", O_CREAT | O_DIRECTORY |
			      O_RDONLY, 0755, &f));
	CHECK(!pft_exists("newd"));
	/* O_CREAT of a name with a trailing slash */
	ERR(EISDIR, pf_openat(P, &ROOT, NULL, "newf/", O_CREAT | O_RDWR, 0644,
			      &f));
	CHECK(!pft_exists("newf"));
	/* a symlink whose body ends in a slash: O_CREAT answers EISDIR
	 * before looking the name up, even where the lookup would loop */
	OK(pf_symlinkat(P, &ROOT, "self/", NULL, "self"));
	ERR(EISDIR,
	    pf_openat(P, &ROOT, NULL, "self", O_CREAT | O_WRONLY, 0644, &f));
	ERR(ELOOP, pf_openat(P, &ROOT, NULL, "self", O_RDONLY, 0, &f));
	OK(pf_symlinkat(P, &ROOT, "lb/", NULL, "la"));
	OK(pf_symlinkat(P, &ROOT, "la", NULL, "lb"));
	ERR(EISDIR,
	    pf_openat(P, &ROOT, NULL, "lb", O_CREAT | O_WRONLY, 0644, &f));
	ERR(ELOOP, pf_openat(P, &ROOT, NULL, "lb", O_WRONLY, 0, &f));
}

static void nofollow(void)
{
	pf_file *f;
	PUTS("file", "x");
	OK(pf_symlinkat(P, &ROOT, "file", NULL, "l"));
	ERR(ELOOP, pf_openat(P, &ROOT, NULL, "l", O_RDONLY | O_NOFOLLOW, 0,
			     &f));
	/* with O_PATH it opens the link itself */
	f = OPEN("l", O_PATH | O_NOFOLLOW, 0);
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	CHECK(S_ISLNK(st.mode));
	EQ(4, st.size);
	char buf[16];
	/* readlinkat with an empty path reads the O_PATH link */
	EQ(4, pf_readlinkat(P, &ROOT, f, "", buf, sizeof(buf)));
	MEMEQ("file", buf, 4);
	pf_close(f);
	/* only the last component is concerned */
	MKDIR("d");
	PUTS("d/g", "y");
	OK(pf_symlinkat(P, &ROOT, "d", NULL, "ld"));
	f = OPEN("ld/g", O_RDONLY | O_NOFOLLOW, 0);
	pf_close(f);
	/* no symlink: nothing changes */
	f = OPEN("file", O_RDONLY | O_NOFOLLOW, 0);
	pf_close(f);
}

static void o_trunc(void)
{
	PUTS("a", "0123456789");
	pf_file *f = OPEN("a", O_WRONLY | O_TRUNC, 0);
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	EQ(0, st.size);
	EQ(0, st.blocks);
	pf_close(f);
	CONTENT("a", "");
	/* Linux truncates with O_RDONLY|O_TRUNC too */
	PUTS("b", "0123456789");
	f = OPEN("b", O_RDONLY | O_TRUNC, 0);
	pf_close(f);
	EQ(0, STAT("b").size);
	/* O_TRUNC on a directory */
	MKDIR("d");
	ERR(EISDIR, pf_openat(P, &ROOT, NULL, "d", O_RDONLY | O_TRUNC, 0, &f));
	/* O_TRUNC without write permission */
	PUTS("c", "abc");
	OK(pf_fchmodat(P, &ROOT, NULL, "c", 0444, 0));
	struct pf_caller u = pft_user(1000, 1000);
	OK(pf_fchownat(P, &ROOT, NULL, "c", 1000, 1000, 0));
	ERR(EACCES, pf_openat(P, &u, NULL, "c", O_RDONLY | O_TRUNC, 0, &f));
	CONTENT("c", "abc");
}

static void append(void)
{
	PUTS("a", "abc");
	pf_file *f = OPEN("a", O_WRONLY | O_APPEND, 0);
	EQ(0, pf_lseek(P, f, 0, SEEK_SET));
	EQ(3, pf_write(P, &ROOT, f, "def", 3));
	EQ(6, pf_lseek(P, f, 0, SEEK_CUR));
	/* pwrite on O_APPEND appends on Linux */
	EQ(2, pf_pwrite(P, &ROOT, f, "gh", 2, 0));
	pf_close(f);
	CONTENT("a", "abcdefgh");
	/* two descriptions appending interleave without overwriting */
	pf_file *g = OPEN("a", O_WRONLY | O_APPEND, 0);
	f = OPEN("a", O_WRONLY | O_APPEND, 0);
	EQ(1, pf_write(P, &ROOT, f, "1", 1));
	EQ(1, pf_write(P, &ROOT, g, "2", 1));
	EQ(1, pf_write(P, &ROOT, f, "3", 1));
	pf_close(f);
	pf_close(g);
	CONTENT("a", "abcdefgh123");
	f = OPEN("a", O_WRONLY | O_APPEND, 0);
	EQ(O_APPEND, pf_file_get_flags(f) & O_APPEND);
	pf_close(f);
}

static void opath(void)
{
	PUTS("a", "abc");
	MKDIR("d");
	PUTS("d/x", "x");
	pf_file *f = OPEN("a", O_PATH, 0);
	char buf[8];
	ERR(EBADF, pf_read(P, f, buf, sizeof(buf)));
	ERR(EBADF, pf_pread(P, f, buf, sizeof(buf), 0));
	ERR(EBADF, pf_write(P, &ROOT, f, "x", 1));
	ERR(EBADF, pf_pwrite(P, &ROOT, f, "x", 1, 0));
	ERR(EBADF, pf_ftruncate(P, &ROOT, f, 0));
	ERR(EBADF, pf_fallocate(P, &ROOT, f, 0, 0, 10));
	ERR(EBADF, pf_fchmod(P, &ROOT, f, 0600));
	ERR(EBADF, pf_fchown(P, &ROOT, f, 1, 1));
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	EQ(3, st.size);
	pf_close(f);
	CONTENT("a", "abc");
	EQ(0644, STAT("a").mode & 07777);

	/* O_PATH on a file we could not read: allowed */
	OK(pf_fchmodat(P, &ROOT, NULL, "a", 0, 0));
	struct pf_caller u = pft_user(1000, 1000);
	f = OPEN_AS(&u, "a", O_PATH, 0);
	pf_close(f);

	/* an O_PATH directory works as a dir argument, not for getdents */
	pf_file *d = OPEN("d", O_PATH | O_DIRECTORY, 0);
	char dbuf[512];
	ERR(EBADF, pf_getdents64(P, d, dbuf, sizeof(dbuf)));
	f = pft_open(__FILE__, __LINE__, &ROOT, d, "x", O_RDONLY, 0);
	EQ(1, pf_read(P, f, buf, sizeof(buf)));
	pf_close(f);
	OK(pf_fstatat(P, &ROOT, d, "", &st, AT_EMPTY_PATH));
	CHECK(S_ISDIR(st.mode));
	pf_close(d);
	/* O_PATH ignores other flags such as O_CREAT, O_TRUNC */
	f = OPEN("a", O_PATH | O_TRUNC, 0);
	pf_close(f);
	EQ(3, STAT("a").size);
}

static void o_tmpfile(void)
{
	MKDIR("d");
	struct pf_statfs s0, s1, s2;
	OK(pf_statfs(P, &s0));
	pf_file *f = OPEN("d", O_TMPFILE | O_RDWR, 0600);
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	CHECK(S_ISREG(st.mode));
	EQ(0, st.nlink);
	EQ(0600, st.mode & 07777);
	STREQ("", pft_list("d"));
	EQ(5, pf_write(P, &ROOT, f, "hello", 5));
	OK(pf_statfs(P, &s1));
	CHECK(s1.ffree < s0.ffree);
	OK(pf_linkat(P, &ROOT, f, "", NULL, "d/named", AT_EMPTY_PATH));
	OK(pf_fstat(P, f, &st));
	EQ(1, st.nlink);
	pf_close(f);
	CONTENT("d/named", "hello");
	STREQ("named", pft_list("d"));

	/* not linked: freed on close */
	f = OPEN("d", O_TMPFILE | O_WRONLY, 0600);
	char *big = calloc(1, 1 << 20);
	EQ(1 << 20, pf_write(P, &ROOT, f, big, 1 << 20));
	OK(pf_statfs(P, &s1));
	pf_close(f);
	OK(pf_statfs(P, &s2));
	CHECK((s2.bfree - s1.bfree) * s2.frsize >= (1 << 20));
	free(big);

	/* O_TMPFILE|O_EXCL can not be linked */
	f = OPEN("d", O_TMPFILE | O_EXCL | O_RDWR, 0600);
	ERR(ENOENT, pf_linkat(P, &ROOT, f, "", NULL, "d/x", AT_EMPTY_PATH));
	pf_close(f);
	/* needs write access mode */
	ERR(EINVAL, pf_openat(P, &ROOT, NULL, "d", O_TMPFILE | O_RDONLY, 0600,
			      &f));
	/* on a file */
	PUTS("file", "x");
	ERR(ENOTDIR, pf_openat(P, &ROOT, NULL, "file", O_TMPFILE | O_RDWR,
			       0600, &f));
	ERR(ENOENT, pf_openat(P, &ROOT, NULL, "nodir", O_TMPFILE | O_RDWR,
			      0600, &f));
	/* linking over an existing name */
	f = OPEN("d", O_TMPFILE | O_RDWR, 0600);
	ERR(EEXIST, pf_linkat(P, &ROOT, f, "", NULL, "d/named",
			      AT_EMPTY_PATH));
	pf_close(f);
	/* AT_EMPTY_PATH of a normal file makes a hard link */
	f = OPEN("file", O_RDONLY, 0);
	OK(pf_linkat(P, &ROOT, f, "", NULL, "file2", AT_EMPTY_PATH));
	pf_close(f);
	EQ(2, STAT("file").nlink);
	/* a tmpfile in a non-writable dir as a user */
	struct pf_caller u = pft_user(1000, 1000);
	ERR(EACCES, pf_openat(P, &u, NULL, "d", O_TMPFILE | O_RDWR, 0600, &f));
}

static void noatime(void)
{
	PUTS("a", "abc");
	OK(pf_fchmodat(P, &ROOT, NULL, "a", 0666, 0));
	struct pf_caller owner = pft_user(1000, 1000);
	struct pf_caller other = pft_user(1001, 1001);
	OK(pf_fchownat(P, &ROOT, NULL, "a", 1000, 1000, 0));
	pf_file *f;
	ERR(EPERM, pf_openat(P, &other, NULL, "a", O_RDONLY | O_NOATIME, 0,
			     &f));
	f = OPEN_AS(&owner, "a", O_RDONLY | O_NOATIME, 0);
	pf_close(f);
	/* CAP_FOWNER may */
	struct pf_caller fowner = other;
	fowner.caps = PF_CAP_FOWNER;
	f = OPEN_AS(&fowner, "a", O_RDONLY | O_NOATIME, 0);
	pf_close(f);
	/* and setting it later with F_SETFL has the same rule */
	f = OPEN_AS(&other, "a", O_RDONLY, 0);
	ERR(EPERM, pf_file_set_flags(P, &other, f, O_NOATIME));
	pf_close(f);
	/* reads with O_NOATIME do not touch atime */
	pft_set_old_times("a");
	f = OPEN("a", O_RDONLY | O_NOATIME, 0);
	char buf[4];
	EQ(3, pf_read(P, f, buf, sizeof(buf)));
	pf_close(f);
	CHECK(IS_OLD(STAT("a").atime));
}

static void access_mode(void)
{
	PUTS("a", "abc");
	char buf[4];
	pf_file *f = OPEN("a", O_RDONLY, 0);
	ERR(EBADF, pf_write(P, &ROOT, f, "x", 1));
	ERR(EBADF, pf_pwrite(P, &ROOT, f, "x", 1, 0));
	ERR(EINVAL, pf_ftruncate(P, &ROOT, f, 0)); /* ftruncate(2): EBADF or EINVAL: Linux says EINVAL */
	ERR(EBADF, pf_fallocate(P, &ROOT, f, 0, 0, 10));
	EQ(O_RDONLY, pf_file_get_flags(f) & O_ACCMODE);
	pf_close(f);
	f = OPEN("a", O_WRONLY, 0);
	ERR(EBADF, pf_read(P, f, buf, 1));
	ERR(EBADF, pf_pread(P, f, buf, 1, 0));
	EQ(O_WRONLY, pf_file_get_flags(f) & O_ACCMODE);
	pf_close(f);
	f = OPEN("a", O_RDWR, 0);
	EQ(O_RDWR, pf_file_get_flags(f) & O_ACCMODE);
	EQ(1, pf_read(P, f, buf, 1));
	EQ(1, pf_write(P, &ROOT, f, "X", 1));
	pf_close(f);
	CONTENT("a", "aXc");
	/* O_ACCMODE 3 is not valid for a regular file (Linux: EINVAL?) -
	 * Linux accepts it as "no read, no write" needing both permissions;
	 * just check nothing crashes */
	if (pf_openat(P, &ROOT, NULL, "a", 3, 0, &f) == 0)
		pf_close(f);
}

static void set_flags(void)
{
	PUTS("a", "abc");
	pf_file *f = OPEN("a", O_WRONLY, 0);
	OK(pf_file_set_flags(P, &ROOT, f, O_APPEND));
	CHECK(pf_file_get_flags(f) & O_APPEND);
	EQ(O_WRONLY, pf_file_get_flags(f) & O_ACCMODE);
	EQ(1, pf_write(P, &ROOT, f, "d", 1));
	/* the access mode can not change */
	OK(pf_file_set_flags(P, &ROOT, f, O_RDWR));
	EQ(O_WRONLY, pf_file_get_flags(f) & O_ACCMODE);
	CHECK(!(pf_file_get_flags(f) & O_APPEND));
	EQ(1, pf_pwrite(P, &ROOT, f, "A", 1, 0));
	pf_close(f);
	CONTENT("a", "Abcd");
	/* O_NONBLOCK and O_NOATIME (owner) can be set and are reported */
	f = OPEN("a", O_RDONLY, 0);
	OK(pf_file_set_flags(P, &ROOT, f, O_NONBLOCK | O_NOATIME));
	EQ(O_NONBLOCK | O_NOATIME, pf_file_get_flags(f) &
	   (O_NONBLOCK | O_NOATIME | O_APPEND));
	OK(pf_file_set_flags(P, &ROOT, f, 0));
	EQ(0, pf_file_get_flags(f) & (O_NONBLOCK | O_NOATIME | O_APPEND));
	pf_close(f);
	/* creation flags are not reported */
	f = OPEN("a", O_RDONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	EQ(0, pf_file_get_flags(f) & (O_CREAT | O_TRUNC | O_EXCL));
	pf_close(f);
}

static void file_ref_shares_offset(void)
{
	PUTS("a", "abcdef");
	pf_file *f = OPEN("a", O_RDONLY, 0);
	pf_file *g = pf_file_ref(f);
	CHECK(g == f || g != NULL);
	char buf[4];
	EQ(2, pf_read(P, f, buf, 2));
	EQ(2, pf_read(P, g, buf, 2));
	MEMEQ("cd", buf, 2);
	pf_close(f);
	/* still usable through the other reference */
	EQ(2, pf_read(P, g, buf, 2));
	MEMEQ("ef", buf, 2);
	pf_close(g);
	pf_close(NULL);
	/* two opens have two offsets */
	f = OPEN("a", O_RDONLY, 0);
	g = OPEN("a", O_RDONLY, 0);
	EQ(3, pf_read(P, f, buf, 3));
	EQ(3, pf_read(P, g, buf, 3));
	MEMEQ("abc", buf, 3);
	pf_close(f);
	pf_close(g);
}

static void dir_argument(void)
{
	MKDIR("d");
	PUTS("d/x", "in d");
	PUTS("x", "in root");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	CONTENT("d/x", "in d");
	pf_file *f = pft_open(__FILE__, __LINE__, &ROOT, d, "x", O_RDONLY, 0);
	char buf[16];
	EQ(4, pf_read(P, f, buf, sizeof(buf)));
	MEMEQ("in d", buf, 4);
	pf_close(f);
	/* absolute paths ignore dir */
	f = pft_open(__FILE__, __LINE__, &ROOT, d, "/x", O_RDONLY, 0);
	EQ(7, pf_read(P, f, buf, sizeof(buf)));
	pf_close(f);
	/* create relative to dir */
	f = pft_open(__FILE__, __LINE__, &ROOT, d, "y", O_CREAT | O_RDWR, 0644);
	pf_close(f);
	CHECK(pft_exists("d/y"));
	pf_close(d);
	/* a file as dir argument with a relative path: ENOTDIR */
	pf_file *file = OPEN("x", O_RDONLY, 0);
	ERR(ENOTDIR, pf_openat(P, &ROOT, file, "y", O_RDONLY, 0, &f));
	ERR(ENOTDIR, pf_mkdirat(P, &ROOT, file, "y", 0755));
	pf_close(file);
}

static void fifo_socket_enxio(void)
{
	pf_file *f;
	OK(pf_mknodat(P, &ROOT, NULL, "fifo", S_IFIFO | 0644, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "sock", S_IFSOCK | 0644, 0));
	ERR(ENXIO, pf_openat(P, &ROOT, NULL, "fifo", O_RDONLY, 0, &f));
	ERR(ENXIO, pf_openat(P, &ROOT, NULL, "sock", O_RDONLY, 0, &f));
	f = OPEN("fifo", O_PATH, 0);
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	CHECK(S_ISFIFO(st.mode));
	pf_close(f);
}

PFT_MAIN(PFT_CASE(create_new), PFT_CASE(create_excl),
	 PFT_CASE(create_through_dangling_symlink), PFT_CASE(missing),
	 PFT_CASE(directory_flag), PFT_CASE(nofollow), PFT_CASE(o_trunc),
	 PFT_CASE(append), PFT_CASE(opath), PFT_CASE(o_tmpfile),
	 PFT_CASE(noatime), PFT_CASE(access_mode), PFT_CASE(set_flags),
	 PFT_CASE(file_ref_shares_offset), PFT_CASE(dir_argument),
	 PFT_CASE(fifo_socket_enxio))
