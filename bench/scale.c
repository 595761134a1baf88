/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-scale: does the cost of an operation stay flat as things grow?
 *
 *   pf-scale [--target T] [--core POOL [--pool-size S]] dir DIR N
 *       create N empty files in one directory, stat them, list them and
 *       unlink them; per-op times of the first and the last 1,000
 *   pf-scale [...] grow DIR SIZE [CHUNK]
 *       grow one file to SIZE bytes in CHUNK-byte appends (default 4K);
 *       per-append times of the first and the last 1,000, and the total
 *   pf-scale [...] threads DIR MAXTHREADS SECONDS
 *       1, 2, 4 ... MAXTHREADS threads, each on its own 4 MiB file, doing
 *       4 KiB pwrites, then 4 KiB preads, for SECONDS each
 *
 * DIR is a host directory (syscalls) or a pool path (--core, in-process).
 * Output lines: "op target median_ns p90_ns count [# note]" (see bench.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define WINDOW 1000

static const struct bench_io *io = &bench_io_sys;
static const char *target = "native";

static void report_slice(const char *op, const struct samples *s,
			 size_t from, size_t len)
{
	if (len > s->n - from)
		len = s->n - from;
	printf("%s %s %llu %llu %zu\n", op, target,
	       (unsigned long long)samples_slice_quantile(s, from, len, 0.5),
	       (unsigned long long)samples_slice_quantile(s, from, len, 0.9),
	       len);
	fflush(stdout);
}

static void report_first_last(const char *op, const struct samples *s)
{
	char name[128];
	size_t w = s->n < WINDOW ? s->n : WINDOW;

	snprintf(name, sizeof(name), "%s_first%zu", op, w);
	report_slice(name, s, 0, w);
	snprintf(name, sizeof(name), "%s_last%zu", op, w);
	report_slice(name, s, s->n - w, w);
}

static void fail(const char *op, const char *what, int err)
{
	char why[512];

	snprintf(why, sizeof(why), "%s: %s", what, strerror(-err));
	bench_report_na(op, target, why);
}

/* ---- one big directory ---- */

static void entry_name(char *out, size_t len, const char *d, size_t i)
{
	snprintf(out, len, "%s/f%07zu", d, i);
}

/* Stats WINDOW random names among the first `have` entries. */
static int stat_window(const char *d, size_t have, struct samples *s)
{
	unsigned seed = 12345;

	for (size_t k = 0; k < WINDOW; k++) {
		char p[1200];
		struct bench_stat st;

		entry_name(p, sizeof(p), d, (size_t)rand_r(&seed) % have);
		uint64_t t0 = bench_now_ns();
		int r = io->stat(p, &st);

		samples_add(s, bench_now_ns() - t0);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Lists the directory with small getdents64 calls (a few dozen entries
 * each), recording each call's time and entry count, so the cost per entry
 * of the first and the last ~1,000 entries can be told apart.
 */
struct list_call {
	uint64_t ns;
	size_t entries;
};

static int list_dir(const char *d, size_t n, struct list_call **calls,
		    size_t *ncalls)
{
	static char buf[1024];
	bench_fh f;
	size_t entries = 0, cap = 1024;
	int r = io->open(d, O_RDONLY | O_DIRECTORY, 0, &f);

	*ncalls = 0;
	*calls = malloc(cap * sizeof(**calls));
	if (!*calls)
		return -ENOMEM;
	if (r < 0)
		return r;
	for (;;) {
		uint64_t t0 = bench_now_ns();
		ssize_t got = io->getdents64(f, buf, sizeof(buf));
		uint64_t t1 = bench_now_ns();

		if (got <= 0) {
			io->close(f);
			if (got < 0)
				return (int)got;
			break;
		}
		size_t cnt = 0;

		for (ssize_t pos = 0; pos < got; cnt++) {
			unsigned short reclen;

			memcpy(&reclen, buf + pos + 16, sizeof(reclen));
			if (!reclen)
				break;
			pos += reclen;
		}
		if (*ncalls == cap) {
			struct list_call *m = realloc(*calls, 2 * cap * sizeof(*m));

			if (!m) {
				io->close(f);
				return -ENOMEM;
			}
			*calls = m;
			cap *= 2;
		}
		(*calls)[(*ncalls)++] = (struct list_call){ t1 - t0, cnt };
		entries += cnt;
	}
	return entries == n + 2 ? 0 : -EIO;
}

/* Mean ns per entry over the calls that returned the first (from_end = 0)
 * or the last ~WINDOW entries. */
static void report_list(const char *op, const struct list_call *c, size_t n,
			int from_end)
{
	uint64_t ns = 0;
	size_t entries = 0;

	for (size_t k = 0; k < n && entries < WINDOW; k++) {
		const struct list_call *x = &c[from_end ? n - 1 - k : k];

		ns += x->ns;
		entries += x->entries;
	}
	uint64_t mean = entries ? ns / entries : 0;

	printf("%s %s %llu %llu %zu # mean per entry\n", op, target,
	       (unsigned long long)mean, (unsigned long long)mean, entries);
	fflush(stdout);
}

static int run_dir(const char *base, size_t n)
{
	char d[1100];
	struct samples create, st1, stn, sfirst, slast, unl;
	struct list_call *calls = NULL;
	size_t ncalls = 0;
	int r;

	snprintf(d, sizeof(d), "%s/pf-scale-dir.%d", base, (int)getpid());
	if ((r = io->mkdir(d, 0755)) < 0) {
		fail("dir_create", "mkdir", r);
		return 1;
	}
	samples_init(&create);
	samples_init(&st1);
	samples_init(&stn);
	samples_init(&sfirst);
	samples_init(&slast);
	samples_init(&unl);

	uint64_t start = bench_now_ns();

	for (size_t i = 0; i < n; i++) {
		char p[1200];
		bench_fh f;

		entry_name(p, sizeof(p), d, i);
		uint64_t t0 = bench_now_ns();

		r = io->open(p, O_WRONLY | O_CREAT | O_EXCL, 0644, &f);
		if (r == 0)
			io->close(f);
		samples_add(&create, bench_now_ns() - t0);
		if (r < 0) {
			fail("dir_create", p, r);
			goto out;
		}
		if (i + 1 == WINDOW && (r = stat_window(d, WINDOW, &st1)) < 0) {
			fail("dir_stat", "stat", r);
			goto out;
		}
	}
	printf("# dir: created %zu files in %.2f s\n", n,
	       (double)(bench_now_ns() - start) / 1e9);
	if (n >= WINDOW && (r = stat_window(d, n, &stn)) < 0) {
		fail("dir_stat", "stat", r);
		goto out;
	}
	/* In the full directory: the first-created names, then the last. */
	for (size_t k = 0; k < 2 * WINDOW && k < 2 * n; k++) {
		size_t i = k < WINDOW ? k : n - 2 * WINDOW + k;
		char p[1200];
		struct bench_stat st;

		if (i >= n)
			break;
		entry_name(p, sizeof(p), d, i);
		uint64_t t0 = bench_now_ns();

		r = io->stat(p, &st);
		samples_add(k < WINDOW ? &sfirst : &slast, bench_now_ns() - t0);
		if (r < 0) {
			fail("dir_stat", "stat", r);
			goto out;
		}
	}
	start = bench_now_ns();
	r = list_dir(d, n, &calls, &ncalls);
	uint64_t list_ns = bench_now_ns() - start;

	if (r < 0) {
		fail("dir_list", "getdents64", r);
		goto out;
	}
	report_first_last("dir_create", &create);
	if (n >= WINDOW) {
		report_slice("dir_stat_first1000", &sfirst, 0, sfirst.n);
		report_slice("dir_stat_last1000", &slast, 0, slast.n);
		report_slice("dir_stat_random_at1000", &st1, 0, st1.n);
		report_slice("dir_stat_random_atN", &stn, 0, stn.n);
	}
	report_list("dir_list_first1000", calls, ncalls, 0);
	report_list("dir_list_last1000", calls, ncalls, 1);
	printf("# dir: listed %zu entries in %.3f s (%.0f ns/entry)\n", n,
	       (double)list_ns / 1e9, (double)list_ns / (double)(n ? n : 1));
out:
	for (size_t i = 0; i < n; i++) {
		char p[1200];

		entry_name(p, sizeof(p), d, i);
		uint64_t t0 = bench_now_ns();
		int u = io->unlink(p);

		if (u == -ENOENT)
			break;          /* creation stopped here */
		samples_add(&unl, bench_now_ns() - t0);
	}
	/* Unlink goes from the full directory down: "first" is at N entries. */
	if (r == 0 && unl.n == n)
		report_first_last("dir_unlink", &unl);
	io->rmdir(d);
	samples_free(&create);
	samples_free(&st1);
	samples_free(&stn);
	samples_free(&sfirst);
	samples_free(&slast);
	free(calls);
	samples_free(&unl);
	return r < 0;
}

/* ---- one growing file ---- */

static int run_grow(const char *base, uint64_t size, size_t chunk)
{
	char p[1100];
	bench_fh f;
	struct samples s;
	char *buf = malloc(chunk);
	int r;

	if (!buf)
		return 1;
	memset(buf, 'g', chunk);
	snprintf(p, sizeof(p), "%s/pf-scale-grow.%d", base, (int)getpid());
	if ((r = io->open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644,
			  &f)) < 0) {
		fail("grow_append", "open", r);
		free(buf);
		return 1;
	}
	samples_init(&s);
	uint64_t start = bench_now_ns();

	for (uint64_t done = 0; done < size; done += chunk) {
		uint64_t t0 = bench_now_ns();
		ssize_t w = io->write(f, buf, chunk);

		samples_add(&s, bench_now_ns() - t0);
		if (w != (ssize_t)chunk) {
			char what[128];

			snprintf(what, sizeof(what), "append at %llu",
				 (unsigned long long)done);
			fail("grow_append", what, w < 0 ? (int)w : -EIO);
			r = -1;
			break;
		}
	}
	uint64_t total = bench_now_ns() - start;

	if (r == 0) {
		io->fdatasync(f);
		report_first_last("grow_append", &s);
		printf("grow_append_all %s %llu %llu %zu # MiB_per_s=%.1f total_s=%.2f\n",
		       target, (unsigned long long)samples_quantile(&s, 0.5),
		       (unsigned long long)samples_quantile(&s, 0.9), s.n,
		       (double)size / (1 << 20) / ((double)total / 1e9),
		       (double)total / 1e9);
	}
	io->close(f);
	io->unlink(p);
	samples_free(&s);
	free(buf);
	return r != 0;
}

/* ---- threads ---- */

#define TFILE_BLOCKS 1024

struct worker {
	pthread_t tid;
	char path[1100];
	bench_fh f;
	int write;
	uint64_t deadline;
	struct samples s;
	int err;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char buf[4096] __attribute__((aligned(64)));
	unsigned seed = (unsigned)(uintptr_t)w;

	memset(buf, 'w', sizeof(buf));
	for (size_t i = 0;; i++) {
		off_t off = (off_t)(rand_r(&seed) % TFILE_BLOCKS) * 4096;
		uint64_t t0 = bench_now_ns();
		ssize_t r = w->write ? io->pwrite(w->f, buf, sizeof(buf), off)
				     : io->pread(w->f, buf, sizeof(buf), off);
		uint64_t t1 = bench_now_ns();

		if (r != sizeof(buf)) {
			w->err = r < 0 ? (int)r : -EIO;
			break;
		}
		samples_add(&w->s, t1 - t0);
		if ((i & 15) == 0 && t1 > w->deadline)
			break;
	}
	return NULL;
}

static int run_threads(const char *base, int maxthreads, double seconds)
{
	struct worker *ws = calloc((size_t)maxthreads, sizeof(*ws));
	char *block = calloc(1, 4096 * 64);
	int r = 0;

	if (!ws || !block)
		return 1;
	memset(block, 'i', 4096 * 64);
	for (int t = 0; t < maxthreads; t++) {
		snprintf(ws[t].path, sizeof(ws[t].path), "%s/pf-scale-t%d.%d",
			 base, t, (int)getpid());
		r = io->open(ws[t].path, O_RDWR | O_CREAT | O_TRUNC, 0644,
			     &ws[t].f);
		for (int b = 0; r == 0 && b < TFILE_BLOCKS / 64; b++) {
			ssize_t w = io->pwrite(ws[t].f, block, 4096 * 64,
					       (off_t)b * 4096 * 64);
			if (w != 4096 * 64)
				r = w < 0 ? (int)w : -EIO;
		}
		if (r < 0) {
			fail("pwrite_4k_t1", "setup", r);
			return 1;
		}
	}
	for (int n = 1; n <= maxthreads; n *= 2) {
		for (int wr = 1; wr >= 0; wr--) {
			uint64_t start = bench_now_ns();
			uint64_t deadline = start + (uint64_t)(seconds * 1e9);
			struct samples all;
			char op[64];
			int err = 0;

			snprintf(op, sizeof(op), "%s_4k_t%d",
				 wr ? "pwrite" : "pread", n);
			for (int t = 0; t < n; t++) {
				samples_init(&ws[t].s);
				ws[t].write = wr;
				ws[t].deadline = deadline;
				ws[t].err = 0;
				pthread_create(&ws[t].tid, NULL, worker_main, &ws[t]);
			}
			samples_init(&all);
			for (int t = 0; t < n; t++) {
				pthread_join(ws[t].tid, NULL);
				if (ws[t].err)
					err = ws[t].err;
				for (size_t k = 0; k < ws[t].s.n; k++)
					samples_add(&all, ws[t].s.v[k]);
				samples_free(&ws[t].s);
			}
			double el = (double)(bench_now_ns() - start) / 1e9;

			if (err) {
				fail(op, "I/O", err);
				r = 1;
			} else {
				printf("%s %s %llu %llu %zu # ops_per_s=%.0f\n",
				       op, target,
				       (unsigned long long)samples_quantile(&all, 0.5),
				       (unsigned long long)samples_quantile(&all, 0.9),
				       all.n, (double)all.n / el);
				fflush(stdout);
			}
			samples_free(&all);
		}
		if (n * 2 > maxthreads && n != maxthreads)
			n = maxthreads / 2;     /* always end at maxthreads */
	}
	for (int t = 0; t < maxthreads; t++) {
		io->close(ws[t].f);
		io->unlink(ws[t].path);
	}
	free(ws);
	free(block);
	return r;
}

__attribute__((noreturn)) static void usage(void)
{
	fprintf(stderr,
		"usage: pf-scale [--target T] [--core POOL [--pool-size S]] dir DIR N\n"
		"       pf-scale [...] grow DIR SIZE [CHUNK]\n"
		"       pf-scale [...] threads DIR MAXTHREADS SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "core", required_argument, NULL, 'c' },
		{ "pool-size", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool = NULL, *label = NULL;
	uint64_t pool_size = 1ull << 30;
	int o, ret;

	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (o) {
		case 't': label = optarg; break;
		case 'c': pool = optarg; break;
		case 's': pool_size = bench_parse_size(optarg); break;
		default: usage();
		}
	}
	if (argc - optind < 3)
		usage();
	const char *mode = argv[optind], *dir = argv[optind + 1];

	target = label ? label : (pool ? "core" : "native");
	if (pool) {
#ifdef BENCH_CORE
		char why[512];

		io = bench_io_core(pool, pool_size, why, sizeof(why));
		if (!io) {
			bench_report_na(mode, target, why);
			return 1;
		}
#else
		(void)pool_size;
		fprintf(stderr, "pf-scale: built without the core; use pf-scale-core\n");
		return 2;
#endif
	}
	if (!strcmp(mode, "dir")) {
		ret = run_dir(dir, strtoul(argv[optind + 2], NULL, 10));
	} else if (!strcmp(mode, "grow")) {
		size_t chunk = argc - optind > 3 ?
			(size_t)bench_parse_size(argv[optind + 3]) : 4096;

		ret = run_grow(dir, bench_parse_size(argv[optind + 2]),
			       chunk ? chunk : 4096);
	} else if (!strcmp(mode, "threads")) {
		if (argc - optind < 4)
			usage();
		int t = atoi(argv[optind + 2]);

		ret = run_threads(dir, t < 1 ? 1 : t, atof(argv[optind + 3]));
	} else {
		usage();
	}
	if (io->fini)
		io->fini();
	return ret;
}
