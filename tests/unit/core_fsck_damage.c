/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf_fsck on deliberately damaged pools: build a small tree, close the pool,
 * corrupt one field with libpmemobj directly (layout.h), and check that fsck
 * reports problems; a clean pool must report none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pftest.h" /* CHECK, EQ(expected, got) */
#include "layout.h"

static char path[256];
static struct pf_caller cred;

static void
report(void *arg, const char *m)
{
	if (arg)
		printf("  fsck: %s\n", m);
}

static uint64_t
ino_of(const char *p)
{
	pf_pool *pool;
	char msg[256];
	OK(pf_pool_open(path, 0, &pool, msg, sizeof(msg)));
	struct pf_stat st;
	OK(pf_fstatat(pool, &cred, NULL, p, &st, AT_SYMLINK_NOFOLLOW));
	pf_pool_close(pool);
	return st.ino;
}

static void
make_pool(void)
{
	char msg[256];
	unlink(path);
	OK(pf_pool_create(path, 32 << 20, 0, msg, sizeof(msg)));
	pf_pool *p;
	OK(pf_pool_open(path, 0, &p, msg, sizeof(msg)));
	pf_file *f;
	OK(pf_mkdirat(p, &cred, NULL, "/d", 0755));
	OK(pf_mkdirat(p, &cred, NULL, "/d/sub", 0755));
	OK(pf_openat(p, &cred, NULL, "/d/f", O_CREAT | O_RDWR, 0644, &f));
	static char buf[3 * 4096];
	memset(buf, 'x', sizeof(buf));
	EQ(4096, pf_pwrite(p, &cred, f, buf, 4096, 0));
	EQ(4096, pf_pwrite(p, &cred, f, buf, 4096, 3 * 4096));
	EQ(4096, pf_pwrite(p, &cred, f, buf, 4096, 20 * 4096));
	pf_close(f);
	CHECK(pf_setxattrat(p, &cred, NULL, "/d/f", 0, "user.b", "2", 1, 0) ==
	      0);
	CHECK(pf_setxattrat(p, &cred, NULL, "/d/f", 0, "user.a", "1", 1, 0) ==
	      0);
	OK(pf_linkat(p, &cred, NULL, "/d/f", NULL, "/hard", 0));
	OK(pf_symlinkat(p, &cred, "d/f", NULL, "/sym"));
	OK(pf_openat(p, &cred, NULL, "/gone", O_CREAT | O_RDWR, 0644, &f));
	pf_close(f);
	pf_pool_close(p);
}

typedef void (*damage_fn)(PMEMobjpool *pop, struct pf_super *s);

static uint64_t target_ino;

static struct pf_inode *
inode_at(PMEMobjpool *pop, uint64_t off)
{
	return (struct pf_inode *)((char *)pop + off);
}

static void
persist(PMEMobjpool *pop, void *a, size_t n)
{
	pmemobj_persist(pop, a, n);
}

static void
d_nlink(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_inode *pi = inode_at(pop, target_ino);
	pi->nlink = 5;
	persist(pop, &pi->nlink, 4);
	(void)s;
}

static void
d_dirnlink(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_inode *pi = inode_at(pop, target_ino);
	pi->nlink = 2;
	persist(pop, &pi->nlink, 4);
	(void)s;
}

static void
d_freed_inode(PMEMobjpool *pop, struct pf_super *s)
{
	/* free the inode of /gone but leave its directory entry */
	PMEMoid o = { pmemobj_oid(s).pool_uuid_lo, target_ino };
	pmemobj_free(&o);
}

static void d_flags(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_inode *pi = inode_at(pop, target_ino);
	pi->flags = 0x00100000u; /* no PF_FL_* */
	persist(pop, &pi->flags, 4);
	(void)s;
}

static struct pf_extents *
extents_of(PMEMobjpool *pop, uint64_t ino)
{
	return (struct pf_extents *)((char *)pop + inode_at(pop, ino)->data.off);
}

static void
d_overlap(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_extents *ex = extents_of(pop, target_ino);
	CHECK(ex->count >= 2);
	ex->e[1].off = ex->e[0].off;
	persist(pop, &ex->e[1].off, 8);
	(void)s;
}

static void
d_extent_len(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_extents *ex = extents_of(pop, target_ino);
	ex->e[0].len += 1u << 20;
	persist(pop, &ex->e[0].len, 8);
	(void)s;
}

static void
d_orphan_nlink(PMEMobjpool *pop, struct pf_super *s)
{
	/* put a linked inode on the orphan list */
	s->orphans = (PMEMoid){ pmemobj_oid(s).pool_uuid_lo, target_ino };
	persist(pop, &s->orphans, sizeof(s->orphans));
}

static void
d_magic(PMEMobjpool *pop, struct pf_super *s)
{
	s->magic ^= 1;
	persist(pop, &s->magic, 8);
}

static void
d_dotdot(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_inode *pi = inode_at(pop, target_ino);
	pi->parent = s->root;
	persist(pop, &pi->parent, sizeof(pi->parent));
}

/* The root directory's entry called name (in its first page). */
static struct pf_dirent *
root_entry(PMEMobjpool *pop, struct pf_super *s, const char *name)
{
	struct pf_inode *root = inode_at(pop, s->root.off);
	struct pf_dirpage *pg = (struct pf_dirpage *)((char *)pop + root->data.off);
	size_t len = strlen(name);
	for (int i = 0; i < PF_DIRPAGE_SLOTS; i++) {
		struct pf_dirent *d = &pg->d[i];
		if (!OID_IS_NULL(d->inode) && d->namelen == len &&
		    memcmp(d->name, name, len) == 0)
			return d;
	}
	fprintf(stderr, "no entry %s in the root directory\n", name);
	exit(1);
}

static void
d_dup_name(PMEMobjpool *pop, struct pf_super *s)
{
	/* rename "hard" to "gone" in place: two entries named "gone" */
	struct pf_dirent *d = root_entry(pop, s, "hard");
	memcpy(d->name, "gone", 4);
	persist(pop, d->name, 4);
}

/* PMEMoids with the right offset but another pool's uuid: the open
 * refuses them (check.c), so fsck must too (found by fuzz_image: a byte
 * of the orphan list head's uuid) */
static void
d_uuid_dirent(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_dirent *d = root_entry(pop, s, "sym");
	d->inode.pool_uuid_lo ^= 1ull << 8;
	persist(pop, &d->inode, sizeof(d->inode));
}

static void
d_uuid_dotdot(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_inode *pi = inode_at(pop, target_ino);
	pi->parent.pool_uuid_lo ^= 1ull << 8;
	persist(pop, &pi->parent, sizeof(pi->parent));
	(void)s;
}

static void
d_leak(PMEMobjpool *pop, struct pf_super *s)
{
	PMEMoid o;
	CHECK(pmemobj_zalloc(pop, &o, 4096, PF_T_DATA) == 0);
	(void)s;
}

static void
d_unreachable(PMEMobjpool *pop, struct pf_super *s)
{
	PMEMoid o;
	CHECK(pmemobj_zalloc(pop, &o, sizeof(struct pf_inode), PF_T_INODE) == 0);
	struct pf_inode *pi = pmemobj_direct(o);
	pi->magic = PF_INODE_MAGIC;
	pi->mode = S_IFREG | 0644;
	pi->nlink = 1;
	persist(pop, pi, sizeof(*pi));
	(void)s;
}

/* the attribute blob of the target (user.a then user.b) */
static struct pf_xattrs *xattrs_of(PMEMobjpool *pop, uint64_t ino)
{
	struct pf_inode *pi = inode_at(pop, ino);
	CHECK(!OID_IS_NULL(pi->xattr));
	return (struct pf_xattrs *)((char *)pop + pi->xattr.off);
}

static void d_xattr_order(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_xattrs *x = xattrs_of(pop, target_ino);
	struct pf_xattr_ent *e = (struct pf_xattr_ent *)x->ent;
	CHECK(e->namelen == 6 && !memcmp(e->name, "user.a", 6));
	e->name[5] = 'c'; /* user.c before user.b */
	persist(pop, e->name, 6);
	(void)s;
}

static void d_xattr_vlen(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_xattrs *x = xattrs_of(pop, target_ino);
	struct pf_xattr_ent *e = (struct pf_xattr_ent *)x->ent;
	e->vlen = 60000; /* runs past the blob's entries */
	persist(pop, &e->vlen, 4);
	(void)s;
}

static void d_xattr_ns(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_xattrs *x = xattrs_of(pop, target_ino);
	struct pf_xattr_ent *e = (struct pf_xattr_ent *)x->ent;
	e->name[0] = 'a'; /* "aser.a": no namespace the pool stores */
	persist(pop, e->name, 1);
	(void)s;
}

static void d_xattr_leak(PMEMobjpool *pop, struct pf_super *s)
{
	struct pf_inode *pi = inode_at(pop, target_ino);
	pi->xattr = OID_NULL;
	persist(pop, &pi->xattr, sizeof(pi->xattr));
	(void)s;
}

static void d_xattr_shared(PMEMobjpool *pop, struct pf_super *s)
{
	/* the symlink claims the file's blob too */
	struct pf_dirent *d = root_entry(pop, s, "sym");
	struct pf_inode *pi = inode_at(pop, d->inode.off);
	pi->xattr = inode_at(pop, target_ino)->xattr;
	persist(pop, &pi->xattr, sizeof(pi->xattr));
}

static int
run_case(const char *name, const char *victim, damage_fn fn)
{
	make_pool();
	target_ino = victim ? ino_of(victim) : 0;
	PMEMobjpool *pop = pmemobj_open(path, PF_LAYOUT_NAME);
	CHECK(pop != NULL);
	struct pf_super *s = pmemobj_direct(pmemobj_root(pop, 0));
	fn(pop, s);
	pmemobj_close(pop);
	int n = pf_fsck(path, report, (void *)1);
	printf("%s: %d problem(s)\n", name, n);
	if (n == 0) {
		fprintf(stderr, "FAIL: fsck missed damage '%s'\n", name);
		return 1;
	}
	return 0;
}

int
main(void)
{
	snprintf(path, sizeof(path), "/dev/shm/pf-test-fsck-damage-%d", getpid());
	cred.fsuid = getuid();
	cred.fsgid = getgid();
	int fails = 0;

	make_pool();
	int n = pf_fsck(path, report, (void *)1);
	printf("clean: %d problem(s)\n", n);
	if (n != 0) {
		fprintf(stderr, "FAIL: clean pool reported problems\n");
		fails++;
	}
	/* an unlinked-but-open file at close time is a legal orphan */
	fails += run_case("wrong nlink", "/d/f", d_nlink);
	fails += run_case("wrong directory nlink", "/d", d_dirnlink);
	fails += run_case("inode flags chattr cannot set", "/d/f", d_flags);
	fails += run_case("dirent to a freed inode", "/gone", d_freed_inode);
	fails += run_case("overlapping extents", "/d/f", d_overlap);
	fails += run_case("extent beyond its data", "/d/f", d_extent_len);
	fails += run_case("orphan with nlink > 0", "/gone", d_orphan_nlink);
	fails += run_case("bad superblock magic", NULL, d_magic);
	fails += run_case("bad '..'", "/d/sub", d_dotdot);
	fails += run_case("duplicate name", NULL, d_dup_name);
	fails += run_case("leaked data object", NULL, d_leak);
	fails += run_case("unreachable inode", NULL, d_unreachable);
	fails += run_case("entry with another pool's uuid", NULL, d_uuid_dirent);
	fails += run_case("'..' with another pool's uuid", "/d/sub", d_uuid_dotdot);
	fails += run_case("attributes out of order", "/d/f", d_xattr_order);
	fails +=
		run_case("attribute value past the blob", "/d/f", d_xattr_vlen);
	fails += run_case("attribute in no namespace", "/d/f", d_xattr_ns);
	fails += run_case("leaked attribute blob", "/d/f", d_xattr_leak);
	fails += run_case("attribute blob owned twice", "/d/f", d_xattr_shared);

	/* the run-time check refuses a blob that cannot be walked (check.c) */
	make_pool();
	target_ino = ino_of("/d/f");
	PMEMobjpool *xp = pmemobj_open(path, PF_LAYOUT_NAME);
	CHECK(xp != NULL);
	d_xattr_vlen(xp, pmemobj_direct(pmemobj_root(xp, 0)));
	pmemobj_close(xp);
	{
		pf_pool *q;
		char m[256];
		struct pf_stat st;
		OK(pf_pool_open(path, 0, &q, m, sizeof(m)));
		int sr = pf_fstatat(q, &cred, NULL, "/d/f", &st, 0);
		pf_pool_close(q);
		if (sr != -EIO) {
			fprintf(stderr, "FAIL: stat of a damaged blob: %d\n",
				sr);
			fails++;
		}
	}

	/* pf_pool_open refuses a pool with a bad magic with a message */
	make_pool();
	PMEMobjpool *pop = pmemobj_open(path, PF_LAYOUT_NAME);
	d_magic(pop, pmemobj_direct(pmemobj_root(pop, 0)));
	pmemobj_close(pop);
	pf_pool *p;
	char msg[256] = "";
	if (pf_pool_open(path, 0, &p, msg, sizeof(msg)) != -EINVAL || !*msg) {
		fprintf(stderr, "FAIL: open of a pool with bad magic\n");
		fails++;
	}
	/* F8: one byte in lane 1's undo log (libpmemobj 1.12 puts the lanes
	 * at 0x2000, 3 KiB each, the undo log 1 KiB into a lane) passes
	 * pmemobj_check, and the recovery of the next open replays it into
	 * the pool header: fsck may not call such a pool clean unless it
	 * still opens afterwards (found by fuzz_image) */
	make_pool();
	int lfd = open(path, O_WRONLY);
	CHECK(lfd >= 0);
	CHECK(pwrite(lfd, "\x07", 1, 0x2000 + 3072 + 1024) == 1);
	close(lfd);
	n = pf_fsck(path, report, (void *)1);
	msg[0] = 0;
	int r = pf_pool_open(path, 0, &p, msg, sizeof(msg));
	printf("damaged lane log: fsck %d, then open %d (%s)\n", n, r, msg);
	if (r == 0)
		pf_pool_close(p);
	else if (n == 0) {
		fprintf(stderr, "FAIL: fsck called a pool clean that then does "
			"not open (%s)\n", msg);
		fails++;
	}
	/* a file that is not a pool */
	int fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	static char junk[1 << 20];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7919 + 13);
	CHECK(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
	close(fd);
	msg[0] = 0;
	if (pf_pool_open(path, 0, &p, msg, sizeof(msg)) != -EINVAL || !*msg) {
		fprintf(stderr, "FAIL: open of random bytes\n");
		fails++;
	}
	printf("random bytes: %s\n", msg);
	if (pf_fsck(path, report, (void *)1) >= 0) {
		fprintf(stderr, "FAIL: fsck of random bytes\n");
		fails++;
	}
	unlink(path);
	if (fails)
		fprintf(stderr, "%d failure(s)\n", fails);
	else
		printf("all fsck damage cases caught\n");
	return fails ? 1 : 0;
}
