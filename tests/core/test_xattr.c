/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Extended attributes: set/get/list/remove, their flags and errors, the
 * namespaces and permissions (as Linux's fs/xattr.c and tmpfs answer:
 * tests/syscalls/sc_xattr.c proves the same natively), ctime, st_blocks
 * and statfs, persistence, freeing with the inode (fsck after each case
 * finds any leak).
 */
#define _GNU_SOURCE
#include "pftest.h"

#include <pthread.h>
#include <sys/xattr.h>

static int set(const char *path, const char *name, const char *v, int flags)
{
	return pf_setxattrat(P, &ROOT, NULL, path, 0, name, v,
			     v ? strlen(v) : 0, flags);
}

/* the value as a string ("" when absent: then *err holds why) */
static const char *get(const char *path, const char *name)
{
	static char buf[PF_XATTR_SIZE_MAX + 1];
	ssize_t n = pf_getxattrat(P, &ROOT, NULL, path, 0, name, buf,
				  sizeof(buf) - 1);
	if (n < 0)
		pft_fail(__FILE__, __LINE__, "get %s %s: %zd", path, name, n);
	buf[n] = 0;
	return buf;
}

/* the names, joined by ' ' */
static const char *list(struct pf_caller *c, const char *path, int at)
{
	static char buf[PF_XATTR_LIST_MAX], out[PF_XATTR_LIST_MAX];
	ssize_t n = pf_listxattrat(P, c, NULL, path, at, buf, sizeof(buf));
	if (n < 0)
		pft_fail(__FILE__, __LINE__, "list %s: %zd", path, n);
	out[0] = 0;
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
		if (out[0])
			strcat(out, " ");
		strcat(out, buf + i);
	}
	return out;
}

static void basic(void)
{
	PUTS("f", "data");
	OK(set("f", "user.b", "two", 0));
	OK(set("f", "user.a", "one", 0));
	STREQ("one", get("f", "user.a"));
	STREQ("two", get("f", "user.b"));
	/* size 0 asks for the length; too small a buffer is ERANGE */
	EQ(3, pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.a", NULL, 0));
	char b[2];
	ERR(ERANGE, pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.a", b, 2));
	ERR(ENODATA, pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.c", b, 2));
	/* sorted by name whatever the order of setting */
	STREQ("user.a user.b", list(&ROOT, "f", 0));
	EQ(14, pf_listxattrat(P, &ROOT, NULL, "f", 0, NULL, 0));
	char l[13];
	ERR(ERANGE, pf_listxattrat(P, &ROOT, NULL, "f", 0, l, sizeof(l)));
	/* replace with a longer and a shorter value; an empty one */
	OK(set("f", "user.a", "a much longer value", 0));
	STREQ("a much longer value", get("f", "user.a"));
	OK(set("f", "user.a", "x", 0));
	STREQ("x", get("f", "user.a"));
	OK(set("f", "user.e", NULL, 0));
	EQ(0, pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.e", NULL, 0));
	STREQ("user.a user.b user.e", list(&ROOT, "f", 0));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.b"));
	ERR(ENODATA, pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.b"));
	STREQ("user.a user.e", list(&ROOT, "f", 0));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.a"));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.e"));
	EQ(0, pf_listxattrat(P, &ROOT, NULL, "f", 0, NULL, 0));
	CONTENT("f", "data");
	/* directories too */
	MKDIR("d");
	OK(set("d", "user.dir", "yes", 0));
	STREQ("yes", get("d", "user.dir"));
}

static void flags_and_names(void)
{
	PUTS("f", "");
	OK(set("f", "user.a", "1", XATTR_CREATE));
	ERR(EEXIST, set("f", "user.a", "2", XATTR_CREATE));
	ERR(ENODATA, set("f", "user.n", "2", XATTR_REPLACE));
	OK(set("f", "user.a", "3", XATTR_REPLACE));
	ERR(EEXIST, set("f", "user.a", "2", XATTR_CREATE | XATTR_REPLACE));
	ERR(ENODATA, set("f", "user.n", "2", XATTR_CREATE | XATTR_REPLACE));
	ERR(EINVAL, set("f", "user.a", "2", 4));
	STREQ("3", get("f", "user.a"));
	/* names: "" and over 255 bytes are ERANGE, before the path */
	ERR(ERANGE, set("f", "", "v", 0));
	ERR(ERANGE, set("missing", "", "v", 0));
	char n[300] = "user.";
	memset(n + 5, 'n', 250);
	n[255] = 0;
	OK(set("f", n, "long", 0));
	STREQ("long", get("f", n));
	n[255] = 'n';
	n[256] = 0;
	ERR(ERANGE, set("f", n, "v", 0));
	ERR(ERANGE, pf_getxattrat(P, &ROOT, NULL, "f", 0, n, NULL, 0));
	ERR(ERANGE, pf_removexattrat(P, &ROOT, NULL, "f", 0, n));
	ERR(ENOENT, set("missing", "user.a", "v", 0));
	/* namespaces */
	ERR(EINVAL, set("f", "user.", "v", 0));
	ERR(EOPNOTSUPP, set("f", "foo.bar", "v", 0));
	ERR(EOPNOTSUPP,
	    pf_getxattrat(P, &ROOT, NULL, "f", 0, "foo.bar", NULL, 0));
	ERR(EOPNOTSUPP, set("f", "system.foo", "v", 0));
	ERR(EOPNOTSUPP,
	    pf_getxattrat(P, &ROOT, NULL, "f", 0, "system.posix_acl_access",
			  NULL, 0));
	OK(set("f", "trusted.t", "t", 0));
	OK(set("f", "security.s", "s", 0));
	/* values: up to 64 KiB */
	static char big[PF_XATTR_SIZE_MAX + 1];
	memset(big, 'v', sizeof(big));
	ERR(E2BIG,
	    pf_setxattrat(P, &ROOT, NULL, "f", 0, "user.big", big, sizeof(big),
			  0));
	OK(pf_setxattrat(P, &ROOT, NULL, "f", 0, "user.big", big,
			 PF_XATTR_SIZE_MAX, 0));
	EQ(PF_XATTR_SIZE_MAX,
	   pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.big", NULL, 0));
	/* bad *at flags */
	ERR(EINVAL,
	    pf_setxattrat(P, &ROOT, NULL, "f", AT_REMOVEDIR, "user.a", "v", 1,
			  0));
}

static void symlinks_and_special(void)
{
	PUTS("f", "");
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "l"));
	OK(pf_mknodat(P, &ROOT, NULL, "p", S_IFIFO | 0644, 0));
	/* user.* follows the link to the file; not on the link itself */
	OK(set("l", "user.via", "link", 0));
	STREQ("link", get("f", "user.via"));
	ERR(EPERM,
	    pf_setxattrat(P, &ROOT, NULL, "l", AT_SYMLINK_NOFOLLOW, "user.x",
			  "1", 1, 0));
	ERR(ENODATA,
	    pf_getxattrat(P, &ROOT, NULL, "l", AT_SYMLINK_NOFOLLOW, "user.x",
			  NULL, 0));
	ERR(EPERM,
	    pf_removexattrat(P, &ROOT, NULL, "l", AT_SYMLINK_NOFOLLOW,
			     "user.x"));
	OK(pf_setxattrat(P, &ROOT, NULL, "l", AT_SYMLINK_NOFOLLOW, "trusted.x",
			 "1", 1, 0));
	OK(pf_setxattrat(P, &ROOT, NULL, "l", AT_SYMLINK_NOFOLLOW, "security.x",
			 "2", 1, 0));
	STREQ("security.x trusted.x", list(&ROOT, "l", AT_SYMLINK_NOFOLLOW));
	STREQ("user.via", list(&ROOT, "l", 0));
	ERR(EPERM, set("p", "user.x", "1", 0));
	ERR(ENODATA, pf_getxattrat(P, &ROOT, NULL, "p", 0, "user.x", NULL, 0));
	OK(set("p", "trusted.x", "1", 0));
	/* freed with the symlink and the FIFO (fsck after the case) */
	OK(pf_unlinkat(P, &ROOT, NULL, "l", 0));
	OK(pf_unlinkat(P, &ROOT, NULL, "p", 0));
}

static void permissions(void)
{
	struct pf_caller u = pft_user(1000, 1000), o = pft_user(2000, 2000);
	u.caps = o.caps = 0;
	PUTS("f", "");
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0644, 0));
	OK(pf_setxattrat(P, &u, NULL, "f", 0, "user.a", "1", 1, 0));
	/* trusted.*: CAP_SYS_ADMIN; without it EPERM to change, ENODATA to
	 * read, and left out of the list */
	ERR(EPERM, pf_setxattrat(P, &u, NULL, "f", 0, "trusted.t", "1", 1, 0));
	OK(set("f", "trusted.t", "t", 0));
	ERR(ENODATA, pf_getxattrat(P, &u, NULL, "f", 0, "trusted.t", NULL, 0));
	ERR(EPERM, pf_removexattrat(P, &u, NULL, "f", 0, "trusted.t"));
	STREQ("trusted.t user.a", list(&ROOT, "f", 0));
	STREQ("user.a", list(&u, "f", 0));
	/* security.*: stored; changing needs CAP_SYS_ADMIN, reading nothing */
	ERR(EPERM, pf_setxattrat(P, &u, NULL, "f", 0, "security.s", "1", 1, 0));
	OK(set("f", "security.s", "s", 0));
	EQ(1, pf_getxattrat(P, &o, NULL, "f", 0, "security.s", NULL, 0));
	ERR(EPERM, pf_removexattrat(P, &u, NULL, "f", 0, "security.s"));
	/* user.*: read permission to get, write to change; list needs none */
	EQ(1, pf_getxattrat(P, &o, NULL, "f", 0, "user.a", NULL, 0));
	ERR(EACCES, pf_setxattrat(P, &o, NULL, "f", 0, "user.a", "2", 1, 0));
	ERR(EACCES, pf_removexattrat(P, &o, NULL, "f", 0, "user.a"));
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0600, 0));
	ERR(EACCES, pf_getxattrat(P, &o, NULL, "f", 0, "user.a", NULL, 0));
	STREQ("security.s user.a", list(&o, "f", 0));
	/* the permission check comes before the name's namespace */
	ERR(EACCES, pf_setxattrat(P, &o, NULL, "f", 0, "user.", "1", 1, 0));
	/* CAP_DAC_OVERRIDE is enough for user.* */
	o.caps = PF_CAP_DAC_OVERRIDE;
	OK(pf_setxattrat(P, &o, NULL, "f", 0, "user.b", "2", 1, 0));
	/* a sticky directory: only its owner (or CAP_FOWNER) sets user.* */
	OK(pf_mkdirat(P, &ROOT, NULL, "t", 01777));
	OK(pf_fchmodat(P, &ROOT, NULL, "t", 01777, 0));
	ERR(EPERM, pf_setxattrat(P, &u, NULL, "t", 0, "user.a", "1", 1, 0));
	u.caps = PF_CAP_FOWNER;
	OK(pf_setxattrat(P, &u, NULL, "t", 0, "user.a", "1", 1, 0));
	u.caps = 0;
	ERR(EPERM, pf_removexattrat(P, &u, NULL, "t", 0, "user.a"));
	EQ(1, pf_getxattrat(P, &u, NULL, "t", 0, "user.a", NULL, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "t", 0777, 0));
	OK(pf_removexattrat(P, &u, NULL, "t", 0, "user.a"));
}

/* setcap's value round-trips; a malformed one is EINVAL; CAP_SETFCAP */
static void capability(void)
{
	PUTS("f", "");
	struct pf_caller u = pft_user(0, 0);
	u.caps = PF_CAP_SYS_ADMIN;
	uint32_t v2[5] = { 0x02000001, 0x400, 0, 0,
			   0 }; /* cap_net_bind_service+ep */
	OK(pf_setxattrat(P, &ROOT, NULL, "f", 0, "security.capability", v2,
			 sizeof(v2), 0));
	uint32_t got[6] = { 0 };
	EQ(20,
	   pf_getxattrat(P, &ROOT, NULL, "f", 0, "security.capability", got,
			 sizeof(got)));
	MEMEQ(v2, got, sizeof(v2));
	ERR(EINVAL,
	    pf_setxattrat(P, &ROOT, NULL, "f", 0, "security.capability", v2, 12,
			  0));
	uint32_t bad[5] = { 0x03000001, 0, 0, 0, 0 };
	ERR(EINVAL,
	    pf_setxattrat(P, &ROOT, NULL, "f", 0, "security.capability", bad,
			  sizeof(bad), 0));
	ERR(EPERM,
	    pf_setxattrat(P, &u, NULL, "f", 0, "security.capability", v2,
			  sizeof(v2), 0));
	ERR(EPERM,
	    pf_removexattrat(P, &u, NULL, "f", 0, "security.capability"));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "security.capability"));
}

static void fd_forms(void)
{
	PUTS("f", "");
	pf_file *f = OPEN("f", O_RDONLY, 0);
	OK(pf_fsetxattr(P, &ROOT, f, "user.a", "fd", 2, 0));
	char b[8];
	EQ(2, pf_fgetxattr(P, &ROOT, f, "user.a", b, sizeof(b)));
	MEMEQ("fd", b, 2);
	EQ(7, pf_flistxattr(P, &ROOT, f, b, sizeof(b)));
	STREQ("user.a", b);
	OK(pf_fremovexattr(P, &ROOT, f, "user.a"));
	ERR(ENODATA, pf_fremovexattr(P, &ROOT, f, "user.a"));
	pf_close(f);
	/* O_PATH: EBADF for the f forms; the *at forms with AT_EMPTY_PATH */
	f = OPEN("f", O_PATH, 0);
	ERR(EBADF, pf_fsetxattr(P, &ROOT, f, "user.a", "fd", 2, 0));
	ERR(EBADF, pf_fgetxattr(P, &ROOT, f, "user.a", b, sizeof(b)));
	ERR(EBADF, pf_flistxattr(P, &ROOT, f, b, sizeof(b)));
	ERR(EBADF, pf_fremovexattr(P, &ROOT, f, "user.a"));
	OK(pf_setxattrat(P, &ROOT, f, "", AT_EMPTY_PATH, "user.e", "1", 1, 0));
	STREQ("1", get("f", "user.e"));
	pf_close(f);
}

/* ctime changes on set and remove (not on get or a failed change);
 * st_blocks and statfs count the blob */
static void times_and_space(void)
{
	PUTS("f", "");
	pft_set_old_times("f");
	struct pf_stat st = STAT("f");
	EQ(0, st.blocks);
	struct timespec c0 = st.ctime;
	struct timespec t = { 0, 1000000 };
	nanosleep(&t, NULL);
	ERR(ENODATA, pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.a"));
	EQ(0, pft_ts_cmp(c0, STAT("f").ctime));
	OK(set("f", "user.a", "1", 0));
	st = STAT("f");
	CHECK(pft_ts_cmp(st.ctime, c0) > 0);
	CHECK(IS_OLD(st.mtime));
	EQ(1, st.blocks);
	struct timespec c1 = st.ctime;
	get("f", "user.a");
	EQ(0, pft_ts_cmp(c1, STAT("f").ctime));
	nanosleep(&t, NULL);
	struct pf_statfs s0, s1;
	OK(pf_statfs(P, &s0));
	static char big[PF_XATTR_SIZE_MAX];
	memset(big, 'b', sizeof(big));
	OK(pf_setxattrat(P, &ROOT, NULL, "f", 0, "user.big", big, sizeof(big),
			 0));
	OK(pf_statfs(P, &s1));
	CHECK(s0.bfree - s1.bfree >= sizeof(big) / PF_BLKSIZE);
	CHECK(STAT("f").blocks >= sizeof(big) / 512);
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.big"));
	CHECK(pft_ts_cmp(STAT("f").ctime, c1) > 0);
	OK(pf_statfs(P, &s1));
	CHECK(s1.bfree + 1 >= s0.bfree);
	EQ(1, STAT("f").blocks);
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.a"));
	EQ(0, STAT("f").blocks);
}

static void persistence(void)
{
	PUTS("f", "");
	MKDIR("d");
	OK(set("f", "user.z", "last", 0));
	OK(set("f", "trusted.m", "middle", 0));
	OK(set("d", "user.d", "dir", 0));
	pft_reopen();
	STREQ("last", get("f", "user.z"));
	STREQ("middle", get("f", "trusted.m"));
	STREQ("dir", get("d", "user.d"));
	STREQ("trusted.m user.z", list(&ROOT, "f", 0));
}

/* a remove that keeps others may leave a hole in the blob (no allocation):
 * invisible to get and list, dropped by the next change, persistent */
static void holes(void)
{
	PUTS("f", "");
	OK(set("f", "user.a", "1", 0));
	OK(set("f", "user.b", "22", 0));
	OK(set("f", "user.c", "333", 0));
	struct pf_stat st = STAT("f");
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.b"));
	EQ(st.blocks, STAT("f").blocks);
	STREQ("user.a user.c", list(&ROOT, "f", 0));
	ERR(ENODATA, pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.b", NULL, 0));
	STREQ("333", get("f", "user.c"));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.a"));
	STREQ("user.c", list(&ROOT, "f", 0));
	pft_reopen();
	STREQ("user.c", list(&ROOT, "f", 0));
	OK(set("f", "user.b", "b", XATTR_CREATE));
	OK(set("f", "user.a", "a", XATTR_CREATE));
	STREQ("user.a user.b user.c", list(&ROOT, "f", 0));
	STREQ("a", get("f", "user.a"));
	STREQ("b", get("f", "user.b"));
	STREQ("333", get("f", "user.c"));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.c"));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.a"));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.b"));
	EQ(0, STAT("f").blocks);
}

/* one inode holds at most PF_XATTR_INODE_MAX bytes of attributes */
static void inode_full(void)
{
	PUTS("f", "");
	static char big[PF_XATTR_SIZE_MAX];
	memset(big, 'x', sizeof(big));
	int i, r = 0;
	char name[32];
	for (i = 0; i < 64 && r == 0; i++) {
		snprintf(name, sizeof(name), "user.%02d", i);
		r = pf_setxattrat(P, &ROOT, NULL, "f", 0, name, big,
				  sizeof(big), 0);
	}
	EQ(-ENOSPC, r);
	CHECK(i > 8);
	/* what was there is intact; a small one may still fit elsewhere */
	EQ(PF_XATTR_SIZE_MAX,
	   pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.00", NULL, 0));
	ERR(ENODATA, pf_getxattrat(P, &ROOT, NULL, "f", 0, name, NULL, 0));
	OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
}

/* a full pool: ENOSPC, and the attributes that were there are intact */
static void pool_full(void)
{
	PUTS("f", "");
	OK(set("f", "user.keep", "kept", 0));
	static char mid[6000];
	memset(mid, 'm', sizeof(mid));
	OK(pf_setxattrat(P, &ROOT, NULL, "f", 0, "user.mid", mid, sizeof(mid),
			 0));
	pf_file *g = OPEN("fill", O_CREAT | O_RDWR, 0644);
	static char chunk[1 << 20];
	memset(chunk, 'z', sizeof(chunk));
	while (pf_write(P, &ROOT, g, chunk, sizeof(chunk)) > 0)
		;
	pf_close(g);
	static char big[PF_XATTR_SIZE_MAX];
	memset(big, 'b', sizeof(big));
	int r = 0;
	char name[32];
	for (int i = 0; i < 64 && r == 0; i++) {
		snprintf(name, sizeof(name), "user.big%d", i);
		r = pf_setxattrat(P, &ROOT, NULL, "f", 0, name, big,
				  sizeof(big), 0);
	}
	EQ(-ENOSPC, r);
	STREQ("kept", get("f", "user.keep"));
	ERR(ENODATA, pf_getxattrat(P, &ROOT, NULL, "f", 0, name, NULL, 0));
	EQ(sizeof(mid),
	   pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.mid", NULL, 0));
	/* fill what small pieces are left too */
	while (pf_setxattrat(P, &ROOT, NULL, "f", 0, "user.mid", mid,
			     sizeof(mid) - 1, 0) == 0 &&
	       pf_setxattrat(P, &ROOT, NULL, "f", 0, "user.mid", mid,
			     sizeof(mid), 0) == 0) {
		g = OPEN("fill", O_RDWR | O_APPEND, 0);
		int w = (int)pf_write(P, &ROOT, g, chunk, 4096);
		pf_close(g);
		if (w <= 0)
			break;
	}
	/* removing works on a full pool (in place), and what stays is
	 * intact */
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.keep"));
	EQ(sizeof(mid),
	   pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.mid", NULL, 0));
	ERR(ENODATA,
	    pf_getxattrat(P, &ROOT, NULL, "f", 0, "user.keep", NULL, 0));
	OK(pf_removexattrat(P, &ROOT, NULL, "f", 0, "user.mid"));
	OK(pf_unlinkat(P, &ROOT, NULL, "fill", 0));
	OK(pf_setxattrat(P, &ROOT, NULL, "f", 0, name, big, sizeof(big), 0));
}

/* an unlinked open file keeps its attributes until the last close; an
 * unlinked file with attributes frees them (fsck: no leak) */
static void freed_with_inode(void)
{
	PUTS("f", "");
	PUTS("g", "");
	OK(set("g", "user.a", "1", 0));
	OK(pf_unlinkat(P, &ROOT, NULL, "g", 0));
	OK(set("f", "user.a", "1", 0));
	pf_file *f = OPEN("f", O_RDWR, 0);
	OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
	OK(pf_fsetxattr(P, &ROOT, f, "user.b", "2", 1, 0));
	char b[4];
	EQ(1, pf_fgetxattr(P, &ROOT, f, "user.a", b, sizeof(b)));
	pf_close(f);
	MKDIR("d");
	OK(set("d", "user.a", "1", 0));
	OK(pf_unlinkat(P, &ROOT, NULL, "d", AT_REMOVEDIR));
	/* an orphan left by a "crash" (the pool closed with it open is the
	 * same on media): freed at the next open */
	PUTS("h", "");
	OK(set("h", "user.a", "1", 0));
	f = OPEN("h", O_RDWR, 0);
	OK(pf_unlinkat(P, &ROOT, NULL, "h", 0));
	pf_close(f);
}

/* threads setting, reading, listing and removing attributes of one file
 * at once: every get sees a whole value (the blob swap is atomic under the
 * inode lock), and the end state is each thread's last word */
static void *hammer(void *arg)
{
	int id = (int)(intptr_t)arg;
	char name[16], v[64], got[64], list_[256];
	snprintf(name, sizeof(name), "user.t%d", id);
	for (int i = 0; i < 2000; i++) {
		int len =
			snprintf(v, sizeof(v), "%d:%d:%0*d", id, i, i % 40, 0);
		if (pf_setxattrat(P, &ROOT, NULL, "f", 0, name, v, (size_t)len,
				  0))
			return (void *)1;
		ssize_t n = pf_getxattrat(P, &ROOT, NULL, "f", 0, name, got,
					  sizeof(got));
		if (n != len || memcmp(v, got, (size_t)len))
			return (void *)2;
		if (pf_listxattrat(P, &ROOT, NULL, "f", 0, list_,
				   sizeof(list_)) < 0)
			return (void *)3;
		if (i % 7 == 0 &&
		    pf_removexattrat(P, &ROOT, NULL, "f", 0, name))
			return (void *)4;
	}
	return pf_setxattrat(P, &ROOT, NULL, "f", 0, name, "end", 3, 0) ?
		(void *)5 :
		NULL;
}

static void concurrent(void)
{
	PUTS("f", "");
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, hammer,
				     (void *)(intptr_t)i) == 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		EQ(0, (intptr_t)r);
	}
	STREQ("user.t0 user.t1 user.t2 user.t3", list(&ROOT, "f", 0));
	STREQ("end", get("f", "user.t2"));
}

PFT_MAIN(PFT_CASE(basic), PFT_CASE(flags_and_names),
	 PFT_CASE(symlinks_and_special), PFT_CASE(permissions),
	 PFT_CASE(capability), PFT_CASE(fd_forms), PFT_CASE(times_and_space),
	 PFT_CASE(persistence), PFT_CASE(holes), PFT_CASE(inode_full),
	 PFT_CASE(pool_full), PFT_CASE(concurrent), PFT_CASE(freed_with_inode))
