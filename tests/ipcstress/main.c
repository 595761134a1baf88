/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-ipcstress: FIFOs and UNIX sockets in the directory under test, from
 * a seed, by 2-4 cooperating processes. See README.md and ipcstress.h.
 *
 *   pf-ipcstress [-n OPS] [-s SEED] [-P PROCS] [-l LOG] [-v] DIR
 *
 * DIR is made (0777) and must not hold anything the run did not make.
 * Exit: 0 the run completed (its log says what happened), 1 a worker
 * died or an op waited (the model was wrong), 2 usage or set-up error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipcstress.h"

static const char usage[] =
	"usage: pf-ipcstress [-n OPS] [-s SEED] [-P PROCS] [-l LOG] [-v] DIR\n"
	"  -n OPS    operations (default 3000)\n"
	"  -s SEED   seed (default: random, printed)\n"
	"  -P PROCS  worker processes, 2-4 (default: 2 + SEED % 3)\n"
	"  -l LOG    write the op log to LOG\n"
	"  -v        write the op log to stdout\n";

static int die2(const char *what)
{
	fprintf(stderr, "pf-ipcstress: %s: %s\n", what, strerror(errno));
	return 2;
}

/* the regular files passed with SCM_RIGHTS: seed-derived bytes */
static int make_files(uint64_t seed)
{
	struct rng g = { seed ^ 0xf11e5ull };
	for (int i = 0; i < NFILE; i++) {
		char name[8], b[8192];
		snprintf(name, sizeof(name), "f%d", i);
		size_t len = 1 + rng_below(&g, sizeof(b));
		for (size_t k = 0; k < len; k++)
			b[k] = (char)rng_next(&g);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0644);
		if (fd < 0 || write(fd, b, len) != (ssize_t)len ||
		    close(fd) < 0)
			return die2(name);
	}
	return 0;
}

int worker_spawn(struct ipcrun *r, int w)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		for (int k = 0; k < MAX_WORKERS; k++)
			if (r->ctl[k] >= 0)
				close(r->ctl[k]);
		signal(SIGPIPE, SIG_DFL);
		worker_main(sv[1]);
	}
	close(sv[1]);
	r->ctl[w] = sv[0];
	r->pid[w] = pid;
	return 0;
}

int worker_reap(struct ipcrun *r, int w)
{
	int st = 0;
	close(r->ctl[w]);
	r->ctl[w] = -1;
	if (waitpid(r->pid[w], &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		fprintf(stderr, "pf-ipcstress: worker %d ended badly (%#x)\n",
			w, st);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long nops = 3000;
	uint64_t seed = 0;
	int have_seed = 0, verbose = 0, procs = 0, o;
	const char *logpath = NULL;
	while ((o = getopt(argc, argv, "n:s:P:l:v")) != -1) {
		switch (o) {
		case 'n': nops = strtoul(optarg, NULL, 0); break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = 1;
			break;
		case 'P': procs = atoi(optarg); break;
		case 'l': logpath = optarg; break;
		case 'v': verbose = 1; break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 ||
	    (procs && (procs < 2 || procs > MAX_WORKERS))) {
		fputs(usage, stderr);
		return 2;
	}
	if (!have_seed) {
		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = (uint64_t)getpid();
		seed %= 1000000000; /* short enough to type back in */
	}
	if (!procs)
		procs = 2 + (int)(seed % 3);
	const char *dir = argv[optind];
	const char *slash = strrchr(dir, '/');
	ipc_dir_base = slash ? slash + 1 : dir;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return die2(dir);
	/* relative names from here on: the log reads the same anywhere */
	if (chdir(dir) < 0 || chmod(".", 0777) < 0)
		return die2(dir);
	umask(022);
	if (mkdir("d", 0777) < 0 || chmod("d", 0777) < 0)
		return die2("d");
	if (make_files(seed))
		return 2;

	struct ipcrun r;
	memset(&r, 0, sizeof(r));
	r.rng.s = seed;
	r.nworkers = procs;
	r.nops = nops;
	r.hash = FNV_INIT;
	if (logpath && !(r.log = fopen(logpath, "we")))
		return die2(logpath);
	if (!logpath && verbose)
		r.log = stdout;
	fprintf(stderr, "pf-ipcstress: seed %llu ops %lu procs %d\n",
		(unsigned long long)seed, nops, procs);
	log_line(&r, "seed %llu ops %lu procs %d", (unsigned long long)seed,
		 nops, procs);
	/* a worker gone must not kill us with SIGPIPE on the control socket */
	signal(SIGPIPE, SIG_IGN);
	for (int w = 0; w < MAX_WORKERS; w++)
		r.ctl[w] = -1;
	for (int w = 0; w < procs; w++)
		if (worker_spawn(&r, w) < 0)
			return die2("fork");
	int ret = coordinator_run(&r);
	for (int w = 0; w < procs; w++)
		if (r.ctl[w] >= 0 && worker_reap(&r, w) < 0)
			ret = ret ? ret : 1;
	list_names(&r);
	if (r.blocked)
		ret = ret ? ret : 1;
	fprintf(stderr,
		"pf-ipcstress: seed %llu: %lu ops, log hash %016llx, %lu waits\n",
		(unsigned long long)seed, nops, (unsigned long long)r.hash,
		r.blocked);
	for (int i = 0; i < OP_QUIT; i++)
		fprintf(stderr, "  %-9s %7lu ok %7lu\n", op_names[i],
			r.count[i], r.ok[i]);
	if (r.log && r.log != stdout && fclose(r.log))
		return die2(logpath);
	fflush(stdout);
	return ret;
}
