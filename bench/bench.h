/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared pieces of the benchmark programs: timing and statistics, and the
 * I/O backend (kernel syscalls, or the core library in-process) that lets
 * every target run through exactly the same measuring code.
 *
 * Backend functions return 0 / a count on success and a negative errno on
 * failure, whichever backend is behind them.
 */
#ifndef PF_BENCH_H
#define PF_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- timing and statistics ---- */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* A growable list of samples (nanoseconds). */
struct samples {
	uint64_t *v;
	size_t n, cap;
};
void samples_init(struct samples *s);
void samples_add(struct samples *s, uint64_t ns);
void samples_free(struct samples *s);
/* q in [0,1]: 0.5 is the median. Sorts s->v in place; 0 if empty. */
uint64_t samples_quantile(struct samples *s, double q);
/* Quantile of the slice [from, from+len) without disturbing s. */
uint64_t samples_slice_quantile(const struct samples *s, size_t from,
				size_t len, double q);

/* One machine-readable result line: "op target median_ns p90_ns rounds". */
void bench_report(const char *op, const char *target, struct samples *s);
/* A line saying that op could not be measured, and why. */
void bench_report_na(const char *op, const char *target, const char *why);

/* ---- I/O backend ---- */

/* A backend's open file: an fd for syscalls, a pf_file for the core. */
typedef union {
	int fd;
	void *ptr;
} bench_fh;

struct bench_stat {
	uint64_t ino;
	uint64_t size;
	uint32_t mode;
};

struct bench_io {
	const char *name;
	int (*open)(const char *path, int flags, mode_t mode, bench_fh *out);
	void (*close)(bench_fh f);
	ssize_t (*pread)(bench_fh f, void *buf, size_t n, off_t off);
	ssize_t (*pwrite)(bench_fh f, const void *buf, size_t n, off_t off);
	ssize_t (*write)(bench_fh f, const void *buf, size_t n);
	int (*fdatasync)(bench_fh f);
	int (*ftruncate)(bench_fh f, off_t len);
	ssize_t (*getdents64)(bench_fh f, void *buf, size_t n);
	int (*stat)(const char *path, struct bench_stat *st);
	int (*unlink)(const char *path);
	int (*mkdir)(const char *path, mode_t mode);
	int (*rmdir)(const char *path);
	int (*rename)(const char *from, const char *to);
	/* extended attributes (flags 0) */
	int (*setxattr)(const char *path, const char *name, const void *v,
			size_t n);
	ssize_t (*getxattr)(const char *path, const char *name, void *v,
			    size_t n);
	/* Tears the backend down (closes a pool). May be NULL. */
	void (*fini)(void);
};

/* Plain syscalls on host paths. */
extern const struct bench_io bench_io_sys;

#ifdef BENCH_CORE
/*
 * The core library in-process, on the pool at pool_path (created with
 * pool_size bytes if it does not exist). Paths given to the backend are
 * pool paths. Returns NULL and fills why on failure.
 */
const struct bench_io *bench_io_core(const char *pool_path,
				     uint64_t pool_size, char *why,
				     size_t whylen);
#endif

/* Parses "64M", "4G", "4096" (k/K, m/M, g/G suffixes: powers of 1024). */
uint64_t bench_parse_size(const char *s);
/* "--target NAME [--rounds N] DIR" (either option optional, in any order):
 * the index of DIR, or -1 for anything else. */
int bench_dir_args(int argc, char **argv, const char **target, long *rounds);

#endif
