/* SPDX-License-Identifier: BSD-3-Clause */
/* Unlinked-but-open files: still usable, freed on last close, and freed at
 * the next open after a crash (the persistent orphan list). */
#define _GNU_SOURCE
#include "pftest.h"

#include <sys/wait.h>

#define MiB (1024L * 1024L)

static uint64_t free_bytes(void)
{
	struct pf_statfs s;
	OK(pf_statfs(P, &s));
	return s.bfree * s.frsize;
}

static void fsck_report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fsck: %s\n", msg);
}

/* Closes P and checks the pool. */
static void fsck_clean(void)
{
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(pft_pool_path, fsck_report, NULL));
}

static void unlinked_open_file(void)
{
	char *buf = malloc(MiB), *rb = malloc(MiB);
	pft_pattern(buf, MiB, 1, 0);
	uint64_t free0 = free_bytes();
	PUT("f", buf, MiB);
	uint64_t free1 = free_bytes();
	CHECK(free0 - free1 >= (uint64_t)MiB);
	pf_file *f = OPEN("f", O_RDWR, 0);
	uint64_t ino = STAT("f").ino;
	OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
	CHECK(!pft_exists("f"));
	STREQ("", pft_list("/"));
	/* still readable, writable, stat-able */
	EQ(MiB, pf_pread(P, f, rb, MiB, 0));
	MEMEQ(buf, rb, MiB);
	EQ(3, pf_pwrite(P, &ROOT, f, "new", 3, MiB));
	struct pf_stat st;
	OK(pf_fstat(P, f, &st));
	EQ(0, st.nlink);
	EQ(ino, st.ino);
	EQ(MiB + 3, st.size);
	/* space not yet freed */
	CHECK(free_bytes() <= free1);
	/* a second reference keeps it alive */
	pf_file *g = pf_file_ref(f);
	pf_close(f);
	EQ(3, pf_pread(P, g, rb, 3, MiB));
	MEMEQ("new", rb, 3);
	CHECK(free_bytes() <= free1);
	pf_close(g);
	/* freed now */
	CHECK(free_bytes() - free1 >= (uint64_t)MiB);
	CHECK(free_bytes() + 64 * 1024 >= free0);
	free(buf);
	free(rb);
}

static void two_descriptions(void)
{
	char *buf = malloc(MiB);
	pft_pattern(buf, MiB, 2, 0);
	PUT("f", buf, MiB);
	uint64_t free1 = free_bytes();
	pf_file *a = OPEN("f", O_RDONLY, 0);
	pf_file *b = OPEN("f", O_RDONLY, 0);
	OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
	pf_close(a);
	CHECK(free_bytes() <= free1);
	char c;
	EQ(1, pf_pread(P, b, &c, 1, 5));
	EQ(buf[5], c);
	pf_close(b);
	CHECK(free_bytes() - free1 >= (uint64_t)MiB);
	free(buf);
}

static void replaced_by_rename(void)
{
	char *buf = malloc(MiB);
	pft_pattern(buf, MiB, 3, 0);
	PUT("victim", buf, MiB);
	PUTS("new", "n");
	pf_file *v = OPEN("victim", O_RDONLY, 0);
	uint64_t free1 = free_bytes();
	OK(pf_renameat2(P, &ROOT, NULL, "new", NULL, "victim", 0));
	CONTENT("victim", "n");
	char c;
	EQ(1, pf_pread(P, v, &c, 1, 100));
	EQ(buf[100], c);
	CHECK(free_bytes() <= free1);
	pf_close(v);
	CHECK(free_bytes() - free1 >= (uint64_t)MiB);
	free(buf);
}

static void still_linked_elsewhere(void)
{
	PUTS("f", "data");
	OK(pf_linkat(P, &ROOT, NULL, "f", NULL, "g", 0));
	pf_file *f = OPEN("f", O_RDONLY, 0);
	OK(pf_unlinkat(P, &ROOT, NULL, "f", 0));
	pf_close(f);
	CONTENT("g", "data");
	EQ(1, STAT("g").nlink);
}

static void removed_directory_open(void)
{
	MKDIR("d");
	struct pf_statfs a, b;
	OK(pf_statfs(P, &a));
	pf_file *d = OPEN("d", O_RDONLY | O_DIRECTORY, 0);
	OK(pf_unlinkat(P, &ROOT, NULL, "d", AT_REMOVEDIR));
	pf_close(d);
	OK(pf_statfs(P, &b));
	CHECK(b.ffree > a.ffree);
	fsck_clean();
}

/* A child makes orphans and dies without closing anything. */
/* n orphans of 4 MiB each (with an attribute each if xattrs), open when
 * the process dies */
static void crash_with_orphans(int use_tmpfile, int n, int xattrs)
{
	pf_pool_close(P);
	P = NULL;
	pf_pool *pool;
	OK(pf_pool_open(pft_pool_path, 0, &pool, NULL, 0));
	struct pf_statfs s0;
	OK(pf_statfs(pool, &s0));
	pf_pool_close(pool);

	int pfd[2];
	CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		pf_pool *cp;
		if (pf_pool_open(pft_pool_path, 0, &cp, NULL, 0))
			_exit(2);
		char *buf = calloc(1, 4 * MiB);
		for (int i = 0; i < n; i++) {
			pf_file *f;
			char name[16];
			snprintf(name, sizeof(name), "o%d", i);
			int r = use_tmpfile ?
				pf_openat(cp, &ROOT, NULL, "/",
					  O_TMPFILE | O_RDWR, 0600, &f) :
				pf_openat(cp, &ROOT, NULL, name,
					  O_CREAT | O_RDWR, 0600, &f);
			if (r || pf_write(cp, &ROOT, f, buf, 4 * MiB) !=
			    4 * MiB)
				_exit(3);
			if (xattrs &&
			    pf_fsetxattr(cp, &ROOT, f, "user.o", buf, 5000, 0))
				_exit(8);
			if (!use_tmpfile &&
			    pf_unlinkat(cp, &ROOT, NULL, name, 0))
				_exit(4);
			/* f stays open */
		}
		pf_file *k;
		if (pf_openat(cp, &ROOT, NULL, "kept", O_CREAT | O_RDWR, 0600,
			      &k) || pf_write(cp, &ROOT, k, "k", 1) != 1)
			_exit(5);
		if (write(pfd[1], "r", 1) != 1)
			_exit(6);
		pause();        /* killed here, pool open, orphans open */
		_exit(7);
	}
	close(pfd[1]);
	char c;
	EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status));

	/* before the next open, fsck may see the orphans: they must not be
	 * reported as damage */
	int r = pf_fsck(pft_pool_path, fsck_report, NULL);
	EQ(0, r);
	OK(pf_pool_open(pft_pool_path, 0, &P, NULL, 0));
	struct pf_statfs s1;
	OK(pf_statfs(P, &s1));
	/* the orphans' 4 MiB each were freed at open */
	CHECK(s0.bfree - s1.bfree < (uint64_t)(MiB / s1.frsize));
	STREQ("kept", pft_list("/"));
	CONTENT("kept", "k");
	pft_reopen();
	pf_pool_close(P);
	P = NULL;
	r = pf_fsck(pft_pool_path, fsck_report, NULL);
	EQ(0, r);
}

static void crash_with_unlinked_orphans(void)
{
	crash_with_orphans(0, 3, 0);
}

static void crash_with_tmpfile_orphans(void)
{
	crash_with_orphans(1, 3, 0);
}

/* more orphans than other inodes (the open's bound on the orphan walk
 * once counted the inodes left, and called such a list damaged), each
 * with an attribute blob to free too */
static void crash_with_mostly_orphans(void)
{
	crash_with_orphans(0, 8, 1);
}

static void many_orphans(void)
{
	pf_file *fs[100];
	char name[16];
	uint64_t free0 = free_bytes();
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fs[i] = OPEN(name, O_CREAT | O_RDWR, 0644);
		EQ(5000, pf_write(P, &ROOT, fs[i], calloc(1, 5000), 5000));
		OK(pf_unlinkat(P, &ROOT, NULL, name, 0));
	}
	/* close in a scrambled order */
	for (int i = 0; i < 100; i++)
		pf_close(fs[(i * 37) % 100]);
	CHECK(free_bytes() + 64 * 1024 >= free0);
	STREQ("", pft_list("/"));
	fsck_clean();
}

PFT_MAIN(PFT_CASE(unlinked_open_file), PFT_CASE(two_descriptions),
	 PFT_CASE(replaced_by_rename), PFT_CASE(still_linked_elsewhere),
	 PFT_CASE(removed_directory_open),
	 PFT_CASE(crash_with_unlinked_orphans),
	 PFT_CASE(crash_with_tmpfile_orphans),
	 PFT_CASE(crash_with_mostly_orphans), PFT_CASE(many_orphans))
