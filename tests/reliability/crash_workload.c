/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The target of the end-to-end crash test, run under pmemfile-run:
 *
 *   rel-crash-workload MOUNT LOG SEED NOPS
 *
 * Performs the deterministic workload rel_gen_workload(SEED) with plain
 * syscalls on files under MOUNT (creates, appends, truncates, renames incl.
 * directory moves and RENAME_EXCHANGE, links, unlinks, mkdir/rmdir). After
 * each operation returns with the model's result, appends the operation's
 * index to LOG (a host file, outside the pool) and fsyncs it. So the log
 * holds exactly the operations that were acknowledged, in order; at most
 * one more may have completed without being logged.
 * Exit: 0 done, 3 a result differed from the model, 4 the log failed
 * (the supervisor is gone: trapped syscalls then fail).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/fs.h>

#include "rel.h"

static struct rel_op *ops;
static struct rel_model *m;

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s MOUNT LOG SEED NOPS\n", argv[0]);
		return 2;
	}
	uint64_t seed = strtoull(argv[3], NULL, 0);
	int n = atoi(argv[4]);
	/* globals stay reachable: no leak reports on the early exits */
	ops = calloc((size_t)n, sizeof(*ops));
	rel_gen_workload(seed, ops, n, 20000);
	m = rel_model_new();
	int log = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log < 0) {
		perror(argv[2]);
		return 4;
	}
	for (int i = 0; i < n; i++) {
		long want = rel_model_apply(m, &ops[i], 0);
		long got = rel_sys_apply(argv[1], &ops[i]);
		if (got != want) {
			char d[REL_PATH * 3];
			rel_op_format(&ops[i], d, sizeof(d));
			fprintf(stderr, "rel-crash-workload: op %d %s: got %ld, "
				"model says %ld\n", i, d, got, want);
			return 3;
		}
		uint32_t rec = (uint32_t)i;
		if (write(log, &rec, sizeof(rec)) != sizeof(rec) || fsync(log) < 0)
			return 4;
	}
	rel_model_free(m);
	free(ops);
	return 0;
}
