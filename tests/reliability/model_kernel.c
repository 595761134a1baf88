/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The oracle checked against the kernel: random operations (the fuzzer's
 * name space: paths of up to three components from {a, b, c, d}; every
 * kind, RENAME_NOREPLACE/EXCHANGE, invalid flags) applied to the model and
 * to a tmpfs directory; the result (value or errno) and the whole tree must
 * agree after each. If this fails, the model is wrong, not the product.
 *   rel-model-kernel [NOPS]   (default 10000; PF_LONG_TESTS=1: 500000)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>

#include "rel.h"

static void
rand_path(uint64_t *rng, char *out)
{
	static const char *names[] = { "a", "b", "c", "d" };
	int depth = 1 + (int)(rel_rand(rng) % 3);
	out[0] = 0;
	for (int i = 0; i < depth; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, names[rel_rand(rng) % 4]);
	}
}

static void
clear_dir(const char *base)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", base, base);
	if (system(cmd) != 0)
		abort();
}

int
main(int argc, char **argv)
{
	int long_mode = getenv("PF_LONG_TESTS") && atoi(getenv("PF_LONG_TESTS")) > 0;
	long nops = argc > 1 ? atol(argv[1]) : long_mode ? 500000 : 10000;
	char base[256];
	snprintf(base, sizeof(base), "/dev/shm/pf-rel-model-kernel-%d", getpid());
	clear_dir(base);
	uint64_t rng = (uint64_t)getpid() * 31 + 7;
	struct rel_model *m = rel_model_new();
	long failures = 0, checked = 0, errs = 0;
	for (long i = 0; i < nops && failures < 10; i++) {
		if (i % 64 == 0) {     /* a fresh tree now and then */
			rel_model_free(m);
			m = rel_model_new();
			clear_dir(base);
		}
		struct rel_op op;
		memset(&op, 0, sizeof(op));
		op.kind = 1 + (int)(rel_rand(&rng) % (OP_NKINDS - 1));
		rand_path(&rng, op.a);
		rand_path(&rng, op.b);
		if (rel_rand(&rng) % 8 == 0)
			strcpy(op.b, op.a);
		op.len = (uint32_t)(rel_rand(&rng) % 5000);
		op.off = rel_rand(&rng) % 9000;
		op.seed = (uint32_t)i;
		if (op.kind == OP_RENAME) {
			unsigned r = (unsigned)(rel_rand(&rng) % 9);
			op.flags = r < 3 ? RENAME_NOREPLACE : r < 6 ? RENAME_EXCHANGE :
				   r == 6 ? (RENAME_NOREPLACE | RENAME_EXCHANGE) : 0;
		}
		long got;
		if (rel_rand(&rng) % 2) {
			/* half of them: an operation the model says succeeds */
			if (rel_gen(m, &rng, &op, 5000, 1) < 0)
				continue;
			got = op.kind == OP_APPEND || op.kind == OP_PWRITE ?
			      (long)op.len : 0;
		} else {
			if (rel_model_apply(m, &op, 1) == -E2BIG)
				continue;
			got = rel_model_apply(m, &op, 0);
		}
		long want = rel_sys_apply(base, &op);
		checked++;
		errs += want < 0;
		char d[REL_PATH * 3];
		if (got != want) {
			rel_op_format(&op, d, sizeof(d));
			fprintf(stderr, "FAIL op %ld %s: kernel %ld (%s), model %ld (%s)\n",
				i, d, want, want < 0 ? strerror((int)-want) : "ok",
				got, got < 0 ? strerror((int)-got) : "ok");
			failures++;
			continue;
		}
		char *dk = rel_sys_dump(base), *dm = rel_model_dump(m);
		if (strcmp(dk, dm)) {
			rel_op_format(&op, d, sizeof(d));
			fprintf(stderr, "FAIL op %ld %s: trees differ\n", i, d);
			rel_diff("kernel", dk, "model", dm);
			failures++;
		}
		free(dk);
		free(dm);
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		failures++;
	rel_model_free(m);
	printf("model vs kernel: %ld operations (%ld failing ones), %ld "
	       "disagreements\n", checked, errs, failures);
	return failures ? 1 : 0;
}
