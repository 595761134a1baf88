/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-fsstress: random namespace operations from a seed (run), and the
 * canonical listing of a tree (dump). See README.md.
 *
 *   pf-fsstress run [-n OPS] [-s SEED] [-p PROCS] [-l LOG] [-v] DIR
 *   pf-fsstress dump DIR
 *
 * run works in DIR (created if missing). With -p, PROCS processes work in
 * DIR at once, process i with seed SEED+i and OPS/PROCS operations (their
 * results are not comparable, only checked for errnos nothing may return).
 * Exit: 0 fine, 1 an unexpected errno (or a failing dump), 2 usage or
 * set-up error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsstress.h"

static const char usage[] =
"usage: pf-fsstress run [-n OPS] [-s SEED] [-p PROCS] [-l LOG] [-v] DIR\n"
"       pf-fsstress dump DIR\n"
"  -n OPS    operations in all (default 10000)\n"
"  -s SEED   seed (default: random, printed)\n"
"  -p PROCS  processes working at once (default 1; seeds SEED+i)\n"
"  -l LOG    write the op log to LOG (LOG.i per process with -p)\n"
"  -v        write the op log to stdout\n";

/* one process's run; its summary goes to stderr */
static int run_one(unsigned proc, uint64_t seed, unsigned long nops,
		   const char *logpath, int verbose)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	r.rng.s = seed;
	r.proc = proc;
	r.nops = nops;
	r.log.hash = FNV_INIT;
	tree_init(&r.tree);
	if (logpath) {
		r.log.out = fopen(logpath, "we");
		if (!r.log.out) {
			fprintf(stderr, "pf-fsstress: %s: %s\n", logpath, strerror(errno));
			return 2;
		}
	} else if (verbose) {
		r.log.out = stdout;
	}
	int ret = ops_run(&r);
	fprintf(stderr, "pf-fsstress: proc %u seed %llu: %lu ops, log hash %016llx, "
		"%lu unexpected errors, %zu names at the end\n", proc,
		(unsigned long long)seed, r.nops, (unsigned long long)r.log.hash,
		r.log.unexpected, r.tree.n);
	ops_summary(&r, stderr);
	if (r.log.out && r.log.out != stdout && fclose(r.log.out)) {
		fprintf(stderr, "pf-fsstress: %s: %s\n", logpath, strerror(errno));
		ret = 2;
	}
	fflush(stdout);
	tree_free(&r.tree);
	return ret;
}

static int run_many(unsigned procs, uint64_t seed, unsigned long nops,
		    const char *logpath)
{
	for (unsigned i = 0; i < procs; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "pf-fsstress: fork: %s\n", strerror(errno));
			return 2;
		}
		if (pid == 0) {
			char path[4096];
			if (logpath)
				snprintf(path, sizeof(path), "%s.%u", logpath, i);
			/* proc numbers from 1: they are part of new names */
			_exit(run_one(i + 1, seed + i, nops / procs,
				      logpath ? path : NULL, 0));
		}
	}
	int ret = 0, status;
	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "pf-fsstress: a process %s %d\n",
				WIFEXITED(status) ? "exited" : "was killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			ret = 1;
		}
	}
	return ret;
}

static int cmd_run(int argc, char **argv)
{
	unsigned long nops = 10000;
	unsigned procs = 1;
	uint64_t seed;
	int have_seed = 0, verbose = 0, c;
	const char *logpath = NULL;
	while ((c = getopt(argc, argv, "n:s:p:l:v")) != -1) {
		switch (c) {
		case 'n': nops = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
		case 'p': procs = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'l': logpath = optarg; break;
		case 'v': verbose = 1; break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || procs < 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (!have_seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)getpid();
	if (!have_seed)
		seed %= 1000000000;     /* short enough to type back in */
	const char *dir = argv[optind];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "pf-fsstress: mkdir %s: %s\n", dir, strerror(errno));
		return 2;
	}
	/* relative paths from here on: the log reads the same wherever DIR is */
	if (chdir(dir) < 0) {
		fprintf(stderr, "pf-fsstress: chdir %s: %s\n", dir, strerror(errno));
		return 2;
	}
	/* open to the unprivileged users some operations run as (ops.c) */
	if (chmod(".", 0777) < 0) {
		fprintf(stderr, "pf-fsstress: chmod %s: %s\n", dir, strerror(errno));
		return 2;
	}
	umask(022);
	fprintf(stderr, "pf-fsstress: seed %llu ops %lu procs %u\n",
		(unsigned long long)seed, nops, procs);
	if (procs == 1)
		return run_one(0, seed, nops, logpath, verbose);
	return run_many(procs, seed, nops, logpath);
}

static int cmd_dump(int argc, char **argv)
{
	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	int e = dump_tree(argv[1], stdout);
	if (fflush(stdout) || ferror(stdout))
		return 1;
	return e ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	fputs(usage, stderr);
	return 2;
}
