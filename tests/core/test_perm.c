/* SPDX-License-Identifier: BSD-3-Clause */
/* Permissions as other users: search permission on every component,
 * read/write classes, capabilities, sticky and setgid directories, clearing
 * of set-id bits, faccessat. Expectations checked against Linux 6.18. */
#define _GNU_SOURCE
#include "pftest.h"

#include <linux/falloc.h>

static struct pf_caller U1, U2;     /* 1000:1000 and 1001:1001 */

static void users(void)
{
	U1 = pft_user(1000, 1000);
	U2 = pft_user(1001, 1001);
}

static void search_permission(void)
{
	users();
	struct pf_stat st;
	pf_file *f;
	MKDIR("a");
	MKDIR("a/b");
	PUTS("a/b/f", "secret");
	OK(pf_fchmodat(P, &ROOT, NULL, "a/b/f", 0644, 0));
	OK(pf_fstatat(P, &U1, NULL, "a/b/f", &st, 0));
	/* no x on an intermediate directory */
	OK(pf_fchmodat(P, &ROOT, NULL, "a/b", 0700, 0));
	ERR(EACCES, pf_fstatat(P, &U1, NULL, "a/b/f", &st, 0));
	ERR(EACCES, pf_openat(P, &U1, NULL, "a/b/f", O_RDONLY, 0, &f));
	ERR(EACCES, pf_fstatat(P, &U1, NULL, "a/b/nope", &st, 0));
	ERR(EACCES, pf_openat(P, &U1, NULL, "a/b/new", O_CREAT | O_RDWR, 0644,
			      &f));
	/* the directory itself can still be stat'ed */
	OK(pf_fstatat(P, &U1, NULL, "a/b", &st, 0));
	/* x without r: names resolve, listing does not */
	OK(pf_fchmodat(P, &ROOT, NULL, "a/b", 0711, 0));
	OK(pf_fstatat(P, &U1, NULL, "a/b/f", &st, 0));
	ERR(EACCES, pf_openat(P, &U1, NULL, "a/b", O_RDONLY | O_DIRECTORY, 0,
			      &f));
	/* r without x: listing but no lookups */
	OK(pf_fchmodat(P, &ROOT, NULL, "a/b", 0744, 0));
	f = OPEN_AS(&U1, "a/b", O_RDONLY | O_DIRECTORY, 0);
	pf_close(f);
	ERR(EACCES, pf_fstatat(P, &U1, NULL, "a/b/f", &st, 0));
	/* .. also needs search permission on the directory it starts in */
	OK(pf_fchmodat(P, &ROOT, NULL, "a/b", 0700, 0));
	ERR(EACCES, pf_fstatat(P, &U1, NULL, "a/b/..", &st, 0));
	/* search through a symlink's directory components */
	OK(pf_fchmodat(P, &ROOT, NULL, "a/b", 0755, 0));
	OK(pf_symlinkat(P, &ROOT, "a/b/f", NULL, "l"));
	OK(pf_fstatat(P, &U1, NULL, "l", &st, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "a", 0700, 0));
	ERR(EACCES, pf_fstatat(P, &U1, NULL, "l", &st, 0));
	OK(pf_fstatat(P, &U1, NULL, "l", &st, AT_SYMLINK_NOFOLLOW));
	/* the group class counts for members */
	OK(pf_fchownat(P, &ROOT, NULL, "a", 0, 1000, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "a", 0710, 0));
	OK(pf_fstatat(P, &U1, NULL, "a/b/f", &st, 0));
	ERR(EACCES, pf_fstatat(P, &U2, NULL, "a/b/f", &st, 0));
	uint32_t g[] = { 7, 1000 };
	struct pf_caller u2g = U2;
	u2g.groups = g;
	u2g.ngroups = 2;
	OK(pf_fstatat(P, &u2g, NULL, "a/b/f", &st, 0));
}

static void file_classes(void)
{
	users();
	pf_file *f;
	PUTS("f", "data");
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	/* the owner class alone decides for the owner */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0077, 0));
	ERR(EACCES, pf_openat(P, &U1, NULL, "f", O_RDONLY, 0, &f));
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0400, 0));
	f = OPEN_AS(&U1, "f", O_RDONLY, 0);
	pf_close(f);
	ERR(EACCES, pf_openat(P, &U1, NULL, "f", O_WRONLY, 0, &f));
	ERR(EACCES, pf_openat(P, &U1, NULL, "f", O_RDWR, 0, &f));
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0200, 0));
	f = OPEN_AS(&U1, "f", O_WRONLY, 0);
	pf_close(f);
	/* the group class for group members who are not the owner */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0640, 0));
	struct pf_caller g = pft_user(1001, 1000);
	f = OPEN_AS(&g, "f", O_RDONLY, 0);
	pf_close(f);
	ERR(EACCES, pf_openat(P, &g, NULL, "f", O_WRONLY, 0, &f));
	ERR(EACCES, pf_openat(P, &U2, NULL, "f", O_RDONLY, 0, &f));
	/* a group member is judged by the group class even if "other" would
	 * allow more */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0606, 0));
	ERR(EACCES, pf_openat(P, &g, NULL, "f", O_RDONLY, 0, &f));
	f = OPEN_AS(&U2, "f", O_RDWR, 0);
	pf_close(f);
	/* write on a description checks at open, not per write */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0666, 0));
	f = OPEN_AS(&U2, "f", O_WRONLY, 0);
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0600, 0));
	EQ(1, pf_write(P, &U2, f, "x", 1));
	pf_close(f);
}

static void capabilities(void)
{
	users();
	pf_file *f;
	struct pf_stat st;
	MKDIR("d");
	PUTS("d/f", "data");
	OK(pf_fchmodat(P, &ROOT, NULL, "d/f", 0, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "d", 0, 0));
	struct pf_caller dac = U1, rs = U1;
	dac.caps = PF_CAP_DAC_OVERRIDE;
	rs.caps = PF_CAP_DAC_READ_SEARCH;
	ERR(EACCES, pf_fstatat(P, &U1, NULL, "d/f", &st, 0));
	/* DAC_OVERRIDE: read, write, search */
	f = OPEN_AS(&dac, "d/f", O_RDWR, 0);
	pf_close(f);
	f = OPEN_AS(&dac, "d/new", O_CREAT | O_RDWR, 0644);
	pf_close(f);
	EQ(1000, STAT("d/new").uid);
	/* DAC_READ_SEARCH: read and search, not write */
	f = OPEN_AS(&rs, "d/f", O_RDONLY, 0);
	pf_close(f);
	f = OPEN_AS(&rs, "d", O_RDONLY | O_DIRECTORY, 0);
	pf_close(f);
	ERR(EACCES, pf_openat(P, &rs, NULL, "d/f", O_WRONLY, 0, &f));
	ERR(EACCES, pf_openat(P, &rs, NULL, "d/new2", O_CREAT | O_RDWR, 0644,
			      &f));
	/* nobody executes a file without any x bit */
	PUTS("prog", "");
	OK(pf_fchmodat(P, &ROOT, NULL, "prog", 0644, 0));
	ERR(EACCES, pf_faccessat(P, &ROOT, NULL, "prog", X_OK, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "prog", 0100, 0));
	OK(pf_faccessat(P, &ROOT, NULL, "prog", X_OK, 0));
	/* directories are searchable by DAC_OVERRIDE even with no x bit */
	OK(pf_faccessat(P, &ROOT, NULL, "d", X_OK, 0));
	OK(pf_faccessat(P, &dac, NULL, "d", R_OK | W_OK | X_OK, 0));
	OK(pf_faccessat(P, &rs, NULL, "d", R_OK | X_OK, 0));
	ERR(EACCES, pf_faccessat(P, &rs, NULL, "d", W_OK, 0));
}

static void dir_write_permission(void)
{
	users();
	pf_file *f;
	MKDIR("d");
	PUTS("d/f", "");
	OK(pf_fchownat(P, &ROOT, NULL, "d/f", 1000, 1000, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "d/f", 0666, 0));
	/* 0755 root: U1 can not create, unlink, rename, mkdir, link */
	ERR(EACCES, pf_openat(P, &U1, NULL, "d/x", O_CREAT | O_RDWR, 0644,
			      &f));
	ERR(EACCES, pf_unlinkat(P, &U1, NULL, "d/f", 0));
	ERR(EACCES, pf_renameat2(P, &U1, NULL, "d/f", NULL, "d/g", 0));
	ERR(EACCES, pf_mkdirat(P, &U1, NULL, "d/sub", 0755));
	ERR(EACCES, pf_symlinkat(P, &U1, "x", NULL, "d/l"));
	ERR(EACCES, pf_mknodat(P, &U1, NULL, "d/p", S_IFIFO | 0644, 0));
	ERR(EACCES, pf_linkat(P, &U1, NULL, "d/f", NULL, "d/g", 0));
	/* a directory as the source: the new parent's permission first,
	 * then EPERM (vfs_link's order; found by pf-fsstress) */
	MKDIR("own");
	OK(pf_fchownat(P, &ROOT, NULL, "own", 1000, 1000, 0));
	ERR(EACCES, pf_linkat(P, &U1, NULL, "own", NULL, "d/g", 0));
	ERR(EPERM, pf_linkat(P, &U1, NULL, "own", NULL, "own/g", 0));
	/* the permission check on the directory comes before the type
	 * checks (Linux may_delete order) */
	MKDIR("d/sub");
	ERR(EACCES, pf_renameat2(P, &U1, NULL, "d/f", NULL, "d/sub", 0));
	ERR(EACCES, pf_renameat2(P, &U1, NULL, "d/sub", NULL, "d/f", 0));
	ERR(EACCES, pf_unlinkat(P, &U1, NULL, "d/sub", 0));
	ERR(EACCES, pf_unlinkat(P, &U1, NULL, "d/f", AT_REMOVEDIR));
	OK(pf_unlinkat(P, &ROOT, NULL, "d/sub", AT_REMOVEDIR));
	/* but an existing file it may write is fine */
	f = OPEN_AS(&U1, "d/f", O_RDWR | O_CREAT, 0644);
	pf_close(f);
	/* w without x on the directory is not enough */
	OK(pf_fchmodat(P, &ROOT, NULL, "d", 0766, 0));
	ERR(EACCES, pf_openat(P, &U1, NULL, "d/x", O_CREAT | O_RDWR, 0644,
			      &f));
	/* wx is */
	OK(pf_fchmodat(P, &ROOT, NULL, "d", 0733, 0));
	f = OPEN_AS(&U1, "d/x", O_CREAT | O_RDWR, 0644);
	pf_close(f);
	EQ(1000, STAT("d/x").uid);
	EQ(1000, STAT("d/x").gid);
	OK(pf_unlinkat(P, &U1, NULL, "d/f", 0));
	/* moving a directory to another parent needs write permission on
	 * the directory (its .. changes); renaming in place does not */
	MKDIR("pa");
	MKDIR("pb");
	MKDIR("pa/x");
	OK(pf_fchmodat(P, &ROOT, NULL, "pa", 0777, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "pb", 0777, 0));
	ERR(EACCES, pf_renameat2(P, &U1, NULL, "pa/x", NULL, "pb/x", 0));
	OK(pf_renameat2(P, &U1, NULL, "pa/x", NULL, "pa/y", 0));
	/* rmdir needs write on the parent, not on the directory */
	OK(pf_unlinkat(P, &U1, NULL, "pa/y", AT_REMOVEDIR));
}

static void sticky(void)
{
	users();
	pf_file *f;
	MKDIR("t");
	OK(pf_fchmodat(P, &ROOT, NULL, "t", 01777, 0));
	f = OPEN_AS(&U1, "t/f", O_CREAT | O_RDWR, 0666);
	pf_close(f);
	OK(pf_mkdirat(P, &U1, NULL, "t/dd", 0777));
	f = OPEN_AS(&U2, "t/mine", O_CREAT | O_RDWR, 0666);
	pf_close(f);
	ERR(EPERM, pf_unlinkat(P, &U2, NULL, "t/f", 0));
	ERR(EPERM, pf_renameat2(P, &U2, NULL, "t/f", NULL, "t/g", 0));
	ERR(EPERM, pf_unlinkat(P, &U2, NULL, "t/dd", AT_REMOVEDIR));
	/* replacing someone else's file by rename: EPERM too */
	ERR(EPERM, pf_renameat2(P, &U2, NULL, "t/mine", NULL, "t/f", 0));
	CHECK(pft_exists("t/f"));
	CHECK(pft_exists("t/mine"));
	/* writing it is still allowed by its mode */
	f = OPEN_AS(&U2, "t/f", O_WRONLY, 0);
	pf_close(f);
	/* the file's owner may */
	OK(pf_renameat2(P, &U1, NULL, "t/f", NULL, "t/f2", 0));
	/* the directory's owner may */
	OK(pf_fchownat(P, &ROOT, NULL, "t", 1001, 1001, 0));
	OK(pf_unlinkat(P, &U2, NULL, "t/f2", 0));
	OK(pf_fchownat(P, &ROOT, NULL, "t", 0, 0, 0));
	/* CAP_FOWNER may */
	struct pf_caller fo = U2;
	fo.caps = PF_CAP_FOWNER;
	OK(pf_unlinkat(P, &fo, NULL, "t/dd", AT_REMOVEDIR));
	/* own files are fine */
	OK(pf_unlinkat(P, &U2, NULL, "t/mine", 0));
}

static void setgid_directory(void)
{
	users();
	MKDIR("sg");
	OK(pf_fchownat(P, &ROOT, NULL, "sg", 0, 50, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "sg", 02777, 0));
	pf_file *f = OPEN_AS(&U1, "sg/f", O_CREAT | O_RDWR, 02777);
	pf_close(f);
	OK(pf_mkdirat(P, &U1, NULL, "sg/sub", 0777));
	OK(pf_mknodat(P, &U1, NULL, "sg/fifo", S_IFIFO | 0644, 0));
	OK(pf_symlinkat(P, &U1, "x", NULL, "sg/l"));
	struct pf_stat st = STAT("sg/f");
	EQ(1000, st.uid);
	EQ(50, st.gid);
	/* S_ISGID dropped: U1 is not in group 50 */
	EQ(0777, st.mode & 07777);
	st = STAT("sg/sub");
	EQ(50, st.gid);
	EQ(02777, st.mode & 07777);     /* subdirectories inherit S_ISGID */
	EQ(50, LSTAT("sg/fifo").gid);
	EQ(50, LSTAT("sg/l").gid);
	/* and it goes on below */
	OK(pf_mkdirat(P, &U1, NULL, "sg/sub/deeper", 0755));
	st = STAT("sg/sub/deeper");
	EQ(50, st.gid);
	EQ(02755, st.mode & 07777);
	/* a member of group 50 keeps S_ISGID on a new file */
	uint32_t g[] = { 50 };
	struct pf_caller member = U1;
	member.groups = g;
	member.ngroups = 1;
	f = OPEN_AS(&member, "sg/g", O_CREAT | O_RDWR, 02755);
	pf_close(f);
	EQ(02755, STAT("sg/g").mode & 07777);
	/* mkdir outside a setgid directory drops S_ISGID from mode */
	OK(pf_fchmodat(P, &ROOT, NULL, "/", 0777, 0));
	OK(pf_mkdirat(P, &U1, NULL, "plain", 02777));
	EQ(0777, STAT("plain").mode & 07777);
	EQ(1000, STAT("plain").gid);
	/* O_TMPFILE in a setgid directory */
	f = OPEN_AS(&U1, "sg", O_TMPFILE | O_RDWR, 0600);
	OK(pf_fstat(P, f, &st));
	EQ(50, st.gid);
	pf_close(f);
}

static void setid_cleared_on_write(void)
{
	users();
	PUTS("f", "0123");
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	/* the owner without CAP_FSETID */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06777, 0));
	pf_file *f = OPEN_AS(&U1, "f", O_WRONLY, 0);
	EQ(1, pf_write(P, &U1, f, "x", 1));
	EQ(0777, STAT("f").mode & 07777);
	/* ftruncate too */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06777, 0));
	OK(pf_ftruncate(P, &U1, f, 2));
	EQ(0777, STAT("f").mode & 07777);
	/* fallocate too (Linux: file_modified) */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06777, 0));
	OK(pf_fallocate(P, &U1, f, FALLOC_FL_KEEP_SIZE, 0, 8192));
	EQ(0777, STAT("f").mode & 07777);
	/* pwrite, writev, write_cb all clear */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 04777, 0));
	EQ(1, pf_pwrite(P, &U1, f, "y", 1, 0));
	EQ(0777, STAT("f").mode & 07777);
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 04777, 0));
	struct iovec v = { "z", 1 };
	EQ(1, pf_writev(P, &U1, f, &v, 1));
	EQ(0777, STAT("f").mode & 07777);
	pf_close(f);
	/* with CAP_FSETID: kept */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06777, 0));
	f = OPEN("f", O_WRONLY, 0);
	EQ(1, pf_write(P, &ROOT, f, "x", 1));
	pf_close(f);
	EQ(06777, STAT("f").mode & 07777);
	/* set-group-ID without group execute: kept for a group member,
	 * cleared for a non-member (Linux 6.x) */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 02767, 0));
	struct pf_caller member = pft_user(1001, 1000);
	f = OPEN_AS(&member, "f", O_WRONLY, 0);
	EQ(1, pf_write(P, &member, f, "x", 1));
	pf_close(f);
	EQ(02767, STAT("f").mode & 07777);
	f = OPEN_AS(&U2, "f", O_WRONLY, 0);
	EQ(1, pf_write(P, &U2, f, "x", 1));
	pf_close(f);
	EQ(0767, STAT("f").mode & 07777);
	/* a write of nothing changes nothing */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06777, 0));
	f = OPEN_AS(&U1, "f", O_WRONLY, 0);
	EQ(0, pf_write(P, &U1, f, "x", 0));
	pf_close(f);
	EQ(06777, STAT("f").mode & 07777);
}

static void faccessat_cases(void)
{
	users();
	PUTS("f", "");
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0640, 0));
	OK(pf_faccessat(P, &U1, NULL, "f", F_OK, 0));
	OK(pf_faccessat(P, &U1, NULL, "f", R_OK | W_OK, 0));
	ERR(EACCES, pf_faccessat(P, &U1, NULL, "f", X_OK, 0));
	ERR(EACCES, pf_faccessat(P, &U2, NULL, "f", R_OK, 0));
	OK(pf_faccessat(P, &U2, NULL, "f", F_OK, 0));
	struct pf_caller g = pft_user(1001, 1000);
	OK(pf_faccessat(P, &g, NULL, "f", R_OK, 0));
	ERR(EACCES, pf_faccessat(P, &g, NULL, "f", W_OK, 0));
	OK(pf_faccessat(P, &U1, NULL, "f", R_OK, AT_EACCESS));
	ERR(ENOENT, pf_faccessat(P, &U1, NULL, "nope", F_OK, 0));
	ERR(EINVAL, pf_faccessat(P, &U1, NULL, "f", 8, 0));
	ERR(EINVAL, pf_faccessat(P, &U1, NULL, "f", R_OK, 0x40000000));
	/* symlinks: followed unless NOFOLLOW */
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "l"));
	ERR(EACCES, pf_faccessat(P, &U2, NULL, "l", R_OK, 0));
	OK(pf_faccessat(P, &U2, NULL, "l", R_OK, AT_SYMLINK_NOFOLLOW));
	/* AT_EMPTY_PATH */
	pf_file *h = OPEN("f", O_PATH, 0);
	OK(pf_faccessat(P, &U1, h, "", W_OK, AT_EMPTY_PATH));
	ERR(EACCES, pf_faccessat(P, &U2, h, "", W_OK, AT_EMPTY_PATH));
	pf_close(h);
	/* search permission applies */
	MKDIR("d");
	PUTS("d/x", "");
	OK(pf_fchmodat(P, &ROOT, NULL, "d", 0700, 0));
	ERR(EACCES, pf_faccessat(P, &U1, NULL, "d/x", F_OK, 0));
}

PFT_MAIN(PFT_CASE(search_permission), PFT_CASE(file_classes),
	 PFT_CASE(capabilities), PFT_CASE(dir_write_permission),
	 PFT_CASE(sticky), PFT_CASE(setgid_directory),
	 PFT_CASE(setid_cleared_on_write), PFT_CASE(faccessat_cases))
