/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line and PMEMFILE_POOLS. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher.h"
#include "size.h"

static const char usage[] =
	"Usage: pmemfile-run [OPTIONS] [--] COMMAND [ARG...]\n"
	"Runs COMMAND with pmemfile pools mounted: every path under a mount\n"
	"directory lives in its pool, everything else is the host's.\n"
	"\n"
	"  --pool PATH --mount DIR  mount the pool at PATH on DIR (repeatable pairs)\n"
	"  --create SIZE            create pools that do not exist (SIZE: 64M, 1G...)\n"
	"  --log FILE               write messages (and --trace) to FILE\n"
	"  --log-level N            0 quiet, 1 errors, 2 warnings (default), 3 info, 4 debug\n"
	"  --trace                  one line per served syscall\n"
	"  --workers N              notification worker threads (default 4)\n"
	"  --sandbox                the host file system read-only, the network off\n"
	"  --rw PATH                with --sandbox: PATH stays writable (repeatable)\n"
	"  --hide PATH              with --sandbox: PATH cannot be read (repeatable)\n"
	"  --net none|host          with --sandbox: the network (default none)\n"
	"  --ephemeral              a new pool for this run (--create SIZE, default\n"
	"                           256M) on --mount DIR (default /pmem), removed at exit\n"
	"  --report FILE            a JSON report of the run written to FILE at exit\n"
	"  --help, --version\n"
	"\n"
	"Without --pool: PMEMFILE_POOLS=\"DIR:PATH;DIR2:PATH2\", else the per-user\n"
	"default pool $PMEMFILE_DEFAULT_POOL (default\n"
	"${XDG_DATA_HOME:-~/.local/share}/pmemfile/default.pool, created on first\n"
	"use) mounted at $PMEMFILE_DEFAULT_MOUNT (default /pmem).\n"
	"Exit status: the command's; 128+N if it was killed by signal N; 127\n"
	"command not found; 126 not executable; 125 pmemfile-run failed.\n"
	"See pmemfile-run(1) and pmemfile(7).\n";

static uint64_t parse_size(const char *s)
{
	uint64_t v;
	int r = pf_parse_size(s, &v);
	if (r == -ERANGE)
		die("--create %s: too large", s);
	if (r)
		die("--create %s: not a size; use a number with an optional "
		    "K, M, G or T suffix, e.g. 64M or 1G", s);
	return v;
}

static void add_pool(struct options *o, const char *pool, const char *mount)
{
	if (o->npools == MAX_POOLS)
		die("too many pools (at most %d)", MAX_POOLS);
	if (mount[0] != '/')
		die("mount point %s is not absolute; use a path starting with /", mount);
	if (mount[strspn(mount, "/")] == 0)
		die("cannot mount a pool on /: programs could not be found; use a directory such as /mnt");
	o->pool[o->npools] = pool;
	o->mount[o->npools] = mount;
	o->npools++;
}

/* PMEMFILE_POOLS="DIR:PATH;DIR2:PATH2" (the predecessor's variable). */
static void env_pools(struct options *o)
{
	const char *v = getenv("PMEMFILE_POOLS");
	if (!v || !*v)
		return;
	/* lives as long as the process: o points into it (static, so it
	 * stays reachable for LeakSanitizer) */
	static char *copy;
	copy = strdup(v);
	if (!copy)
		die("out of memory");
	char *save = NULL;
	for (char *tok = strtok_r(copy, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(tok, ':');
		if (!colon || colon == tok || !colon[1])
			die("PMEMFILE_POOLS entry \"%s\" is not DIR:PATH", tok);
		*colon = 0;
		add_pool(o, colon + 1, tok);
	}
}

void options_parse(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "mount", required_argument, NULL, 'm' },
		{ "create", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "trace", no_argument, NULL, 't' },
		{ "workers", required_argument, NULL, 'w' },
		{ "sandbox", no_argument, NULL, 'S' },
		{ "ephemeral", no_argument, NULL, 'E' },
		{ "report", required_argument, NULL, 'r' },
		{ "rw", required_argument, NULL, 'R' },
		{ "hide", required_argument, NULL, 'H' },
		{ "net", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pending_pool = NULL, *pending_mount = NULL;
	memset(o, 0, sizeof(*o));
	o->log_level = 2;
	o->workers = 4;
	int ch;
	opterr = 0;
	/* '+': stop at the first non-option, the command */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (pending_pool)
				die("--pool %s has no --mount; give --pool PATH --mount DIR pairs", pending_pool);
			pending_pool = optarg;
			break;
		case 'm':
			if (pending_mount)
				die("--mount %s has no --pool; give --pool PATH --mount DIR pairs", pending_mount);
			pending_mount = optarg;
			break;
		case 'c': o->create_size = parse_size(optarg); break;
		case 'l': o->log_file = optarg; break;
		case 'L':
			o->log_level = atoi(optarg);
			if (o->log_level < 0 || o->log_level > 4)
				die("--log-level %s: use 0 to 4", optarg);
			break;
		case 't': o->trace = 1; break;
		case 'w':
			o->workers = atoi(optarg);
			if (o->workers < 1 || o->workers > 256)
				die("--workers %s: use 1 to 256", optarg);
			break;
		case 'S': o->sandbox = 1; break;
		case 'E': o->ephemeral = 1; break;
		case 'r': o->report = optarg; break;
		case 'R':
			if (o->nrw == 64)
				die("too many --rw (at most 64)");
			o->rw[o->nrw++] = optarg;
			break;
		case 'H':
			if (o->nhide == 64)
				die("too many --hide (at most 64)");
			o->hide[o->nhide++] = optarg;
			break;
		case 'N':
			if (strcmp(optarg, "none") == 0)
				o->net = 'n';
			else if (strcmp(optarg, "host") == 0)
				o->net = 'h';
			else
				die("--net %s: use none or host", optarg);
			break;
		case 'h': fputs(usage, stdout); exit(0);
		case 'V':
			printf("pmemfile-run %s (libpmemfile-core %s)\n",
			       PF_RUN_VERSION, pf_version());
			exit(0);
		default:
			die("unknown option %s; see pmemfile-run --help",
			    argv[optind - 1]);
		}
		if (pending_pool && pending_mount) {
			add_pool(o, pending_pool, pending_mount);
			pending_pool = pending_mount = NULL;
		}
	}
	if (pending_pool)
		die("--pool %s has no --mount; give --pool PATH --mount DIR pairs", pending_pool);
	if (pending_mount && o->ephemeral && o->npools == 0)
		o->ephemeral_mount = pending_mount; /* the ephemeral pool's */
	else if (pending_mount)
		die("--mount %s has no --pool; give --pool PATH --mount DIR pairs", pending_mount);
	if (o->ephemeral && o->npools)
		die("--ephemeral makes its own pool; give --mount DIR alone, not --pool");
	if (optind >= argc)
		die("no command given; see pmemfile-run --help");
	o->argv = argv + optind;
	if (o->npools == 0 && !o->ephemeral)
		env_pools(o);
	sandbox_check_options(o);
}
