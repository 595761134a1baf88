/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End-to-end crash test: SIGKILL of the supervisor at random moments.
 *
 * Each round makes a fresh pool, starts
 *   pmemfile-run --pool POOL --mount MNT -- rel-crash-workload MNT LOG SEED N
 * and SIGKILLs pmemfile-run after a random delay within the workload's
 * measured duration. Then (once every process of the round is gone):
 *   - `pmemfile fsck POOL` must exit 0;
 *   - the pool must open, and its tree (names, types, sizes, contents,
 *     link counts) must equal the model after L or L+1 operations, L being
 *     the number of operations in the workload's log (the workload logs an
 *     operation, fsync'd, after it returned; one more may have completed
 *     unlogged). Anything else is a lost or torn operation.
 *
 * Environment: PMEMFILE_RUN, PMEMFILE_TOOL, REL_WORKLOAD (paths);
 * PF_REL_ROUNDS (default 30; PF_LONG_TESTS=1: 300), PF_REL_OPS (600).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pmemfile/core.h>

#include "rel.h"
#include "rel_pool.h"

static const char *run_bin, *tool_bin, *workload_bin;
static char pool[256], log_path[256], outf[256], mnt[256];
static int nops;

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reaps every descendant (we are a subreaper). Returns the status of pid. */
static int
reap_all(pid_t pid)
{
	int st = -1, s;
	pid_t w;
	while ((w = waitpid(-1, &s, 0)) > 0 || (w < 0 && errno == EINTR))
		if (w == pid)
			st = s;
	return st;
}

static void
show_output(void)
{
	FILE *f = fopen(outf, "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof(line), f) && n++ < 20)
		fprintf(stderr, "    | %s", line);
	if (f)
		fclose(f);
}

/* Starts the workload; kills pmemfile-run after delay seconds (< 0: never).
 * Returns the wait status of pmemfile-run. */
static int
run_round(uint64_t seed, double delay, int *killed)
{
	char seeds[32], ns[32];
	snprintf(seeds, sizeof(seeds), "%llu", (unsigned long long)seed);
	snprintf(ns, sizeof(ns), "%d", nops);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(outf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		setpgid(0, 0);
		execl(run_bin, run_bin, "--pool", pool, "--mount", mnt, "--",
		      workload_bin, mnt, log_path, seeds, ns, (char *)NULL);
		perror(run_bin);
		_exit(126);
	}
	*killed = 0;
	if (delay >= 0) {
		double end = now() + delay;
		int s;
		for (;;) {
			if (waitpid(pid, &s, WNOHANG) == pid) {
				/* finished before the kill */
				reap_all(-1);
				return s;
			}
			double left = end - now();
			if (left <= 0)
				break;
			struct timespec ts = { 0, (long)((left > 0.002 ? 0.002 : left) * 1e9) };
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		*killed = 1;
		/* the supervisor is dead: now clean up its process group */
		waitpid(pid, &s, 0);
		kill(-pid, SIGKILL);
		reap_all(-1);
		return s;
	}
	return reap_all(pid);
}

static int
read_log(void)
{
	int fd = open(log_path, O_RDONLY);
	if (fd < 0)
		return 0;
	struct stat st;
	fstat(fd, &st);
	int n = (int)(st.st_size / 4);
	/* check the records are 0, 1, 2, ... */
	for (int i = 0; i < n; i++) {
		uint32_t r;
		if (pread(fd, &r, 4, (off_t)i * 4) != 4 || r != (uint32_t)i) {
			fprintf(stderr, "log record %d is %u\n", i, r);
			n = i;
			break;
		}
	}
	close(fd);
	return n;
}

static int
tool_fsck(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(outf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(tool_bin, tool_bin, "fsck", pool, (char *)NULL);
		_exit(126);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 0: the pool holds L or L+1 operations; 1: something is lost/corrupt */
static int
check_pool(const struct rel_op *ops, int logged, int *which)
{
	char msg[256] = "";
	pf_pool *p;
	int r = pf_pool_open(pool, 0, &p, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "  pf_pool_open after the kill: %s (%s)\n",
			strerror(-r), msg);
		return 1;
	}
	char *dp = rel_pool_dump(p, NULL);
	pf_pool_close(p);
	struct rel_model *m = rel_model_new();
	for (int i = 0; i < logged; i++)
		rel_model_apply(m, &ops[i], 0);
	char *d0 = rel_model_dump(m);
	char *d1 = NULL;
	if (logged < nops) {
		rel_model_apply(m, &ops[logged], 0);
		d1 = rel_model_dump(m);
	}
	int bad = 1;
	if (strcmp(dp, d0) == 0) {
		bad = 0;
		*which = 0;
	} else if (d1 && strcmp(dp, d1) == 0) {
		bad = 0;
		*which = 1;
	} else {
		char d[REL_PATH * 3] = "(end)";
		if (logged < nops)
			rel_op_format(&ops[logged], d, sizeof(d));
		fprintf(stderr, "  the pool matches neither %d nor %d operations "
			"(next: %s)\n", logged, logged + 1, d);
		rel_diff("pool", dp, "model L", d0);
		if (d1)
			rel_diff("pool", dp, "model L+1", d1);
	}
	free(dp);
	free(d0);
	free(d1);
	rel_model_free(m);
	return bad;
}

int
main(void)
{
	run_bin = getenv("PMEMFILE_RUN");
	tool_bin = getenv("PMEMFILE_TOOL");
	workload_bin = getenv("REL_WORKLOAD");
	if (!run_bin || !tool_bin || !workload_bin) {
		fprintf(stderr, "set PMEMFILE_RUN, PMEMFILE_TOOL, REL_WORKLOAD\n");
		return 2;
	}
	if (access(run_bin, X_OK) || access(tool_bin, X_OK)) {
		fprintf(stderr, "FAIL: %s or %s is not built\n", run_bin, tool_bin);
		return 1;
	}
	int long_mode = getenv("PF_LONG_TESTS") && atoi(getenv("PF_LONG_TESTS")) > 0;
	int rounds = getenv("PF_REL_ROUNDS") ? atoi(getenv("PF_REL_ROUNDS")) :
		     long_mode ? 300 : 30;
	nops = getenv("PF_REL_OPS") ? atoi(getenv("PF_REL_OPS")) : 600;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t me = getpid();
	snprintf(pool, sizeof(pool), "/dev/shm/pf-rel-crash-%d", me);
	snprintf(log_path, sizeof(log_path), "/dev/shm/pf-rel-crash-%d.log", me);
	snprintf(outf, sizeof(outf), "/dev/shm/pf-rel-crash-%d.out", me);
	snprintf(mnt, sizeof(mnt), "/pf-rel-crash-mnt-%d", me);
	struct rel_op *ops = calloc((size_t)nops, sizeof(*ops));
	uint64_t rng = (uint64_t)me * 7919 + (uint64_t)time(NULL);
	if (getenv("PF_REL_SEED"))
		rng = strtoull(getenv("PF_REL_SEED"), NULL, 0);

	long kills = 0, nocrash = 0, corrupt = 0, lost = 0, extra = 0;
	long failures = 0, mismatch = 0;
	double duration = 0;
	for (int round = 0; round <= rounds; round++) {
		uint64_t seed = rel_rand(&rng) % 1000000;
		rel_gen_workload(seed, ops, nops, 20000);
		char msg[256] = "";
		if (pf_pool_create(pool, 128u << 20, 1, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "pf_pool_create: %s\n", msg);
			return 1;
		}
		unlink(log_path);
		int killed;
		double delay = -1;
		if (round > 0)  /* round 0 measures the workload's duration */
			delay = (double)(rel_rand(&rng) % 1000000) / 1e6 * duration * 0.8;
		double t0 = now();
		int st = run_round(seed, delay, &killed);
		double t = now() - t0;
		int logged = read_log();
		if (round == 0) {
			duration = t;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || logged != nops) {
				fprintf(stderr, "FAIL: the workload does not run to "
					"completion under pmemfile-run (status 0x%x, "
					"%d of %d operations logged)\n", st, logged, nops);
				show_output();
				failures++;
				break;
			}
			printf("workload of %d operations takes %.3f s\n", nops, t);
		} else if (killed) {
			kills++;
		} else {
			nocrash++;
			if (t < duration)
				duration = t;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "round %d: workload status 0x%x without "
					"a kill\n", round, st);
				show_output();
				mismatch++;
				failures++;
			}
		}
		int f = tool_fsck();
		if (f != 0) {
			fprintf(stderr, "FAIL round %d (seed %llu, kill after %.3f s, "
				"%d ops logged): pmemfile fsck exit %d\n", round,
				(unsigned long long)seed, delay, logged, f);
			show_output();
			corrupt++;
			failures++;
		}
		int which = 0;
		if (check_pool(ops, logged, &which)) {
			fprintf(stderr, "FAIL round %d (seed %llu, kill after %.3f s): "
				"%d ops logged: lost or torn operation\n", round,
				(unsigned long long)seed, delay, logged);
			lost++;
			failures++;
			char keep[300];
			snprintf(keep, sizeof(keep), "crash-round%d.pool", round);
			if (failures == 1 && rel_copy_file(pool, keep) == 0)
				fprintf(stderr, "  pool kept as %s (seed %llu, "
					"%d ops logged)\n", keep,
					(unsigned long long)seed, logged);
		}
		extra += which;
		if (getenv("PF_REL_VERBOSE"))
			printf("round %d: seed %llu kill %.3f s: %d ops logged%s\n",
			       round, (unsigned long long)seed, delay, logged,
			       which ? " (+1 unlogged)" : "");
	}
	unlink(pool);
	unlink(log_path);
	unlink(outf);
	free(ops);
	printf("crash rounds: %ld kills, %ld finished before the kill; "
	       "corrupt pools %ld, lost operations %ld, unlogged-but-done "
	       "ops %ld; failures %ld\n", kills, nocrash, corrupt, lost, extra,
	       failures);
	return failures ? 1 : 0;
}
