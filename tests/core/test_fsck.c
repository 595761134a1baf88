/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fsck through the pool tool: a clean pool exits 0, a damaged one exits 1
 * and prints the problem, an unreadable one exits 8. The damage is done
 * with libpmemobj on the on-media layout (core/layout.h); the core's own
 * test (tests/unit/core_fsck_damage.c) covers every kind of damage, this
 * one checks what a user of `pmemfile fsck` sees.
 */
#define _GNU_SOURCE
#include "pftest.h"

#include <sys/wait.h>

#include "layout.h"

static const char *tool(void)
{
	const char *t = getenv("PF_TOOL");
	if (!t)
		pft_fail(__FILE__, __LINE__, "PF_TOOL is not set");
	return t;
}

/* Runs `pmemfile fsck path`; returns its exit status and output. */
static int run_fsck(const char *path, char *out, size_t outlen)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s fsck '%s' 2>&1", tool(), path);
	FILE *p = popen(cmd, "r");
	CHECK(p != NULL);
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = 0;
	int st = pclose(p);
	CHECK(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void build_and_close(uint64_t *ino_f, uint64_t *ino_d)
{
	MKDIR("d");
	PUTS("d/f", "some data");
	PUTS("g", "more");
	*ino_f = STAT("d/f").ino;
	*ino_d = STAT("d").ino;
	pf_pool_close(P);
	P = NULL;
}

static PMEMobjpool *open_raw(void)
{
	PMEMobjpool *pop = pmemobj_open(pft_pool_path, PF_LAYOUT_NAME);
	if (!pop)
		pft_fail(__FILE__, __LINE__, "pmemobj_open: %s",
			 pmemobj_errormsg());
	return pop;
}

static void clean_pool(void)
{
	uint64_t f, d;
	build_and_close(&f, &d);
	char out[4096];
	EQ(0, run_fsck(pft_pool_path, out, sizeof(out)));
	CHECK(strstr(out, "clean") != NULL);
}

static void wrong_link_count(void)
{
	uint64_t f, d;
	build_and_close(&f, &d);
	PMEMobjpool *pop = open_raw();
	struct pf_inode *pi = (void *)((char *)pop + f);
	EQ(PF_INODE_MAGIC, pi->magic);
	pi->nlink = 7;
	pmemobj_persist(pop, &pi->nlink, sizeof(pi->nlink));
	pmemobj_close(pop);
	char out[4096];
	EQ(1, run_fsck(pft_pool_path, out, sizeof(out)));
	CHECK(strstr(out, "problem") != NULL);
	/* at least one line besides the summary */
	CHECK(strchr(out, '\n') != strrchr(out, '\n'));
	CHECK(pf_fsck(pft_pool_path, quiet, NULL) > 0);
}

static void wrong_directory_count(void)
{
	uint64_t f, d;
	build_and_close(&f, &d);
	PMEMobjpool *pop = open_raw();
	struct pf_inode *pi = (void *)((char *)pop + d);
	EQ(PF_INODE_MAGIC, pi->magic);
	pi->nlink = 5;
	pmemobj_persist(pop, pi, sizeof(*pi));
	pmemobj_close(pop);
	char out[4096];
	EQ(1, run_fsck(pft_pool_path, out, sizeof(out)));
}

static void bad_inode_magic(void)
{
	uint64_t f, d;
	build_and_close(&f, &d);
	PMEMobjpool *pop = open_raw();
	struct pf_inode *pi = (void *)((char *)pop + f);
	pi->magic = 0xdeadbeef;
	pmemobj_persist(pop, &pi->magic, sizeof(pi->magic));
	pmemobj_close(pop);
	char out[4096];
	int r = run_fsck(pft_pool_path, out, sizeof(out));
	CHECK(r == 1 || r == 8);
}

/*
 * A layout-1 pool (which counted entries per dirent page and subdirectories
 * per directory; 2 no longer keeps either) and a layout-2 pool (no
 * attribute blobs) are clean, open, take attributes and are marked 3; a
 * version from the future is refused by fsck and by open.
 */
static void layout_versions(void)
{
	uint64_t f, d;
	build_and_close(&f, &d);
	PMEMobjpool *pop = open_raw();
	struct pf_super *s = pmemobj_direct(pmemobj_root(pop, 0));
	EQ(PF_LAYOUT_VERSION, s->version);
	s->version = 1;
	struct pf_inode *pi = (void *)((char *)pop + d);
	pi->nsubdirs_v1 = 7;    /* whatever layout 1 left there */
	pmemobj_persist(pop, s, sizeof(*s));
	pmemobj_persist(pop, pi, sizeof(*pi));
	pmemobj_close(pop);
	char out[4096];
	EQ(0, run_fsck(pft_pool_path, out, sizeof(out)));
	pft_reopen();
	EQ(0, STAT("d/f").size - 9);
	pf_pool_close(P);
	P = NULL;
	pop = open_raw();
	s = pmemobj_direct(pmemobj_root(pop, 0));
	EQ(PF_LAYOUT_VERSION, s->version);
	s->version = 2;
	pmemobj_persist(pop, &s->version, sizeof(s->version));
	pmemobj_close(pop);
	EQ(0, run_fsck(pft_pool_path, out, sizeof(out)));
	pft_reopen();
	OK(pf_setxattrat(P, &ROOT, NULL, "d/f", 0, "user.a", "1", 1, 0));
	EQ(1, pf_getxattrat(P, &ROOT, NULL, "d/f", 0, "user.a", NULL, 0));
	pf_pool_close(P);
	P = NULL;
	EQ(0, run_fsck(pft_pool_path, out, sizeof(out)));
	pop = open_raw();
	s = pmemobj_direct(pmemobj_root(pop, 0));
	EQ(3, PF_LAYOUT_VERSION);
	EQ(PF_LAYOUT_VERSION, s->version);
	s->version = PF_LAYOUT_VERSION + 1;
	pmemobj_persist(pop, &s->version, sizeof(s->version));
	pmemobj_close(pop);
	EQ(1, run_fsck(pft_pool_path, out, sizeof(out)));
	CHECK(strstr(out, "layout version") != NULL);
	pf_pool *q = NULL;
	EQ(-EPROTO, pf_pool_open(pft_pool_path, 0, &q, NULL, 0));
}

static void not_a_pool(void)
{
	char out[4096];
	const char *junk = pft_side_path("junk");
	FILE *fp = fopen(junk, "w");
	for (int i = 0; i < 100000; i++)
		fputs("junk", fp);
	fclose(fp);
	EQ(8, run_fsck(junk, out, sizeof(out)));
	EQ(8, run_fsck(pft_side_path("missing"), out, sizeof(out)));
}

PFT_MAIN(PFT_CASE(clean_pool), PFT_CASE_DAMAGES(wrong_link_count),
	 PFT_CASE_DAMAGES(wrong_directory_count),
	 PFT_CASE_DAMAGES(bad_inode_magic), PFT_CASE_DAMAGES(layout_versions),
	 PFT_CASE_NOPOOL(not_a_pool))
