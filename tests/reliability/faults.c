/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection: every allocation of every operation fails once.
 *
 * Debian's libpmemobj is a release build: pmemobj_inject_fault_at() is not
 * there. So this test interposes the transactional allocation functions the
 * core calls (pmemobj_tx_alloc, _zalloc, _xalloc, the undo-log space
 * taken by pmemobj_tx_add_range*, and the action API's pmemobj_reserve and
 * pmemobj_publish): the core is a static library linked into
 * this executable, so its calls bind to the definitions below, which count
 * and, at the Kth call, fail exactly as libpmemobj fails when it is out of
 * space (abort the transaction with ENOMEM, or return the error for the
 * NO_ABORT flags / POBJ_TX_FAILURE_RETURN).
 *
 * For each operation type, for K = 1, 2, ... until the operation succeeds:
 * a failing call must return -ENOSPC (or -ENOMEM), the tree dump (names,
 * types, sizes, contents, nlink) must be unchanged, pf_fsck clean, and the
 * pool must reopen; the successful call must leave the model's state.
 *
 * Then a full pool: a PF_POOL_MIN_SIZE pool is filled with data until
 * -ENOSPC, then with empty files and directories until -ENOSPC; fsck must be
 * clean, every byte written must read back, and deleting the files must
 * give the space back (pf_statfs) so that writing works again.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libpmemobj.h>
#include <linux/fs.h>

#include <pmemfile/core.h>

#include "rel.h"
#include "rel_pool.h"

/* ---- the interposers ------------------------------------------------------ */

static long fault_count;        /* allocation calls seen while armed */
static long fault_at;           /* fail the call with this number (0: never) */
static int fault_armed;
static long faults_fired;

/* Returns 1 if this call must fail. */
static int
fault_now(void)
{
	if (!fault_armed)
		return 0;
	if (++fault_count != fault_at)
		return 0;
	faults_fired++;
	return 1;
}

static int
fail_returns(uint64_t flags)
{
	return (flags & POBJ_FLAG_TX_NO_ABORT) ||
	       pmemobj_tx_get_failure_behavior() == POBJ_TX_FAILURE_RETURN;
}

static PMEMoid
fail_oid(uint64_t flags)
{
	if (!fail_returns(flags))
		pmemobj_tx_abort(ENOMEM);
	errno = ENOMEM;
	return OID_NULL;
}

static int
fail_int(uint64_t flags)
{
	if (!fail_returns(flags))
		pmemobj_tx_abort(ENOMEM);
	errno = ENOMEM;
	return ENOMEM;
}

#define REAL(name) \
	static __typeof__(name) *real_; \
	if (!real_) \
		real_ = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

PMEMoid
pmemobj_tx_alloc(size_t size, uint64_t type_num)
{
	REAL(pmemobj_tx_alloc);
	if (fault_now())
		return fail_oid(0);
	return real_(size, type_num);
}

PMEMoid
pmemobj_tx_zalloc(size_t size, uint64_t type_num)
{
	REAL(pmemobj_tx_zalloc);
	if (fault_now())
		return fail_oid(0);
	return real_(size, type_num);
}

PMEMoid
pmemobj_tx_xalloc(size_t size, uint64_t type_num, uint64_t flags)
{
	REAL(pmemobj_tx_xalloc);
	if (fault_now())
		return fail_oid(flags);
	return real_(size, type_num, flags);
}

int
pmemobj_tx_add_range_direct(const void *ptr, size_t size)
{
	REAL(pmemobj_tx_add_range_direct);
	if (fault_now())
		return fail_int(0);
	return real_(ptr, size);
}

int
pmemobj_tx_xadd_range_direct(const void *ptr, size_t size, uint64_t flags)
{
	REAL(pmemobj_tx_xadd_range_direct);
	if (fault_now())
		return fail_int(flags);
	return real_(ptr, size, flags);
}

/* the action API (core/src/act.c): a reservation, and the publish, which
 * fails when it cannot grow the lane's redo log */
PMEMoid
pmemobj_reserve(PMEMobjpool *pop, struct pobj_action *act, size_t size,
		uint64_t type_num)
{
	REAL(pmemobj_reserve);
	if (fault_now()) {
		errno = ENOMEM;
		return OID_NULL;
	}
	return real_(pop, act, size, type_num);
}

int
pmemobj_publish(PMEMobjpool *pop, struct pobj_action *actv, size_t actvcnt)
{
	REAL(pmemobj_publish);
	if (fault_now()) {
		errno = ENOMEM;
		return -1;
	}
	return real_(pop, actv, actvcnt);
}

int
pmemobj_tx_add_range(PMEMoid oid, uint64_t off, size_t size)
{
	REAL(pmemobj_tx_add_range);
	if (fault_now())
		return fail_int(0);
	return real_(oid, off, size);
}

/* ---- the operations ---------------------------------------------------------- */

static char base_path[256], work_path[256];
static int failures;
static long total_faults_checked;
static long short_writes;   /* faults that made a write short */

#define CHECK(cond, ...) do { if (!(cond)) { \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); failures++; } } while (0)

static struct rel_op
mkop(int kind, const char *a, const char *b, uint32_t len, unsigned flags)
{
	struct rel_op op;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	snprintf(op.a, REL_PATH, "%s", a);
	snprintf(op.b, REL_PATH, "%s", b ? b : "");
	op.len = len;
	op.seed = len * 7 + (uint32_t)kind;
	op.flags = flags;
	return op;
}

/* The starting tree of every operation test. */
static struct rel_op base_ops[64];
static int nbase;

static void
add_base(struct rel_op op)
{
	base_ops[nbase++] = op;
}

static void
make_base(void)
{
	add_base(mkop(OP_MKDIR, "dir", NULL, 0, 0));
	add_base(mkop(OP_MKDIR, "other", NULL, 0, 0));
	add_base(mkop(OP_MKDIR, "empty", NULL, 0, 0));
	add_base(mkop(OP_MKDIR, "dir/sub", NULL, 0, 0));
	add_base(mkop(OP_CREATE, "dir/file", NULL, 0, 0));
	add_base(mkop(OP_APPEND, "dir/file", NULL, 10000, 0));
	add_base(mkop(OP_CREATE, "dir/sub/deep", NULL, 0, 0));
	add_base(mkop(OP_APPEND, "dir/sub/deep", NULL, 300, 0));
	add_base(mkop(OP_CREATE, "other/x", NULL, 0, 0));
	add_base(mkop(OP_APPEND, "other/x", NULL, 5000, 0));
	add_base(mkop(OP_CREATE, "big", NULL, 0, 0));
	add_base(mkop(OP_APPEND, "big", NULL, 300000, 0));
	add_base(mkop(OP_MKDIR, "many", NULL, 0, 0));
	for (int i = 0; i < 40; i++) {
		char n[32];
		snprintf(n, sizeof(n), "many/f%02d", i);
		add_base(mkop(OP_CREATE, n, NULL, 0, 0));
	}
	char msg[256] = "";
	int r = pf_pool_create(base_path, PF_POOL_MIN_SIZE, 1, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "pf_pool_create: %s (%s)\n", strerror(-r), msg);
		exit(1);
	}
	pf_pool *p;
	r = pf_pool_open(base_path, 0, &p, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "pf_pool_open: %s (%s)\n", strerror(-r), msg);
		exit(1);
	}
	for (int i = 0; i < nbase; i++) {
		long got = rel_pool_apply(p, &base_ops[i]);
		if (got < 0) {
			fprintf(stderr, "building the base tree: op %d: %ld\n", i, got);
			exit(1);
		}
	}
	pf_pool_close(p);
}

static pf_pool *
open_work(void)
{
	char msg[256] = "";
	pf_pool *p;
	int r = pf_pool_open(work_path, 0, &p, msg, sizeof(msg));
	CHECK(r == 0, "pf_pool_open: %s (%s)", strerror(-r), msg);
	return r == 0 ? p : NULL;
}

/* Injects a fault at every allocation of op, one K at a time. */
static void
test_op(const struct rel_op *op)
{
	char desc[REL_PATH * 3];
	rel_op_format(op, desc, sizeof(desc));
	int r = rel_copy_file(base_path, work_path);
	if (r < 0) {
		CHECK(0, "copy: %s", strerror(-r));
		return;
	}
	struct rel_model *m = rel_model_new();
	for (int i = 0; i < nbase; i++)
		rel_model_apply(m, &base_ops[i], 0);
	char *before = rel_model_dump(m);
	long want = rel_model_apply(m, op, 0);
	char *after = rel_model_dump(m);
	rel_model_free(m);

	pf_pool *p = open_work();
	if (!p)
		goto out;
	char *d = rel_pool_dump(p, NULL);
	CHECK(strcmp(d, before) == 0, "%s: base tree differs from the model", desc);
	free(d);
	long k;
	for (k = 1; k < 10000; k++) {
		fault_count = 0;
		fault_at = k;
		fault_armed = 1;
		long got = rel_pool_apply(p, op);
		fault_armed = 0;
		int fired = fault_count >= k;
		if (!fired) {
			/* every allocation passed: this is the real result */
			CHECK(got == want, "%s: got %ld, model says %ld", desc,
			      got, want);
			d = rel_pool_dump(p, NULL);
			CHECK(strcmp(d, after) == 0, "%s: tree after success "
			      "differs from the model", desc);
			if (strcmp(d, after))
				rel_diff("pool", d, "model", after);
			free(d);
			break;
		}
		total_faults_checked++;
		d = rel_pool_dump(p, NULL);
		if (got >= 0) {
			/* the failure was absorbed (a NO_ABORT retry, a write
			 * that found room on a second try), or a write was short (it wrote the part that found
			 * room): the model of the same op, that long */
			char *expect = after;
			if (got < want && (op->kind == OP_APPEND ||
					   op->kind == OP_PWRITE)) {
				CHECK(got > 0, "%s: fault %ld: a write of 0",
				      desc, k);
				struct rel_op shorter = *op;
				shorter.len = (uint32_t)got;
				struct rel_model *ms = rel_model_new();
				for (int i = 0; i < nbase; i++)
					rel_model_apply(ms, &base_ops[i], 0);
				rel_model_apply(ms, &shorter, 0);
				expect = rel_model_dump(ms);
				rel_model_free(ms);
				short_writes++;
			}
			CHECK(strcmp(d, expect) == 0, "%s: fault %ld absorbed but "
			      "the tree is not the model's", desc, k);
			free(d);
			if (expect != after)
				free(expect);
			/* the later allocations get their fault too: from
			 * the base pool again */
			pf_pool_close(p);
			int f = rel_fsck(work_path, desc);
			CHECK(f == 0, "%s: fsck after short write %ld: %d", desc,
			      k, f);
			r = rel_copy_file(base_path, work_path);
			CHECK(r == 0, "copy: %s", strerror(-r));
			p = open_work();
			if (!p)
				goto out;
			continue;
		}
		CHECK(got == -ENOSPC || got == -ENOMEM, "%s: fault at allocation "
		      "%ld returned %ld (%s), want -ENOSPC", desc, k, got,
		      strerror((int)-got));
		CHECK(strcmp(d, before) == 0, "%s: fault at allocation %ld "
		      "changed the tree", desc, k);
		if (strcmp(d, before))
			rel_diff("pool", d, "before", before);
		free(d);
		pf_pool_close(p);
		int f = rel_fsck(work_path, desc);
		CHECK(f == 0, "%s: fsck after fault %ld: %d", desc, k, f);
		p = open_work();
		if (!p)
			goto out;
	}
	printf("%-50s %3ld allocation(s), each failed once\n", desc, k - 1);
	pf_pool_close(p);
	r = rel_fsck(work_path, desc);
	CHECK(r == 0, "%s: fsck at the end: %d", desc, r);
out:
	free(before);
	free(after);
	unlink(work_path);
}

/* ---- the full pool ------------------------------------------------------------ */

static void
test_full_pool(void)
{
	char msg[256] = "";
	int r = pf_pool_create(work_path, PF_POOL_MIN_SIZE, 1, msg, sizeof(msg));
	CHECK(r == 0, "create: %s", msg);
	if (r)
		return;
	pf_pool *p = open_work();
	if (!p)
		return;
	struct pf_statfs s0, s1, s2;
	CHECK(pf_statfs(p, &s0) == 0, "statfs");
	static char buf[65536];
	uint64_t sizes[256] = { 0 };
	int nfiles = 0;
	long werr = 0;
	while (nfiles < 256 && !werr) {
		char name[32];
		snprintf(name, sizeof(name), "fill%03d", nfiles);
		pf_file *f;
		r = pf_openat(p, &rel_root, NULL, name, O_CREAT | O_WRONLY, 0644, &f);
		if (r < 0) {
			werr = r;
			break;
		}
		nfiles++;
		for (int j = 0; j < 32; j++) {
			rel_fill(buf, sizeof(buf), (uint32_t)((nfiles - 1) * 100 + j));
			ssize_t n = pf_write(p, &rel_root, f, buf, sizeof(buf));
			if (n < 0) {
				werr = n;
				break;
			}
			sizes[nfiles - 1] += (uint64_t)n;
			if (n < (ssize_t)sizeof(buf)) {
				/* a short write: the next one must fail */
				n = pf_write(p, &rel_root, f, buf, sizeof(buf));
				CHECK(n < 0, "write after a short write: %zd", n);
				werr = n < 0 ? n : -ENOSPC;
				break;
			}
		}
		pf_close(f);
	}
	CHECK(werr == -ENOSPC, "filling the pool ended with %ld (%s), want "
	      "-ENOSPC", werr, strerror((int)-werr));
	uint64_t total = 0;
	for (int i = 0; i < nfiles; i++)
		total += sizes[i];
	/* ENOSPC must mean full: at least half of what statfs called free at
	 * the start must have been accepted as data */
	CHECK(total >= s0.bfree * s0.bsize / 2, "ENOSPC after %llu bytes of "
	      "data while statfs said %llu blocks of %llu bytes were free",
	      (unsigned long long)total, (unsigned long long)s0.bfree,
	      (unsigned long long)s0.bsize);
	/* then metadata: empty files and directories until ENOSPC */
	int nmeta = 0;
	long merr = pf_mkdirat(p, &rel_root, NULL, "meta", 0755);
	CHECK(merr == 0, "mkdir meta: %ld", merr);
	for (nmeta = 0; nmeta < 200000; nmeta++) {
		char name[32];
		snprintf(name, sizeof(name), "meta/m%06d", nmeta);
		pf_file *f;
		if (nmeta % 2)
			merr = pf_mkdirat(p, &rel_root, NULL, name, 0755);
		else {
			merr = pf_openat(p, &rel_root, NULL, name,
					 O_CREAT | O_EXCL | O_WRONLY, 0644, &f);
			if (merr == 0)
				pf_close(f);
		}
		if (merr < 0)
			break;
	}
	CHECK(merr == -ENOSPC, "filling with inodes ended with %ld, want -ENOSPC",
	      merr);
	CHECK(pf_statfs(p, &s1) == 0, "statfs");
	printf("full pool: %llu data bytes in %d files, %d empty inodes; "
	       "bfree %llu -> %llu\n", (unsigned long long)total, nfiles, nmeta,
	       (unsigned long long)s0.bfree, (unsigned long long)s1.bfree);
	pf_pool_close(p);
	r = rel_fsck(work_path, "full pool");
	CHECK(r == 0, "fsck of the full pool: %d", r);
	p = open_work();
	if (!p)
		return;
	/* every byte written is there */
	for (int i = 0; i < nfiles; i++) {
		char name[32];
		snprintf(name, sizeof(name), "fill%03d", i);
		struct pf_stat st;
		r = pf_fstatat(p, &rel_root, NULL, name, &st, 0);
		CHECK(r == 0 && st.size == sizes[i], "%s: size %llu, want %llu",
		      name, (unsigned long long)st.size,
		      (unsigned long long)sizes[i]);
		pf_file *f;
		if (pf_openat(p, &rel_root, NULL, name, O_RDONLY, 0, &f) < 0)
			continue;
		static char rb[65536];
		for (uint64_t off = 0; off < sizes[i]; off += sizeof(buf)) {
			size_t n = sizes[i] - off < sizeof(buf) ?
				(size_t)(sizes[i] - off) : sizeof(buf);
			rel_fill(buf, sizeof(buf), (uint32_t)(i * 100 + off / sizeof(buf)));
			ssize_t got = pf_pread(p, f, rb, n, (off_t)off);
			if (got != (ssize_t)n || memcmp(rb, buf, n)) {
				CHECK(0, "%s: content differs at %llu", name,
				      (unsigned long long)off);
				break;
			}
		}
		pf_close(f);
	}
	/* deleting gives the space back */
	for (int i = 0; i < nfiles; i++) {
		char name[32];
		snprintf(name, sizeof(name), "fill%03d", i);
		r = pf_unlinkat(p, &rel_root, NULL, name, 0);
		CHECK(r == 0, "unlink %s in a full pool: %d", name, r);
	}
	for (int i = 0; i < nmeta; i++) {
		char name[32];
		snprintf(name, sizeof(name), "meta/m%06d", i);
		r = pf_unlinkat(p, &rel_root, NULL, name, i % 2 ? AT_REMOVEDIR : 0);
		CHECK(r == 0, "remove %s in a full pool: %d", name, r);
	}
	r = pf_unlinkat(p, &rel_root, NULL, "meta", AT_REMOVEDIR);
	CHECK(r == 0, "rmdir meta: %d", r);
	CHECK(pf_statfs(p, &s2) == 0, "statfs");
	CHECK(s2.bfree + 16 >= s0.bfree, "space not given back: bfree %llu at "
	      "the start, %llu after deleting everything",
	      (unsigned long long)s0.bfree, (unsigned long long)s2.bfree);
	CHECK(s2.ffree + 64 >= s0.ffree, "inodes not given back: ffree %llu -> %llu",
	      (unsigned long long)s0.ffree, (unsigned long long)s2.ffree);
	/* and writing works again */
	pf_file *f;
	r = pf_openat(p, &rel_root, NULL, "again", O_CREAT | O_WRONLY, 0644, &f);
	CHECK(r == 0, "create after freeing: %d", r);
	if (r == 0) {
		for (int j = 0; j < 16; j++) {
			ssize_t n = pf_write(p, &rel_root, f, buf, sizeof(buf));
			CHECK(n == (ssize_t)sizeof(buf), "write after freeing: %zd", n);
		}
		pf_close(f);
	}
	printf("after deleting: bfree %llu (start %llu), ffree %llu (start %llu)\n",
	       (unsigned long long)s2.bfree, (unsigned long long)s0.bfree,
	       (unsigned long long)s2.ffree, (unsigned long long)s0.ffree);
	pf_pool_close(p);
	r = rel_fsck(work_path, "full pool after delete");
	CHECK(r == 0, "fsck after deleting: %d", r);
	unlink(work_path);
}

int
main(void)
{
	snprintf(base_path, sizeof(base_path), "/dev/shm/pf-rel-faults-%d.base",
		 getpid());
	snprintf(work_path, sizeof(work_path), "/dev/shm/pf-rel-faults-%d",
		 getpid());
	make_base();
	const struct rel_op ops[] = {
		mkop(OP_CREATE, "newfile", NULL, 0, 0),
		mkop(OP_CREATE, "many/f99", NULL, 0, 0),
		mkop(OP_MKDIR, "newdir", NULL, 0, 0),
		mkop(OP_MKDIR, "dir/sub/newdir", NULL, 0, 0),
		mkop(OP_APPEND, "dir/file", NULL, 100, 0),
		mkop(OP_APPEND, "dir/file", NULL, 70000, 0),
		mkop(OP_APPEND, "big", NULL, 1000000, 0),
		mkop(OP_PWRITE, "other/x", NULL, 9000, 0),
		mkop(OP_TRUNC, "dir/file", NULL, 0, 0),
		mkop(OP_TRUNC, "big", NULL, 5000, 0),
		mkop(OP_TRUNC, "other/x", NULL, 1 << 20, 0),
		mkop(OP_UNLINK, "dir/file", NULL, 0, 0),
		mkop(OP_UNLINK, "big", NULL, 0, 0),
		mkop(OP_RMDIR, "empty", NULL, 0, 0),
		mkop(OP_RENAME, "dir/file", "dir/file2", 0, 0),
		mkop(OP_RENAME, "dir/file", "other/file2", 0, 0),
		mkop(OP_RENAME, "dir/file", "other/x", 0, 0),
		mkop(OP_RENAME, "dir", "other/dir", 0, 0),
		mkop(OP_RENAME, "dir/sub", "empty", 0, 0),
		mkop(OP_RENAME, "dir", "other", 0, RENAME_EXCHANGE),
		mkop(OP_RENAME, "dir/file", "newname", 0, RENAME_NOREPLACE),
		mkop(OP_LINK, "dir/file", "other/link", 0, 0),
	};
	struct rel_op pw = mkop(OP_PWRITE, "dir/file", NULL, 20000, 0);
	pw.off = 200000;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		test_op(&ops[i]);
	test_op(&pw);
	test_full_pool();
	unlink(base_path);
	printf("faults injected and checked: %ld (fired %ld, %ld made a "
	       "write short); failures: %d\n", total_faults_checked,
	       faults_fired, short_writes, failures);
	return failures ? 1 : 0;
}
