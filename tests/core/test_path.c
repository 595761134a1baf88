/* SPDX-License-Identifier: BSD-3-Clause */
/* Path resolution: . and .., symlinks, ELOOP, ENAMETOOLONG, trailing
 * slashes, ENOENT/ENOTDIR, and the PF_ESCAPED protocol. */
#define _GNU_SOURCE
#include "pftest.h"

static void dots(void)
{
	MKDIR("a");
	MKDIR("a/b");
	PUTS("a/b/c", "c");
	CONTENT("a/./b/../b/c", "c");
	CONTENT("/a/b/c", "c");
	CONTENT("a//b///c", "c");
	CONTENT("./a/b/./c", "c");
	CONTENT("a/b/../../a/b/c", "c");
	struct pf_stat r = STAT("/"), s = STAT("a/..");
	EQ(r.ino, s.ino);
	s = STAT("a/b/../..");
	EQ(r.ino, s.ino);
	s = STAT("a/b/.");
	EQ(STAT("a/b").ino, s.ino);
	/* .. of a directory opened as dir argument */
	pf_file *d = OPEN("a/b", O_RDONLY | O_DIRECTORY, 0);
	struct pf_stat st;
	OK(pf_fstatat(P, &ROOT, d, "..", &st, 0));
	EQ(STAT("a").ino, st.ino);
	OK(pf_fstatat(P, &ROOT, d, "../../a/b/c", &st, 0));
	EQ(STAT("a/b/c").ino, st.ino);
	pf_close(d);
}

static void missing_and_notdir(void)
{
	struct pf_stat st;
	PUTS("f", "x");
	MKDIR("d");
	ERR(ENOENT, pf_fstatat(P, &ROOT, NULL, "nope", &st, 0));
	ERR(ENOENT, pf_fstatat(P, &ROOT, NULL, "nope/x", &st, 0));
	ERR(ENOENT, pf_fstatat(P, &ROOT, NULL, "d/nope/x", &st, 0));
	ERR(ENOTDIR, pf_fstatat(P, &ROOT, NULL, "f/x", &st, 0));
	ERR(ENOTDIR, pf_fstatat(P, &ROOT, NULL, "f/.", &st, 0));
	ERR(ENOTDIR, pf_fstatat(P, &ROOT, NULL, "f/..", &st, 0));
	ERR(ENOTDIR, pf_fstatat(P, &ROOT, NULL, "d/../f/x", &st, 0));
	ERR(ENOENT, pf_fstatat(P, &ROOT, NULL, "", &st, 0));
	/* a symlink to a file used as a directory */
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "lf"));
	ERR(ENOTDIR, pf_fstatat(P, &ROOT, NULL, "lf/x", &st, 0));
	/* a dangling symlink used as a directory */
	OK(pf_symlinkat(P, &ROOT, "nowhere", NULL, "dl"));
	ERR(ENOENT, pf_fstatat(P, &ROOT, NULL, "dl/x", &st, 0));
	ERR(ENOENT, pf_fstatat(P, &ROOT, NULL, "dl", &st, 0));
	OK(pf_fstatat(P, &ROOT, NULL, "dl", &st, AT_SYMLINK_NOFOLLOW));
}

static void trailing_slash(void)
{
	struct pf_stat st;
	pf_file *f;
	PUTS("f", "x");
	MKDIR("d");
	OK(pf_symlinkat(P, &ROOT, "d", NULL, "ld"));
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "lf"));
	ERR(ENOTDIR, pf_fstatat(P, &ROOT, NULL, "f/", &st, 0));
	ERR(ENOTDIR, pf_openat(P, &ROOT, NULL, "f/", O_RDONLY, 0, &f));
	ERR(ENOTDIR, pf_fstatat(P, &ROOT, NULL, "lf/", &st, 0));
	OK(pf_fstatat(P, &ROOT, NULL, "d/", &st, 0));
	CHECK(S_ISDIR(st.mode));
	OK(pf_fstatat(P, &ROOT, NULL, "d//", &st, 0));
	/* a trailing slash follows the symlink even with NOFOLLOW */
	OK(pf_fstatat(P, &ROOT, NULL, "ld/", &st, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISDIR(st.mode));
	OK(pf_fstatat(P, &ROOT, NULL, "ld", &st, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISLNK(st.mode));
	/* mkdir with trailing slash */
	OK(pf_mkdirat(P, &ROOT, NULL, "e/", 0755));
	CHECK(S_ISDIR(STAT("e").mode));
	/* unlink of "f/" */
	ERR(ENOTDIR, pf_unlinkat(P, &ROOT, NULL, "f/", 0));
	CHECK(pft_exists("f"));
	/* rmdir "e/" */
	OK(pf_unlinkat(P, &ROOT, NULL, "e/", AT_REMOVEDIR));
	/* rename with trailing slashes: only for directories */
	ERR(ENOTDIR, pf_renameat2(P, &ROOT, NULL, "f/", NULL, "g", 0));
	ERR(ENOTDIR, pf_renameat2(P, &ROOT, NULL, "f", NULL, "g/", 0));
	OK(pf_renameat2(P, &ROOT, NULL, "d/", NULL, "d2/", 0));
	CHECK(S_ISDIR(STAT("d2").mode));
	/* mknod / symlink / link to a name with a trailing slash */
	ERR(ENOENT, pf_symlinkat(P, &ROOT, "x", NULL, "s/"));
	CHECK(!pft_exists("s"));
	/* unlinking a symlink to a dir with a trailing slash: ENOTDIR
	 * (it resolves to the directory) - Linux gives EISDIR for unlink
	 * and ENOTDIR for rmdir of "ld/" */
	OK(pf_symlinkat(P, &ROOT, "d2", NULL, "ld2"));
	ERR(ENOTDIR, pf_unlinkat(P, &ROOT, NULL, "ld2/", AT_REMOVEDIR));
	CHECK(pft_exists("ld2"));
	CHECK(pft_exists("d2"));
}

static void symlinks(void)
{
	MKDIR("d");
	MKDIR("d/e");
	PUTS("d/e/f", "deep");
	PUTS("d/x", "dx");
	/* relative targets are relative to the link's directory */
	OK(pf_symlinkat(P, &ROOT, "x", NULL, "d/lx"));
	CONTENT("d/lx", "dx");
	OK(pf_symlinkat(P, &ROOT, "e/f", NULL, "d/lf"));
	CONTENT("d/lf", "deep");
	/* a link in the middle of a path */
	OK(pf_symlinkat(P, &ROOT, "d/e", NULL, "le"));
	CONTENT("le/f", "deep");
	CONTENT("le/../x", "dx"); /* .. of the target, not of the link */
	/* absolute targets start at the pool root */
	/* (an absolute target is a host path: see escape_symlink_absolute) */
	/* chains */
	OK(pf_symlinkat(P, &ROOT, "le", NULL, "l2"));
	OK(pf_symlinkat(P, &ROOT, "l2/f", NULL, "l3"));
	CONTENT("l3", "deep");
	/* .. inside a target */
	OK(pf_symlinkat(P, &ROOT, "../x", NULL, "d/e/up"));
	CONTENT("d/e/up", "dx");
	/* lstat gives the link, stat the target */
	EQ(STAT("d/e/f").ino, STAT("l3").ino);
	CHECK(S_ISLNK(LSTAT("l3").mode));
	EQ(4, LSTAT("l3").size);
}

static void chain(int n)
{
	char name[32], target[32];
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		if (i == 0)
			snprintf(target, sizeof(target), "file");
		else
			snprintf(target, sizeof(target), "l%d", i - 1);
		OK(pf_symlinkat(P, &ROOT, target, NULL, name));
	}
}

static void eloop(void)
{
	struct pf_stat st;
	pf_file *f;
	PUTS("file", "ok");
	chain(41);
	/* l39 needs 40 follows: fine; l40 needs 41: ELOOP */
	CONTENT("l39", "ok");
	OK(pf_fstatat(P, &ROOT, NULL, "l39", &st, 0));
	ERR(ELOOP, pf_fstatat(P, &ROOT, NULL, "l40", &st, 0));
	ERR(ELOOP, pf_openat(P, &ROOT, NULL, "l40", O_RDONLY, 0, &f));
	OK(pf_fstatat(P, &ROOT, NULL, "l40", &st, AT_SYMLINK_NOFOLLOW));
	/* self loop and two-cycle */
	OK(pf_symlinkat(P, &ROOT, "self", NULL, "self"));
	ERR(ELOOP, pf_fstatat(P, &ROOT, NULL, "self", &st, 0));
	ERR(ELOOP, pf_fstatat(P, &ROOT, NULL, "self/x", &st, 0));
	OK(pf_symlinkat(P, &ROOT, "b", NULL, "a"));
	OK(pf_symlinkat(P, &ROOT, "a", NULL, "b"));
	ERR(ELOOP, pf_openat(P, &ROOT, NULL, "a", O_RDONLY, 0, &f));
	ERR(ELOOP, pf_openat(P, &ROOT, NULL, "a", O_CREAT | O_RDWR, 0644, &f));
	/* links counted across components: 20 dir links then 21 more */
	MKDIR("d");
	PUTS("d/f", "df");
	char name[32], target[32];
	for (int i = 0; i < 41; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		if (i == 0)
			snprintf(target, sizeof(target), "d");
		else
			snprintf(target, sizeof(target), "m%d", i - 1);
		OK(pf_symlinkat(P, &ROOT, target, NULL, name));
	}
	CONTENT("m39/f", "df");
	ERR(ELOOP, pf_fstatat(P, &ROOT, NULL, "m40/f", &st, 0));
	/* links in different components add up: 20 + 20 fine, 20 + 21 not */
	OK(pf_symlinkat(P, &ROOT, "../m18", NULL, "d/back"));
	OK(pf_symlinkat(P, &ROOT, "../m19", NULL, "d/back2"));
	CONTENT("m19/back/f", "df");
	ERR(ELOOP, pf_fstatat(P, &ROOT, NULL, "m19/back2/f", &st, 0));
}

static char *repeat(const char *unit, size_t total, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(total + 1);
	size_t n = 0;
	while (n + ul <= total - tl) {
		memcpy(s + n, unit, ul);
		n += ul;
	}
	while (n < total - tl)
		s[n++] = '/';
	memcpy(s + n, tail, tl);
	s[total] = 0;
	return s;
}

static void nametoolong(void)
{
	struct pf_stat st;
	pf_file *f;
	char name[300];
	memset(name, 'n', 255);
	name[255] = 0;
	f = OPEN(name, O_CREAT | O_RDWR, 0644);
	pf_close(f);
	OK(pf_fstatat(P, &ROOT, NULL, name, &st, 0));
	STREQ(name, pft_list("/"));
	name[255] = 'n';
	name[256] = 0;
	ERR(ENAMETOOLONG, pf_openat(P, &ROOT, NULL, name, O_CREAT | O_RDWR,
				    0644, &f));
	ERR(ENAMETOOLONG, pf_fstatat(P, &ROOT, NULL, name, &st, 0));
	ERR(ENAMETOOLONG, pf_mkdirat(P, &ROOT, NULL, name, 0755));
	ERR(ENAMETOOLONG, pf_symlinkat(P, &ROOT, "x", NULL, name));
	/* a long name in the middle of a path */
	char mid[600];
	snprintf(mid, sizeof(mid), "%s/x", name);
	ERR(ENAMETOOLONG, pf_fstatat(P, &ROOT, NULL, mid, &st, 0));

	/* whole path: 4095 bytes resolve, 4096 do not */
	PUTS("x", "x");
	char *p = repeat("./", 4095, "x");
	EQ(4095, strlen(p));
	OK(pf_fstatat(P, &ROOT, NULL, p, &st, 0));
	free(p);
	p = repeat("./", 4096, "x");
	ERR(ENAMETOOLONG, pf_fstatat(P, &ROOT, NULL, p, &st, 0));
	ERR(ENAMETOOLONG, pf_openat(P, &ROOT, NULL, p, O_RDONLY, 0, &f));
	free(p);
}

static void escape_dotdot(void)
{
	char esc[PF_PATH_MAX];
	struct pf_caller c = ROOT;
	struct pf_stat st;
	pf_file *f;
	c.escape = esc;
	c.escape_size = sizeof(esc);
	MKDIR("d");

	esc[0] = 0;
	ERR(PF_ESCAPED, pf_fstatat(P, &c, NULL, "../x/y", &st, 0));
	STREQ("../x/y", esc);
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_fstatat(P, &c, NULL, "d/../../x", &st, 0));
	STREQ("../x", esc);
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_openat(P, &c, NULL, "/../x", O_RDONLY, 0, &f));
	STREQ("../x", esc);
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_mkdirat(P, &c, NULL, "../newdir", 0755));
	STREQ("../newdir", esc);
	/* from a dir argument */
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_fstatat(P, &c, d, "../../etc", &st, 0));
	STREQ("../etc", esc);
	/* no buffer: EXDEV */
	ERR(EXDEV, pf_fstatat(P, &ROOT, d, "../../etc", &st, 0));
	ERR(EXDEV, pf_fstatat(P, &ROOT, NULL, "..", &st, 0));
	ERR(EXDEV, pf_openat(P, &ROOT, NULL, "../x", O_RDONLY, 0, &f));
	pf_close(d);
	/* ".." alone at the root */
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_fstatat(P, &c, NULL, "..", &st, 0));
	CHECK(strncmp(esc, "..", 2) == 0);
	/* every path function answers an escape the same way */
	PUTS("f", "x");
	ERR(EXDEV, pf_renameat2(P, &ROOT, NULL, "f", NULL, "../f", 0));
	ERR(EXDEV, pf_renameat2(P, &ROOT, NULL, "../f", NULL, "g", 0));
	ERR(EXDEV, pf_linkat(P, &ROOT, NULL, "f", NULL, "../f", 0));
	ERR(EXDEV, pf_symlinkat(P, &ROOT, "x", NULL, "../l"));
	ERR(EXDEV, pf_unlinkat(P, &ROOT, NULL, "../f", 0));
	ERR(EXDEV, pf_unlinkat(P, &ROOT, NULL, "../d", AT_REMOVEDIR));
	ERR(EXDEV, pf_mknodat(P, &ROOT, NULL, "../p", S_IFIFO | 0644, 0));
	ERR(EXDEV, pf_truncate(P, &ROOT, NULL, "../f", 0));
	ERR(EXDEV, pf_fchmodat(P, &ROOT, NULL, "../f", 0644, 0));
	ERR(EXDEV, pf_fchownat(P, &ROOT, NULL, "../f", 1, 1, 0));
	ERR(EXDEV, pf_utimensat(P, &ROOT, NULL, "../f", NULL, 0));
	ERR(EXDEV, pf_faccessat(P, &ROOT, NULL, "../f", F_OK, 0));
	char lb[16];
	ERR(EXDEV, pf_readlinkat(P, &ROOT, NULL, "../l", lb, sizeof(lb)));
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_unlinkat(P, &c, NULL, "d/../../f", 0));
	STREQ("../f", esc);
	CONTENT("f", "x");
	/* nothing escaped: buffer not needed, ordinary results */
	OK(pf_fstatat(P, &c, NULL, "d/..", &st, 0));
	ERR(ENOENT, pf_fstatat(P, &c, NULL, "d/../nope", &st, 0));
}

static void escape_symlink_absolute(void)
{
	char esc[PF_PATH_MAX];
	struct pf_caller c = ROOT;
	struct pf_stat st;
	pf_file *f;
	c.escape = esc;
	c.escape_size = sizeof(esc);
	MKDIR("d");
	OK(pf_symlinkat(P, &ROOT, "/etc", NULL, "d/etc"));
	OK(pf_symlinkat(P, &ROOT, "/etc/passwd", NULL, "pw"));
	OK(pf_symlinkat(P, &ROOT, "../../host/dir", NULL, "d/up"));

	esc[0] = 0;
	ERR(PF_ESCAPED, pf_fstatat(P, &c, NULL, "d/etc/passwd", &st, 0));
	STREQ("/etc/passwd", esc);
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_openat(P, &c, NULL, "pw", O_RDONLY, 0, &f));
	STREQ("/etc/passwd", esc);
	esc[0] = 0;
	ERR(PF_ESCAPED, pf_fstatat(P, &c, NULL, "d/up/z", &st, 0));
	STREQ("../host/dir/z", esc);
	/* lstat of the link itself does not escape */
	OK(pf_fstatat(P, &c, NULL, "pw", &st, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISLNK(st.mode));
	/* O_NOFOLLOW on it: ELOOP, not an escape */
	ERR(ELOOP, pf_openat(P, &c, NULL, "pw", O_RDONLY | O_NOFOLLOW, 0, &f));
	/* without a buffer */
	ERR(EXDEV, pf_fstatat(P, &ROOT, NULL, "pw", &st, 0));
	ERR(EXDEV, pf_openat(P, &ROOT, NULL, "d/etc/x", O_CREAT | O_RDWR, 0644,
			     &f));
	/* readlink does not follow */
	char buf[64];
	EQ(11, pf_readlinkat(P, &c, NULL, "pw", buf, sizeof(buf)));
	MEMEQ("/etc/passwd", buf, 11);
}

/* pf_dir_path: rebuilt from the pool, whatever the hint says */
static void dir_path(void)
{
	char buf[PF_PATH_MAX];
	MKDIR("a");
	MKDIR("a/b");
	MKDIR("a/b/c");
	pf_file *c = OPEN("a/b/c", O_RDONLY | O_DIRECTORY, 0);
	EQ(6, pf_dir_path(P, c, "/a/b/c", buf, sizeof(buf)));
	STREQ("/a/b/c", buf);
	EQ(6, pf_dir_path(P, c, NULL, buf, sizeof(buf)));
	STREQ("/a/b/c", buf);
	/* a wrong hint, of the wrong depth too */
	EQ(6, pf_dir_path(P, c, "/x/y/z/w", buf, sizeof(buf)));
	STREQ("/a/b/c", buf);
	/* renames of an ancestor and of the directory itself */
	OK(pf_renameat2(P, &ROOT, NULL, "a/b", NULL, "a/renamed", 0));
	EQ(12, pf_dir_path(P, c, "/a/b/c", buf, sizeof(buf)));
	STREQ("/a/renamed/c", buf);
	MKDIR("other");
	OK(pf_renameat2(P, &ROOT, NULL, "a/renamed/c", NULL, "other/c2", 0));
	EQ(9, pf_dir_path(P, c, "/a/renamed/c", buf, sizeof(buf)));
	STREQ("/other/c2", buf);
	/* the buffer: exactly enough, one byte short */
	EQ(9, pf_dir_path(P, c, NULL, buf, 10));
	ERR(ERANGE, pf_dir_path(P, c, NULL, buf, 9));
	/* reached through a symlink: the real path */
	OK(pf_symlinkat(P, &ROOT, "other/c2", NULL, "ln"));
	pf_file *l = OPEN("ln", O_RDONLY | O_DIRECTORY, 0);
	EQ(9, pf_dir_path(P, l, "/ln", buf, sizeof(buf)));
	STREQ("/other/c2", buf);
	pf_close(l);
	/* the root, and NULL for it */
	EQ(1, pf_dir_path(P, NULL, NULL, buf, sizeof(buf)));
	STREQ("/", buf);
	/* removed: ENOENT; not a directory: ENOTDIR */
	OK(pf_unlinkat(P, &ROOT, NULL, "other/c2", AT_REMOVEDIR));
	ERR(ENOENT, pf_dir_path(P, c, NULL, buf, sizeof(buf)));
	pf_close(c);
	PUTS("f", "x");
	pf_file *f = OPEN("f", O_RDONLY, 0);
	ERR(ENOTDIR, pf_dir_path(P, f, NULL, buf, sizeof(buf)));
	pf_close(f);
}

/* PF_PATH_SELF: the file itself for every call, as /proc/self/fd/N */
static void path_self(void)
{
	struct pf_stat st;
	pf_file *f, *g;
	MKDIR("d");
	PUTS("d/f", "data");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	OK(pf_fstatat(P, &ROOT, d, PF_PATH_SELF, &st, 0));
	EQ(STAT("d").ino, st.ino);
	f = OPEN("d/f", O_RDONLY, 0);
	/* open it again, without AT_EMPTY_PATH (open has none) */
	OK(pf_openat(P, &ROOT, f, PF_PATH_SELF, O_RDONLY, 0, &g));
	char buf[8];
	EQ(4, pf_read(P, g, buf, sizeof(buf)));
	pf_close(g);
	/* truncate by it */
	OK(pf_truncate(P, &ROOT, f, PF_PATH_SELF, 2));
	EQ(2, STAT("d/f").size);
	/* an O_TMPFILE linked by it with AT_SYMLINK_FOLLOW (the man page's
	 * linkat("/proc/self/fd/N", AT_SYMLINK_FOLLOW) recipe) */
	OK(pf_openat(P, &ROOT, d, ".", O_TMPFILE | O_RDWR, 0600, &g));
	EQ(3, pf_write(P, &ROOT, g, "tmp", 3));
	OK(pf_linkat(P, &ROOT, g, PF_PATH_SELF, d, "named", AT_SYMLINK_FOLLOW));
	CONTENT("d/named", "tmp");
	pf_close(g);
	/* an O_PATH fd of a symlink names the symlink, not its target */
	OK(pf_symlinkat(P, &ROOT, "f", d, "sl"));
	OK(pf_openat(P, &ROOT, d, "sl", O_PATH | O_NOFOLLOW, 0, &g));
	OK(pf_fstatat(P, &ROOT, g, PF_PATH_SELF, &st, 0));
	CHECK(S_ISLNK(st.mode));
	pf_file *h;
	ERR(ELOOP, pf_openat(P, &ROOT, g, PF_PATH_SELF, O_RDONLY, 0, &h));
	pf_close(g);
	pf_close(f);
	pf_close(d);
}

PFT_MAIN(PFT_CASE(dots), PFT_CASE(missing_and_notdir),
	 PFT_CASE(trailing_slash), PFT_CASE(symlinks), PFT_CASE(eloop),
	 PFT_CASE(nametoolong), PFT_CASE(escape_dotdot),
	 PFT_CASE(escape_symlink_absolute), PFT_CASE(dir_path),
	 PFT_CASE(path_self))
