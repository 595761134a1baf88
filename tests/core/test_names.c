/* SPDX-License-Identifier: BSD-3-Clause */
/* Names: unlink, rename/renameat2, link, symlink/readlink, mknod. */
#define _GNU_SOURCE
#include "pftest.h"

#include <linux/fs.h>
#include <sys/sysmacros.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

static void unlink_cases(void)
{
	PUTS("f", "x");
	MKDIR("d");
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "l"));
	ERR(EISDIR, pf_unlinkat(P, &ROOT, NULL, "d", 0));
	ERR(EISDIR, pf_unlinkat(P, &ROOT, NULL, "d/.", 0));
	ERR(EISDIR, pf_unlinkat(P, &ROOT, NULL, "/", 0));
	ERR(ENOENT, pf_unlinkat(P, &ROOT, NULL, "nope", 0));
	ERR(ENOENT, pf_unlinkat(P, &ROOT, NULL, "nope/x", 0));
	ERR(ENOTDIR, pf_unlinkat(P, &ROOT, NULL, "f/x", 0));
	ERR(ENOENT, pf_unlinkat(P, &ROOT, NULL, "", 0));
	/* the link goes, not its target */
	OK(pf_unlinkat(P, &ROOT, NULL, "l", 0));
	CHECK(!pft_exists("l"));
	CONTENT("f", "x");
	/* hard links: nlink drops, data stays */
	OK(pf_linkat(P, &ROOT, NULL, "f", NULL, "g", 0));
	EQ(2, STAT("f").nlink);
	OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
	EQ(1, STAT("g").nlink);
	CONTENT("g", "x");
	OK(pf_unlinkat(P, &ROOT, NULL, "g", 0));
	STREQ("d", pft_list("/"));
	/* a FIFO and a socket */
	OK(pf_mknodat(P, &ROOT, NULL, "fifo", S_IFIFO | 0600, 0));
	OK(pf_unlinkat(P, &ROOT, NULL, "fifo", 0));
	/* relative to a dir argument */
	PUTS("d/x", "");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	OK(pf_unlinkat(P, &ROOT, d, "x", 0));
	pf_close(d);
	CHECK(!pft_exists("d/x"));
}

static void rename_files(void)
{
	PUTS("a", "A");
	PUTS("b", "B");
	uint64_t ino = STAT("a").ino;
	OK(pf_renameat2(P, &ROOT, NULL, "a", NULL, "c", 0));
	CHECK(!pft_exists("a"));
	CONTENT("c", "A");
	EQ(ino, STAT("c").ino);
	/* over an existing file: it is replaced */
	pf_file *ob = OPEN("b", O_RDONLY, 0);
	OK(pf_renameat2(P, &ROOT, NULL, "c", NULL, "b", 0));
	CONTENT("b", "A");
	STREQ("b", pft_list("/"));
	/* the replaced inode is still readable through an open file */
	struct pf_stat st;
	OK(pf_fstat(P, ob, &st));
	EQ(0, st.nlink);
	char buf[4];
	EQ(1, pf_pread(P, ob, buf, sizeof(buf), 0));
	EQ('B', buf[0]);
	pf_close(ob);
	/* NOREPLACE */
	PUTS("x", "X");
	ERR(EEXIST, pf_renameat2(P, &ROOT, NULL, "x", NULL, "b",
				 RENAME_NOREPLACE));
	CONTENT("b", "A");
	CONTENT("x", "X");
	OK(pf_renameat2(P, &ROOT, NULL, "x", NULL, "y", RENAME_NOREPLACE));
	CONTENT("y", "X");
	/* to itself and to a hard link of itself: nothing happens */
	OK(pf_renameat2(P, &ROOT, NULL, "y", NULL, "y", 0));
	CONTENT("y", "X");
	OK(pf_linkat(P, &ROOT, NULL, "y", NULL, "y2", 0));
	OK(pf_renameat2(P, &ROOT, NULL, "y", NULL, "y2", 0));
	CHECK(pft_exists("y"));
	CHECK(pft_exists("y2"));
	EQ(2, STAT("y").nlink);
	/* into a directory, with a dir argument */
	MKDIR("d");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	OK(pf_renameat2(P, &ROOT, NULL, "b", d, "b2", 0));
	pf_close(d);
	CONTENT("d/b2", "A");
	/* across directories, over a name whose inode has another link: it
	 * keeps that one (the fsck after the case checks both sizes) */
	MKDIR("e");
	PUTS("e/t", "T");
	OK(pf_linkat(P, &ROOT, NULL, "e/t", NULL, "t2", 0));
	OK(pf_renameat2(P, &ROOT, NULL, "d/b2", NULL, "e/t", 0));
	CONTENT("e/t", "A");
	CONTENT("t2", "T");
	EQ(1, STAT("t2").nlink);
	STREQ("", pft_list("/d"));
	STREQ("t", pft_list("/e"));
	OK(pf_renameat2(P, &ROOT, NULL, "e/t", NULL, "d/b2", 0));
	/* a symlink is renamed, not its target */
	OK(pf_symlinkat(P, &ROOT, "y", NULL, "ly"));
	OK(pf_renameat2(P, &ROOT, NULL, "ly", NULL, "ly2", 0));
	CHECK(S_ISLNK(LSTAT("ly2").mode));
	CONTENT("y", "X");
}

static void rename_errors(void)
{
	PUTS("f", "F");
	MKDIR("d");
	MKDIR("d/sub");
	MKDIR("e");
	MKDIR("full");
	PUTS("full/x", "");
	static const struct {
		const char *from, *to;
		unsigned flags;
		int err;
	} bad[] = {
		{ "nope", "x", 0, ENOENT },
		{ "f", "nodir/x", 0, ENOENT },
		{ "f", "f/x", 0, ENOTDIR },
		/* file over dir, dir over file */
		{ "f", "e", 0, EISDIR },
		{ "e", "f", 0, ENOTDIR },
		/* dir over non-empty dir */
		{ "e", "full", 0, ENOTEMPTY },
		/* dir into its own subtree */
		{ "d", "d/sub/x", 0, EINVAL },
		{ "d", "d/x", 0, EINVAL },
		/* dir onto its own ancestor */
		{ "d/sub", "d", 0, ENOTEMPTY },
		/* . and .. and / */
		{ "d/.", "x", 0, EBUSY },
		{ "d/sub/..", "x", 0, EBUSY },
		{ "e", "d/..", 0, EBUSY },
		{ "/", "x", 0, EBUSY },
		/* flags */
		{ "f", "g", RENAME_NOREPLACE | RENAME_EXCHANGE, EINVAL },
		{ "f", "g", RENAME_WHITEOUT, EINVAL },
		{ "f", "g", 0x80, EINVAL },
	};
	for (size_t i = 0; i < ROWS(bad); i++) {
		char what[96];
		snprintf(what, sizeof(what), "rename %s -> %s, flags %#x",
			 bad[i].from, bad[i].to, bad[i].flags);
		EQ_ROW(what, -bad[i].err,
		       pf_renameat2(P, &ROOT, NULL, bad[i].from, NULL,
				    bad[i].to, bad[i].flags));
	}
	/* nothing moved */
	STREQ("d e f full", pft_list("/"));
	STREQ("sub", pft_list("d"));
	EQ(5, STAT("/").nlink);         /* d e full */
}

static void rename_directories_nlink(void)
{
	MKDIR("a");
	MKDIR("b");
	MKDIR("a/x");
	MKDIR("a/x/inner");
	EQ(3, STAT("a").nlink);
	EQ(2, STAT("b").nlink);
	uint64_t xino = STAT("a/x").ino;
	/* move a directory to another parent */
	OK(pf_renameat2(P, &ROOT, NULL, "a/x", NULL, "b/x", 0));
	EQ(2, STAT("a").nlink);
	EQ(3, STAT("b").nlink);
	EQ(3, STAT("b/x").nlink);
	EQ(xino, STAT("b/x").ino);
	/* its .. follows */
	EQ(STAT("b").ino, STAT("b/x/..").ino);
	EQ(STAT("b/x").ino, STAT("b/x/inner/..").ino);
	/* over an empty directory in a third parent */
	MKDIR("c");
	MKDIR("c/empty");
	EQ(3, STAT("c").nlink);
	OK(pf_renameat2(P, &ROOT, NULL, "b/x", NULL, "c/empty", 0));
	EQ(2, STAT("b").nlink);
	EQ(3, STAT("c").nlink);
	EQ(xino, STAT("c/empty").ino);
	EQ(STAT("c").ino, STAT("c/empty/..").ino);
	/* same parent */
	OK(pf_renameat2(P, &ROOT, NULL, "c/empty", NULL, "c/x", 0));
	EQ(3, STAT("c").nlink);
	/* root's count: a b c */
	EQ(5, STAT("/").nlink);
	/* a directory up to the root */
	OK(pf_renameat2(P, &ROOT, NULL, "c/x", NULL, "top", 0));
	EQ(6, STAT("/").nlink);
	EQ(2, STAT("c").nlink);
	EQ(STAT("/").ino, STAT("top/..").ino);
}

static void rename_exchange(void)
{
	PUTS("f", "F");
	PUTS("g", "G");
	OK(pf_renameat2(P, &ROOT, NULL, "f", NULL, "g", RENAME_EXCHANGE));
	CONTENT("f", "G");
	CONTENT("g", "F");
	/* both must exist */
	ERR(ENOENT, pf_renameat2(P, &ROOT, NULL, "f", NULL, "nope",
				 RENAME_EXCHANGE));
	ERR(ENOENT, pf_renameat2(P, &ROOT, NULL, "nope", NULL, "f",
				 RENAME_EXCHANGE));
	/* a directory with a file in another directory */
	MKDIR("a");
	MKDIR("b");
	MKDIR("a/dir");
	PUTS("a/dir/inside", "I");
	PUTS("b/file", "BF");
	EQ(3, STAT("a").nlink);
	EQ(2, STAT("b").nlink);
	OK(pf_renameat2(P, &ROOT, NULL, "a/dir", NULL, "b/file",
			RENAME_EXCHANGE));
	CONTENT("a/dir", "BF");
	CONTENT("b/file/inside", "I");
	EQ(2, STAT("a").nlink);
	EQ(3, STAT("b").nlink);
	EQ(STAT("b").ino, STAT("b/file/..").ino);
	/* exchanging two directories in different parents */
	MKDIR("a/d2");
	MKDIR("a/d2/s");
	OK(pf_renameat2(P, &ROOT, NULL, "a/d2", NULL, "b/file",
			RENAME_EXCHANGE));
	CHECK(pft_exists("b/file/s"));
	CHECK(pft_exists("a/d2/inside"));
	EQ(3, STAT("a").nlink);
	EQ(3, STAT("b").nlink);
	EQ(STAT("a").ino, STAT("a/d2/..").ino);
	EQ(STAT("b").ino, STAT("b/file/..").ino);
	/* exchanging a directory with its own descendant */
	ERR(EINVAL, pf_renameat2(P, &ROOT, NULL, "b", NULL, "b/file/s",
				 RENAME_EXCHANGE));
	ERR(EINVAL, pf_renameat2(P, &ROOT, NULL, "b/file/s", NULL, "b",
				 RENAME_EXCHANGE));
	/* non-empty directories may be exchanged */
	OK(pf_renameat2(P, &ROOT, NULL, "a", NULL, "b", RENAME_EXCHANGE));
	CHECK(pft_exists("a/file/s"));
	CHECK(pft_exists("b/d2/inside"));
	/* with itself */
	OK(pf_renameat2(P, &ROOT, NULL, "f", NULL, "f", RENAME_EXCHANGE));
	CONTENT("f", "G");
}

static void link_cases(void)
{
	PUTS("f", "F");
	MKDIR("d");
	OK(pf_linkat(P, &ROOT, NULL, "f", NULL, "d/g", 0));
	EQ(2, STAT("f").nlink);
	EQ(STAT("f").ino, STAT("d/g").ino);
	ERR(EPERM, pf_linkat(P, &ROOT, NULL, "d", NULL, "d2", 0));
	ERR(EEXIST, pf_linkat(P, &ROOT, NULL, "f", NULL, "d/g", 0));
	ERR(EEXIST, pf_linkat(P, &ROOT, NULL, "f", NULL, "d", 0));
	ERR(ENOENT, pf_linkat(P, &ROOT, NULL, "nope", NULL, "x", 0));
	ERR(ENOENT, pf_linkat(P, &ROOT, NULL, "f", NULL, "nodir/x", 0));
	ERR(ENOENT, pf_linkat(P, &ROOT, NULL, "f", NULL, "n/", 0));
	ERR(EINVAL, pf_linkat(P, &ROOT, NULL, "f", NULL, "x", 0x4000000));
	/* symlinks: not followed by default, followed on request */
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "l"));
	OK(pf_linkat(P, &ROOT, NULL, "l", NULL, "l2", 0));
	CHECK(S_ISLNK(LSTAT("l2").mode));
	EQ(2, LSTAT("l").nlink);
	OK(pf_linkat(P, &ROOT, NULL, "l", NULL, "f3", AT_SYMLINK_FOLLOW));
	CHECK(S_ISREG(LSTAT("f3").mode));
	EQ(3, STAT("f").nlink);
	/* writes through one name are seen through the other */
	pf_file *w = OPEN("d/g", O_WRONLY | O_APPEND, 0);
	EQ(1, pf_write(P, &ROOT, w, "+", 1));
	pf_close(w);
	CONTENT("f3", "F+");
	/* special files can be linked */
	OK(pf_mknodat(P, &ROOT, NULL, "fifo", S_IFIFO | 0600, 0));
	OK(pf_linkat(P, &ROOT, NULL, "fifo", NULL, "fifo2", 0));
	EQ(2, LSTAT("fifo").nlink);
}

static void symlink_readlink(void)
{
	char target[PF_SYMLINK_MAX + 2];
	char buf[PF_SYMLINK_MAX + 10];
	memset(target, 't', sizeof(target));
	target[PF_SYMLINK_MAX] = 0;                 /* 4095 bytes */
	OK(pf_symlinkat(P, &ROOT, target, NULL, "long"));
	EQ(PF_SYMLINK_MAX, pf_readlinkat(P, &ROOT, NULL, "long", buf,
					 sizeof(buf)));
	MEMEQ(target, buf, PF_SYMLINK_MAX);
	EQ(PF_SYMLINK_MAX, LSTAT("long").size);
	target[PF_SYMLINK_MAX] = 't';
	target[PF_SYMLINK_MAX + 1] = 0;             /* 4096 bytes */
	ERR(ENAMETOOLONG, pf_symlinkat(P, &ROOT, target, NULL, "toolong"));
	CHECK(!pft_exists("toolong"));
	/* an empty target */
	ERR(ENOENT, pf_symlinkat(P, &ROOT, "", NULL, "empty"));
	/* existing name */
	PUTS("f", "F");
	ERR(EEXIST, pf_symlinkat(P, &ROOT, "x", NULL, "f"));
	ERR(EEXIST, pf_symlinkat(P, &ROOT, "x", NULL, "long"));
	ERR(ENOENT, pf_symlinkat(P, &ROOT, "x", NULL, "nodir/l"));
	/* attributes */
	OK(pf_symlinkat(P, &ROOT, "some/target", NULL, "s"));
	struct pf_stat st = LSTAT("s");
	CHECK(S_ISLNK(st.mode));
	EQ(0777, st.mode & 07777);
	EQ(11, st.size);
	EQ(1, st.nlink);
	/* readlink: truncation, no NUL */
	memset(buf, '#', 20);
	EQ(4, pf_readlinkat(P, &ROOT, NULL, "s", buf, 4));
	MEMEQ("some#", buf, 5);
	EQ(11, pf_readlinkat(P, &ROOT, NULL, "s", buf, 100));
	EQ('#', buf[11]);
	ERR(EINVAL, pf_readlinkat(P, &ROOT, NULL, "s", buf, 0));
	ERR(EINVAL, pf_readlinkat(P, &ROOT, NULL, "f", buf, 100));
	MKDIR("d");
	ERR(EINVAL, pf_readlinkat(P, &ROOT, NULL, "d", buf, 100));
	ERR(ENOENT, pf_readlinkat(P, &ROOT, NULL, "nope", buf, 100));
	/* intermediate symlinks are followed, the last is not */
	OK(pf_symlinkat(P, &ROOT, "d", NULL, "ld"));
	OK(pf_symlinkat(P, &ROOT, "inner", NULL, "d/l"));
	EQ(5, pf_readlinkat(P, &ROOT, NULL, "ld/l", buf, 100));
	MEMEQ("inner", buf, 5);
	/* with a dir argument and an empty path: the O_PATH link itself */
	pf_file *l = OPEN("s", O_PATH | O_NOFOLLOW, 0);
	EQ(11, pf_readlinkat(P, &ROOT, l, "", buf, 100));
	pf_close(l);
	/* an empty path on a non-link: ENOENT (Linux readlinkat) */
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	ERR(ENOENT, pf_readlinkat(P, &ROOT, d, "", buf, 100));
	pf_close(d);
	/* symlink to a name with every byte but / and NUL */
	char odd[256];
	for (int i = 0; i < 254; i++)
		odd[i] = (char)(i + 1 == '/' ? 'x' : i + 1);
	odd[254] = 0;
	OK(pf_symlinkat(P, &ROOT, odd, NULL, "odd"));
	EQ(254, pf_readlinkat(P, &ROOT, NULL, "odd", buf, 300));
	MEMEQ(odd, buf, 254);
}

static void mknod_cases(void)
{
	OK(pf_mknodat(P, &ROOT, NULL, "fifo", S_IFIFO | 0640, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "sock", S_IFSOCK | 0600, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "reg", S_IFREG | 0600, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "zero", 0600, 0));   /* 0 type: file */
	OK(pf_mknodat(P, &ROOT, NULL, "chr", S_IFCHR | 0600, makedev(1, 3)));
	OK(pf_mknodat(P, &ROOT, NULL, "blk", S_IFBLK | 0600, makedev(8, 1)));
	struct pf_stat st = LSTAT("fifo");
	CHECK(S_ISFIFO(st.mode));
	EQ(0640, st.mode & 07777);
	EQ(0, st.size);
	CHECK(S_ISSOCK(LSTAT("sock").mode));
	CHECK(S_ISREG(LSTAT("reg").mode));
	CHECK(S_ISREG(LSTAT("zero").mode));
	st = LSTAT("chr");
	CHECK(S_ISCHR(st.mode));
	EQ(makedev(1, 3), st.rdev);
	st = LSTAT("blk");
	CHECK(S_ISBLK(st.mode));
	EQ(makedev(8, 1), st.rdev);
	ERR(EEXIST, pf_mknodat(P, &ROOT, NULL, "fifo", S_IFIFO | 0640, 0));
	ERR(EPERM, pf_mknodat(P, &ROOT, NULL, "dir", S_IFDIR | 0755, 0));
	ERR(EINVAL, pf_mknodat(P, &ROOT, NULL, "lnk", S_IFLNK | 0777, 0));
	ERR(ENOENT, pf_mknodat(P, &ROOT, NULL, "nodir/x", S_IFIFO | 0640, 0));
	/* devices need CAP_MKNOD; FIFOs and sockets do not */
	OK(pf_fchmodat(P, &ROOT, NULL, "/", 0777, 0));
	struct pf_caller u = pft_user(1000, 1000);
	ERR(EPERM, pf_mknodat(P, &u, NULL, "uchr", S_IFCHR | 0600,
			      makedev(1, 3)));
	ERR(EPERM, pf_mknodat(P, &u, NULL, "ublk", S_IFBLK | 0600,
			      makedev(8, 1)));
	struct pf_caller nomknod = ROOT;
	nomknod.caps &= ~PF_CAP_MKNOD;
	ERR(EPERM, pf_mknodat(P, &nomknod, NULL, "rchr", S_IFCHR | 0600,
			      makedev(1, 3)));
	OK(pf_mknodat(P, &u, NULL, "ufifo", S_IFIFO | 0600, 0));
	EQ(1000, LSTAT("ufifo").uid);
	OK(pf_mknodat(P, &u, NULL, "usock", S_IFSOCK | 0600, 0));
	/* and it shows up in the listing with the right types */
	STREQ("blk chr fifo reg sock ufifo usock zero", pft_list("/"));
}

PFT_MAIN(PFT_CASE(unlink_cases), PFT_CASE(rename_files),
	 PFT_CASE(rename_errors), PFT_CASE(rename_directories_nlink),
	 PFT_CASE(rename_exchange), PFT_CASE(link_cases),
	 PFT_CASE(symlink_readlink), PFT_CASE(mknod_cases))
