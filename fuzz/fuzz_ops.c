/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: random sequences of core operations, run against a pool
 * and against the in-memory model of tests/reliability/rel_model.c, compared
 * after every operation (the result with its errno, then the whole tree:
 * names, types, sizes, contents, link counts).
 *
 * Input: a sequence of 8-byte records, one per operation:
 *   kind, path a (3 bytes), path b (2 bytes), size, offset/flags
 * Paths are up to three components from {a, b, c, d} (so operations often
 * hit each other: ENOTDIR, ENOTEMPTY, EINVAL on a move under itself).
 * At the end of each input the tree is removed, so each input starts from
 * an empty pool.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>

#include <pmemfile/core.h>

#include "rel.h"
#include "rel_pool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pf_pool *pool;
/* PF_FUZZ_SKIP_KNOWN=N: step over reported divergences, so that a long
 * run can look further (K1-K4 of tests/reliability/README.md were such
 * entries; they are fixed and checked strictly again) */
static int skip_known;

static int
known_bug(long got, long want)
{
	/* PF_FUZZ_SKIP_KNOWN=2: any failure with another errno than Linux's
	 * (errno precedence), to look for state divergences only. (The tree
	 * is still compared after the call.) */
	if (skip_known >= 2 && got < 0 && want < 0)
		return 1;
	return 0;
}
static char pool_path[128];
static char *empty_dump;

static void
remove_pool(void)
{
	pf_pool_close(pool);
	unlink(pool_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PMEM_IS_PMEM_FORCE", "1", 0);
	snprintf(pool_path, sizeof(pool_path), "/dev/shm/pf-fuzz-ops-%d",
		 getpid());
	char msg[256] = "";
	if (pf_pool_create(pool_path, 64u << 20, 1, msg, sizeof(msg)) < 0 ||
	    pf_pool_open(pool_path, 0, &pool, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "fuzz_ops: pool: %s\n", msg);
		abort();
	}
	atexit(remove_pool);
	skip_known = getenv("PF_FUZZ_SKIP_KNOWN") ?
		     atoi(getenv("PF_FUZZ_SKIP_KNOWN")) : 0;
	empty_dump = rel_pool_dump(pool, NULL);
	return 0;
}

static void
decode_path(char *out, uint8_t x, uint8_t y)
{
	static const char *names[] = { "a", "b", "c", "d" };
	int depth = 1 + x % 3;
	uint16_t bits = (uint16_t)(x >> 2 | y << 6);
	out[0] = 0;
	for (int i = 0; i < depth; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, names[bits & 3]);
		bits >>= 2;
	}
}

static void
fail(const char *what, const struct rel_op *op, long got, long want)
{
	char d[REL_PATH * 3];
	rel_op_format(op, d, sizeof(d));
	fprintf(stderr, "fuzz_ops: %s: %s: pool %ld (%s), model %ld (%s)\n",
		what, d, got, got < 0 ? strerror((int)-got) : "ok", want,
		want < 0 ? strerror((int)-want) : "ok");
	abort();
}

/* Removes everything the model knows, deepest first. */
static void
cleanup(struct rel_model *m)
{
	char *d = rel_model_dump(m);
	/* lines are "/path type ..." sorted: walk them backwards */
	size_t n = 0;
	char *lines[1024];
	for (char *s = d, *nl; (nl = strchr(s, '\n')) && n < 1024; s = nl + 1) {
		*nl = 0;
		lines[n++] = s;
	}
	for (size_t i = n; i-- > 0;) {
		char *sp = strchr(lines[i], ' ');
		*sp = 0;
		if (!strcmp(lines[i], "/"))
			continue;
		int dir = sp[1] == 'd';
		int r = pf_unlinkat(pool, &rel_root, NULL, lines[i] + 1,
				    dir ? AT_REMOVEDIR : 0);
		if (r < 0 && r != -ENOENT) {
			fprintf(stderr, "fuzz_ops: cleanup of %s: %d\n", lines[i], r);
			abort();
		}
	}
	free(d);
	char *now = rel_pool_dump(pool, NULL);
	if (strcmp(now, empty_dump) != 0) {
		fprintf(stderr, "fuzz_ops: the tree is not empty after cleanup\n");
		rel_diff("pool", now, "empty", empty_dump);
		abort();
	}
	free(now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rel_model *m = rel_model_new();
	struct rel_op op;
	for (size_t i = 0; i + 8 <= size && i < 8 * 64; i += 8) {
		const uint8_t *r = data + i;
		memset(&op, 0, sizeof(op));
		op.kind = 1 + r[0] % (OP_NKINDS - 1);
		decode_path(op.a, r[1], r[2]);
		decode_path(op.b, r[3], r[4]);
		op.len = (uint32_t)r[5] * 97 + (r[3] & 7);
		op.off = (uint64_t)r[6] * 61;
		op.seed = (uint32_t)(i * 31 + r[7]);
		if (op.kind == OP_TRUNC)
			op.len = (uint32_t)r[5] * 131;
		if (op.kind == OP_RENAME)
			op.flags = r[7] % 5 == 0 ? RENAME_NOREPLACE :
				   r[7] % 5 == 1 ? RENAME_EXCHANGE :
				   r[7] % 23 == 2 ? 0x7 : 0;
		long want = rel_model_apply(m, &op, 1);
		if (want == -E2BIG)
			continue;       /* beyond the model's room */
		want = rel_model_apply(m, &op, 0);
		long got = rel_pool_apply(pool, &op);
		if (got != want && !(skip_known && known_bug(got, want)))
			fail("result", &op, got, want);
		char *dp = rel_pool_dump(pool, NULL);
		char *dm = rel_model_dump(m);
		if (strcmp(dp, dm) != 0) {
			rel_diff("pool", dp, "model", dm);
			fail("tree", &op, got, want);
		}
		free(dp);
		free(dm);
	}
	cleanup(m);
	rel_model_free(m);
	return 0;
}
