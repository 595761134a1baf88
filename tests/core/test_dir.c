/* SPDX-License-Identifier: BSD-3-Clause */
/* Directories: getdents64 (every name once, . and .., d_type, d_ino,
 * cookies under insertion), mkdir/rmdir errors and link counts. */
#define _GNU_SOURCE
#include "pftest.h"

#include <dirent.h>

struct seen {
	int n;
	char names[4096][16];
	unsigned char types[4096];
	uint64_t inos[4096];
};

static int find(struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return i;
	return -1;
}

/* Reads entries until EOF or until `max` records; returns the d_off of the
 * last record consumed. Duplicate names fail the test. */
static int64_t read_entries(pf_file *d, struct seen *s, size_t bufsize,
			    int max)
{
	char buf[65536];
	int64_t last = -1;
	int got = 0;
	for (;;) {
		ssize_t r = pf_getdents64(P, d, buf, bufsize);
		CHECK(r >= 0);
		if (r == 0)
			return last;
		for (ssize_t off = 0; off < r;) {
			struct pf_dirent64 *e = (void *)(buf + off);
			CHECK(e->d_reclen >=
			      offsetof(struct pf_dirent64, d_name) + 2);
			CHECK(e->d_reclen % 8 == 0);
			CHECK(off + e->d_reclen <= r);
			CHECK(strlen(e->d_name) + 1 +
				      offsetof(struct pf_dirent64, d_name) <=
			      e->d_reclen);
			if (find(s, e->d_name) >= 0)
				pft_fail(__FILE__, __LINE__,
					 "\"%s\" listed twice", e->d_name);
			CHECK(s->n < 4096);
			snprintf(s->names[s->n], 16, "%.15s", e->d_name);
			s->types[s->n] = e->d_type;
			s->inos[s->n] = e->d_ino;
			s->n++;
			last = e->d_off;
			off += e->d_reclen;
			got++;
		}
		if (max && got >= max)
			return last;
	}
}

static void dot_entries_and_types(void)
{
	MKDIR("d");
	MKDIR("d/sub");
	PUTS("d/file", "x");
	OK(pf_symlinkat(P, &ROOT, "file", NULL, "d/link"));
	OK(pf_mknodat(P, &ROOT, NULL, "d/fifo", S_IFIFO | 0644, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "d/sock", S_IFSOCK | 0644, 0));
	OK(pf_mknodat(P, &ROOT, NULL, "d/chr", S_IFCHR | 0644, 0x0103));
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	static struct seen s;
	read_entries(d, &s, 4096, 0);
	EQ(8, s.n);
	/* . and .. come first */
	STREQ(".", s.names[0]);
	STREQ("..", s.names[1]);
	EQ(DT_DIR, s.types[0]);
	EQ(DT_DIR, s.types[1]);
	EQ(STAT("d").ino, s.inos[0]);
	EQ(STAT("/").ino, s.inos[1]);
	struct { const char *name; int type; } want[] = {
		{ "sub", DT_DIR }, { "file", DT_REG }, { "link", DT_LNK },
		{ "fifo", DT_FIFO }, { "sock", DT_SOCK }, { "chr", DT_CHR },
	};
	for (size_t i = 0; i < 6; i++) {
		int k = find(&s, want[i].name);
		CHECK(k >= 0);
		EQ(want[i].type, s.types[k]);
		char path[32];
		snprintf(path, sizeof(path), "d/%s", want[i].name);
		EQ(LSTAT(path).ino, s.inos[k]);
	}
	/* at EOF: 0 again and again */
	char buf[512];
	EQ(0, pf_getdents64(P, d, buf, sizeof(buf)));
	EQ(0, pf_getdents64(P, d, buf, sizeof(buf)));
	/* rewind */
	EQ(0, pf_lseek(P, d, 0, SEEK_SET));
	static struct seen s2;
	read_entries(d, &s2, 4096, 0);
	EQ(8, s2.n);
	pf_close(d);
	/* root's .. is itself */
	d = OPEN("/", O_RDONLY | O_DIRECTORY, 0);
	static struct seen s3;
	read_entries(d, &s3, 4096, 0);
	EQ(s3.inos[0], s3.inos[1]);
	pf_close(d);
}

static void many_names_exactly_once(void)
{
	MKDIR("d");
	char name[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "d/f%04d", i);
		pf_file *f = OPEN(name, O_CREAT | O_WRONLY, 0644);
		pf_close(f);
	}
	/* remove every third */
	for (int i = 0; i < 1000; i += 3) {
		snprintf(name, sizeof(name), "d/f%04d", i);
		OK(pf_unlinkat(P, &ROOT, NULL, name, 0));
	}
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	static struct seen s;
	/* a small buffer: many calls */
	read_entries(d, &s, 200, 0);
	pf_close(d);
	EQ(2 + 1000 - 334, s.n);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%04d", i);
		EQ(i % 3 != 0, find(&s, name) >= 0);
	}
}

static void small_buffer(void)
{
	MKDIR("d");
	char name[300];
	memset(name, 'x', 255);
	name[255] = 0;
	char path[310];
	snprintf(path, sizeof(path), "d/%s", name);
	PUTS(path, "");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	char buf[1024];
	/* not even one record fits */
	ERR(EINVAL, pf_getdents64(P, d, buf, 10));
	/* "." fits in 24 bytes */
	EQ(24, pf_getdents64(P, d, buf, 24));
	EQ(24, pf_getdents64(P, d, buf, 24 + 10)); /* ".." alone */
	/* the long name needs 19 + 256 rounded to 8 = 280 */
	ERR(EINVAL, pf_getdents64(P, d, buf, 279));
	EQ(280, pf_getdents64(P, d, buf, 280));
	struct pf_dirent64 *e = (void *)buf;
	STREQ(name, e->d_name);
	EQ(0, pf_getdents64(P, d, buf, sizeof(buf)));
	pf_close(d);
	/* on a file: ENOTDIR */
	pf_file *f = OPEN(path, O_RDONLY, 0);
	ERR(ENOTDIR, pf_getdents64(P, f, buf, sizeof(buf)));
	pf_close(f);
}

static void cookies_survive_insertion(void)
{
	MKDIR("d");
	char name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "d/a%d", i);
		PUTS(name, "");
	}
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	static struct seen s;
	int64_t cookie = read_entries(d, &s, 1024, 50);
	CHECK(cookie > 0);
	int first = s.n;
	/* tell == the cookie of the next entry */
	EQ(cookie, pf_lseek(P, d, 0, SEEK_CUR));
	/* add many more entries (forcing any rehash / growth) */
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "d/b%d", i);
		PUTS(name, "");
	}
	/* remove some already seen and some not yet seen */
	OK(pf_unlinkat(P, &ROOT, NULL, "d/a299", 0));
	/* seek to the cookie in a fresh description too */
	pf_file *d2 = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	EQ(cookie, pf_lseek(P, d2, cookie, SEEK_SET));
	static struct seen s2;
	memcpy(&s2, &s, sizeof(s));
	read_entries(d2, &s2, 1024, 0);
	pf_close(d2);
	/* continue the first one */
	read_entries(d, &s, 4096, 0);
	pf_close(d);
	/* every a* still present was seen exactly once (read_entries
	 * checks duplicates), in both continuations */
	for (int i = 0; i < 299; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		if (find(&s, name) < 0 || find(&s2, name) < 0)
			pft_fail(__FILE__, __LINE__, "%s missing after seek "
				 "(%d read before the inserts)", name, first);
	}
}

static void seek_back_to_saved_cookies(void)
{
	MKDIR("d");
	char name[32];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "d/n%d", i);
		PUTS(name, "");
	}
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	/* one record at a time, saving each cookie and name */
	static char names[200][16];
	static int64_t offs[200];
	int n = 0;
	char buf[64];
	ssize_t r;
	while ((r = pf_getdents64(P, d, buf, 40)) > 0) {
		struct pf_dirent64 *e = (void *)buf;
		EQ(e->d_reclen, r);
		snprintf(names[n], 16, "%.15s", e->d_name);
		offs[n] = e->d_off;
		n++;
	}
	EQ(102, n);
	/* seeking to offs[i] yields names[i + 1] */
	for (int i = 0; i < n - 1; i += 7) {
		EQ(offs[i], pf_lseek(P, d, offs[i], SEEK_SET));
		EQ(NONNEG(pf_getdents64(P, d, buf, 40)) > 0, 1);
		struct pf_dirent64 *e = (void *)buf;
		STREQ(names[i + 1], e->d_name);
	}
	/* seeking to the last cookie: EOF */
	EQ(offs[n - 1], pf_lseek(P, d, offs[n - 1], SEEK_SET));
	EQ(0, pf_getdents64(P, d, buf, 40));
	pf_close(d);
}

/* rm -r style: unlink each name as soon as it is read. Every name is
 * returned exactly once, none is missed, and the directory ends empty. */
static void delete_while_listing(void)
{
	MKDIR("d");
	char name[32];
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "d/n%d", i);
		PUTS(name, "");
	}
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	static char seen[600];
	char buf[300];
	ssize_t r;
	int n = 0;
	while ((r = pf_getdents64(P, d, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < r;) {
			struct pf_dirent64 *e = (void *)(buf + off);
			off += e->d_reclen;
			if (e->d_name[0] == '.')
				continue;
			int k = atoi(e->d_name + 1);
			CHECK(k >= 0 && k < 600);
			if (seen[k])
				pft_fail(__FILE__, __LINE__, "%s twice",
					 e->d_name);
			seen[k] = 1;
			n++;
			OK(pf_unlinkat(P, &ROOT, d, e->d_name, 0));
		}
	}
	CHECK(r == 0);
	pf_close(d);
	EQ(600, n);
	STREQ("", pft_list("d"));
	OK(pf_unlinkat(P, &ROOT, NULL, "d", AT_REMOVEDIR));
}

static void mkdir_rmdir(void)
{
	struct pf_stat root0 = STAT("/");
	EQ(2, root0.nlink);
	MKDIR("d");
	struct pf_stat st = STAT("d");
	CHECK(S_ISDIR(st.mode));
	EQ(0755, st.mode & 07777);
	EQ(2, st.nlink);
	EQ(3, STAT("/").nlink);
	MKDIR("d/a");
	MKDIR("d/b");
	PUTS("d/file", "");
	EQ(4, STAT("d").nlink);           /* 2 + 2 subdirectories */
	ERR(EEXIST, pf_mkdirat(P, &ROOT, NULL, "d", 0755));
	ERR(EEXIST, pf_mkdirat(P, &ROOT, NULL, "d/file", 0755));
	OK(pf_symlinkat(P, &ROOT, "nowhere", NULL, "dl"));
	ERR(EEXIST, pf_mkdirat(P, &ROOT, NULL, "dl", 0755));  /* not followed */
	ERR(ENOENT, pf_mkdirat(P, &ROOT, NULL, "x/y", 0755));
	ERR(ENOTDIR, pf_mkdirat(P, &ROOT, NULL, "d/file/y", 0755));
	ERR(EEXIST, pf_mkdirat(P, &ROOT, NULL, "/", 0755));
	ERR(EEXIST, pf_mkdirat(P, &ROOT, NULL, ".", 0755));
	ERR(EEXIST, pf_mkdirat(P, &ROOT, NULL, "d/..", 0755));
	/* mode: only permission bits and sticky are kept */
	OK(pf_mkdirat(P, &ROOT, NULL, "m", 07777));
	EQ(01777, STAT("m").mode & 07777);
	OK(pf_mkdirat(P, &ROOT, NULL, "m2", 0));
	EQ(0, STAT("m2").mode & 07777);

	ERR(ENOTEMPTY, pf_unlinkat(P, &ROOT, NULL, "d", AT_REMOVEDIR));
	ERR(ENOTDIR, pf_unlinkat(P, &ROOT, NULL, "d/file", AT_REMOVEDIR));
	ERR(EINVAL, pf_unlinkat(P, &ROOT, NULL, "d/a/.", AT_REMOVEDIR));
	ERR(ENOTEMPTY, pf_unlinkat(P, &ROOT, NULL, "d/a/..", AT_REMOVEDIR));
	ERR(EBUSY, pf_unlinkat(P, &ROOT, NULL, "/", AT_REMOVEDIR));
	ERR(ENOENT, pf_unlinkat(P, &ROOT, NULL, "d/zz", AT_REMOVEDIR));
	ERR(ENOTDIR, pf_unlinkat(P, &ROOT, NULL, "dl", AT_REMOVEDIR));
	ERR(EINVAL, pf_unlinkat(P, &ROOT, NULL, "d/a", 0x1234));
	OK(pf_unlinkat(P, &ROOT, NULL, "d/a", AT_REMOVEDIR));
	EQ(3, STAT("d").nlink);
	OK(pf_unlinkat(P, &ROOT, NULL, "d/b", AT_REMOVEDIR));
	OK(pf_unlinkat(P, &ROOT, NULL, "d/file", 0));
	EQ(2, STAT("d").nlink);
	OK(pf_unlinkat(P, &ROOT, NULL, "d", AT_REMOVEDIR));
	CHECK(!pft_exists("d"));
	EQ(4, STAT("/").nlink);           /* m and m2 */
	STREQ("dl m m2", pft_list("/"));
}

static void rmdir_open_directory(void)
{
	MKDIR("d");
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	OK(pf_unlinkat(P, &ROOT, NULL, "d", AT_REMOVEDIR));
	char buf[512];
	/* a removed directory can not be listed (Linux: ENOENT) */
	ERR(ENOENT, pf_getdents64(P, d, buf, sizeof(buf)));
	struct pf_stat st;
	OK(pf_fstat(P, d, &st));
	EQ(0, st.nlink);
	/* nothing can be created in it */
	pf_file *f;
	ERR(ENOENT, pf_openat(P, &ROOT, d, "x", O_CREAT | O_RDWR, 0644, &f));
	ERR(ENOENT, pf_mkdirat(P, &ROOT, d, "x", 0755));
	pf_close(d);
}

static void large_directory(void)
{
	/* 20,000 entries: create, look up, list, remove */
	MKDIR("d");
	char name[32];
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "entry-%d", i);
		OK(pf_mknodat(P, &ROOT, d, name, S_IFREG | 0644, 0));
	}
	struct pf_stat st;
	for (int i = 0; i < 20000; i += 97) {
		snprintf(name, sizeof(name), "entry-%d", i);
		OK(pf_fstatat(P, &ROOT, d, name, &st, 0));
	}
	int n = 0;
	char buf[32768];
	ssize_t r;
	while ((r = pf_getdents64(P, d, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < r; n++)
			off += ((struct pf_dirent64 *)(buf + off))->d_reclen;
	EQ(20002, n);
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "entry-%d", i);
		OK(pf_unlinkat(P, &ROOT, d, name, 0));
	}
	pf_close(d);
	OK(pf_unlinkat(P, &ROOT, NULL, "d", AT_REMOVEDIR));
}

static void fsck_report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fsck: %s\n", msg);
}

/* Files and directories until the pool is full: ENOSPC, nothing else;
 * the pool stays consistent and usable again after removing them. */
static void enospc_on_metadata(void)
{
	const char *path = pft_side_path("small");
	OK(pf_pool_create(path, PF_POOL_MIN_SIZE, 0, NULL, 0));
	OK(pf_pool_open(path, 0, &P, NULL, 0));
	MKDIR("d");
	char name[32];
	int n = 0, r = 0;
	for (; n < 1000000; n++) {
		snprintf(name, sizeof(name), "d/%s%d", n % 4 ? "f" : "s", n);
		if (n % 4) {
			pf_file *f;
			r = pf_openat(P, &ROOT, NULL, name,
				      O_CREAT | O_EXCL | O_WRONLY, 0644, &f);
			if (r == 0)
				pf_close(f);
		} else {
			r = pf_mkdirat(P, &ROOT, NULL, name, 0755);
		}
		if (r)
			break;
	}
	ERR(ENOSPC, r);
	CHECK(n > 1000);
	printf("%d names before ENOSPC\n", n);
	/* a failed create left nothing behind */
	snprintf(name, sizeof(name), "d/%s%d", n % 4 ? "f" : "s", n);
	CHECK(!pft_exists(name));
	EQ(2 + (n + 3) / 4, STAT("d").nlink);
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(path, fsck_report, NULL));
	OK(pf_pool_open(path, 0, &P, NULL, 0));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/%s%d", i % 4 ? "f" : "s", i);
		OK(pf_unlinkat(P, &ROOT, NULL, name, i % 4 ? 0 : AT_REMOVEDIR));
	}
	STREQ("", pft_list("d"));
	/* and there is room again */
	for (int i = 0; i < n / 2; i++) {
		snprintf(name, sizeof(name), "d/again%d", i);
		pf_file *f;
		OK(pf_openat(P, &ROOT, NULL, name, O_CREAT | O_WRONLY, 0644,
			     &f));
		pf_close(f);
	}
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(path, fsck_report, NULL));
}

PFT_MAIN(PFT_CASE(dot_entries_and_types), PFT_CASE(many_names_exactly_once),
	 PFT_CASE(small_buffer), PFT_CASE(cookies_survive_insertion),
	 PFT_CASE(seek_back_to_saved_cookies),
	 PFT_CASE(delete_while_listing), PFT_CASE(mkdir_rmdir),
	 PFT_CASE(rmdir_open_directory), PFT_CASE(large_directory),
	 PFT_CASE_NOPOOL(enospc_on_metadata))
