/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-micro: per-operation latency of the small file-system operations users
 * feel, as the median and p90 of many rounds.
 *
 *   pf-micro [options] DIR             syscalls on DIR (native, or as the
 *                                      program wrapped by pmemfile-run)
 *   pf-micro-core [options] --core POOL [DIR]
 *                                      the same code over the pf_* API
 *                                      in-process (DIR is a pool path, "/")
 * options:
 *   --target NAME    label printed in every line (default: native / core)
 *   --rounds N       timed rounds of each small op (default 10000); large
 *                    (1 MiB) and durable ops use N/10, at least 10
 *   --max-ms T       stop an op after T ms if it has 10 rounds (default 3000)
 *   --pool-size S    size of the pool created in --core mode (default 256M)
 *   --ops a,b,...    only these ops
 *
 * Output: one line per op, "op target median_ns p90_ns rounds", or
 * "op target n/a n/a 0 # reason". Lines starting with '#' are comments.
 * Every op goes through struct bench_io, so all targets run the same code;
 * only the backend (syscalls or pf_*) differs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define SMALL (4u << 10)
#define LARGE (1u << 20)
#define DATA4K_BLOCKS 1024       /* 4 MiB file for 4 KiB I/O */
#define DATA1M_BLOCKS 16         /* 16 MiB file for 1 MiB I/O */
#define APPEND_WRAP 4096         /* truncate the append file every 16 MiB */
#define DIR_ENTRIES 1000

struct ctx {
	const struct bench_io *io;
	char dir[1024];          /* the benchmark's own work directory */
	char *buf;               /* LARGE bytes, touched */
	char *dents;             /* getdents buffer */
	bench_fh fh;             /* the op's open file, if it keeps one */
	int have_fh;
	off_t append_len;
};

struct op {
	const char *name;
	int large;               /* fewer rounds: 1 MiB or durable */
	int (*setup)(struct ctx *c);
	int (*run)(struct ctx *c, size_t i);
	void (*teardown)(struct ctx *c);
};

static void path_of(const struct ctx *c, char *out, size_t len,
		    const char *name)
{
	snprintf(out, len, "%s/%s", c->dir, name);
}

/* Creates name with `blocks` blocks of `bs` bytes, opened in c->fh. */
static int make_file(struct ctx *c, const char *name, size_t bs,
		     size_t blocks, int keep_open)
{
	char p[1100];
	bench_fh f;

	path_of(c, p, sizeof(p), name);
	int r = c->io->open(p, O_RDWR | O_CREAT | O_TRUNC, 0644, &f);

	if (r < 0)
		return r;
	for (size_t b = 0; b < blocks; b++) {
		ssize_t w = c->io->pwrite(f, c->buf, bs, (off_t)(b * bs));

		if (w != (ssize_t)bs) {
			c->io->close(f);
			return w < 0 ? (int)w : -EIO;
		}
	}
	if (keep_open) {
		c->fh = f;
		c->have_fh = 1;
	} else {
		c->io->close(f);
	}
	return 0;
}

static void close_fh(struct ctx *c)
{
	if (c->have_fh)
		c->io->close(c->fh);
	c->have_fh = 0;
}

/* ---- the operations ---- */

static int setup_statfile(struct ctx *c)
{
	return make_file(c, "stat-file", SMALL, 1, 0);
}

static int run_stat(struct ctx *c, size_t i)
{
	char p[1100];
	struct bench_stat st;

	path_of(c, p, sizeof(p), "stat-file");
	int r = c->io->stat(p, &st);

	return r < 0 ? r : (st.size == SMALL ? 0 : -EIO);
}

static int run_open_close(struct ctx *c, size_t i)
{
	char p[1100];
	bench_fh f;

	path_of(c, p, sizeof(p), "stat-file");
	int r = c->io->open(p, O_RDONLY, 0, &f);

	if (r < 0)
		return r;
	c->io->close(f);
	return 0;
}

static int setup_data4k(struct ctx *c)
{
	return make_file(c, "data-4k", SMALL, DATA4K_BLOCKS, 1);
}

static off_t off4k(size_t i)
{
	return (off_t)((i * 7919) % DATA4K_BLOCKS) * SMALL;
}

static int run_pread4k(struct ctx *c, size_t i)
{
	ssize_t r = c->io->pread(c->fh, c->buf, SMALL, off4k(i));

	return r == SMALL ? 0 : (r < 0 ? (int)r : -EIO);
}

static int run_pwrite4k(struct ctx *c, size_t i)
{
	ssize_t r = c->io->pwrite(c->fh, c->buf, SMALL, off4k(i));

	return r == SMALL ? 0 : (r < 0 ? (int)r : -EIO);
}

static int setup_data1m(struct ctx *c)
{
	return make_file(c, "data-1m", LARGE, DATA1M_BLOCKS, 1);
}

static off_t off1m(size_t i)
{
	return (off_t)((i * 7) % DATA1M_BLOCKS) * LARGE;
}

static int run_pread1m(struct ctx *c, size_t i)
{
	ssize_t r = c->io->pread(c->fh, c->buf, LARGE, off1m(i));

	return r == LARGE ? 0 : (r < 0 ? (int)r : -EIO);
}

static int run_pwrite1m(struct ctx *c, size_t i)
{
	ssize_t r = c->io->pwrite(c->fh, c->buf, LARGE, off1m(i));

	return r == LARGE ? 0 : (r < 0 ? (int)r : -EIO);
}

static int setup_append(struct ctx *c)
{
	char p[1100];

	path_of(c, p, sizeof(p), "append");
	int r = c->io->open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644,
			    &c->fh);

	if (r == 0)
		c->have_fh = 1;
	c->append_len = 0;
	return r;
}

static int run_append(struct ctx *c, size_t i)
{
	ssize_t w = c->io->write(c->fh, c->buf, SMALL);

	if (w != SMALL)
		return w < 0 ? (int)w : -EIO;
	return c->io->fdatasync(c->fh);
}

static int run_create_unlink(struct ctx *c, size_t i)
{
	char p[1100];
	bench_fh f;

	path_of(c, p, sizeof(p), "created");
	int r = c->io->open(p, O_WRONLY | O_CREAT | O_EXCL, 0644, &f);

	if (r < 0)
		return r;
	c->io->close(f);
	return c->io->unlink(p);
}

static int run_mkdir_rmdir(struct ctx *c, size_t i)
{
	char p[1100];

	path_of(c, p, sizeof(p), "made");
	int r = c->io->mkdir(p, 0755);

	return r < 0 ? r : c->io->rmdir(p);
}

static int setup_rename(struct ctx *c)
{
	return make_file(c, "rename-a", SMALL, 1, 0);
}

static int run_rename(struct ctx *c, size_t i)
{
	char a[1100], b[1100];

	path_of(c, a, sizeof(a), "rename-a");
	path_of(c, b, sizeof(b), "rename-b");
	return (i & 1) ? c->io->rename(b, a) : c->io->rename(a, b);
}

static void teardown_rename(struct ctx *c)
{
	char a[1100], b[1100];

	path_of(c, a, sizeof(a), "rename-a");
	path_of(c, b, sizeof(b), "rename-b");
	c->io->unlink(a);
	c->io->unlink(b);
}

static int setup_dir1000(struct ctx *c)
{
	char p[1100];
	int r;

	path_of(c, p, sizeof(p), "dir1000");
	r = c->io->mkdir(p, 0755);
	if (r < 0)
		return r;
	for (int k = 0; k < DIR_ENTRIES; k++) {
		char e[1200];
		bench_fh f;

		snprintf(e, sizeof(e), "%s/entry-%04d", p, k);
		r = c->io->open(e, O_WRONLY | O_CREAT | O_EXCL, 0644, &f);
		if (r < 0)
			return r;
		c->io->close(f);
	}
	return 0;
}

static int run_readdir(struct ctx *c, size_t i)
{
	char p[1100];
	bench_fh f;
	long entries = 0;
	ssize_t n;

	path_of(c, p, sizeof(p), "dir1000");
	int r = c->io->open(p, O_RDONLY | O_DIRECTORY, 0, &f);

	if (r < 0)
		return r;
	while ((n = c->io->getdents64(f, c->dents, 32768)) > 0) {
		for (ssize_t pos = 0; pos < n;) {
			unsigned short reclen;

			memcpy(&reclen, c->dents + pos + 16, sizeof(reclen));
			if (reclen == 0)
				break;
			pos += reclen;
			entries++;
		}
	}
	c->io->close(f);
	if (n < 0)
		return (int)n;
	return entries == DIR_ENTRIES + 2 ? 0 : -EIO;
}

static void teardown_dir1000(struct ctx *c)
{
	char p[1100];

	path_of(c, p, sizeof(p), "dir1000");
	for (int k = 0; k < DIR_ENTRIES; k++) {
		char e[1200];

		snprintf(e, sizeof(e), "%s/entry-%04d", p, k);
		c->io->unlink(e);
	}
	c->io->rmdir(p);
}

static void teardown_file(struct ctx *c, const char *name)
{
	char p[1100];

	close_fh(c);
	path_of(c, p, sizeof(p), name);
	c->io->unlink(p);
}

/* a file with three small attributes, as cp -a or rsync -X leave them */
static int setup_xattrfile(struct ctx *c)
{
	char p[1100];
	int r = make_file(c, "xattr-file", SMALL, 1, 0);

	path_of(c, p, sizeof(p), "xattr-file");
	if (!r)
		r = c->io->setxattr(p, "user.mime_type", "text/plain", 10);
	if (!r)
		r = c->io->setxattr(p, "user.checksum", "0123456789abcdef", 16);
	if (!r)
		r = c->io->setxattr(p, "security.selinux", "unconfined_u", 12);
	return r;
}

static int run_getxattr(struct ctx *c, size_t i)
{
	char p[1100], v[64];

	path_of(c, p, sizeof(p), "xattr-file");
	ssize_t r = c->io->getxattr(p, "user.checksum", v, sizeof(v));

	return r < 0 ? (int)r : (r == 16 ? 0 : -EIO);
}

static int run_setxattr(struct ctx *c, size_t i)
{
	char p[1100], v[16];

	path_of(c, p, sizeof(p), "xattr-file");
	snprintf(v, sizeof(v), "%015zu", i);
	return c->io->setxattr(p, "user.checksum", v, 15);
}

static void teardown_statfile(struct ctx *c) { teardown_file(c, "stat-file"); }
static void teardown_xattrfile(struct ctx *c)
{
	teardown_file(c, "xattr-file");
}
static void teardown_data4k(struct ctx *c) { teardown_file(c, "data-4k"); }
static void teardown_data1m(struct ctx *c) { teardown_file(c, "data-1m"); }
static void teardown_append(struct ctx *c) { teardown_file(c, "append"); }

static const struct op ops[] = {
	{ "stat", 0, setup_statfile, run_stat, teardown_statfile },
	{ "open_close", 0, setup_statfile, run_open_close, teardown_statfile },
	{ "pread_4k", 0, setup_data4k, run_pread4k, teardown_data4k },
	{ "pwrite_4k", 0, setup_data4k, run_pwrite4k, teardown_data4k },
	{ "pread_1m", 1, setup_data1m, run_pread1m, teardown_data1m },
	{ "pwrite_1m", 1, setup_data1m, run_pwrite1m, teardown_data1m },
	{ "append_fdatasync_4k", 1, setup_append, run_append, teardown_append },
	{ "create_unlink", 0, NULL, run_create_unlink, NULL },
	{ "mkdir_rmdir", 0, NULL, run_mkdir_rmdir, NULL },
	{ "rename", 0, setup_rename, run_rename, teardown_rename },
	{ "readdir_1000", 1, setup_dir1000, run_readdir, teardown_dir1000 },
	{ "getxattr", 0, setup_xattrfile, run_getxattr, teardown_xattrfile },
	{ "setxattr", 0, setup_xattrfile, run_setxattr, teardown_xattrfile },
};

static int wanted(const char *list, const char *name)
{
	if (!list)
		return 1;
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

static void measure(struct ctx *c, const struct op *op, const char *target,
		    size_t rounds, uint64_t max_ns)
{
	char why[256];
	struct samples s;
	int r = 0;

	if (op->setup && (r = op->setup(c)) < 0) {
		snprintf(why, sizeof(why), "setup failed: %s", strerror(-r));
		bench_report_na(op->name, target, why);
		if (op->teardown)
			op->teardown(c);
		return;
	}
	samples_init(&s);
	size_t warm = rounds / 20 + 2;
	uint64_t start = bench_now_ns();

	for (size_t i = 0; i < warm + rounds; i++) {
		if (op->run == run_append && c->append_len >= (off_t)APPEND_WRAP * SMALL) {
			c->io->ftruncate(c->fh, 0);
			c->append_len = 0;
		}
		uint64_t t0 = bench_now_ns();

		r = op->run(c, i);
		uint64_t t1 = bench_now_ns();

		if (r < 0)
			break;
		c->append_len += SMALL;
		if (i >= warm)
			samples_add(&s, t1 - t0);
		if (s.n >= 10 && t1 - start > max_ns)
			break;
	}
	if (r < 0) {
		snprintf(why, sizeof(why), "%s", strerror(-r));
		bench_report_na(op->name, target, why);
	} else {
		bench_report(op->name, target, &s);
	}
	samples_free(&s);
	if (op->teardown)
		op->teardown(c);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pf-micro [--target NAME] [--rounds N] [--max-ms T] [--ops a,b] DIR\n"
#ifdef BENCH_CORE
		"       pf-micro-core [...] [--pool-size S] --core POOL [POOLDIR]\n"
#endif
		);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "max-ms", required_argument, NULL, 'm' },
		{ "ops", required_argument, NULL, 'o' },
		{ "core", required_argument, NULL, 'c' },
		{ "pool-size", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *target = NULL, *only = NULL, *pool = NULL;
	size_t rounds = 10000;
	uint64_t max_ms = 3000, pool_size = 256u << 20;
	int o;

	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (o) {
		case 't': target = optarg; break;
		case 'n': rounds = strtoul(optarg, NULL, 10); break;
		case 'm': max_ms = strtoull(optarg, NULL, 10); break;
		case 'o': only = optarg; break;
		case 'c': pool = optarg; break;
		case 's': pool_size = bench_parse_size(optarg); break;
		default: usage();
		}
	}
	const char *dir = optind < argc ? argv[optind] : NULL;
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.io = &bench_io_sys;
	if (pool) {
#ifdef BENCH_CORE
		char why[512];

		if (!target)
			target = "core";
		c.io = bench_io_core(pool, pool_size, why, sizeof(why));
		if (!c.io) {
			for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
				if (wanted(only, ops[k].name))
					bench_report_na(ops[k].name, target, why);
			return 1;
		}
		if (!dir)
			dir = "/";
#else
		(void)pool_size;
		fprintf(stderr, "pf-micro: built without the core; use pf-micro-core\n");
		return 2;
#endif
	}
	if (!dir || rounds == 0)
		usage();
	if (!target)
		target = "native";

	snprintf(c.dir, sizeof(c.dir), "%s%spf-micro.%d", dir,
		 dir[strlen(dir) - 1] == '/' ? "" : "/", (int)getpid());
	if (posix_memalign((void **)&c.buf, 4096, LARGE) ||
	    !(c.dents = malloc(32768))) {
		fprintf(stderr, "out of memory\n");
		return 2;
	}
	memset(c.buf, 'x', LARGE);

	int r = c.io->mkdir(c.dir, 0755);

	if (r < 0) {
		char why[1200];

		snprintf(why, sizeof(why), "mkdir %s: %s", c.dir, strerror(-r));
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (wanted(only, ops[k].name))
				bench_report_na(ops[k].name, target, why);
		return 1;
	}

	/* What one timestamp pair costs, to read the small figures against. */
	struct samples s;

	samples_init(&s);
	for (int i = 0; i < 1000; i++) {
		uint64_t t0 = bench_now_ns();

		samples_add(&s, bench_now_ns() - t0);
	}
	printf("# clock_overhead %s %llu ns\n", target,
	       (unsigned long long)samples_quantile(&s, 0.5));
	samples_free(&s);

	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		if (!wanted(only, ops[k].name))
			continue;
		size_t n = ops[k].large ? rounds / 10 : rounds;

		measure(&c, &ops[k], target, n < 10 ? 10 : n,
			max_ms * 1000000u);
	}
	r = c.io->rmdir(c.dir);
	if (r < 0)
		fprintf(stderr, "pf-micro: rmdir %s: %s\n", c.dir, strerror(-r));
	if (c.io->fini)
		c.io->fini();
	free(c.buf);
	free(c.dents);
	return 0;
}
