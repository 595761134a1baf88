/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-spawn: the cost of running a program, posix_spawn + waitpid, per
 * round (median and p90 in ns, as pf-micro prints them):
 *   spawn_host    /bin/true from the host
 *   spawn_dir     a copy of /bin/true in DIR (a pool under pmemfile-run)
 *   spawn_script  a "#!/bin/true" script in DIR
 *
 *   pf-spawn --target NAME [--rounds N] DIR
 *
 * The first run of each is left out (under pmemfile-run it makes the
 * supervisor's copy of the program: the price of a new or changed one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bench.h"

extern char **environ;

static int copy(const char *from, const char *to)
{
	int in = open(from, O_RDONLY),
	    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n = 0;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	int ok = in >= 0 && out >= 0 && n == 0;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* One op: rounds + 1 spawns, the first not counted. */
static void run(const char *op, const char *target, const char *prog,
		long rounds)
{
	struct samples s;
	samples_init(&s);
	char *argv[] = { (char *)prog, NULL };
	for (long i = 0; i <= rounds; i++) {
		uint64_t t0 = bench_now_ns();
		pid_t p;
		int st;
		int r = posix_spawn(&p, prog, NULL, NULL, argv, environ);
		if (r != 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			char why[128];
			snprintf(why, sizeof(why), "%s: %s", prog,
				 r ? strerror(r) : "did not exit 0");
			bench_report_na(op, target, why);
			samples_free(&s);
			return;
		}
		if (i > 0)
			samples_add(&s, bench_now_ns() - t0);
	}
	bench_report(op, target, &s);
	samples_free(&s);
}

int main(int argc, char **argv)
{
	const char *target = "native";
	long rounds = 1000;
	int i = bench_dir_args(argc, argv, &target, &rounds);
	if (i < 0) {
		fprintf(stderr,
			"usage: pf-spawn --target NAME [--rounds N] DIR\n");
		return 2;
	}
	char prog[4096], script[4096];
	snprintf(prog, sizeof(prog), "%s/pf-spawn-true", argv[i]);
	snprintf(script, sizeof(script), "%s/pf-spawn-true.sh", argv[i]);
	FILE *f = fopen(script, "w");
	if (copy("/bin/true", prog) < 0 || !f ||
	    fputs("#!/bin/true\n", f) < 0 || fclose(f) != 0 ||
	    chmod(script, 0755) < 0) {
		perror("pf-spawn: preparing the programs");
		return 1;
	}
	run("spawn_host", target, "/bin/true", rounds);
	run("spawn_dir", target, prog, rounds);
	run("spawn_script", target, script, rounds);
	unlink(prog);
	unlink(script);
	return 0;
}
