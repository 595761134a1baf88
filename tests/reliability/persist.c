/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persist-point images: crash consistency at every barrier.
 *
 * A fixed workload (creates, appends, truncates, renames incl. directory
 * moves and RENAME_EXCHANGE, links, unlinks, mkdir/rmdir) runs through the
 * pf_* API with the core's persist hook installed. Run 1 counts the
 * barriers (and checks every result against the model). Run 2 replays the
 * workload on a fresh pool; at each chosen barrier N the hook copies the
 * pool file (on /dev/shm; everything before the barrier is persistent, so
 * the file is the crash image) and runs a checker process on the copy:
 * pf_fsck must be clean, pf_pool_open must work, and the tree must equal
 * the model after exactly k or k+1 operations, k being the number of
 * operations that had returned when the barrier was reached. The checker
 * is a separate process because libpmemobj refuses to open a second pool
 * with the UUID of one already open.
 *
 *   rel-persist                  CI mode: a random sample of barriers
 *   PF_LONG_TESTS=1 rel-persist  every barrier
 * Environment: PF_REL_SEED (workload), PF_REL_OPS (operations, 150),
 * PF_REL_SAMPLE (barriers checked in CI mode, 50).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pmemfile/core.h>
#include <pmemfile/testing.h>

#include "rel.h"
#include "rel_pool.h"

#define MAXLEN 9000

static struct rel_op *ops;
static int nops;
static uint64_t seed;

static char pool_path[256], image_path[256];

/* hook state */
static long barrier;            /* barriers seen in this run */
static int ops_done;            /* operations returned so far */
static unsigned char *chosen;   /* run 2: check at barrier N? */
static long nchosen_max;
static long checked, failed;
static int first_fail_n = -1;

static long
env_long(const char *name, long def)
{
	const char *s = getenv(name);
	return s && *s ? strtol(s, NULL, 0) : def;
}

static void
count_hook(void *arg)
{
	(void)arg;
	barrier++;
}

static int
run_checker(long n, int k)
{
	char ns[32], ks[32], ss[32], os[32];
	snprintf(ns, sizeof(ns), "%ld", n);
	snprintf(ks, sizeof(ks), "%d", k);
	snprintf(ss, sizeof(ss), "%llu", (unsigned long long)seed);
	snprintf(os, sizeof(os), "%d", nops);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/proc/self/exe", "rel-persist", "check", image_path,
		      ss, os, ks, ns, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
image_hook(void *arg)
{
	(void)arg;
	barrier++;
	if (barrier >= nchosen_max || !chosen[barrier])
		return;
	int r = rel_copy_file(pool_path, image_path);
	if (r < 0) {
		fprintf(stderr, "copy of the pool failed: %s\n", strerror(-r));
		failed++;
		return;
	}
	checked++;
	int st = run_checker(barrier, ops_done);
	if (st != 0) {
		failed++;
		if (first_fail_n < 0)
			first_fail_n = (int)barrier;
		char b[REL_PATH * 3];
		if (ops_done < nops)
			rel_op_format(&ops[ops_done], b, sizeof(b));
		else
			snprintf(b, sizeof(b), "(end)");
		fprintf(stderr, "FAIL at barrier %ld (after %d ops, during %s): "
			"checker status %d\n", barrier, ops_done, b, st);
	}
	unlink(image_path);
}

/* Runs the workload on a fresh pool; the hook watches. */
static int
run_workload(void (*hook)(void *), int verify)
{
	char msg[256];
	int r = pf_pool_create(pool_path, PF_POOL_MIN_SIZE, 1, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "pf_pool_create: %s (%s)\n", strerror(-r), msg);
		return -1;
	}
	pf_pool *p;
	r = pf_pool_open(pool_path, 0, &p, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "pf_pool_open: %s (%s)\n", strerror(-r), msg);
		return -1;
	}
	struct rel_model *m = rel_model_new();
	int bad = 0;
	barrier = 0;
	ops_done = 0;
	pf_test_set_persist_hook(hook, NULL);
	for (int i = 0; i < nops; i++) {
		long want = rel_model_apply(m, &ops[i], 0);
		long got = rel_pool_apply(p, &ops[i]);
		ops_done = i + 1;
		if (verify && got != want) {
			char b[REL_PATH * 3];
			rel_op_format(&ops[i], b, sizeof(b));
			fprintf(stderr, "op %d %s: got %ld, model says %ld\n",
				i, b, got, want);
			bad++;
		}
	}
	pf_test_set_persist_hook(NULL, NULL);
	if (verify) {
		int err;
		char *dp = rel_pool_dump(p, &err);
		char *dm = rel_model_dump(m);
		if (strcmp(dp, dm) != 0) {
			fprintf(stderr, "final tree differs from the model\n");
			rel_diff("pool", dp, "model", dm);
			bad++;
		}
		free(dp);
		free(dm);
	}
	rel_model_free(m);
	pf_pool_close(p);
	return bad ? -1 : 0;
}

/* rel-persist check IMAGE SEED NOPS K N */
static int
check_main(char **argv)
{
	const char *image = argv[2];
	seed = strtoull(argv[3], NULL, 0);
	nops = atoi(argv[4]);
	int k = atoi(argv[5]);
	const char *n = argv[6];
	ops = calloc((size_t)nops, sizeof(*ops));
	rel_gen_workload(seed, ops, nops, MAXLEN);

	int f = rel_fsck(image, n);
	if (f != 0) {
		fprintf(stderr, "barrier %s: fsck of the crash image: %d\n", n, f);
		return 1;
	}
	char msg[256] = "";
	pf_pool *p;
	int r = pf_pool_open(image, 0, &p, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "barrier %s: pf_pool_open: %s (%s)\n", n,
			strerror(-r), msg);
		return 1;
	}
	int err;
	char *dp = rel_pool_dump(p, &err);
	pf_pool_close(p);
	struct rel_model *m = rel_model_new();
	for (int i = 0; i < k; i++)
		rel_model_apply(m, &ops[i], 0);
	char *d0 = rel_model_dump(m);
	char *d1 = NULL;
	if (k < nops) {
		rel_model_apply(m, &ops[k], 0);
		d1 = rel_model_dump(m);
	}
	int ok = strcmp(dp, d0) == 0 || (d1 && strcmp(dp, d1) == 0);
	if (!ok) {
		fprintf(stderr, "barrier %s: tree matches neither %d nor %d "
			"operations done\n", n, k, k + 1);
		rel_diff("image", dp, "model k", d0);
		if (d1)
			rel_diff("image", dp, "model k+1", d1);
	}
	f = rel_fsck(image, n);
	if (f != 0) {
		fprintf(stderr, "barrier %s: fsck after open/close: %d\n", n, f);
		ok = 0;
	}
	free(dp);
	free(d0);
	free(d1);
	rel_model_free(m);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 7 && strcmp(argv[1], "check") == 0)
		return check_main(argv);

	int long_mode = env_long("PF_LONG_TESTS", 0) > 0;
	seed = (uint64_t)env_long("PF_REL_SEED", 1);
	nops = (int)env_long("PF_REL_OPS", 150);
	long sample = env_long("PF_REL_SAMPLE", 50);
	snprintf(pool_path, sizeof(pool_path), "/dev/shm/pf-rel-persist-%d",
		 getpid());
	snprintf(image_path, sizeof(image_path),
		 "/dev/shm/pf-rel-persist-%d.img", getpid());

	ops = calloc((size_t)nops, sizeof(*ops));
	rel_gen_workload(seed, ops, nops, MAXLEN);

	int rc = 0;
	if (run_workload(count_hook, 1) < 0) {
		fprintf(stderr, "run 1: results differ from the model\n");
		rc = 1;
	}
	long total = barrier;
	printf("workload: %d operations, seed %llu, %ld persist points\n",
	       nops, (unsigned long long)seed, total);
	if (total == 0) {
		fprintf(stderr, "no persist point seen: is the core built with "
			"PF_TEST_HOOKS and does it call the hook?\n");
		unlink(pool_path);
		return 1;
	}
	nchosen_max = total * 2 + 16;
	chosen = calloc((size_t)nchosen_max, 1);
	if (long_mode || sample <= 0 || sample >= total) {
		for (long i = 1; i <= total; i++)
			chosen[i] = 1;
	} else {
		uint64_t rng = seed ^ (uint64_t)getpid() << 16;
		for (long c = 0; c < sample;) {
			long i = 1 + (long)(rel_rand(&rng) % (uint64_t)total);
			if (!chosen[i]) {
				chosen[i] = 1;
				c++;
			}
		}
		chosen[total] = 1;  /* always the last one */
	}
	run_workload(image_hook, 0);
	printf("persist points checked: %ld of %ld, failures: %ld\n", checked,
	       total, failed);
	if (failed) {
		fprintf(stderr, "reproduce one: PF_REL_SEED=%llu PF_REL_OPS=%d, "
			"barrier %d\n", (unsigned long long)seed, nops,
			first_fail_n);
		rc = 1;
	}
	if (checked == 0)
		rc = 1;
	unlink(pool_path);
	unlink(image_path);
	return rc;
}
